"""Issue 17: compact KPI values (one rule, both languages), the one English plural rule, KPI cards
that link to their list, the sidebar's promises due soon, and the demo-data banner."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from streamlit.testing.v1 import AppTest

from crm_core import demo
from crm_core.i18n import CARD_CHARS, card_text, compact_money, compact_number, format_money_exact, plural, t
from crm_core.promises import actions, queries
from crm_core.store import Store
from crm_core.users import Actor
from tests.app_pages import page_app

ROOT = Path(__file__).resolve().parent.parent
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 30, 10, 0, tzinfo=SH)  # in the demo's last day (conftest DEMO_AS_OF)
REP = Actor("zhangwei", "rep", "张伟", ("张伟",))
MANAGER = Actor("boss", "manager")


# -- compact forms: three significant digits, the integer part never rounded, zeros dropped ----------
@pytest.mark.parametrize("amount, zh, en", [
    (53_371_234.5, "¥5,337万", "¥53.4M"),     # 5,337.12万 → 5,337万 ; 53.37M → 53.4M
    (123_456_789, "¥1.23亿", "¥123M"),         # 1.2346亿 → 1.23亿
    (155_126, "¥15.5万", "¥155K"),
    (12_345, "¥1.23万", "¥12.3K"),
    (1_500, "¥1,500", "¥1.5K"),               # under 1万 Chinese keeps the whole number; 1.50K → 1.5K
    (999, "¥999", "¥999"),
    (999_950, "¥100万", "¥1M"),                # 999.95K rounds to 1,000K: one unit up
    (99_995_000, "¥1亿", "¥100M"),             # 9,999.5万 rounds to 10,000万 = 1亿
    (-2_345_678, "-¥235万", "-¥2.35M"),
])
def test_compact_money_in_both_languages(amount, zh, en):
    assert compact_money(amount, "zh", "CNY") == zh
    assert compact_money(amount, "en", "CNY") == en


def test_compact_counts_and_missing_values():
    assert compact_number(155_126, "en") == "155K" and compact_number(155_126, "zh") == "15.5万"
    assert compact_number(2_000, "zh") == "2,000" and compact_number(2_000, "en") == "2K"
    assert compact_number(None, "en") == "—" and compact_money(float("nan"), "zh") == "—"
    assert format_money_exact(53_371_234.5, "CNY") == "¥53,371,234.50"


def test_one_rule_for_when_a_card_is_compact():
    assert CARD_CHARS == 7
    assert card_text("155,126", "155K") == "155,126"          # 7 characters: fits
    assert card_text("¥53,371,235", "¥53.4M") == "¥53.4M"     # 11 characters: compact
    assert card_text("¥5,337.1万", "¥5,337万") == "¥5,337万"   # Chinese 万 text with a decimal: 9


def test_one_plural_rule_for_english():
    assert [plural(n, "row", "rows") for n in (0, 1, 2, "1", "1,204", 1.0, 1.5)] == \
        ["rows", "row", "rows", "row", "rows", "row", "rows"]
    assert t("data.rejected_note", "en", count=1).startswith("1 row has problems.")
    assert t("data.rejected_note", "en", count="2").startswith("2 rows have problems.")
    assert t("ingest.rejected", "en", rejected=1, rows=5).startswith("Nothing was imported: 1 of 5 rows has problems.")


# -- pages ---------------------------------------------------------------------------------------
def run(db_path, monkeypatch, page: str, lang: str = "en", user: Actor | None = None, **state) -> AppTest:
    monkeypatch.setenv("CRM_DB", str(db_path))
    app = page_app(page, lang, actor=user, timeout=90, **state)
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_overview_cards_link_to_the_list_behind_them(demo_db_path, monkeypatch):
    app = run(demo_db_path, monkeypatch, "overview.py", user=Actor("v", "viewer"))
    main = [(link.proto.label, link.proto.page) for link in app.main.get("page_link")]
    assert main == [("Customers", "customers"), ("Segmentation", "segmentation"), ("Segmentation", "segmentation"),
                    ("Promises", "promises"), ("Satisfaction", "satisfaction"), ("Churn", "churn")]


def test_a_large_card_is_compact_with_the_exact_value_in_its_help(demo_db_path, monkeypatch):
    app = run(demo_db_path, monkeypatch, "overview.py", lang="zh")
    revenue = next(m for m in app.metric if m.label == t("kpi.revenue_12m", "zh"))
    assert revenue.value.endswith("万") and len(revenue.value) <= CARD_CHARS
    assert revenue.help.startswith("精确值：¥")


def _sidebar_signal(app: AppTest) -> tuple[str, str]:
    box = [e for e in app.sidebar.get("markdown") if e.value.startswith("**")]
    return box[0].value.strip("*"), app.sidebar.warning[0].value if app.sidebar.warning else ""


def test_the_sidebar_counts_the_reps_promises_due_within_24_hours(demo_copy, monkeypatch):
    db = Store(demo_copy)
    before = queries.overview(db, REP, NOW)
    (customer_id,) = db.query_one("SELECT min(customer_id) FROM customers WHERE sales_rep = '张伟'")
    actions.make_promise(db, REP, int(customer_id), "sales_callback", NOW - timedelta(hours=1),
                         description="call back about the invoice", due_at=NOW + timedelta(hours=1))
    db.close()
    app = run(demo_copy, monkeypatch, "overview.py", user=REP, promises_now=NOW.isoformat())
    title, counts = _sidebar_signal(app)
    assert title == "Open promises (mine and my customers')"
    assert counts == f"{before['overdue']} overdue · {before['due_24h'] + 1} due within 24 h"
    assert ("Promise board", "promises") in [(link.proto.label, link.proto.page)
                                             for link in app.sidebar.get("page_link")]
    manager = run(demo_copy, monkeypatch, "overview.py", lang="zh", user=MANAGER, promises_now=NOW.isoformat())
    assert _sidebar_signal(manager)[0] == "未结承诺（您可查看的全部）"


def test_the_demo_banner_shows_on_demo_data_only(demo_db_path, tmp_path, monkeypatch):
    app = run(demo_db_path, monkeypatch, "customers.py")
    assert any(i.value.startswith("This is demo data (300 made-up customers)") for i in app.info)
    empty = tmp_path / "own.duckdb"
    Store(empty).close()  # a store of one's own (e.g. made by the import CLI): no demo load recorded
    app = run(empty, monkeypatch, "customers.py")
    assert not any("demo data" in i.value for i in app.info)


def test_the_migration_recognises_demo_data_loaded_before_it(demo_copy):
    db = Store(demo_copy)
    assert demo.demo_customers_left(db) == 300
    db.system_cursor().execute("DELETE FROM demo_loads")
    assert demo.demo_customers_left(db) == 0
    backfill = (ROOT / "crm_core/migrations/014_demo_loads.sql").read_text().split(");", 1)[1]
    db.system_cursor().execute(backfill)
    assert db.query_one("SELECT first_customer_id, last_customer_id FROM demo_loads") == (1, 300)
    db.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_promise_board_shows_status_customer_and_due_first(demo_db_path, monkeypatch, lang):
    app = run(demo_db_path, monkeypatch, "promises.py", lang=lang, promises_now=NOW.isoformat())
    board = app.dataframe[0]
    assert list(board.value.columns)[:3] == [t(f"promises.col.{key}", lang)
                                                  for key in ("status", "customer", "due_at")]
