"""Every grid of every page (and of every URL-bound tab) reads as the user expects, in zh and en on
the demo store: no cell shows "None", "nan", "NaT" or a midnight time ("2026-12-03 00:00:00"), and
no float or timestamp column is drawn without a format (a bare float shows "52.5264", a bare
timestamp shows its time of day)."""
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from crm_core.i18n import t

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted(p.name for p in (ROOT / "pages").glob("*.py") if not p.name.startswith("_"))
TABS_STATE = "_view_state_tabs"  # ui.view_state.TABS: {tabs key: the catalog keys of its labels}
BLANK_WORDS = {"None", "nan", "NaN", "NaT", "<NA>"}
MIDNIGHT = re.compile(r"\b00:00:00\b")


@pytest.fixture
def demo_app(demo_db_path, monkeypatch):
    monkeypatch.setenv("CRM_DB", str(demo_db_path))
    return demo_db_path


def _app(lang: str, page: str, **state) -> AppTest:
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=90)
    app.session_state["lang"] = lang
    app.session_state["customer_id"] = 2  # a company with key dates
    for key, value in state.items():
        app.session_state[key] = value
    app.switch_page(f"pages/{page}")
    return app.run()


def grid_problems(app: AppTest, where: str) -> list[str]:
    """What is wrong in the grids the run drew: raw blanks, midnight times, unformatted numbers."""
    problems = []
    for element in app.dataframe:
        frame = element.value
        name = f"{where} grid {element.key or ''} {list(frame.columns)[:4]}"
        config = json.loads(element.proto.columns or "{}")
        blank_is_empty = element.proto.HasField("placeholder") and element.proto.placeholder == ""
        for column in frame.columns:
            series = frame[column]
            if series.isna().any() and not blank_is_empty:  # Streamlit draws a missing value as "None"
                problems.append(f"{name}: column {column!r} shows a blank as 'None'")
            texts = series.dropna().astype(str)
            is_text = series.dtype == object or pd.api.types.is_string_dtype(series)
            if is_text and texts.isin(BLANK_WORDS).any():
                problems.append(f"{name}: column {column!r} shows {texts[texts.isin(BLANK_WORDS)].iloc[0]!r}")
            if is_text and texts.str.contains(MIDNIGHT).any():
                problems.append(f"{name}: column {column!r} shows a midnight time")
            typed = pd.api.types.is_float_dtype(series) or pd.api.types.is_datetime64_any_dtype(series)
            if typed and not (config.get(str(column)) or {}).get("type_config", {}).get("format"):
                problems.append(f"{name}: {series.dtype} column {column!r} has no format")
    for element in app.table:
        frame = element.value
        shown = frame.astype(str)
        if shown.isin(BLANK_WORDS).any().any() or shown.apply(lambda c: c.str.contains(MIDNIGHT)).any().any():
            problems.append(f"{where} table {list(frame.columns)[:4]} shows a raw blank or midnight time")
    return problems


# Keyed tabs not bound to the URL (so not in the registry): their label keys, the first one drawn first.
OTHER_TABS = {"customer_360.py": {"c360_tab": (
    "tab.original_record", "tab.analysis", "tab.investment", "tab.purchases", "tab.key_dates", "tab.segments",
    "tab.promises", "tab.surveys", "tab.churn", "tab.care", "tab.audit")}}


def _tab_sets(app: AppTest, page: str) -> dict:
    bound = dict(app.session_state[TABS_STATE]) if TABS_STATE in app.session_state else {}
    return bound | OTHER_TABS.get(page, {})


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_every_grid_formats_numbers_and_keeps_blanks_blank(demo_app, page, lang):
    app = _app(lang, page)
    assert not app.exception, [e.value for e in app.exception]
    problems = grid_problems(app, page)
    for key, label_keys in _tab_sets(app, page).items():
        for label_key in label_keys[1:]:  # the first tab is the one already drawn
            tabbed = _app(lang, page, **{key: t(label_key, lang)})
            assert not tabbed.exception, (label_key, [e.value for e in tabbed.exception])
            problems += grid_problems(tabbed, f"{page} {label_key}")
    assert not problems, "\n".join(problems)


def test_the_check_finds_a_raw_grid(demo_app, tmp_path):
    """The check fails on a bare grid of raw values (so a pass above means something)."""
    script = tmp_path / "raw.py"
    script.write_text("import pandas as pd, streamlit as st\n"
                      "st.dataframe(pd.DataFrame({'a': [52.5264, None], 'b': ['None', 'x'],"
                      " 'c': pd.to_datetime(['2026-12-03', None])}))\n")
    problems = grid_problems(AppTest.from_file(str(script)).run(), "raw")
    assert len(problems) == 5, problems  # a, c: no format and a 'None' blank; b: 'None' text


def test_the_import_error_list_names_row_column_value_and_problem_with_its_downloads(tmp_path, monkeypatch):
    """A rejected row is listed as row (as Excel numbers it), the file's column, the value as read
    (a blank blank) and the problem; CSV and Excel of the same list sit under it."""
    from crm_core.store import Store

    path = tmp_path / "crm.duckdb"
    Store(path).close()
    monkeypatch.setenv("CRM_DB", str(path))
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    app.session_state["lang"] = "zh"
    app.switch_page("pages/data.py").run()
    app.file_uploader(key="data_upload").set_value(
        ("额度.csv", "客户编号,客户名称,信用额度\nC1,甲公司,很多\nC2,,100\n".encode(), "text/csv")).run()
    app.button(key="data_validate").click().run()
    assert not app.exception, [e.value for e in app.exception]
    (frame,) = [d.value for d in app.dataframe if list(d.value.columns[:3]) == ["行号", "列", "值"]]
    assert list(frame.columns) == ["行号", "列", "值", "问题及修改方法"]
    assert frame.values.tolist() == [[2, "信用额度", "很多", "不是数字：请只写数字，如 50000.00。"],
                                     [3, "客户名称", "", "必填项：请填写。"]]
    assert not grid_problems(app, "data.py import")
    downloads = [b.proto.label for b in app.get("download_button")]
    assert "下载 CSV" in downloads and "下载 Excel" in downloads, downloads


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_empty_list_says_so_in_the_pages_language(tmp_path, monkeypatch, lang):
    """A new store's audit log has no rows: a line in the page's language, not Streamlit's empty grid
    (which shows the English word "empty")."""
    from crm_core.store import Store, close_store

    db = tmp_path / "new.duckdb"
    Store(db).close()
    monkeypatch.setenv("CRM_DB", str(db))
    try:
        app = _app(lang, "admin.py")
        assert not app.exception, [e.value for e in app.exception]
        assert t("ui.no_rows", lang) in [c.value for c in app.caption]
        assert not app.dataframe  # no grid drawn for nothing
    finally:
        close_store(db)
