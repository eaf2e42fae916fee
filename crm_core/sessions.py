"""Sessions that last and end, and the limits on guessing passwords.

- ``sign_in(store, name, password, address)`` checks the input's length first (input longer than
  ``accounts.MAX_NAME`` / ``MAX_PASSWORD`` is refused: nothing hashed, stored or audited), then the attempt limits,
  then the password (an unknown name costs the same argon2 check as a wrong password). Success
  gives a random 256-bit token for the browser's cookie; the store keeps only its SHA-256, so
  neither the table nor a backup of it is a key. Every attempt is audited.
- ``account_for(store, token)`` — asked on every page load and every script run — gives the
  account behind a token *as it is now*: a disabled or deleted account, an expired session, a
  signed-out one give None at once; a changed role or set of rep codes applies at once.
- A session ends ``IDLE`` after it was last used, ``LIFETIME`` after sign-in whatever happens,
  at sign-out (``sign_out``: all of the user's sessions), when the password changes or the
  account is disabled (``crm_core.accounts``).
- Attempt limits: ``ACCOUNT_LIMIT`` failures for one name, or ``ADDRESS_LIMIT`` from one client
  address, within ``WINDOW`` lock that name (or address) until ``WINDOW`` after the last failure.
  Failures are rows in ``sign_in_failures``, so a reload, a new tab or a restart changes nothing.
  Attempts refused by a lock are not recorded (no table or log to flood), and a lock applies to
  unknown names just as to real ones, so it does not tell which names exist. The address limit is
  higher because a whole office may reach the app from one address.

Session bookkeeping (sign-ins, failures, last use) is written in transactions of its own that do
not bump ``Store.generation``: signing in or moving between pages never throws away cached results.
"""
from __future__ import annotations

import hashlib
import secrets
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import duckdb

from crm_core import accounts
from crm_core.accounts import Account
from crm_core.audit import write_audit
from crm_core.scheduler import Job, daily
from crm_core.sql import quote_identifier
from crm_core.store import Store
from crm_core.users import Actor

