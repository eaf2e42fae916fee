"""Personal survey links: one invitation per customer and wave, answered once, without signing in.

A link is ``<base URL>/survey/<token>``; the token is ``<invitation_id>.<expiry>.<signature>``:
the invitation's number, its expiry as Unix seconds, and the first 16 bytes of HMAC-SHA256 over
``"<invitation_id>.<expiry>"`` with the store's secret (``survey_link_secret``, 32 random bytes
made once), base64url. It carries no customer code or name, and it can be checked without
touching the data: ``read_token`` refuses a forged or altered token before any lookup
(constant-time compare), and a passed expiry is seen from the token itself.

An invitation is used once: ``submit_answer`` claims it (``UPDATE … WHERE used_at IS NULL``) in
the same transaction that writes the answer into ``survey_responses`` (the table imports and the
form write, validated by the same ``SurveyResponseIn``), so a second submit finds nothing to claim
and stores nothing. Everything lives in the store: any process holding it can serve the links.

Nothing here reads the wall clock: callers pass ``now`` (aware, the store's zone).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import pandas as pd

from crm_core import access
from crm_core.audit import write_audit
from crm_core.satisfaction.entry import SERVQUAL_FIELDS, SurveyResponseIn, insert_response
from crm_core.sql import Fragment, compose, run
from crm_core.stats import wilson_interval
from crm_core.store import Store
from crm_core.users import Actor, PermissionDenied

CHANNELS = ("sms", "email", "wechat", "other")  # labels: sat.channel.<key>
DEFAULT_DAYS = 30
MAX_DAYS = 366
MAX_BATCH = 5_000  # customers per generation: a mail merge, not a bulk mailer
SURVEY_PATH = "/survey/"
# The questions a link's form asks (the wave's SERVQUAL block only when the wave asks it).
ANSWER_FIELDS = ("satisfaction", "repurchase_intent", "recommend_yes", "recommend", "comment")
# Who the audit log names for an answer given through a link (the respondent is not a user).
RESPONDENT = Actor(name="survey-link", role="viewer")
_SIGNATURE_BYTES = 16
_TOKEN = re.compile(r"^([1-9][0-9]{0,17})\.([1-9][0-9]{0,11})\.([A-Za-z0-9_-]{22})$")


# -- tokens ------------------------------------------------------------------------------------
def signing_secret(store: Store, create: bool = True) -> bytes | None:
    """The store's link-signing secret, made (32 random bytes) the first time a link is made;
    None when there is none yet and ``create`` is off (checking a token never writes)."""
    row = store.query_one("SELECT secret FROM survey_link_secret WHERE id = 1")
    if row is None and not create:
        return None
    if row is None:
        with store.transaction(changes_data=False) as cur:
            cur.execute("INSERT INTO survey_link_secret (id, secret) VALUES (1, ?) ON CONFLICT DO NOTHING",
                        [secrets.token_bytes(32)])
        row = store.query_one("SELECT secret FROM survey_link_secret WHERE id = 1")
    return bytes(row[0])


def _signature(secret: bytes, invitation_id: int, expires: int) -> str:
    mac = hmac.new(secret, f"{invitation_id}.{expires}".encode(), hashlib.sha256).digest()[:_SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def make_token(secret: bytes, invitation_id: int, expires_at: datetime) -> str:
    expires = int(expires_at.timestamp())
    return f"{invitation_id}.{expires}.{_signature(secret, invitation_id, expires)}"


@dataclass(frozen=True)
class SignedToken:
    invitation_id: int
    expires: int  # Unix seconds


def read_token(secret: bytes, token: str) -> SignedToken | None:
    """The invitation a token names, or None when it is malformed or its signature is wrong."""
    match = _TOKEN.match(token or "")
    if match is None:
        return None
    invitation_id, expires = int(match[1]), int(match[2])
    if not hmac.compare_digest(match[3], _signature(secret, invitation_id, expires)):
        return None
    return SignedToken(invitation_id, expires)


def link_for(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + SURVEY_PATH + token


def checked_base_url(value: str) -> str:
    """An absolute http(s) URL without query or fragment (the site the links point at)."""
    parts = urlsplit((value or "").strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError("err.survey_link_base_url")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


# -- one link, as the respondent opens it ------------------------------------------------------
@dataclass(frozen=True)
class LinkState:
    """What a token opens: ``status`` is ``open``, ``used``, ``expired`` or ``invalid``."""

    status: str
    invitation_id: int | None = None
    wave_id: int | None = None
    wave_name: str = ""
    asks_servqual: bool = False
    channel: str | None = None


def link_state(store: Store, token: str, now: datetime) -> LinkState:
    """The state of the invitation behind ``token``; the signature is checked before any lookup."""
    secret = signing_secret(store, create=False)
    signed = read_token(secret, token) if secret else None
    if signed is None:
        return LinkState("invalid")
    # The customer must still exist (an undone import removes its customers): else nobody to attribute to.
    row = store.query_one(
        "SELECT i.wave_id, w.name, w.asks_servqual, i.channel, i.used_at, epoch(i.expires_at)::BIGINT "
        "FROM survey_invitations i JOIN survey_waves w USING (wave_id) WHERE i.invitation_id = ? "
        "AND EXISTS (SELECT 1 FROM customers c WHERE c.customer_id = i.customer_id)", [signed.invitation_id])
    if row is None or row[5] != signed.expires:
        return LinkState("invalid")
    wave_id, name, servqual, channel, used_at, _ = row
    status = "used" if used_at is not None else "expired" if signed.expires <= now.timestamp() else "open"
    return LinkState(status, signed.invitation_id, int(wave_id), name, bool(servqual), channel)


def asked_fields(state: LinkState) -> tuple[str, ...]:
    return ANSWER_FIELDS + (SERVQUAL_FIELDS if state.asks_servqual else ())


def validated_answer(state: LinkState, form: dict[str, str], now: datetime) -> SurveyResponseIn:
    """The posted answers as a ``SurveyResponseIn`` (the import's and the form's rules); fields the
    form does not ask are ignored. Raises pydantic's ValidationError naming the wrong fields."""
    values = {name: form.get(name) for name in asked_fields(state)}
    return SurveyResponseIn.model_validate(
        {**values, "wave_id": state.wave_id, "responded_on": now.date(), "channel": state.channel})


