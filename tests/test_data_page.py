"""The Data page renders in both languages, previews files in the user's words, lists imports and
undoes one after a confirmation (AppTest, seeded by crm_core; uploads through AppTest's file uploader)."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from crm_core.i18n import t
from crm_core.ingest import run_import
from crm_core.store import Store, close_store
from crm_core.users import Actor

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "import"
NULL_TEXTS = {"None", "nan", "NaN", "NaT", "<NA>"}


def _app(lang: str) -> AppTest:
    """The Data page reached the way users reach it: through Home.py's navigation."""
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    app.session_state["lang"] = lang
    app.switch_page("pages/data.py")
    return app


def _upload(app: AppTest, name: str, content: bytes) -> AppTest:
    app.file_uploader(key="data_upload").set_value((name, content, "application/octet-stream"))
    return app.run()


def _picker(app: AppTest, label: str):
    """The history tab's import picker, found by its label (its key changes with the newest import)."""
    (picker,) = [s for s in app.selectbox if s.label == label]
    return picker


def _frame_with(app: AppTest, first_column: str, second_column: str) -> pd.DataFrame:
    frames = [d.value for d in app.dataframe if list(d.value.columns[:2]) == [first_column, second_column]]
    assert len(frames) == 1, [list(d.value.columns) for d in app.dataframe]
    return frames[0]


@pytest.fixture
def empty_db(tmp_path, monkeypatch):
    path = tmp_path / "crm.duckdb"
    Store(path).close()
    monkeypatch.setenv("CRM_DB", str(path))
    yield path
    close_store(path)


@pytest.fixture
def imported_db(tmp_path, monkeypatch):
    path = tmp_path / "crm.duckdb"
    db = Store(path)
    run_import(db, Actor("analyst1", "analyst"), "customers", str(FIX / "customers_gbk.csv"))
    db.close()
    monkeypatch.setenv("CRM_DB", str(path))
    yield path
    close_store(path)


@pytest.mark.parametrize(("lang", "title", "tab", "picker"), [("zh", "数据导入导出", "导入记录与撤销", "导入批次"),
                                                              ("en", "Data import & export", "Import history & undo",
                                                               "Import")])
def test_data_page_renders(imported_db, lang, title, tab, picker):
    app = _app(lang).run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == title
    assert [t.label for t in app.tabs][1] == tab
    assert _picker(app, picker).value == 1
    assert any("3" in s.value for s in app.subheader)  # the export tab counts the 3 customers
    history = _frame_with(app, {"zh": "编号", "en": "#"}[lang], {"zh": "时间", "en": "When"}[lang])
    undone = history[{"zh": "撤销时间", "en": "Undone"}[lang]].tolist()
    assert undone == [""]  # not "NaT"
    assert history[{"zh": "模式", "en": "Mode"}[lang]].tolist() == [
        {"zh": "仅新增（编号已存在则报错）", "en": "Create only (an existing code is an error)"}[lang]]


def test_undo_says_what_it_removes_and_needs_a_confirmation(imported_db):
    app = _app("en").run()
    assert [i.value for i in app.info] == [
        "Undoing import #1 deletes the 3 customers it created, gives the 0 customers it changed their previous "
        "values back, and deletes 0 transactions and 0 interactions."]
    assert app.button(key="data_undo").disabled  # (AppTest, like a browser, cannot click it)
    app.checkbox(key="data_undo_sure_1").check().run()
    assert not app.button(key="data_undo").disabled
    app.button(key="data_undo").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert [s.value for s in app.success] == [
        "Import #1 undone: 3 customers removed, 0 restored, 0 transactions and 0 interactions removed."]
    # The export tab's cached count is read again after the undo (new data version, no cache clear).
    assert "Customers · 0" in [s.value for s in app.subheader]
    from ui.common import store
    assert store().query_one("SELECT count(*) FROM customers") == (0,)
    # Drawn again: the import says it was undone, by whom, and offers no second undo.
    app.run()
    assert any(c.value.startswith("Import #1 was undone on ") and c.value.endswith(" by local.")
               for c in app.caption), [c.value for c in app.caption]
    assert not [b for b in app.button if b.key == "data_undo"]


def test_undo_is_refused_with_the_reason_when_a_later_import_changed_the_same_customers(imported_db, tmp_path):
    from ui.common import store
    update = tmp_path / "update.csv"
    update.write_text("客户编号,信用额度\nC001,2000\n", encoding="utf-8")
    run_import(store(), Actor("analyst1", "analyst"), "customers", str(update), mode="update")
    app = _app("zh").run()
    _picker(app, "导入批次").set_value(1).run()
    assert [w.value for w in app.warning] == ["该批导入现在不能撤销：之后的第 2 号导入修改了相同的客户：请先撤销那一次。"]
    assert not [b for b in app.button if b.key == "data_undo"]


