"""The Data page renders in both languages, lists imports and undoes one (AppTest, seeded by crm_core)."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.ingest import run_import
from crm_core.store import Store, close_store
from crm_core.users import Actor

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "import"


def _app(lang: str) -> AppTest:
    """The Data page reached the way users reach it: through Home.py's navigation."""
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    app.session_state["lang"] = lang
    app.switch_page("pages/data.py")
    return app


@pytest.fixture
def imported_db(tmp_path, monkeypatch):
    path = tmp_path / "crm.duckdb"
    db = Store(path)
    run_import(db, Actor("analyst1", "analyst"), "customers", str(FIX / "customers_gbk.csv"))
    db.close()
    monkeypatch.setenv("CRM_DB", str(path))
    yield path
    close_store(path)


@pytest.mark.parametrize(("lang", "title", "tab"), [("zh", "数据导入导出", "导入记录与撤销"),
                                                     ("en", "Data import & export", "Import history & undo")])
def test_data_page_renders(imported_db, lang, title, tab):
    app = _app(lang).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == title
    assert [t.label for t in app.tabs][1] == tab
    assert app.selectbox(key="data_pick_import").value == 1
    assert any("3" in s.value for s in app.subheader)  # the export tab counts the 3 customers


def test_undo_button_removes_the_import(imported_db):
    app = _app("en").run()
    app.button(key="data_undo").click().run()
    assert not app.exception
    assert any("Import #1 undone: 3 customers removed" in s.value for s in app.success)
    # The export tab's cached count is read again after the undo (new data version, no cache clear).
    assert "Customers · 0" in [s.value for s in app.subheader]
    from ui.common import store
    assert store().query_one("SELECT count(*) FROM customers") == (0,)