class LinkRefused(Exception):
    """The link cannot take an answer (any more): ``status`` as in ``LinkState``."""

    def __init__(self, status: str):
        super().__init__(status)
        self.status = status


def submit_answer(store: Store, token: str, form: dict[str, str], now: datetime) -> int:
    """Store the answer behind a link, once. Raises LinkRefused (invalid/used/expired) or
    ValidationError (nothing stored either way); returns the response_id."""
    state = link_state(store, token, now)
    if state.status != "open":
        raise LinkRefused(state.status)
    answer = validated_answer(state, form, now)
    with store.transaction() as cur:
        claimed = cur.execute(
            "UPDATE survey_invitations SET used_at = $now WHERE invitation_id = $id AND used_at IS NULL "
            "AND expires_at > $now RETURNING customer_id", {"now": now, "id": state.invitation_id}).fetchone()
        if claimed is None:  # answered (or expired) since the form was checked: the transaction rolls back
            raise LinkRefused("used")
        customer_id = int(claimed[0])
        customer = cur.execute("SELECT region FROM customers WHERE customer_id = ?", [customer_id]).fetchone()
        if customer is None:  # removed since the form was checked
            raise LinkRefused("invalid")
        answer = answer.model_copy(update={"region": customer[0]})
        response_id = insert_response(cur, RESPONDENT, answer, customer_id)
        cur.execute("UPDATE survey_invitations SET response_id = ? WHERE invitation_id = ?",
                    [response_id, state.invitation_id])
    return response_id


# -- generating links (a signed-in user) -------------------------------------------------------
def wave_choices(store: Store, actor: Actor) -> pd.DataFrame:
    """The waves, newest first, with whether their links ask SERVQUAL."""
    return store.query_df("SELECT wave_id, name, started_on, asks_servqual FROM survey_waves "
                          "ORDER BY started_on DESC, wave_id DESC", actor=actor)


def candidate_customers(store: Store, actor: Actor, wave_id: int, now: datetime, regions=(), reps=(),
                        limit: int = MAX_BATCH) -> tuple[pd.DataFrame, int]:
    """The customers ``actor`` may see, narrowed to ``regions`` / ``reps`` when given, without those
    already invited to the wave whose link is unused and live or answered; (first ``limit`` by code, count)."""
    condition = Fragment("NOT EXISTS (SELECT 1 FROM survey_invitations i WHERE i.customer_id = c.customer_id "
                         "AND i.wave_id = $wave AND (i.used_at IS NOT NULL OR i.expires_at > $now))",
                         {"wave": wave_id, "now": now})
    if regions:
        condition &= Fragment("c.region IN (SELECT unnest($regions))", {"regions": list(regions)})
    if reps:
        condition &= access.of_rep(list(reps), "customers", "c")
    query = compose("SELECT c.customer_id, c.code, c.name, c.region, c.sales_rep, count(*) OVER () AS matching "
                    f"FROM customers c WHERE {{condition}} ORDER BY c.code LIMIT {int(limit)}", condition=condition)
    cur = store.cursor(actor)
    try:
        frame = run(cur, query).df()
    finally:
        cur.close()
    matching = int(frame["matching"].iloc[0]) if len(frame) else 0
    return frame.drop(columns="matching"), matching


def _query(store: Store, actor: Actor, sql: str, params: dict) -> pd.DataFrame:
    cur = store.cursor(actor)
    try:
        return cur.execute(sql, params).df()
    finally:
        cur.close()


