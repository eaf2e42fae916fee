"""Round trips are lossless, and the same file is not imported twice by accident (issue 16, finding 15).

An export puts ``'`` before a text starting with ``= + - @``, tab or CR so a spreadsheet shows it as
text (crm_core.exporting.neutralise); the import's text fold takes it off again, in Python and in
SQL alike. A file already imported as the same kind (same sha256, not undone) is imported again
only when asked: the CLI says when and by whom and exits 2 unless ``--again``.
"""
from __future__ import annotations

import subprocess
import sys
from contextlib import closing
from pathlib import Path

import duckdb
import pytest

from crm_core.exporting import to_xlsx_bytes
from crm_core.ingest import (
    ImportJob,
    ImportProblem,
    get_kind,
    guess_mapping,
    prepare_file,
    previous_import_of,
    run_import,
    undo_import,
    validate,
)
from crm_core.ingest.exports import export_csv_file, export_frame
from crm_core.ingest.values import fold, sql_fold
from crm_core.store import Store
from crm_core.users import Actor

ROOT = Path(__file__).resolve().parent.parent
MANAGER = Actor("boss", "manager")
HOSTILE_NAMES = {"N1": "-Minus Trading", "N2": "=HYPERLINK(\"http://x\")", "N3": "+Plus 公司", "N4": "@At Home",
                 "N5": "-5 号仓库"}


def _with_hostile_names(store: Store) -> None:
    with store.transaction() as cur:
        for code, name in HOSTILE_NAMES.items():
            cur.execute("INSERT INTO customers (code, name, notes, phone) VALUES (?, ?, ?, ?)",
                        [code, name, "-" + name, "13800138000"])


def _upsert_preview(store: Store, path: Path):
    kind = get_kind("customers")
    prepared = prepare_file(path, kind=kind, max_bytes=None)
    try:
        job = ImportJob(kind, prepared, guess_mapping(kind, prepared.headers), mode="upsert")
        return validate(store, MANAGER, job)
    finally:
        prepared.cleanup()


def test_an_exported_customer_file_imports_back_with_nothing_changed(demo_store, tmp_path):
    """300 demo customers and five whose names start with a formula character, CSV and XLSX."""
    _with_hostile_names(demo_store)
    csv_path = Path(export_csv_file(demo_store, MANAGER, "customers", str(tmp_path)))
    assert "'-Minus Trading" in csv_path.read_text(encoding="utf-8-sig")  # the export did neutralise it
    xlsx_path = tmp_path / "customers.xlsx"
    xlsx_path.write_bytes(to_xlsx_bytes(export_frame(demo_store, MANAGER, "customers", cap=10**6)))
    for path in (csv_path, xlsx_path):
        preview = _upsert_preview(demo_store, path)
        assert (preview.to_create, preview.to_update, preview.unchanged, preview.rejected_rows) == (0, 0, 305, 0), \
            (path.name, preview.diff_sample.head(3).to_dict("records"))
    stored = dict(demo_store.query_df("SELECT code, name FROM customers WHERE code LIKE 'N%'").values.tolist())
    assert stored == HOSTILE_NAMES


def test_the_apostrophe_comes_off_in_python_and_sql_alike():
    values = ["'-Minus Trading", "'=SUM(A1)", "'@x", "'\tTab", "'+86 138 0013 8000", "'-5", "'-1,234.50", "'abc",
              "''-x", " '-x", "x'-y", "'", "'-", "'－全角", None]
    expected = ["-Minus Trading", "=SUM(A1)", "@x", "Tab", "'+86 138 0013 8000", "'-5", "'-1,234.50", "'abc",
                "''-x", "'-x", "x'-y", "'", "-", "'－全角", None]
    assert [fold(v, width=False) for v in values] == expected
    db = duckdb.connect()
    db.execute("CREATE TABLE cells (i INTEGER, v VARCHAR)")
    db.executemany("INSERT INTO cells VALUES (?, ?)", list(enumerate(values)))
    for width in (False, True):
        in_sql = [v for (v,) in db.execute(f"SELECT {sql_fold('v', width)} FROM cells ORDER BY i").fetchall()]
        assert in_sql == [fold(v, width) for v in values]


