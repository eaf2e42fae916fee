"""The import center from tiny fixture files: exact counts, exact values, exact messages."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from crm_core.customers import record_transaction
from crm_core.ingest import (
    ImportJob,
    ImportProblem,
    commit,
    get_kind,
    guess_mapping,
    import_history,
    pipeline,
    prepare_file,
    problem_text,
    rejected_rows,
    remember_mapping,
    run_import,
    suggested_mapping,
    undo_import,
    validate,
)
from crm_core.ingest.exports import export_csv_file, export_frame
from crm_core.models import TransactionIn
from crm_core.store import Store
from crm_core.users import LOCAL_USER, Actor, PermissionDenied

BOTH_ENGINES = True  # the embedded file and team mode (conftest)

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "import"
ACTOR = Actor("analyst1", "analyst")
THREE = [("C001", "东方饭店", "13912345678", Decimal("1234.50"), date(1980, 3, 5)),
         ("C002", "西湖贸易有限公司", "021-87654321", Decimal("15000.00"), date(1975, 12, 1)),
         ("C003", "张伟", "13912345679", Decimal("800.00"), date(1990, 7, 4))]


def _customers(store: Store, where: str = "TRUE") -> list[tuple]:
    cur = store.cursor()
    try:
        return cur.execute(f"SELECT code, name, phone, credit_limit, birthday FROM customers WHERE {where}"
                           " ORDER BY code").fetchall()
    finally:
        cur.close()


def _import(store, kind, name, **kw):
    return run_import(store, ACTOR, kind, str(FIX / name), **kw)


@pytest.mark.parametrize("name", ["customers_utf8.csv", "customers_utf8_bom_zh.csv", "customers_gbk.csv",
                                  "customers_utf16.txt", "customers_semicolon.csv"])
def test_every_encoding_and_delimiter_gives_the_same_three_customers(store, name):
    outcome = _import(store, "customers", name)
    assert outcome.lines == [] and outcome.result.created == 3
    assert _customers(store) == THREE


def test_gb18030_character_outside_gbk(store):
    prepared = prepare_file(FIX / "customers_gb18030.csv")
    assert prepared.encoding == "gb18030"
    prepared.cleanup()
    _import(store, "customers", "customers_gb18030.csv")
    assert _customers(store, "code = 'C003'")[0][1] == "王䶮"


def test_encoding_detection_order():
    assert prepare_file(FIX / "customers_utf8.csv").encoding == "utf-8"
    assert prepare_file(FIX / "customers_utf8_bom_zh.csv").encoding == "utf-8-sig"
    gbk = prepare_file(FIX / "customers_gbk.csv")
    assert (gbk.encoding, gbk.headers) == ("gb18030", ["客户编号", "客户名称", "联系电话", "信用额度", "生日"])
    gbk.cleanup()
    utf16 = prepare_file(FIX / "customers_utf16.txt")
    assert (utf16.encoding, utf16.delimiter) == ("utf-16", "\t")
    utf16.cleanup()


def test_quoted_commas_and_newlines(store):
    _import(store, "customers", "customers_quoted.csv")
    row = store.query_one("SELECT name, address, notes FROM customers WHERE code = 'Q001'")
    assert row == ("Smith, Brown & Co", "Room 5, Building 2\n88 Nanjing Road", 'said "call back", twice')


def test_english_headers_and_choice_labels(store):
    _import(store, "customers", "customers_en.csv")
    cur = store.cursor()
    assert cur.execute("SELECT code, customer_type, region, credit_limit FROM customers ORDER BY code").fetchall() == [
        ("E001", "corporate", "华东", Decimal("50000.00")), ("E002", "corporate", "华南", None)]


def test_xlsx_chosen_sheet(store):
    with pytest.raises(ImportProblem) as problem:  # the first sheet is a note, not data
        _import(store, "customers", "customers.xlsx")
    assert problem.value.key == "ingest.err_missing_column"
    _import(store, "customers", "customers.xlsx", sheet="客户")
    assert _customers(store) == [("X001", "表格客户", "13912345678", Decimal("5000.50"), date(1988, 8, 8)),
                                 ("X002", "第二个", "010-12345678", Decimal("20000.00"), date(1979, 10, 1))]


def test_every_date_form(store):
    _import(store, "customers", "customers_utf8.csv")
    outcome = _import(store, "transactions", "transactions_dates.csv")
    assert outcome.result.created == 7
    dates = store.query_df("SELECT DISTINCT txn_date FROM transactions")["txn_date"].tolist()
    assert [d.date() for d in dates] == [date(2024, 3, 5)]


def test_every_amount_form(store):
    _import(store, "customers", "customers_utf8.csv")
    _import(store, "transactions", "transactions_amounts.csv")
    cur = store.cursor()
    amounts = [a for (a,) in cur.execute("SELECT amount FROM transactions ORDER BY txn_id").fetchall()]
    assert amounts == [Decimal("1234.50"), Decimal("99.00"), Decimal("1234.00"), Decimal("5.50"),
                       Decimal("123.00"), Decimal("15000.00"), Decimal("88.00"), Decimal("-20.00")]


ERRORS_EN = [
    'Row 3, column "客户编号", value "R 002": The customer code may not contain spaces: remove them.',
    'Row 4, column "客户名称", value "": Required: fill this in.',
    'Row 5, column "联系电话", value "12345": Not a mainland-China phone number: use a mobile (13812345678, also '
    '+86 138-1234-5678), a landline with area code (010-12345678, (021)1234-5678, extension as 021-12345678转8001 or '
    'ext. 8001), a 400/800 number (400-820-8820) or a 95xxx/96xxx service number (95588); for other countries set the '
    'country field.',
    'Row 6, column "信用额度", value "-5": The credit limit cannot be negative: enter 0 or more.',
    'Row 7, column "信用额度", value "abc": Not a number: write digits only, e.g. 50000.00.',
    'Row 8, column "生日", value "2024-02-30": Not a date: write it as 2024-03-05.',
    'Row 9, column "生日", value "2999-01-01": The birthday is in the future: check the year.',
    'Row 10, column "电子邮箱", value "not-an-email": Not an email address: write it as name@example.com.',
    'Row 11, column "邮编", value "12345": A mainland-China postal code has 6 digits, e.g. 200000.',
    'Row 12, column "家庭人口", value "0": Must be greater than 0.',
    "Row 13, column \"客户类型\", value \"大客户\": Not one of the allowed values: choose Corporate (group), "
    "Channel (dealer) or Individual / household.",
    'Row 14, column "客户编号", value "R001": Code R001 already appears in row 2 of this file: keep one row per customer.',
]


def test_each_error_kind_named_by_row_column_value_and_reason(store):
    outcome = _import(store, "customers", "customers_errors.csv")
    assert outcome.result is None
    assert outcome.lines == ERRORS_EN
    assert (outcome.validation.rows_read, outcome.validation.rejected_rows) == (13, 12)
    assert store.query_one("SELECT count(*) FROM customers") == (0,)  # atomic: nothing written
    assert store.query_one("SELECT count(*) FROM imports") == (0,)


def test_errors_in_chinese(store):
    outcome = _import(store, "customers", "customers_errors.csv", lang="zh")
    assert outcome.lines[0] == "第 3 行，“客户编号”列，值“R 002”：客户编号不能含空格：请删除空格。"


def test_skip_invalid_writes_valid_rows_and_keeps_rejects(store):
    outcome = _import(store, "customers", "customers_errors.csv", skip_invalid=True)
    assert (outcome.result.created, outcome.result.rejected) == (1, 12)
    assert _customers(store) == [("R001", "好客户", "13912345678", Decimal("1000.00"), date(1980, 1, 1))]
    rejects = rejected_rows(store, ACTOR, outcome.result.import_id)
    assert len(rejects) == 12
    assert rejects.iloc[0][["row_number", "column_name", "value", "message_key"]].tolist() == [
        3, "客户编号", "R 002", "err.code_spaces"]


def test_modes_create_upsert_update_and_diff_preview(store, tmp_path):
    _import(store, "customers", "customers_utf8.csv")
    again = _import(store, "customers", "customers_utf8.csv", again=True)  # create: existing codes are errors
    assert again.validation.rejected_rows == 3
    assert again.lines[0].endswith('Customer code C001 already exists: choose the mode "Create or update by customer '
                                   'code" or "Update only" to change that customer, or use another code.')
    kind = get_kind("customers")
    prepared = prepare_file(FIX / "customers_en.csv")
    mapping = guess_mapping(kind, prepared.headers)
    assert mapping == {0: "code", 1: "name", 2: "phone", 3: "credit_limit", 4: "birthday", 5: "customer_type",
                       6: "region"}
    upd = _import(store, "customers", "customers_en.csv", mode="update")
    assert upd.validation.rejected_rows == 2  # E001/E002 do not exist
    # upsert a changed C001 and a new C009
    path = tmp_path / "upsert.csv"
    Path(path).write_text("客户编号,客户名称,信用额度\nC001,东方大饭店,\nC009,新客户,100\nC002,西湖贸易有限公司,1.5万\n",
                          encoding="utf-8")
    job = ImportJob(kind, prepare_file(path), {0: "code", 1: "name", 2: "credit_limit"}, mode="upsert")
    preview = validate(store, ACTOR, job)
    assert (preview.to_create, preview.to_update, preview.unchanged, preview.rejected_rows) == (1, 1, 1, 0)
    assert preview.diff_sample[["row_number", "code", "field", "old", "new"]].values.tolist() == [
        [2, "C001", "name", "东方饭店", "东方大饭店"]]
    result = commit(store, ACTOR, job)
    assert (result.created, result.updated) == (1, 1)
    # a blank cell in an update keeps the stored value
    assert _customers(store, "code = 'C001'") == [("C001", "东方大饭店", "13912345678", Decimal("1234.50"),
                                                   date(1980, 3, 5))]
    assert store.query_one("SELECT version FROM customers WHERE code = 'C001'") == (2,)
    undo_import(store, ACTOR, result.import_id)
    assert _customers(store) == THREE  # update restored, created row removed
    with pytest.raises(ImportProblem) as twice:
        undo_import(store, ACTOR, result.import_id)
    assert twice.value.key == "ingest.err_already_undone"


def test_likely_duplicates_are_listed_not_merged(store):
    _import(store, "customers", "customers_utf8.csv")
    kind = get_kind("customers")
    job = ImportJob(kind, prepare_file(FIX / "customers_duplicates.csv"), {0: "code", 1: "name", 2: "phone"})
    preview = validate(store, ACTOR, job)
    assert preview.duplicates[["row_number", "code", "other_code", "other_row"]].astype(object).where(
        preview.duplicates.notna(), None).values.tolist() == [[2, "D001", "C001", None], [3, "D002", "C001", None],
                                                              [3, "D002", "D001", 2]]
    assert commit(store, ACTOR, job).created == 3  # shown, never merged


def test_unknown_customer_codes_rejected_or_created_as_skeletons(store):
    _import(store, "customers", "customers_utf8.csv")
    rejected = _import(store, "transactions", "transactions_unknown.csv")
    assert rejected.lines == [
        'Row 3, column "customer code", value "X900": No customer with code X900: import that customer first, '
        'or tick "Create missing customers" (on the command line: --create-customers).',
        'Row 4, column "customer code", value "X901": No customer with code X901: import that customer first, '
        'or tick "Create missing customers" (on the command line: --create-customers).',
        'Row 5, column "customer code", value "X900": No customer with code X900: import that customer first, '
        'or tick "Create missing customers" (on the command line: --create-customers).']
    created = _import(store, "transactions", "transactions_unknown.csv", create_customers=True)
    assert (created.result.created, created.result.customers_created) == (4, 2)
    assert store.query_one("SELECT count(*), sum(amount) FROM transactions") == (4, Decimal("100.00"))
    assert store.integrity_problems() == []
    undo_import(store, ACTOR, created.result.import_id)
    assert store.query_one("SELECT count(*) FROM transactions") == (0,)
    assert store.query_one("SELECT count(*) FROM customers") == (3,)


def test_undo_of_customers_refused_while_their_transactions_remain(store):
    first = _import(store, "customers", "customers_utf8.csv").result
    txns = _import(store, "transactions", "transactions_dates.csv").result
    with pytest.raises(ImportProblem) as refused:
        undo_import(store, ACTOR, first.import_id)
    assert refused.value.key == "ingest.err_undo_referenced" and refused.value.params == {"count": 7}
    undo_import(store, ACTOR, txns.import_id)
    undo_import(store, ACTOR, first.import_id)
    assert store.query_one("SELECT count(*) FROM customers") == (0,)
    history = import_history(store, ACTOR)
    assert history["undone_at"].notna().all() and len(history) == 2


def test_interactions_in_store_time_zone(store):
    _import(store, "customers", "customers_utf8.csv")
    _import(store, "interactions", "interactions.csv")
    cur = store.cursor()
    rows = cur.execute("SELECT strftime(timezone('Asia/Shanghai', occurred_at), '%Y-%m-%d %H:%M'), channel, cost"
                       " FROM interactions ORDER BY occurred_at").fetchall()
    assert rows == [("2024-03-05 09:30", "visit", Decimal("200.00")), ("2024-03-06 00:00", "wechat", Decimal("0.00"))]


@pytest.mark.parametrize(("name", "key"), [("empty.csv", "ingest.err_empty_file"),
                                           ("header_only.csv", "ingest.err_no_rows")])
def test_empty_and_header_only_files(store, name, key):
    with pytest.raises(ImportProblem) as problem:
        _import(store, "customers", name)
    assert problem.value.key == key
    assert store.query_one("SELECT count(*) FROM imports") == (0,)


def test_one_row_file(store):
    assert _import(store, "customers", "one_row.csv").result.created == 1
    assert store.query_one("SELECT name, customer_type, country FROM customers") == ("单行客户", "individual", "CN")


def test_missing_required_column_names_it(store):
    with pytest.raises(ImportProblem) as problem:
        _import(store, "transactions", "one_row.csv")
    assert problem_text(problem.value, "en") == ('No column is mapped to "Date": map one, or add a column headed e.g. '
                                                 '"日期".')


def test_size_limit():
    with pytest.raises(ImportProblem) as problem:
        prepare_file(FIX / "customers_utf8.csv", max_bytes=10)
    assert problem.value.key == "ingest.err_too_large"


def test_mapping_remembered_per_header_layout(store):
    kind = get_kind("customers")
    headers = ["编码X", "称呼"]
    assert suggested_mapping(store, kind, headers) == ({}, False)
    remember_mapping(store, ACTOR, kind, headers, {0: "code", 1: "name"})
    assert suggested_mapping(store, kind, [" 编码x ", "称呼"]) == ({0: "code", 1: "name"}, True)


def test_cli_mapping_file_and_exit_codes(tmp_path):
    db = tmp_path / "cli.duckdb"
    data = tmp_path / "odd.csv"
    data.write_text("编码X,称呼\nM001,映射客户\n", encoding="gbk")
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"编码X": "code", "称呼": "name"}, ensure_ascii=False), encoding="utf-8")
    cmd = [sys.executable, "-m", "crm_core", "import", "customers", str(data), "--db", str(db), "--lang", "en"]
    missing = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 2 and 'No column is mapped to "Customer code"' in missing.stderr
    ok = subprocess.run([*cmd, "--mapping", str(mapping)], capture_output=True, text=True, cwd=ROOT)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("Import #1: 1 row read, 1 created, 0 updated, 0 rejected")
    bad = subprocess.run([sys.executable, "-m", "crm_core", "import", "customers",
                          str(FIX / "customers_errors.csv"), "--db", str(db), "--lang", "en"],
                         capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 1
    assert ERRORS_EN[0] in bad.stderr and "Nothing was imported: 12 of 13 rows have problems." in bad.stderr


def test_permission_required(store):
    with pytest.raises(PermissionDenied):
        run_import(store, Actor("r", "rep"), "customers", str(FIX / "one_row.csv"))


def test_export_then_import_round_trip(tmp_path):
    from crm_core import demo
    source = Store(tmp_path / "a.duckdb")
    demo.load_demo(source, customers=120, as_of=date(2026, 6, 30))
    target = Store(tmp_path / "b.duckdb")
    manager = Actor("m", "manager")
    for table in ("customers", "transactions", "interactions"):
        path = export_csv_file(source, manager, table, str(tmp_path))
        assert Path(path).read_bytes().startswith(b"\xef\xbb\xbf")
        outcome = run_import(target, manager, table, path, max_bytes=None)
        assert outcome.lines == [] and outcome.result.rejected == 0, outcome.lines[:3]
        Path(path).unlink()
        left = export_frame(source, manager, table, cap=10**6)
        right = export_frame(target, manager, table, cap=10**6)
        assert len(left) > 0
        assert left.equals(right), table


def test_export_neutralises_formulas_and_keeps_numbers(store, tmp_path):
    with store.transaction() as cur:
        cur.execute("INSERT INTO customers (code, name, open_balance) VALUES ('F1', '=HYPERLINK(\"x\")', -5)")
    path = export_csv_file(store, ACTOR, "customers", str(tmp_path))
    text = Path(path).read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",-5.00," in text
    frame = export_frame(store, ACTOR, "customers")
    assert frame.loc[0, "name"] == "'=HYPERLINK(\"x\")"


def test_gbk_bytes_after_an_ascii_start_are_decoded_as_gb18030(store, tmp_path):
    path = tmp_path / "late_gbk.csv"
    ascii_rows = "".join(f"L{i:06d},Name {i}\n" for i in range(20_000))  # > the 256 KiB sniffing sample
    path.write_bytes(("code,name\n" + ascii_rows).encode("ascii") + "L999999,西湖贸易\n".encode("gbk"))
    outcome = run_import(store, ACTOR, "customers", str(path))
    assert outcome.result.created == 20_001
    assert store.query_one("SELECT name FROM customers WHERE code = 'L999999'") == ("西湖贸易",)
    assert store.query_one("SELECT encoding FROM imports") == ("gb18030",)


def test_imported_rows_get_consecutive_ids_and_later_writes_new_ones(store, tmp_path):
    """The import draws its ids from the sequence in one step (``_reserve_ids``); a transaction or an
    interaction written afterwards, by form or by a second import, must not reuse one of them."""
    _import(store, "customers", "customers_utf8.csv")
    (customer_id,) = store.query_one("SELECT customer_id FROM customers WHERE code = 'C001'")
    first = record_transaction(store, LOCAL_USER, TransactionIn(customer_id=customer_id, txn_date=date(2024, 3, 1),
                                                                amount="1"))
    path = tmp_path / "t.csv"
    path.write_text("客户编号,日期,金额\nC001,2024-03-05,10\nC002,2024-03-06,20\nC003,2024-03-07,30\n",
                    encoding="utf-8")
    run_import(store, ACTOR, "transactions", str(path))
    rows = store.query_df("SELECT txn_id, amount FROM transactions WHERE import_id IS NOT NULL ORDER BY txn_id")
    assert rows["txn_id"].tolist() == [first + 1, first + 2, first + 3]  # in the file's order (staged: small)
    assert [float(a) for a in rows["amount"]] == [10.0, 20.0, 30.0]
    after = record_transaction(store, LOCAL_USER, TransactionIn(customer_id=customer_id, txn_date=date(2024, 3, 8),
                                                                amount="2"))
    assert after == first + 4
    path.write_text("客户编号,日期,金额\nC002,2024-03-09,40\n", encoding="utf-8")
    run_import(store, ACTOR, "transactions", str(path), again=True)
    assert store.query_one("SELECT max(txn_id), count(DISTINCT txn_id), count(*) FROM transactions") == (
        first + 5, 6, 6)
    interactions = tmp_path / "i.csv"
    interactions.write_text("客户编号,时间,渠道\nC001,2024-03-05 10:00,电话\nC002,2024-03-06 11:00,电话\n",
                            encoding="utf-8")
    assert run_import(store, ACTOR, "interactions", str(interactions)).result.created == 2
    assert store.query_one("SELECT count(DISTINCT interaction_id), count(*) FROM interactions") == (2, 2)


def test_a_staged_import_numbers_its_rows_by_file_row_and_the_one_pass_import_numbers_them_all(
        store, tmp_path, monkeypatch):
    """Staged, the ids follow the file's rows: a rejected row leaves its id unused. Straight from the
    CSV (big files), the rows get the next ids, one each, in the order the lookup gives them."""
    _import(store, "customers", "customers_utf8.csv")
    path = tmp_path / "t.csv"
    path.write_text("客户编号,日期,金额\nC001,2024-03-05,10\nC002,2024-03-06,x\nC003,2024-03-07,30\n",
                    encoding="utf-8")
    outcome = run_import(store, ACTOR, "transactions", str(path), skip_invalid=True)
    assert (outcome.result.created, outcome.result.rejected) == (2, 1)
    (start,) = store.query_one("SELECT min(txn_id) FROM transactions")
    assert store.query_df("SELECT txn_id, amount FROM transactions ORDER BY txn_id").values.tolist() == [
        [start, 10], [start + 2, 30]]  # row 3 (x) was rejected: its id, start + 1, stays unused
    monkeypatch.setattr(pipeline, "STAGE_BELOW_BYTES", 0)
    path.write_text("客户编号,日期,金额\nC001,2024-03-08,40\nC002,2024-03-09,50\nC003,2024-03-10,60\n",
                    encoding="utf-8")
    run_import(store, ACTOR, "transactions", str(path))
    ids = store.query_df("SELECT txn_id FROM transactions WHERE amount >= 40")["txn_id"].tolist()
    assert sorted(ids) == [start + 3, start + 4, start + 5]


def test_clean_transactions_take_the_one_pass_path_and_bad_ones_are_still_reported(store, tmp_path, monkeypatch):
    _import(store, "customers", "customers_utf8.csv")
    monkeypatch.setattr(pipeline, "STAGE_BELOW_BYTES", 0)  # the one pass is for big files
    path = tmp_path / "t.csv"
    path.write_text("客户编号,日期,金额\nC001,2024-03-05,10\nC002,2024-03-06,x\n", encoding="utf-8")
    outcome = run_import(store, ACTOR, "transactions", str(path))
    assert outcome.lines == ['Row 3, column "金额", value "x": Not a number: write digits only, e.g. 50000.00.']
    assert store.query_one("SELECT count(*) FROM transactions") == (0,)
    path.write_text("客户编号,日期,金额\nC001,2024-03-05,10\nC002,2024-03-06,20\n", encoding="utf-8")
    real_stage, staged = pipeline.stage, []
    monkeypatch.setattr(pipeline, "stage", lambda store, job: staged.append(job) or real_stage(store, job))
    assert run_import(store, ACTOR, "transactions", str(path)).result.created == 2
    assert staged == []  # straight from the CSV
