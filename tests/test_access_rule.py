"""The access rule is written once (crm_core.access.RULES), and every capability obeys it:
a rep's result equals the manager's result restricted to the rep's customers."""
import ast
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from crm_core import access, demo
from crm_core.audit import write_audit
from crm_core.care import board
from crm_core.churn import events, measured, model
from crm_core.customers import CustomerFilter, search_customers
from crm_core.ingest import exports
from crm_core.promises import queries as promises
from crm_core.satisfaction import report as satisfaction
from crm_core.segmentation import views as seg
from crm_core.sql import Fragment, checked_identifier, compose, last_12_months, quote_identifier, run
from crm_core.store import Store
from crm_core.users import Actor

AS_OF = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 12, tzinfo=UTC)
REP = "张伟"
MANAGER = Actor("boss", "manager")
CRM_CORE = Path(__file__).resolve().parent.parent / "crm_core"

# sales_rep compared with something inside a string (SQL text): the rep rule written again.
_REP_FILTER = re.compile(r"\bsales_rep\s*(=|<>|!=|\bIN\b|\bIS\s+NOT\s+DISTINCT\b)", re.IGNORECASE)


def _string_parts(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
        elif isinstance(node, ast.JoinedStr):  # an f-string: its literal text, placeholders as {}
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            yield node.lineno, text


def test_no_module_but_access_filters_on_sales_rep_in_sql():
    offenders = []
    for path in sorted(CRM_CORE.rglob("*.py")):
        if path.name == "access.py" and path.parent == CRM_CORE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [f"{path.relative_to(CRM_CORE)}:{line}: {text.strip()[:80]}"
                      for line, text in _string_parts(tree) if _REP_FILTER.search(text)]
    assert offenders == []


def test_the_scan_would_catch_a_rep_filter():
    tree = ast.parse('sql = f"SELECT * FROM customers WHERE sales_rep = ? AND x"\n'
                     'sql2 = "... customer_id IN (SELECT customer_id FROM customers WHERE sales_rep IN (?))"')
    assert {line for line, text in _string_parts(tree) if _REP_FILTER.search(text)} == {1, 2}


def test_no_module_keeps_its_own_scope_helpers():
    names = {"_scope_ids", "_in_scope", "scope_sql", "_OWN_CUSTOMERS_SQL"}
    found = []
    for path in sorted(CRM_CORE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.Assign)) and getattr(node, "name", None) in names:
                found.append(f"{path.name}:{node.name}")
    assert found == []


# -- the toolkit ------------------------------------------------------------------------------

def test_quote_identifier_doubles_embedded_quotes():
    assert quote_identifier("amount") == '"amount"'
    assert quote_identifier('a"b') == '"a""b"'
    with pytest.raises(ValueError):
        quote_identifier("")


def test_checked_identifier_knows_the_catalog(tmp_path):
    store = Store(tmp_path / "x.duckdb")
    cur = store.cursor()
    assert checked_identifier(cur, "customers", "sales_rep") == '"sales_rep"'
    with pytest.raises(ValueError):
        checked_identifier(cur, "customers", "nope")
    with pytest.raises(ValueError):
        checked_identifier(cur, 'customers"; DROP TABLE customers; --')
    cur.close()


def test_fragments_combine_with_named_parameters_used_once(tmp_path):
    a = Fragment("x > $lo", {"lo": 1})
    b = Fragment("x < $hi AND x <> $lo", {"hi": 5, "lo": 1})
    both = a & b
    assert both.sql == "(x > $lo) AND (x < $hi AND x <> $lo)"
    assert both.params == {"lo": 1, "hi": 5}
    with pytest.raises(ValueError):
        _ = a & Fragment("x = $lo", {"lo": 2})
    store = Store(tmp_path / "x.duckdb")
    cur = store.cursor()
    query = compose("SELECT count(*) FROM range(10) t(x) WHERE {cond}", cond=both)
    assert run(cur, query).fetchone() == (3,)  # 2, 3, 4
    cur.close()


def test_last_12_months_is_as_of_minus_12_months_exclusive_to_as_of_inclusive(tmp_path):
    store = Store(tmp_path / "x.duckdb")
    cur = store.cursor()
    days = run(cur, compose("SELECT min(d), max(d), count(*) FROM (SELECT unnest(range(DATE '2025-01-01', "
                            "DATE '2027-01-01', INTERVAL 1 DAY))::DATE AS d) WHERE {w}",
                            w=last_12_months(AS_OF, "d"))).fetchone()
    cur.close()
    assert days == (date(2025, 7, 1), date(2026, 6, 30), 365)