IDLE = timedelta(hours=12)
LIFETIME = timedelta(days=7)
# A session's last use is written at most this often (a page load must not be a write each time).
TOUCH_EVERY = timedelta(minutes=5)
WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
MAX_TOKEN = 128  # longer cookie values are not looked up
_KEEP_FAILURES = timedelta(days=1)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: a ``token`` (and the ``account``) on success, else an ``error``
    catalog key, with ``locked_until`` when the name or address is locked."""

    token: str | None = None
    account: Account | None = None
    error: str | None = None
    locked_until: datetime | None = None


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _bookkeeping(store: Store):
    """One serialised transaction that leaves the data version alone (sessions and failures are not
    data any cached result depends on)."""
    return store.transaction(changes_data=False)


def _bounded(text: str | None, limit: int = accounts.MAX_NAME) -> str | None:
    return None if text is None else text[:limit]


def _lock_end(cur: duckdb.DuckDBPyConnection, column: str, value: str | None, limit: int,
              now: datetime) -> datetime | None:
    """When the lock on ``column`` = ``value`` ends: ``WINDOW`` after the last failure, if that
    failure was the ``limit``-th within ``WINDOW``; None when there is no lock."""
    if value is None:
        return None
    column = quote_identifier(column)  # "name" or "address", from locked_until's fixed list
    (last,) = cur.execute(f"SELECT max(failed_at) FROM sign_in_failures WHERE {column} = ? AND failed_at > ?",
                          [value, now - WINDOW]).fetchone()
    if last is None:
        return None
    (count,) = cur.execute(f"SELECT count(*) FROM sign_in_failures WHERE {column} = ?"
                           " AND failed_at > ? AND failed_at <= ?", [value, last - WINDOW, last]).fetchone()
    return last + WINDOW if count >= limit else None


def locked_until(store: Store, name: str, address: str | None, now: datetime | None = None) -> datetime | None:
    """Until when sign-ins for ``name`` or from ``address`` are refused, or None."""
    now = _now(now)
    with closing(store.cursor()) as cur:  # column names below come from this fixed list
        ends = [end for end in (_lock_end(cur, "name", name, ACCOUNT_LIMIT, now),
                                _lock_end(cur, "address", address, ADDRESS_LIMIT, now)) if end is not None]
    return max(ends) if ends else None


def _drop_dead_sessions(cur: duckdb.DuckDBPyConnection, now: datetime) -> int:
    """Delete the sessions that ended (expired or idle too long) by ``now``; how many."""
    return int(cur.execute("DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?",
                           [now, now - IDLE]).fetchone()[0])


def _drop_old_failures(cur: duckdb.DuckDBPyConnection, now: datetime) -> int:
    """Delete failed sign-ins older than the limits look back (``_KEEP_FAILURES``); how many."""
    return int(cur.execute("DELETE FROM sign_in_failures WHERE failed_at < ?", [now - _KEEP_FAILURES]).fetchone()[0])


def prune(store: Store, now: datetime) -> dict[str, int]:
    """The nightly clean-up (scheduled job ``sessions_cleanup``): sessions that ended and failed
    sign-ins too old to count, deleted; ``{"sessions": n, "sign_in_failures": m}``. Without it they
    were pruned only when someone signed in or failed to."""
    with _bookkeeping(store) as cur:
        return {"sessions": _drop_dead_sessions(cur, now), "sign_in_failures": _drop_old_failures(cur, now)}


SESSIONS_CLEANUP = Job("sessions_cleanup", daily(time(3, 30)), prune)


def _record_failure(store: Store, name: str, address: str | None, now: datetime, reason: str) -> None:
    with _bookkeeping(store) as cur:
        _drop_old_failures(cur, now)
        cur.execute("INSERT INTO sign_in_failures VALUES (?, ?, ?)", [name, _bounded(address), now])
        write_audit(cur, Actor(name or "?", "viewer"), "sign_in_failed", "session", field=reason,
                    new=_bounded(address))


def sign_in(store: Store, name: str, password: str, address: str | None = None,
            now: datetime | None = None) -> SignIn:
    """Check a name and password (see the module docstring for the order of the checks)."""
    now = _now(now)
    if not accounts.within_sign_in_bounds(name, password):
        return SignIn(error="auth.too_long")  # nothing hashed, stored or audited
    name = name.strip()
    until = locked_until(store, name, address, now)
    if until is not None:
        return SignIn(error="auth.locked", locked_until=until)
    account = accounts.enabled_account(store, name)
    if not accounts.password_matches(account.password_hash if account else None, password):
        _record_failure(store, name, address, now, "wrong_credentials")
        return SignIn(error="auth.wrong_credentials", locked_until=locked_until(store, name, address, now))
    token = secrets.token_urlsafe(32)
    with _bookkeeping(store) as cur:
        _drop_dead_sessions(cur, now)
        cur.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)",
                    [token_hash(token), account.name, now, now, now + LIFETIME, _bounded(address)])
        cur.execute("DELETE FROM sign_in_failures WHERE name = ?", [account.name])
        write_audit(cur, account.actor(), "sign_in", "session", new=_bounded(address))
    return SignIn(token=token, account=account)


def account_for(store: Store, token: str | None, now: datetime | None = None) -> Account | None:
    """The enabled account whose live session ``token`` is, read now; None otherwise."""
    if not token or len(token) > MAX_TOKEN:
        return None
    now = _now(now)
    columns = ", ".join(f"a.{column}" for column in accounts.COLUMNS)
    row = store.query_one(
        f"SELECT {columns}, s.last_seen_at FROM sessions s JOIN accounts a ON a.name = s.account"
        " WHERE s.token_hash = ? AND a.enabled AND s.expires_at > ? AND s.last_seen_at > ?",
        [token_hash(token), now, now - IDLE])
    if row is None:
        return None
    if now - row[-1] >= TOUCH_EVERY:
        with _bookkeeping(store) as cur:
            cur.execute("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", [now, token_hash(token)])
    return accounts.from_row(row[:-1])


def sign_out(store: Store, actor: Actor) -> int:
    """End every session of ``actor`` (all browsers); audited. Returns how many ended."""
    with _bookkeeping(store) as cur:
        ended = accounts.end_sessions(cur, actor.name)
        write_audit(cur, actor, "sign_out", "session")
    return ended