def test_the_undo_picker_starts_on_the_newest_import_after_another_import(imported_db):
    app = _app("zh").run()
    assert _picker(app, "导入批次").value == 1
    _upload(app, "新客户.csv", "客户编号,客户名称\nN001,南方商行\n".encode())
    app.button(key="data_validate").click().run()
    app.button(key="data_commit").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert any(s.value.startswith("第 2 号导入：读取 1 行，新增 1 行") for s in app.success)
    assert _picker(app, "导入批次").value == 2
    assert [i.value for i in app.info][-1].startswith("撤销第 2 号导入将：删除它新建的客户 1 个，")
    app.run()
    assert _picker(app, "导入批次").value == 2


def test_a_file_with_the_same_header_twice_previews_with_excel_letters(empty_db):
    app = _app("zh").run()
    _upload(app, "备注两列.csv", "客户编号,备注,客户名称,备注\nC9,甲,某公司,\n".encode())
    assert not app.exception, [e.value for e in app.exception]
    preview = _frame_with(app, "客户编号", "备注 (B)")
    assert list(preview.columns) == ["客户编号", "备注 (B)", "客户名称", "备注 (D)"]
    assert preview.values.tolist() == [["C9", "甲", "某公司", ""]]
    mapping = app.data_editor[0].value
    assert mapping["列号"].tolist() == ["A", "B", "C", "D"]
    assert mapping["首行取值"].tolist() == ["C9", "甲", "某公司", ""]
    assert mapping["导入为"].tolist() == ["客户编号", "备注", "客户名称", ""]  # labels, never field names


def test_diff_and_duplicate_tables_use_the_users_words_and_show_blanks_blank(imported_db):
    app = _app("zh").run()
    _upload(app, "更新.csv", ("客户编号,客户名称,联系电话,信用额度\n"
                            "C001,东方饭店,13912345678,2000\n"
                            "C004,东方饭店,13912345678,\n").encode())
    app.radio(key="data_mode").set_value("upsert").run()
    app.button(key="data_validate").click().run()
    assert not app.exception, [e.value for e in app.exception]
    duplicates = [d.value for d in app.dataframe if "对方所在" in d.value.columns]
    diff = [d.value for d in app.dataframe if "原值" in d.value.columns]
    assert len(duplicates) == 1 and len(diff) == 1
    assert list(diff[0].columns) == ["行号", "客户编号", "字段", "原值", "新值"]
    assert diff[0].values.tolist() == [["2", "C001", "信用额度", "1,234.50", "2,000.00"]]
    assert list(duplicates[0].columns) == ["行号", "客户编号", "客户名称", "联系电话", "名称、电话相同的编号", "对方所在"]
    assert duplicates[0].values.tolist() == [["3", "C004", "东方饭店", "13912345678", "C001", "已有客户"],
                                             ["3", "C004", "东方饭店", "13912345678", "C001", "本文件第 2 行"]]
    for shown in app.dataframe:
        cells = {str(v) for v in shown.value.to_numpy().ravel()} | {str(c) for c in shown.value.columns}
        assert not cells & NULL_TEXTS, list(shown.value.columns)
        assert not {"row_number", "credit_limit", "other_code"} & cells


@pytest.mark.parametrize(("lang", "message"), [
    ("zh", "无法读取“报价单\\.pdf”这种类型的文件。请上传以下类型之一：CSV、TXT、TSV、XLSX、XLSM、XLS、ODS。"
           "在 Excel 或 WPS 中可“另存为”→ Excel 工作簿（.xlsx）或“CSV UTF-8”。"),
    ("en", "\"报价单\\.pdf\" is not a file type Kehu can read. Upload one of: CSV, TXT, TSV, XLSX, XLSM, XLS, ODS. "
           "In Excel or WPS use Save As → Excel workbook (.xlsx) or \"CSV UTF-8\"."),
])
def test_a_file_type_we_cannot_read_gets_our_own_message(empty_db, lang, message):
    app = _app(lang).run()
    assert app.file_uploader(key="data_upload").allowed_type == []  # Streamlit's English refusal never shows
    _upload(app, "报价单.pdf", b"%PDF-1.4\n")
    assert not app.exception, [e.value for e in app.exception]
    assert [e.value for e in app.error] == [message]