# -- per-role equality ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("rule") / "x.duckdb")
    demo.load_demo(store, customers=300, as_of=AS_OF)

    def audit_rows(cur):  # a change to every tenth customer, and log rows that are about no customer
        for customer_id, in cur.execute("SELECT customer_id FROM customers WHERE customer_id % 10 = 0").fetchall():
            write_audit(cur, MANAGER, "update", "customer", customer_id, "phone", "13800000000", "13900000000")
        write_audit(cur, MANAGER, "export", "file", None, None, None, "customers.csv (300 rows)")
        write_audit(cur, MANAGER, "create", "interaction", 10, "customer_id", None, 10)

    store.write(audit_rows)
    yield store
    store.close()


@pytest.fixture(scope="module")
def rep_ids(demo_store):
    ids = demo_store.query_df("SELECT customer_id FROM customers WHERE sales_rep = ?", [REP])["customer_id"]
    assert 0 < len(ids) < 300
    return set(ids.tolist())


def _restricted(frame: pd.DataFrame, ids: set, column: str = "customer_id") -> pd.DataFrame:
    return frame[frame[column].isin(ids)].reset_index(drop=True)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False,
                                  check_categorical=False)


def test_visible_is_true_for_the_roles_that_see_everything():
    for role in ("manager", "analyst", "admin", "viewer"):
        assert access.visible(Actor("x", role), "transactions", alias="t").sql == "TRUE"
    # Of the audit log, reps and viewers see customers' change histories only (the 360 view's tab).
    assert access.visible(Actor("x", "viewer"), "audit_log").sql == "entity = 'customer'"
    assert access.visible(Actor("x", "manager"), "audit_log").sql == "TRUE"
    for table in ("accounts", "sessions", "sign_in_failures"):
        assert access.visible(Actor("x", "viewer"), table).sql == "FALSE"
        assert access.visible(Actor("x", "rep"), table).sql == "FALSE"
    assert access.visible(Actor("x", "viewer"), "imports").sql == "TRUE"
    assert access.visible(Actor("x", "rep"), "imports").sql == "FALSE"
    rep = access.visible(Actor(REP, "rep"), "transactions", alias="t")
    assert rep.sql.startswith("t.customer_id IN") and rep.params == {"access_reps": [REP]}


@pytest.mark.parametrize("role", ["rep", "viewer"])
def test_the_views_and_the_fragment_are_one_rule(demo_store, role):
    who = Actor(REP, role)
    system = demo_store.system_cursor()
    scoped = demo_store.cursor(who)
    try:
        for table in access.RULES:
            if not system.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()[0]:
                continue
            where = access.visible(who, table)
            (through_fragment,) = run(system, compose(f"SELECT count(*) FROM {quote_identifier(table)} WHERE {{w}}",
                                                      w=where)).fetchone()
            (through_view,) = scoped.execute(f"SELECT count(*) FROM {quote_identifier(table)}").fetchone()
            assert through_fragment == through_view, table
    finally:
        system.close()
        scoped.close()


def test_customer_search_and_exports(demo_store, rep_ids):
    rep = Actor(REP, "rep")
    mine, total = search_customers(demo_store, rep, CustomerFilter(), limit=1000)
    everyone, _ = search_customers(demo_store, MANAGER, CustomerFilter(), limit=1000)
    assert total == len(rep_ids)
    _same(mine, _restricted(everyone, rep_ids))
    codes = set(_restricted(everyone, rep_ids)["code"])
    for table, key in (("customers", "code"), ("transactions", "customer_code"), ("interactions", "customer_code")):
        rep_rows = exports.export_frame(demo_store, rep, table)
        all_rows = exports.export_frame(demo_store, MANAGER, table)
        _same(rep_rows, all_rows[all_rows[key].isin(codes)])
        assert exports.row_count(demo_store, rep, table) == len(rep_rows)


def test_care_lists(demo_store, rep_ids):
    rep = Actor(REP, "rep")
    classes = board.customer_classes(demo_store, AS_OF)
    pairs = [
        (board.long_absent_ahead(demo_store, rep, AS_OF, 3), board.long_absent_ahead(demo_store, MANAGER, AS_OF, 3)),
        (board.deliveries_this_week(demo_store, rep, AS_OF, 30),
         board.deliveries_this_week(demo_store, MANAGER, AS_OF, 30)),
        (board.key_dates_ahead(demo_store, rep, AS_OF, 60, classes=classes),
         board.key_dates_ahead(demo_store, MANAGER, AS_OF, 60, classes=classes)),
        (board.overdue_ahead(demo_store, rep, AS_OF, None, classes),
         board.overdue_ahead(demo_store, MANAGER, AS_OF, None, classes)),
    ]
    for mine, everyone in pairs:
        assert len(mine)
        _same(mine, _restricted(everyone, rep_ids))
    # A manager's one-rep list is the same rule as the rep's own scope.
    _same(board.long_absent_ahead(demo_store, MANAGER, AS_OF, 3, rep=REP), pairs[0][0])


