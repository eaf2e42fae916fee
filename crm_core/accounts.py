"""Accounts: the people who sign in — a login, a display name, a role, the sales-rep codes a rep
owns, an argon2id password hash — kept in the store (``accounts`` table, migration 011), where the
app's one process and its every script run see the same, current row.

Two ways to keep them, each account in one place (``managed_by``):

- **the Admin page** (``create``, ``update``, ``reset_password``, ``set_enabled``): admins only,
  each change audited in the same transaction;
- **users.toml** (``CRM_USERS``, default ``data/users.toml``), for seeding and for people who keep
  configuration in files. When present it is read at start and again whenever it changes
  (``sync_file``, called on every page load): the accounts it lists are created or updated to match
  it, those it listed before and no longer lists are disabled. The file looks like::

      [users.wangfang]
      display_name = "王芳"
      role = "rep"
      rep_codes = ["王芳"]          # the 业务员 values whose customers she owns
      password_hash = "$argon2id$v=19$..."

  ``python -m crm_core user add NAME --role ROLE`` writes it (the password is read from the
  terminal or standard input, never from the command line).

With no account at all the app runs as one local user, and only while it listens on localhost.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from crm_core.audit import write_audit
from crm_core.config import PROJECT_ROOT
from crm_core.sql import quote_identifier
from crm_core.store import Store
from crm_core.users import ROLES, Actor

log = logging.getLogger(__name__)

DEFAULT_USERS_FILE = PROJECT_ROOT / "data" / "users.toml"
LOCAL_ADDRESSES = {"localhost", "127.0.0.1", "::1"}
# Bounds on everything a person types here, checked before anything is hashed, stored or audited.
MAX_NAME = 64
MIN_PASSWORD = 8
MAX_PASSWORD = 256
MAX_DISPLAY_NAME = 64
MAX_REP_CODE = 64
MAX_REP_CODES = 20

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verifying against this when the user is unknown takes as long as a real check, so response
    time does not tell an attacker which user names exist. Made on first use (a hash takes ~0.1 s,
    which every command line start would pay)."""
    return _hasher.hash("not a real password")


class AccountError(ValueError):
    """An account change refused; ``key`` is a catalog key, ``params`` fill its placeholders."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params


class AccountsFileError(Exception):
    """users.toml cannot be used. The message names the file and the problem: for the server log
    only — a visitor is told one line (``err.accounts_file``), never paths or account names."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    password_hash: str
    display_name: str = ""
    rep_codes: tuple[str, ...] = field(default_factory=tuple)
    enabled: bool = True
    managed_by: str = "admin"

    def actor(self) -> Actor:
        return Actor(self.name, self.role, self.display_name, self.rep_codes)


# -- what a person may type --------------------------------------------------------------------

def _printable(text: str) -> bool:
    return text.isprintable() and text == text.strip()


def check_name(name: str) -> str:
    if not isinstance(name, str) or not name or len(name) > MAX_NAME or not _printable(name):
        raise AccountError("accounts.err.name", max=MAX_NAME)
    return name


def check_password(password: str) -> str:
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError("accounts.err.password", min=MIN_PASSWORD, max=MAX_PASSWORD)
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError("accounts.err.role")
    return role


def check_display_name(display_name: str) -> str:
    display_name = (display_name or "").strip()
    if len(display_name) > MAX_DISPLAY_NAME or not display_name.isprintable():
        raise AccountError("accounts.err.display_name", max=MAX_DISPLAY_NAME)
    return display_name


def check_rep_codes(codes) -> tuple[str, ...]:
    """The codes, stripped, empty ones dropped, each once, in the order given."""
    cleaned = tuple(dict.fromkeys(str(code).strip() for code in codes if str(code).strip()))
    if len(cleaned) > MAX_REP_CODES or any(len(c) > MAX_REP_CODE or not c.isprintable() for c in cleaned):
        raise AccountError("accounts.err.rep_codes", max=MAX_REP_CODES, length=MAX_REP_CODE)
    return cleaned


def within_sign_in_bounds(name: str, password: str) -> bool:
    """Whether a sign-in's input is short enough to be looked at (hashed, stored, audited)."""
    return len(name) <= MAX_NAME and len(password) <= MAX_PASSWORD