def test_undo_preview_counts_what_the_undo_then_does_and_refuses_for_the_same_reasons(store, tmp_path):
    from crm_core.ingest import ImportProblem, undo_import, undo_preview

    analyst = Actor("analyst1", "analyst")
    customers = run_import(store, analyst, "customers", str(FIX / "customers_utf8.csv")).result.import_id
    sales = run_import(store, analyst, "transactions", str(FIX / "transactions_dates.csv")).result.import_id
    update = tmp_path / "update.csv"
    update.write_text("客户编号,信用额度\nC001,9\n", encoding="utf-8")
    changed = run_import(store, analyst, "customers", str(update), mode="update").result.import_id

    def refusal(import_id):
        problem = undo_preview(store, analyst, import_id)["refused"]
        return problem and (problem.key, problem.params)

    assert refusal(customers) == ("ingest.err_undo_later_first", {"later": changed})
    counts = {"transactions": 0, "interactions": 0, "restored": 1, "customers": 0, "rows": 0}
    assert undo_preview(store, analyst, changed) == {**counts, "kind": "customers", "refused": None}
    assert undo_import(store, analyst, changed) == counts
    assert refusal(customers) == ("ingest.err_undo_referenced", {"count": 7})
    counts = {"transactions": 7, "interactions": 0, "restored": 0, "customers": 0, "rows": 0}
    assert undo_preview(store, analyst, sales) == {**counts, "kind": "transactions", "refused": None}
    assert undo_import(store, analyst, sales) == counts
    counts = {"transactions": 0, "interactions": 0, "restored": 0, "customers": 3, "rows": 0}
    assert undo_preview(store, analyst, customers) == {**counts, "kind": "customers", "refused": None}
    assert store.query_one("SELECT count(*) FROM customers") == (3,)  # the preview wrote nothing
    assert undo_import(store, analyst, customers) == counts
    assert refusal(customers) == ("ingest.err_already_undone", {"import_id": customers})
    assert refusal(99) == ("ingest.err_import_not_found", {"import_id": 99})
    with pytest.raises(ImportProblem):
        undo_import(store, analyst, 99)


def _info(app) -> list[str]:
    """The notices as the user reads them (shown through plain(): Markdown escapes removed)."""
    return [re.sub(r"\\(.)", r"\1", box.value) for box in app.info]


def test_the_header_row_is_shown_and_another_can_be_chosen(empty_db):
    """Needs the reader of issue 14 (PreparedFile.header_row, header_candidates; prepare_file(header_row=))."""
    app = _app("zh").run()
    _upload(app, "名单.csv", "2024年客户名单\n导出日期：2024-06-30\n客户编号,客户名称\nC1,甲公司\n".encode())
    assert not app.exception, [e.value for e in app.exception]
    assert _info(app)[:2] == [t("ingest.notice_header_row", "zh", row=3), t(
        "ingest.notice_rows_skipped", "zh", rows="1–2", text="2024年客户名单 | 导出日期：2024-06-30")]
    (choice,) = [s for s in app.selectbox if s.label == "表头所在行"]
    assert choice.value == 3
    assert choice.options[:3] == ["第 1 行：2024年客户名单", "第 2 行：导出日期：2024-06-30", "第 3 行：客户编号 | 客户名称"]
    assert list(_frame_with(app, "客户编号", "客户名称").columns) == ["客户编号", "客户名称"]
    choice.set_value(2).run()
    assert not app.exception, [e.value for e in app.exception]
    assert _info(app)[0] == t("ingest.notice_header_row", "zh", row=2)
    assert app.data_editor[0].value["文件中的列"].tolist()[0] == "导出日期：2024-06-30"


def test_codes_that_lost_their_leading_zeros_are_explained_and_restored_in_one_click(empty_db):
    """Needs the value rules of issue 14 (Validation.pad_codes_would_fix, ImportJob(pad_codes=True))."""
    from ui.common import store
    stored = Path(empty_db).with_name("stored.csv")
    stored.write_text("客户编号,客户名称\n00001,东方饭店\n00002,西湖贸易\n", encoding="utf-8")
    run_import(store(), Actor("analyst1", "analyst"), "customers", str(stored))
    app = _app("zh").run()
    _upload(app, "额度.csv", "客户编号,信用额度\n1,500\n2,600\n".encode())
    app.radio(key="data_mode").set_value("update").run()
    app.button(key="data_validate").click().run()
    assert [m.value for m in app.metric if m.label in ("将更新", "被拒绝")] == ["0", "2"]
    assert any(w.value.startswith("有 2 行的客户编号补回开头的 0 后才与已有编号一致") for w in app.warning)
    app.button(key="data_pad_codes_fix").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert [m.value for m in app.metric if m.label in ("将更新", "被拒绝")] == ["2", "0"]
    assert app.checkbox(key="data_pad_codes_box").value is True
    app.button(key="data_commit").click().run()
    assert store().query_df("SELECT code, credit_limit FROM customers ORDER BY code").values.tolist() == [
        ["00001", 500], ["00002", 600]]