def test_churn(demo_store, rep_ids):
    rep = Actor(REP, "rep")
    mine, _ = events.list_churn_events(demo_store, rep)
    everyone, _ = events.list_churn_events(demo_store, MANAGER)
    _same(mine, _restricted(everyone, rep_ids))
    cur = demo_store.system_cursor()
    try:
        fitted = model.fit_store_model(cur, AS_OF)
        _same(model.scoped(fitted, rep), _restricted(model.scoped(fitted, MANAGER), rep_ids))
        lapsed_mine = measured.lapsed_report(cur, AS_OF, 2.0, rep)
        lapsed_all = measured.lapsed_report(cur, AS_OF, 2.0, MANAGER)
    finally:
        cur.close()
    _same(lapsed_mine, _restricted(lapsed_all, rep_ids))
    # A Store and the rep's own cursor give the same rate.
    scoped = demo_store.cursor(rep)
    try:
        assert measured.measured_churn_rate(demo_store, AS_OF, rep) == measured.measured_churn_rate(scoped, AS_OF)
    finally:
        scoped.close()


def test_promises(demo_store, rep_ids):
    rep = Actor(REP, "rep")
    mine = promises.now_board(demo_store, rep, NOW, limit=100_000)
    everyone = promises.now_board(demo_store, MANAGER, NOW, limit=100_000)
    visible = everyone[(everyone["owner"] == REP) | everyone["customer_id"].isin(rep_ids)]
    assert len(mine)
    _same(mine, visible)
    other = next(iter(set(everyone["customer_id"]) - rep_ids))
    ledger_mine = promises.customer_ledger(demo_store, rep, other, NOW)
    ledger_all = promises.customer_ledger(demo_store, MANAGER, other, NOW)
    _same(ledger_mine, ledger_all[ledger_all["owner"] == REP])


def test_satisfaction(demo_store, rep_ids):
    rep = Actor(REP, "rep")
    answered = demo_store.query_df("SELECT DISTINCT customer_id FROM survey_responses WHERE customer_id IS NOT NULL")
    some = [c for c in answered["customer_id"] if c in rep_ids][:5]
    assert some
    for customer_id in some:
        _same(satisfaction.customer_answers(demo_store, rep, customer_id),
              satisfaction.customer_answers(demo_store, MANAGER, customer_id))
    other = next(c for c in answered["customer_id"] if c not in rep_ids)
    assert satisfaction.customer_answers(demo_store, rep, other).empty
    for quadrant in satisfaction.QUADRANTS:
        mine = satisfaction.quadrant_members(demo_store, rep, quadrant, "behaviour", AS_OF)
        everyone = satisfaction.quadrant_members(demo_store, MANAGER, quadrant, "behaviour", AS_OF)
        _same(mine, _restricted(everyone, rep_ids))


def test_segmentation(demo_store, rep_ids):
    rep = Actor(REP, "rep")
    q = seg.SegmentQuery(*seg.default_period(AS_OF))
    # Classes are relative to the rep's own book: the same customers, ranked among themselves.
    mine = seg.classified_frame(demo_store, rep, q)
    everyone = seg.classified_frame(demo_store, MANAGER, q)
    assert set(mine["customer_id"]) == set(everyone["customer_id"]) & rep_ids
    assert list(mine["rank"]) == list(range(1, len(mine) + 1))
    # Per-customer features are population-wide figures narrowed to the rep.
    needs_mine = seg.need_view(demo_store, rep, q.start, q.end)
    needs_all = seg.need_view(demo_store, MANAGER, q.start, q.end)
    _same(needs_mine, _restricted(needs_all, rep_ids))
    rfm_mine = seg.rfm_view(demo_store, rep, q.start, q.end)
    rfm_all = seg.rfm_view(demo_store, MANAGER, q.start, q.end)
    columns = [c for c in rfm_mine.columns if not c.endswith("_score") and c != "segment"]
    _same(rfm_mine[columns], _restricted(rfm_all, rep_ids)[columns])
    assert seg.abc_overview(demo_store, rep, q).customers == len(rep_ids)
