"""What an admin configures for alerts: the channels (an SMTP server, group robots) and the weekly
report's recipients and language. Admins only, every change audited — never with a secret in it.

Secrets (the SMTP password, a robot's signing secret, a webhook address, whose query carries the
robot's token) are kept in ``alert_channels.config`` and never handed back to the page: ``masked``
shows a password as ``••••`` and a webhook as its host. Saving a channel with a secret field left
empty keeps the stored one, so an admin can change the name or the port without retyping them.
"""
from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass
from datetime import datetime

from crm_core.alerts.channels import KINDS, SECURITY, WEBHOOK_KINDS
from crm_core.audit import write_audit
from crm_core.i18n import LANGUAGES
from crm_core.store import Store
from crm_core.users import Actor

SECRET_FIELDS = ("password", "secret", "url")
FIELDS = {"email": ("host", "port", "security", "user", "password", "sender"), **dict.fromkeys(WEBHOOK_KINDS, ("url", "secret"))}
MASK = "••••"
EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
MAX_NAME = 60
WEEKLY_REPORT = "weekly_report"


class AlertError(ValueError):
    """A setting the admin can correct; ``key`` is a catalog key, ``params`` its placeholders."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params


@dataclass(frozen=True)
class Channel:
    channel_id: int
    kind: str
    name: str
    config: dict
    enabled: bool


def masked(channel: Channel) -> dict:
    """The channel's settings as the page may show them: secrets as ``••••``, a webhook as its host."""
    shown = {}
    for key, value in channel.config.items():
        if key == "url" and value:
            shown[key] = f"{urllib.parse.urlsplit(value).netloc or '?'}/{MASK}"
        elif key in SECRET_FIELDS and value:
            shown[key] = MASK
        else:
            shown[key] = value
    return shown


def _public(kind: str, name: str, config: dict, enabled: bool) -> str:
    """The audit detail of a channel: kind, name, enabled and its non-secret settings."""
    public = {k: v for k, v in config.items() if k not in SECRET_FIELDS}
    return json.dumps({"kind": kind, "name": name, "enabled": enabled, **public}, ensure_ascii=False, sort_keys=True)


def _checked(kind: str, name: str, config: dict) -> dict:
    if kind not in KINDS:
        raise AlertError("alerts.err.kind")
    if not name.strip() or len(name) > MAX_NAME:
        raise AlertError("alerts.err.channel_name", max=MAX_NAME)
    clean = {key: (config.get(key) or "") for key in FIELDS[kind]}
    clean = {key: value.strip() if isinstance(value, str) and key != "password" else value
             for key, value in clean.items()}
    if kind == "email":
        if not clean["host"]:
            raise AlertError("alerts.err.smtp_host")
        try:
            clean["port"] = int(clean["port"] or 25)
        except (TypeError, ValueError):
            raise AlertError("alerts.err.smtp_port") from None
        if not 0 < clean["port"] < 65536:
            raise AlertError("alerts.err.smtp_port")
        if clean["security"] not in SECURITY:
            clean["security"] = "none"
        if not EMAIL.match(clean["sender"]):
            raise AlertError("alerts.err.email", address=clean["sender"])
    elif urllib.parse.urlsplit(clean["url"]).scheme not in ("http", "https"):
        raise AlertError("alerts.err.webhook_url")
    return clean


def channels(store: Store) -> list[Channel]:
    """Every configured channel with its secrets (for sending; show ``masked`` of it, never this)."""
    frame = store.query_df("SELECT channel_id, kind, name, config, enabled FROM alert_channels ORDER BY channel_id")
    return [Channel(int(r.channel_id), r.kind, r.name, json.loads(r.config), bool(r.enabled))
            for r in frame.itertuples()]


def channel(store: Store, channel_id: int) -> Channel | None:
    return next((c for c in channels(store) if c.channel_id == int(channel_id)), None)


def save_channel(store: Store, actor: Actor, kind: str, name: str, config: dict, enabled: bool = True,
                 channel_id: int | None = None, now: datetime | None = None) -> int:
    """Add a channel, or change the one ``channel_id`` names (an empty secret keeps the stored one).
    Admins only; audited without secrets. Returns the channel id. Raises AlertError."""
    actor.require_account_admin()
    old = channel(store, channel_id) if channel_id is not None else None
    if old is not None:
        kind = old.kind
        config = {**config, **{k: old.config.get(k, "") for k in SECRET_FIELDS
                               if k in FIELDS[kind] and not (config.get(k) or "").strip()}}
    clean = _checked(kind, name.strip(), config)
    with store.transaction(changes_data=False) as cur:
        taken = cur.execute("SELECT channel_id FROM alert_channels WHERE name = ?", [name.strip()]).fetchone()
        if taken and taken[0] != channel_id:
            raise AlertError("alerts.err.channel_exists", name=name.strip())
        if old is None:
            channel_id = cur.execute(
                "INSERT INTO alert_channels (kind, name, config, enabled) VALUES (?, ?, ?, ?) RETURNING channel_id",
                [kind, name.strip(), json.dumps(clean, ensure_ascii=False), bool(enabled)]).fetchone()[0]
            write_audit(cur, actor, "create", "alert_channel", channel_id, new=_public(kind, name.strip(), clean, enabled))
        else:
            cur.execute("UPDATE alert_channels SET name = ?, config = ?, enabled = ?, updated_at = get_current_timestamp()"
                        " WHERE channel_id = ?", [name.strip(), json.dumps(clean, ensure_ascii=False), bool(enabled),
                                                  int(channel_id)])
            write_audit(cur, actor, "update", "alert_channel", channel_id,
                        old=_public(old.kind, old.name, old.config, old.enabled),
                        new=_public(kind, name.strip(), clean, enabled))
    return int(channel_id)


# -- the weekly report's recipients -----------------------------------------------------------------
def weekly_report_settings(store: Store) -> dict:
    """``{"addresses": [...], "language": "zh"}`` (no addresses until an admin sets them)."""
    row = store.query_one("SELECT value FROM alert_settings WHERE key = ?", [WEEKLY_REPORT])
    settings = json.loads(row[0]) if row else {}
    return {"addresses": list(settings.get("addresses", [])), "language": settings.get("language", "zh")}


def save_weekly_report_settings(store: Store, actor: Actor, addresses: list[str], language: str) -> None:
    """Set who receives the weekly report and in which language. Admins only, audited."""
    actor.require_account_admin()
    clean = list(dict.fromkeys(a.strip() for a in addresses if a.strip()))
    for address in clean:
        if not EMAIL.match(address):
            raise AlertError("alerts.err.email", address=address)
    if language not in LANGUAGES:
        raise AlertError("alerts.err.language")
    value = json.dumps({"addresses": clean, "language": language}, ensure_ascii=False)
    old = weekly_report_settings(store)
    with store.transaction(changes_data=False) as cur:
        cur.execute("INSERT INTO alert_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
                    "SET value = excluded.value, updated_at = get_current_timestamp()", [WEEKLY_REPORT, value])
        write_audit(cur, actor, "update", "alert_settings", None, WEEKLY_REPORT,
                    json.dumps(old, ensure_ascii=False), value)
