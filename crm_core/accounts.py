"""Built-in accounts: a TOML file of users with argon2-hashed passwords and a role each.

The file (``CRM_USERS``, default ``data/users.toml``) looks like::

    [users.wang]
    display_name = "王经理"
    role = "manager"
    password_hash = "$argon2id$v=19$..."

Manage it with ``python -m crm_core user add NAME --role ROLE`` (the password is read from the
terminal or standard input, never from the command line). With no accounts the app runs as one
local user, and only while it listens on localhost.
"""
from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from crm_core.config import PROJECT_ROOT
from crm_core.users import ROLES, Actor

DEFAULT_USERS_FILE = PROJECT_ROOT / "data" / "users.toml"
LOCAL_ADDRESSES = {"localhost", "127.0.0.1", "::1"}
_hasher = PasswordHasher()
# Verifying against this when the user is unknown takes as long as a real check, so response time
# does not tell an attacker which user names exist.
_DUMMY_HASH = _hasher.hash("not a real password")


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    password_hash: str
    display_name: str = ""

    def actor(self) -> Actor:
        return Actor(self.name, self.role)


def users_file() -> Path:
    return Path(os.environ.get("CRM_USERS", DEFAULT_USERS_FILE))


def load_accounts(path: Path | None = None) -> dict[str, Account]:
    """All accounts in the file; an absent file means no accounts. A bad role is a configuration error."""
    path = path or users_file()
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    accounts = {}
    for name, entry in data.get("users", {}).items():
        if entry.get("role") not in ROLES:
            raise ValueError(f"{path}: user {name!r} has role {entry.get('role')!r}; use one of {', '.join(ROLES)}")
        accounts[name] = Account(name, entry["role"], entry["password_hash"], entry.get("display_name", ""))
    return accounts


def verify(accounts: dict[str, Account], name: str, password: str) -> Actor | None:
    """The signed-in user, or None for a wrong name or password (indistinguishable on purpose)."""
    account = accounts.get(name)
    try:
        _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return account.actor() if account else None


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
                  f"password_hash = {_toml_string(account.password_hash)}", ""]
    temporary = path.with_suffix(".tmp")
    temporary.write_text("\n".join(lines), encoding="utf-8")
    os.chmod(temporary, 0o600)
    temporary.replace(path)


def add_account(name: str, role: str, password: str, display_name: str = "", path: Path | None = None) -> Account:
    """Create or replace an account (the password is stored only as an argon2 hash)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not name.strip() or len(password) < 8:
        raise ValueError("a user needs a name and a password of at least 8 characters")
    accounts = load_accounts(path)
    accounts[name] = Account(name, role, _hasher.hash(password), display_name)
    save_accounts(accounts, path)
    return accounts[name]


def startup_problem(server_address: str | None, accounts: dict[str, Account]) -> str | None:
    """Why the app must not serve, or None. Without accounts it may only listen on localhost."""
    if accounts:
        return None
    if server_address and server_address.strip("[]") in LOCAL_ADDRESSES:
        return None
    return "err.no_accounts_on_network"