def hash_password(password: str) -> str:
    return _hasher.hash(check_password(password))


def password_matches(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches the hash; with no hash (unknown user) a check of the same
    cost is made against a dummy, so both answers take as long."""
    try:
        _hasher.verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return password_hash is not None


# -- the store ---------------------------------------------------------------------------------

COLUMNS = ("name", "role", "password_hash", "display_name", "rep_codes", "enabled", "managed_by")
_SELECT = f"SELECT {', '.join(map(quote_identifier, COLUMNS))} FROM accounts"  # COLUMNS: fixed names


def from_row(row) -> Account:
    """An Account from a row of ``COLUMNS``."""
    name, role, password_hash, display_name, rep_codes, enabled, managed_by = row
    codes = () if rep_codes is None else tuple(rep_codes)  # a list from a cursor, an array from a frame
    return Account(name, role, password_hash, display_name, codes, bool(enabled), managed_by)


def load(cur: duckdb.DuckDBPyConnection, name: str) -> Account | None:
    """The account called ``name`` (enabled or not), or None."""
    row = cur.execute(f"{_SELECT} WHERE name = ?", [name]).fetchone()
    return None if row is None else from_row(row)


def enabled_account(store: Store, name: str) -> Account | None:
    """The account called ``name`` if it exists and may sign in, read now (every page load asks)."""
    row = store.query_one(f"{_SELECT} WHERE name = ? AND enabled", [name])
    return None if row is None else from_row(row)


def all_accounts(store: Store) -> list[Account]:
    rows = store.query_df(f"{_SELECT} ORDER BY name")
    return [from_row(row) for row in rows.itertuples(index=False)]


def has_accounts(store: Store) -> bool:
    """Whether any account exists (a disabled one too: disabling everyone must not open the app)."""
    return store.query_one("SELECT count(*) > 0 FROM accounts")[0]


def end_sessions(cur: duckdb.DuckDBPyConnection, name: str) -> int:
    """End every session of ``name`` (inside the caller's transaction); returns how many."""
    return cur.execute("DELETE FROM sessions WHERE account = ?", [name]).fetchone()[0]


def startup_problem(server_address: str | None, has_any_account: bool) -> str | None:
    """Why the app must not serve, or None. Without accounts it may only listen on localhost."""
    if has_any_account:
        return None
    if server_address and server_address.strip("[]") in LOCAL_ADDRESSES:
        return None
    return "err.no_accounts_on_network"


# -- the Admin page ------------------------------------------------------------------------------

def _editable(cur, name: str) -> Account:
    account = load(cur, name)
    if account is None:
        raise AccountError("accounts.err.no_such_account")
    if account.managed_by == "file" and name in _listed_in_file():
        raise AccountError("accounts.err.managed_in_file")
    return account


def _keep_an_admin(cur, name: str) -> None:
    """Refuse to leave the store without an enabled admin (nobody could manage accounts then)."""
    (others,) = cur.execute("SELECT count(*) FROM accounts WHERE role = 'admin' AND enabled AND name <> ?",
                            [name]).fetchone()
    if not others:
        raise AccountError("accounts.err.last_admin")


def create(store: Store, actor: Actor, name: str, role: str, password: str, display_name: str = "",
           rep_codes=()) -> Account:
    """A new account (admins only); audited. Raises AccountError, PermissionDenied."""
    actor.require_account_admin()
    account = Account(check_name(name), check_role(role), hash_password(password),
                      check_display_name(display_name), check_rep_codes(rep_codes))
    with store.transaction() as cur:
        if load(cur, name) is not None:
            raise AccountError("accounts.err.name_taken")
        cur.execute("INSERT INTO accounts (name, role, password_hash, display_name, rep_codes, managed_by)"
                    " VALUES (?, ?, ?, ?, ?, 'admin')", [account.name, account.role, account.password_hash,
                                                       account.display_name, list(account.rep_codes)])
        write_audit(cur, actor, "account_create", "account", field=name, new=role)
    return account


def update(store: Store, actor: Actor, name: str, *, role: str, display_name: str, rep_codes) -> list[str]:
    """Change an account's role, display name and rep codes (admins only); each changed field is
    audited, old → new. Takes effect on the user's next page load. Returns the changed fields."""
    actor.require_account_admin()
    wanted = {"role": check_role(role), "display_name": check_display_name(display_name),
              "rep_codes": check_rep_codes(rep_codes)}
    with store.transaction() as cur:
        account = _editable(cur, name)
        if account.role == "admin" and role != "admin" and account.enabled:
            _keep_an_admin(cur, name)
        changed = [key for key, value in wanted.items() if getattr(account, key) != value]
        for key in changed:
            old, new = getattr(account, key), wanted[key]
            write_audit(cur, actor, "account_update", "account", field=f"{name}.{key}",
                        old="、".join(old) if key == "rep_codes" else old,
                        new="、".join(new) if key == "rep_codes" else new)
        cur.execute("UPDATE accounts SET role = ?, display_name = ?, rep_codes = ?, managed_by = 'admin',"
                    " updated_at = current_timestamp WHERE name = ?",
                    [wanted["role"], wanted["display_name"], list(wanted["rep_codes"]), name])
    return changed


def reset_password(store: Store, actor: Actor, name: str, password: str) -> None:
    """Set a new password (admins only) and end every session of the account; audited."""
    actor.require_account_admin()
    password_hash = hash_password(password)
    with store.transaction() as cur:
        _editable(cur, name)
        cur.execute("UPDATE accounts SET password_hash = ?, managed_by = 'admin', updated_at = current_timestamp"
                    " WHERE name = ?", [password_hash, name])
        cur.execute("DELETE FROM sign_in_failures WHERE name = ?", [name])  # unlocks the account
        end_sessions(cur, name)
        write_audit(cur, actor, "account_password_reset", "account", field=f"{name}.password")


def change_own_password(store: Store, actor: Actor, current: str, new: str) -> None:
    """A signed-in user's own password change; ends all of their sessions (this one too)."""
    if not within_sign_in_bounds(actor.name, current):
        raise AccountError("accounts.err.wrong_password")
    password_hash = hash_password(new)
    row = store.query_one(f"{_SELECT} WHERE name = ?", [actor.name])
    account = None if row is None else from_row(row)
    if account is None or not password_matches(account.password_hash, current):  # hashed outside the write lock
        raise AccountError("accounts.err.wrong_password")
    if account.managed_by == "file" and actor.name in _listed_in_file():
        raise AccountError("accounts.err.managed_in_file")
    with store.transaction() as cur:
        cur.execute("UPDATE accounts SET password_hash = ?, managed_by = 'admin', updated_at = current_timestamp"
                    " WHERE name = ?", [password_hash, actor.name])
        end_sessions(cur, actor.name)
        write_audit(cur, actor, "account_password_change", "account", field=f"{actor.name}.password")


def set_enabled(store: Store, actor: Actor, name: str, enabled: bool) -> None:
    """Disable (ending every session at once) or enable an account (admins only); audited."""
    actor.require_account_admin()
    with store.transaction() as cur:
        account = _editable(cur, name)
        if account.enabled == enabled:
            return
        if not enabled and account.role == "admin":
            _keep_an_admin(cur, name)
        cur.execute("UPDATE accounts SET enabled = ?, managed_by = 'admin', updated_at = current_timestamp"
                    " WHERE name = ?", [enabled, name])
        if not enabled:
            end_sessions(cur, name)
        write_audit(cur, actor, "account_enable" if enabled else "account_disable", "account",
                    field=f"{name}.enabled", old=str(account.enabled).lower(), new=str(enabled).lower())


# -- users.toml ----------------------------------------------------------------------------------

def users_file() -> Path:
    return Path(os.environ.get("CRM_USERS", DEFAULT_USERS_FILE))


def _entry(path: Path, name: str, entry) -> Account:
    where = f"{path}: user {name!r}"
    if not isinstance(entry, dict):
        raise AccountsFileError(f"{where} is not a table")
    try:
        check_name(name)
        role = check_role(entry.get("role"))
        display_name = check_display_name(str(entry.get("display_name", "")))
        codes = entry.get("rep_codes", [])
        rep_codes = check_rep_codes(codes if isinstance(codes, list) else [codes])
    except AccountError as error:
        raise AccountsFileError(f"{where}: {error.key} (role must be one of {', '.join(ROLES)})") from None
    password_hash = entry.get("password_hash")
    if not isinstance(password_hash, str) or not password_hash.startswith("$argon2"):
        raise AccountsFileError(f"{where} has no argon2 password_hash")
    return Account(name, role, password_hash, display_name, rep_codes, managed_by="file")


def load_accounts(path: Path | None = None) -> dict[str, Account]:
    """Every account the file lists; an absent file lists none. Raises AccountsFileError."""
    path = path or users_file()
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
        raise AccountsFileError(f"{path}: {error}") from None
    users = data.get("users", {})
    if not isinstance(users, dict):
        raise AccountsFileError(f"{path}: [users] is not a table")
    return {name: _entry(path, name, entry) for name, entry in users.items()}


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def save_accounts(accounts: dict[str, Account], path: Path | None = None) -> None:
    path = path or users_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for account in sorted(accounts.values(), key=lambda a: a.name):
        lines += [f"[users.{_toml_string(account.name)}]",
                  f"display_name = {_toml_string(account.display_name)}",
                  f"role = {_toml_string(account.role)}",
                  f"rep_codes = [{', '.join(_toml_string(code) for code in account.rep_codes)}]",
                  f"password_hash = {_toml_string(account.password_hash)}", ""]
    temporary = path.with_suffix(".tmp")
    temporary.write_text("\n".join(lines), encoding="utf-8")
    os.chmod(temporary, 0o600)
    temporary.replace(path)


def add_account(name: str, role: str, password: str, display_name: str = "", path: Path | None = None,
                rep_codes=()) -> Account:
    """Create or replace an account in users.toml (the command line's ``user add``); the running
    app picks the change up on its next page load. The password is stored only as an argon2 hash."""
    account = Account(check_name(name), check_role(role), hash_password(password),
                      check_display_name(display_name), check_rep_codes(rep_codes), managed_by="file")
    accounts = load_accounts(path)
    accounts[name] = account
    save_accounts(accounts, path)
    return account


_sync_lock = threading.Lock()
_synced: dict[tuple[str, str], tuple] = {}  # (store, file) -> the file's (mtime, size) last applied


def _signature(path: Path) -> tuple | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _listed_in_file() -> set[str]:
    """Names users.toml lists now (the Admin page leaves those to the file)."""
    try:
        return set(load_accounts())
    except AccountsFileError:
        return set()


def _apply_file(store: Store, listed: dict[str, Account]) -> list[str]:
    """Make the store match the file; returns what changed (for the log)."""
    changes = []
    with store.transaction() as cur:
        for account in listed.values():
            stored = load(cur, account.name)
            if stored == account:
                continue
            cur.execute("INSERT OR REPLACE INTO accounts (name, role, password_hash, display_name, rep_codes,"
                        " enabled, managed_by, updated_at) VALUES (?, ?, ?, ?, ?, TRUE, 'file', current_timestamp)",
                        [account.name, account.role, account.password_hash, account.display_name,
                         list(account.rep_codes)])
            if stored is not None and (stored.password_hash != account.password_hash or not stored.enabled):
                end_sessions(cur, account.name)
            changes.append(account.name)
        gone = cur.execute("SELECT name FROM accounts WHERE managed_by = 'file' AND enabled"
                           " AND NOT list_contains(?, name)", [list(listed)]).fetchall()
        for (name,) in gone:
            cur.execute("UPDATE accounts SET enabled = FALSE, updated_at = current_timestamp WHERE name = ?", [name])
            end_sessions(cur, name)
            changes.append(name)
        for name in changes:
            write_audit(cur, Actor("users.toml", "admin"), "account_sync", "account", field=name)
    return changes


def sync_file(store: Store, path: Path | None = None) -> None:
    """Apply users.toml to the store when it changed since it was last applied (a stat per call).
    An absent file changes nothing. Raises AccountsFileError (details for the log) while the file
    cannot be read; the store keeps what it had."""
    path = path or users_file()
    key = (store.path, str(path))
    signature = _signature(path)
    if signature is None or _synced.get(key) == signature:
        return
    with _sync_lock:
        if _synced.get(key) == signature:
            return
        changes = _apply_file(store, load_accounts(path))
        _synced[key] = signature
    if changes:
        log.info("applied %s to the accounts: %d changed", path, len(changes))