def _transactions_file(folder: Path) -> Path:
    path = folder / "sales.csv"
    path.write_text("客户编号,交易日期,金额\nC001,2026-03-01,100.00\nC001,2026-03-02,50.00\n", encoding="utf-8")
    return path


@pytest.fixture
def one_customer(store):
    with store.transaction() as cur:
        cur.execute("INSERT INTO customers (code, name) VALUES ('C001', '东方饭店')")
    return store


def test_the_same_file_is_imported_again_only_when_asked(one_customer, tmp_path):
    store, path = one_customer, _transactions_file(tmp_path)
    first = run_import(store, MANAGER, "transactions", str(path)).result
    with pytest.raises(ImportProblem) as refused:
        run_import(store, Actor("li", "analyst"), "transactions", str(path))
    assert refused.value.key == "uploads.already_imported_cli"
    assert {k: refused.value.params[k] for k in ("import_id", "actor", "file")} == {
        "import_id": first.import_id, "actor": "boss", "file": "sales.csv"}
    assert store.query_one("SELECT count(*) FROM transactions") == (2,)  # not doubled
    # another kind, or the same file renamed, is the same question only for the same kind
    previous = previous_import_of(store, "transactions", prepare_file(path).sha256)
    assert previous is not None and previous.import_id == first.import_id
    assert previous_import_of(store, "interactions", prepare_file(path).sha256) is None
    again = run_import(store, MANAGER, "transactions", str(path), again=True).result
    assert store.query_one("SELECT count(*) FROM transactions") == (4,)
    undo_import(store, MANAGER, again.import_id)
    undo_import(store, MANAGER, first.import_id)
    assert previous_import_of(store, "transactions", prepare_file(path).sha256) is None  # undone: a new import
    assert run_import(store, MANAGER, "transactions", str(path)).result.created == 2


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crm_core", "import", *args, "--db", str(db), "--lang", "en",
                           "--actor", "boss"], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_the_cli_refuses_a_file_already_imported_unless_again(one_customer, tmp_path):
    path = _transactions_file(tmp_path)
    db = Path(one_customer.path)
    one_customer.close()
    assert _cli(db, "transactions", str(path)).returncode == 0
    refused = _cli(db, "transactions", str(path))
    assert refused.returncode == 2
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("This file was already imported as #1 on ")
    assert lines[0].endswith(" by boss (sales.csv). Importing it again adds its rows again (transactions twice). "
                             "To import it anyway, add --again.")
    assert _cli(db, "transactions", str(path), "--again").returncode == 0
    with closing(Store(db)) as reopened:
        assert reopened.query_one("SELECT count(*) FROM transactions") == (4,)


def test_the_data_page_asks_before_importing_the_same_file_again(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from crm_core.store import close_store

    db = tmp_path / "crm.duckdb"
    Store(db).close()
    monkeypatch.setenv("CRM_DB", str(db))
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    app.session_state["lang"] = "en"
    app.switch_page("pages/data.py")
    app.run()
    app.file_uploader(key="data_upload").set_value(("新客户.csv", "客户编号,客户名称\nN001,南方商行\n".encode(),
                                                    "text/csv")).run()
    app.radio(key="data_mode").set_value("upsert").run()
    app.button(key="data_validate").click().run()
    assert not app.warning and not app.button(key="data_commit").disabled
    app.button(key="data_commit").click().run()
    assert app.success[0].value.startswith("Import #1: 1 row read, 1 created")

    app.button(key="data_validate").click().run()  # the same file, still in the uploader
    (warning,) = [w.value.replace("\\", "") for w in app.warning]
    assert warning.startswith("This file was already imported as #1 on ")
    assert " by local (新客户.csv). Importing it again adds its rows again (transactions twice)" in warning
    assert app.button(key="data_commit").disabled
    (again,) = [c for c in app.checkbox if c.label == "Import it again anyway"]
    again.check().run()
    assert not app.button(key="data_commit").disabled
    app.button(key="data_commit").click().run()
    assert app.success[0].value.startswith("Import #2: 1 row read, 0 created, 0 updated")
    app.button(key="data_validate").click().run()
    (again,) = [c for c in app.checkbox if c.label == "Import it again anyway"]
    assert not again.value  # asked afresh about import #2
    assert "already imported as #2 on " in app.warning[0].value
    close_store(db)
