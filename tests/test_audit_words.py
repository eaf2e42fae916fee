"""The audit log stores codes; every page shows words (the Admin page's action and "what" columns,
its action filter, Customer 360's change history), in both languages. One list of codes
(crm_core.audit.ACTIONS / ENTITIES), each with its words, and write_audit refuses any other."""
import ast
from pathlib import Path

import pytest

from crm_core import audit
from crm_core.i18n import CATALOG, t
from crm_core.users import Actor

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_listed_code_has_words_and_no_word_is_left_without_a_code(lang):
    keys = {f"{audit.ACTION_LABELS}.{code}" for code in audit.ACTIONS} | {
        f"{audit.ENTITY_LABELS}.{code}" for code in audit.ENTITIES}
    for key in keys:
        assert t(key, lang) != key, key
    assert {key for key in CATALOG if key.startswith("audit.")} == keys
    if lang == "zh":  # no English word left in the Chinese column
        assert not any(c.isascii() and c.isalpha() for code in audit.ACTIONS
                       for c in t(f"{audit.ACTION_LABELS}.{code}", "zh"))


def test_an_unlisted_code_is_refused_and_nothing_is_written(store):
    (before,) = store.query_one("SELECT count(*) FROM audit_log")
    with pytest.raises(ValueError, match="'approve'"), store.transaction() as cur:
        audit.write_audit(cur, Actor("boss", "manager"), "approve", "customer", 1)
    with pytest.raises(ValueError, match="'contract'"):
        audit.record_event(store, Actor("boss", "manager"), "export", "contract")
    assert store.query_one("SELECT count(*) FROM audit_log") == (before,)
    audit.record_event(store, Actor("boss", "manager"), "export", "file", "customers.csv")
    assert store.query_one("SELECT count(*) FROM audit_log") == (before + 1,)


def _literal_codes(call: ast.Call, position: int) -> list[str]:
    """The string(s) a call passes at ``position``: a literal, or both sides of ``a if c else b``."""
    if len(call.args) <= position:
        return []
    node = call.args[position]
    branches = [node.body, node.orelse] if isinstance(node, ast.IfExp) else [node]
    return [b.value for b in branches if isinstance(b, ast.Constant) and isinstance(b.value, str)]


def test_every_code_the_code_writes_is_listed():
    """Also the paths no other test walks: each literal action and entity passed to write_audit
    or audit's record_event anywhere in crm_core is in the list."""
    seen = {"action": set(), "entity": set()}
    for path in (ROOT / "crm_core").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                    and node.module == "crm_core.audit" for alias in node.names}
        local = {"write_audit", "record_event"} if path.name == "audit.py" else imported
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in local:
                seen["action"].update(_literal_codes(call, 2))
                seen["entity"].update(_literal_codes(call, 3))
    assert seen["action"] and seen["entity"]
    assert seen["action"] - set(audit.ACTIONS) == set()
    assert seen["entity"] - set(audit.ENTITIES) == set()
    assert {"sign_in", "account_create", "import", "undo", "export"} <= seen["action"]
    assert {"churn_event", "import", "session", "alert_contact"} <= seen["entity"]
