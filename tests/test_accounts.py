"""Accounts: argon2-hashed passwords, roles, and the rule that no-account mode stays on localhost."""
import pytest

from crm_core import accounts


def test_passwords_are_hashed_and_verified(tmp_path):
    path = tmp_path / "users.toml"
    accounts.add_account("王经理", "manager", "correct horse", "王经理", path)
    text = path.read_text(encoding="utf-8")
    assert "correct horse" not in text and "$argon2id$" in text
    known = accounts.load_accounts(path)
    assert accounts.verify(known, "王经理", "correct horse").role == "manager"
    assert accounts.verify(known, "王经理", "wrong password") is None
    assert accounts.verify(known, "nobody", "correct horse") is None


def test_bad_roles_and_short_passwords_are_refused(tmp_path):
    with pytest.raises(ValueError):
        accounts.add_account("a", "superuser", "long enough", path=tmp_path / "u.toml")
    with pytest.raises(ValueError):
        accounts.add_account("a", "viewer", "short", path=tmp_path / "u.toml")


@pytest.mark.parametrize("address,has_accounts,problem", [
    ("127.0.0.1", False, None), ("localhost", False, None), ("::1", False, None),
    ("0.0.0.0", False, "err.no_accounts_on_network"), (None, False, "err.no_accounts_on_network"),
    ("192.168.1.5", True, None),
])
def test_without_accounts_only_localhost(address, has_accounts, problem):
    known = {"a": accounts.Account("a", "viewer", "h")} if has_accounts else {}
    assert accounts.startup_problem(address, known) == problem