def filter_options(store: Store, actor: Actor) -> tuple[list[str], list[str]]:
    """The regions and sales reps among the customers ``actor`` may see."""
    regions = _query(store, actor, "SELECT DISTINCT region FROM customers WHERE region IS NOT NULL ORDER BY 1", {})
    reps = _query(store, actor, "SELECT DISTINCT sales_rep FROM customers WHERE sales_rep IS NOT NULL ORDER BY 1", {})
    return regions["region"].tolist(), reps["sales_rep"].tolist()


def generate_links(store: Store, actor: Actor, wave_id: int, customer_ids, channel: str, now: datetime,
                   days: int = DEFAULT_DAYS) -> list[int]:
    """One new invitation per customer (each must be one ``actor`` may see: a rep, their own),
    valid ``days`` days from ``now``; audited. Returns the invitation ids."""
    actor.require_write()
    ids = sorted({int(c) for c in customer_ids})
    if channel not in CHANNELS:
        raise ValueError(f"channel must be one of {CHANNELS}")
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"a link lasts 1 to {MAX_DAYS} days")
    if not 1 <= len(ids) <= MAX_BATCH:
        raise ValueError(f"1 to {MAX_BATCH} customers at a time")
    seen = _query(store, actor, "SELECT count(*) AS n FROM customers WHERE customer_id IN (SELECT unnest($ids))",
                  {"ids": ids})
    if int(seen["n"].iloc[0]) != len(ids):
        raise PermissionDenied("err.customer_not_found")
    created = now.replace(microsecond=0)
    expires = created + timedelta(days=days)
    with store.transaction() as cur:
        if cur.execute("SELECT 1 FROM survey_waves WHERE wave_id = ?", [wave_id]).fetchone() is None:
            raise ValueError(f"no survey wave {wave_id}")
        rows = cur.execute(
            "INSERT INTO survey_invitations (wave_id, customer_id, channel, created_at, expires_at, created_by) "
            "SELECT $wave, unnest($ids), $channel, $created, $expires, $by RETURNING invitation_id",
            {"wave": wave_id, "ids": ids, "channel": channel, "created": created, "expires": expires,
             "by": actor.name}).fetchall()
        write_audit(cur, actor, "create", "survey_invitations", wave_id, "links", None,
                    f"{len(rows)} {channel} until {expires.isoformat()}")
    return sorted(int(r[0]) for r in rows)


def invitation_links(store: Store, actor: Actor, wave_id: int, base_url: str, now: datetime) -> pd.DataFrame:
    """The wave's links ``actor`` may hand out (writers; a rep: their customers'), newest first:
    customer code, name, phone, e-mail, channel, link, expiry and status (open/used/expired)."""
    actor.require_write()
    base = checked_base_url(base_url)
    frame = _query(store, actor, """
        SELECT c.code, c.name, c.phone, c.email, i.channel, i.invitation_id, i.expires_at,
               CASE WHEN i.used_at IS NOT NULL THEN 'used' WHEN i.expires_at <= $now THEN 'expired'
                    ELSE 'open' END AS status
        FROM survey_invitations i JOIN customers c USING (customer_id)
        WHERE i.wave_id = $wave ORDER BY i.invitation_id DESC""", {"wave": wave_id, "now": now})
    secret = signing_secret(store)
    frame.insert(5, "link", [link_for(base, make_token(secret, int(i), e))
                             for i, e in zip(frame["invitation_id"], frame["expires_at"], strict=True)])
    return frame.drop(columns="invitation_id")


def response_rates(store: Store, actor: Actor, now: datetime, wave_id: int | None = None) -> pd.DataFrame:
    """Per wave and channel, the invitations ``actor`` may see: invited, answered, expired unanswered,
    still open, and the response rate answered / invited with its 95% Wilson interval."""
    frame = _query(store, actor, """
        SELECT i.wave_id, w.name AS wave, i.channel, count(*) AS invited, count(i.used_at) AS answered,
               count(*) FILTER (WHERE i.used_at IS NULL AND i.expires_at <= $now) AS expired,
               count(*) FILTER (WHERE i.used_at IS NULL AND i.expires_at > $now) AS still_open
        FROM survey_invitations i JOIN survey_waves w USING (wave_id)
        WHERE $wave IS NULL OR i.wave_id = $wave
        GROUP BY ALL ORDER BY i.wave_id DESC, i.channel""", {"now": now, "wave": wave_id})
    low, high = wilson_interval(frame["answered"].to_numpy(), frame["invited"].to_numpy())
    return frame.assign(rate=frame["answered"] / frame["invited"], rate_low=low, rate_high=high)


def overall_rate(rates: pd.DataFrame) -> dict:
    """The totals of ``response_rates`` rows: invited, answered, and the rate with its Wilson interval."""
    invited, answered = int(rates["invited"].sum()), int(rates["answered"].sum())
    low, high = wilson_interval(answered, invited)
    return {"invited": invited, "answered": answered, "rate": answered / invited if invited else float("nan"),
            "low": float(low), "high": float(high)}
