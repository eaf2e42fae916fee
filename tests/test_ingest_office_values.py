"""What a cell means, for files out of Excel, WPS and LibreOffice: Excel's damage (scientific notation,
lost leading zeros), the phones Chinese businesses have, and money that keeps its currency.

Each case writes a small CSV quoted as an office suite writes it (text cells in quotes, numbers bare),
imports it through ``crm_core.ingest.run_import`` into a fresh store, and asserts the exact stored
values, or that nothing was stored and the message naming row, column and fix in both languages.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from crm_core.ingest import ImportJob, get_kind, prepare_file, run_import, undo_import, validate
from crm_core.ingest.pipeline import code_width
from crm_core.models import CustomerIn
from crm_core.users import Actor

ACTOR = Actor("analyst1", "analyst")


def _csv(tmp_path, name: str, lines: list[str]) -> str:
    path = tmp_path / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8-sig")  # what "CSV UTF-8" writes
    return str(path)


def _import(store, kind: str, path: str, lang: str = "en", mapping: dict | None = None, **kw):
    text = json.dumps(mapping, ensure_ascii=False) if mapping else None
    return run_import(store, ACTOR, kind, path, lang=lang, mapping_text=text, **kw)


def _both(store, kind, path, **kw):
    """The outcome in English, then the same file's lines in Chinese (nothing stored either time)."""
    en = _import(store, kind, path, "en", **kw)
    zh = _import(store, kind, path, "zh", **kw)
    return en, zh.lines


def _rows(store, sql: str) -> list[tuple]:
    cur = store.cursor()
    try:
        return cur.execute(sql).fetchall()
    finally:
        cur.close()


def _count(store, table: str) -> int:
    return store.query_one(f"SELECT count(*) FROM {table}")[0]


def _seed(store, tmp_path, *codes):
    lines = ['"客户编号","客户名称"'] + [f'"{code}","客户{code}"' for code in codes]
    outcome = _import(store, "customers", _csv(tmp_path, "seed.csv", lines))
    assert outcome.result.created == len(codes)


# -- Excel's damage: scientific notation ------------------------------------------------------------------
EXCEL_EN = ("Excel has already lost digits here: it keeps only 15 significant digits and showed this number as "
            "{v}, so the real value cannot be recovered from this file. In Excel or WPS set the column's format to "
            "Text (Format Cells → Text) before typing or pasting the values, or export them from the source system "
            "as text, then import again.")
EXCEL_ZH = ("Excel 已经丢失了这里的数字：它只保留 15 位有效数字，把这个数显示成了 {v}，原值无法从这个文件恢复。"
            "请在 Excel 或 WPS 中先把该列设为文本格式（设置单元格格式 → 文本）再输入或粘贴，或从原系统按文本导出，然后重新导入。")


def test_an_18_digit_code_excel_wrote_in_scientific_notation_is_refused(store, tmp_path):
    path = _csv(tmp_path, "ids.csv", ['"客户编号","客户名称"', '"110101199003071234","身份证客户"',
                                      '1.10101199003071E+17,"科学计数客户"'])
    en, zh = _both(store, "customers", path)
    assert en.result is None and _count(store, "customers") == 0
    v = "1.10101199003071E+17"
    assert en.lines == [f'Row 3, column "客户编号", value "{v}": ' + EXCEL_EN.format(v=v)]
    assert zh == [f"第 3 行，“客户编号”列，值“{v}”：" + EXCEL_ZH.format(v=v)]
    # the genuine 18-digit text code is fine on its own
    assert _import(store, "customers", _csv(tmp_path, "ok.csv", ['"客户编号","客户名称"',
                                                                 '"110101199003071234","身份证客户"'])).result.created == 1
    assert store.query_one("SELECT code FROM customers") == ("110101199003071234",)


def test_scientific_notation_refused_in_every_code_like_column(store, tmp_path):
    _seed(store, tmp_path, "C001")
    accounts = _csv(tmp_path, "bank.csv", ['"客户编号","客户名称","银行账号","邮编"',
                                           '"C002","二号",6.22202100101234E+18,"200000"',
                                           '"C003","三号","6222021001012345678",2E+5'])
    outcome = _import(store, "customers", accounts)
    assert [line.split(": ")[0] for line in outcome.lines] == [
        'Row 2, column "银行账号", value "6.22202100101234E+18"', 'Row 3, column "邮编", value "2E+5"']
    assert all(line.endswith("then import again.") for line in outcome.lines)
    orders = _csv(tmp_path, "orders.csv", ['"客户编号","日期","金额","订单号"', '"C001",2024-03-05,100,1.23456789012346E+15',
                                           '1.1E+17,2024-03-05,100,"A-1"'])
    outcome = _import(store, "transactions", orders)
    assert [line.split(": ")[0] for line in outcome.lines] == [
        'Row 2, column "订单号", value "1.23456789012346E+15"', 'Row 3, column "客户编号", value "1.1E+17"']
    assert _count(store, "transactions") == 0 and _count(store, "customers") == 1


def test_a_phone_excel_turned_into_1_38e10_gets_its_own_message(store, tmp_path):
    path = _csv(tmp_path, "phones.csv", ['"客户编号","客户名称","联系电话"', '"C001","东方饭店",1.38E+10'])
    en, zh = _both(store, "customers", path)
    assert en.lines == ['Row 2, column "联系电话", value "1.38E+10": Excel has turned this phone number into 1.38E+10 '
                        "and dropped its last digits, so the number cannot be recovered from this file. In Excel or "
                        "WPS set the column's format to Text (Format Cells → Text) before typing or pasting the "
                        "numbers, or export them from the source system as text, then import again."]
    assert zh == ["第 2 行，“联系电话”列，值“1.38E+10”：Excel 把这个电话号码变成了 1.38E+10，后面的数字已经丢失，无法从这个文件恢复。"
                  "请在 Excel 或 WPS 中先把该列设为文本格式（设置单元格格式 → 文本）再输入或粘贴号码，或从原系统按文本导出，然后重新导入。"]
    assert _count(store, "customers") == 0


# -- Excel's damage: leading zeros ------------------------------------------------------------------------
ZEROS_EN = ('No customer with code {code}, but there is {padded}: Excel removed the leading zeros. Tick "Restore the '
            'leading zeros Excel removed from customer codes" (on the command line: --pad-codes), or set the '
            "column's format to Text in Excel or WPS and export again.")
ZEROS_ZH = ("没有编号为 {code} 的客户，但有 {padded}：Excel 去掉了编号前面的 0。请勾选“补回 Excel 去掉的客户编号前导零”"
            "（命令行用 --pad-codes），或在 Excel 或 WPS 中把该列设为文本格式后重新导出。")


@pytest.fixture
def zero_padded_store(store, tmp_path):
    _seed(store, tmp_path, "00001", "00002", "00010", "C-9")
    return store


def _sales(tmp_path, *codes):
    return _csv(tmp_path, "sales.csv", ['"客户编号","日期","金额"'] + [f"{c},2024-03-05,100" for c in codes])


def test_codes_that_lost_their_leading_zeros_are_named_with_the_stored_code(zero_padded_store, tmp_path):
    store = zero_padded_store
    assert code_width(store) == 5
    en, zh = _both(store, "transactions", _sales(tmp_path, 1, 2))
    assert en.lines == ['Row 2, column "客户编号", value "1": ' + ZEROS_EN.format(code=1, padded="00001"),
                        'Row 3, column "客户编号", value "2": ' + ZEROS_EN.format(code=2, padded="00002")]
    assert zh[0] == "第 2 行，“客户编号”列，值“1”：" + ZEROS_ZH.format(code=1, padded="00001")
    assert en.validation.pad_codes_would_fix == 2
    assert _count(store, "transactions") == 0


def test_pad_codes_restores_the_zeros_to_the_store_width(zero_padded_store, tmp_path):
    store = zero_padded_store
    outcome = _import(store, "transactions", _sales(tmp_path, 1, 2, 10, "00001"), pad_codes=True)
    assert outcome.lines == [] and outcome.result.created == 4
    rows = store.query_df("SELECT c.code, count(*) AS n FROM transactions t JOIN customers c USING (customer_id)"
                          " GROUP BY 1 ORDER BY 1").values.tolist()
    assert rows == [["00001", 2], ["00002", 1], ["00010", 1]]
    job = ImportJob(get_kind("transactions"), prepare_file(_sales(tmp_path, 1, 3)), {0: "customer_code", 1: "txn_date",
                                                                                      2: "amount"}, pad_codes=True)
    assert validate(store, ACTOR, job).pad_codes_would_fix == 1  # 1 → 00001; 3 → 00003 matches no one


def test_no_skeleton_customer_beside_its_zero_padded_twin(zero_padded_store, tmp_path):
    store = zero_padded_store
    outcome = _import(store, "transactions", _sales(tmp_path, 1, 2, 7), create_customers=True)
    assert outcome.result is None
    assert outcome.lines == ['Row 2, column "客户编号", value "1": ' + ZEROS_EN.format(code=1, padded="00001"),
                             'Row 3, column "客户编号", value "2": ' + ZEROS_EN.format(code=2, padded="00002")]
    assert store.query_df("SELECT code FROM customers ORDER BY code")["code"].tolist() == [
        "00001", "00002", "00010", "C-9"]
    # with the zeros restored, only the truly unknown 7 becomes a skeleton, at the store's width
    done = _import(store, "transactions", _sales(tmp_path, 1, 2, 7), create_customers=True, pad_codes=True)
    assert (done.result.created, done.result.customers_created) == (3, 1)
    assert store.query_one("SELECT count(*) FROM customers WHERE code IN ('1', '2', '7')") == (0,)
    assert store.query_one("SELECT name FROM customers WHERE code = '00007'") == ("00007",)


def test_customers_update_and_upsert_by_a_code_without_its_zeros(zero_padded_store, tmp_path):
    store = zero_padded_store
    path = _csv(tmp_path, "upd.csv", ['"客户编号","客户名称"', '1,"一号新名"'])
    for mode in ("update", "upsert", "create"):
        outcome = _import(store, "customers", path, mode=mode)
        assert outcome.lines == ['Row 2, column "客户编号", value "1": ' + ZEROS_EN.format(code=1, padded="00001")], mode
    assert _import(store, "customers", path, mode="upsert", pad_codes=True).result.updated == 1
    assert store.query_one("SELECT name FROM customers WHERE code = '00001'") == ("一号新名",)
    assert _count(store, "customers") == 4


def test_no_width_means_no_padding(store, tmp_path):
    _seed(store, tmp_path, "1", "2", "C001")  # no code begins with 0: nothing says zeros were lost
    assert code_width(store) is None
    outcome = _import(store, "transactions", _sales(tmp_path, 1, 2), pad_codes=True)
    assert outcome.result.created == 2
    assert store.query_df("SELECT DISTINCT c.code FROM transactions JOIN customers c USING (customer_id) ORDER BY 1"
                          )["code"].tolist() == ["1", "2"]


# -- phones ---------------------------------------------------------------------------------------------------
PHONES = {
    "+86 138-0013-8000": "13800138000", "0086 13800138000": "13800138000", "86 138 0013 8000": "13800138000",
    "13800138000": "13800138000", "(021)12345678": "021-12345678", "（021）1234-5678": "021-12345678",
    "021 12345678": "021-12345678", "0755-12345678": "0755-12345678", "400-820-8820": "4008208820",
    "800 820 8820": "8008208820", "95588": "95588", "95533": "95533", "96777": "96777",
    "021-12345678转8001": "021-12345678-8001", "021-12345678 ext. 12": "021-12345678-12",
    "021-12345678 x12": "021-12345678-12", "021-12345678-8001": "021-12345678-8001",
    "021-12345678#12": "021-12345678-12", "+86 (0)21 1234 5678": "021-12345678",
}


def test_real_chinese_phones_are_stored_normalised_with_what_was_typed(store, tmp_path):
    lines = ['"客户编号","客户名称","联系电话"'] + [f'"P{i:02d}","客户{i}","{p}"' for i, p in enumerate(PHONES)]
    outcome = _import(store, "customers", _csv(tmp_path, "phones.csv", lines))
    assert outcome.lines == [] and outcome.result.created == len(PHONES)
    stored = store.query_df("SELECT code, phone, phone_typed FROM customers ORDER BY code")
    expected = [(f"P{i:02d}", phone, None if typed == phone else typed) for i, (typed, phone) in enumerate(PHONES.items())]
    assert list(stored.astype(object).where(stored.notna(), None).itertuples(index=False, name=None)) == expected
    # the entry form stores the same two things
    for typed, phone in PHONES.items():
        customer = CustomerIn(code="F1", name="x", phone=typed)
        assert (customer.phone, customer.phone_typed) == (phone, None if typed == phone else typed), typed


def test_a_phone_that_is_no_chinese_number_lists_the_accepted_forms(store, tmp_path):
    path = _csv(tmp_path, "bad.csv", ['"客户编号","客户名称","联系电话"', '"B1","坏号码","13800138000-1"'])
    en, zh = _both(store, "customers", path)
    assert en.lines == ['Row 2, column "联系电话", value "13800138000-1": Not a mainland-China phone number: use a '
                        "mobile (13812345678, also +86 138-1234-5678), a landline with area code (010-12345678, "
                        "(021)1234-5678, extension as 021-12345678转8001 or ext. 8001), a 400/800 number (400-820-8820) "
                        "or a 95xxx/96xxx service number (95588); for other countries set the country field."]
    assert zh[0].startswith("第 2 行，“联系电话”列，值“13800138000-1”：不是有效的中国大陆电话：请填写手机号")


def test_undo_restores_the_phone_and_what_was_typed(store, tmp_path):
    first = _import(store, "customers", _csv(tmp_path, "a.csv", ['"客户编号","客户名称","联系电话"',
                                                                 '"U1","甲","+86 138-0013-8000"']))
    second = _import(store, "customers", _csv(tmp_path, "b.csv", ['"客户编号","客户名称","联系电话"',
                                                                  '"U1","甲","(021)12345678转8001"']), mode="upsert")
    assert store.query_one("SELECT phone, phone_typed FROM customers") == ("021-12345678-8001", "(021)12345678转8001")
    undo_import(store, ACTOR, second.result.import_id)
    assert store.query_one("SELECT phone, phone_typed FROM customers") == ("13800138000", "+86 138-0013-8000")
    assert first.result.created == 1


# -- money keeps its currency ------------------------------------------------------------------------------------
def test_dollars_in_a_yuan_store_are_refused_naming_both_currencies(store, tmp_path):
    _seed(store, tmp_path, "C001")
    path = _csv(tmp_path, "usd.csv", ['"客户编号","日期","金额"', '"C001",2024-03-05,"$1,234"', '"C001",2024-03-06,99'])
    en, zh = _both(store, "transactions", path)
    assert en.lines == ['Row 2, column "金额", value "$1,234": This amount is in USD, but this store keeps amounts in '
                        "CNY: convert it to CNY first, or import it into a store kept in USD. It was not stored as CNY."]
    assert zh == ["第 2 行，“金额”列，值“$1,234”：这笔金额的币种是 USD，而本系统的金额以 CNY 记账：请先换算成 CNY，"
                  "或导入以 USD 记账的系统。未把它当作 CNY 保存。"]
    assert _count(store, "transactions") == 0


def test_a_store_kept_in_dollars_takes_dollars_and_refuses_yuan(store, tmp_path, monkeypatch):
    monkeypatch.setenv("CRM_CURRENCY", "USD")
    _seed(store, tmp_path, "C001")
    path = _csv(tmp_path, "usd.csv", ['"客户编号","日期","金额"', '"C001",2024-03-05,"$1,234"', '"C001",2024-03-06,"US$5"'])
    assert _import(store, "transactions", path).result.created == 2
    assert store.query_df("SELECT amount FROM transactions ORDER BY txn_id")["amount"].tolist() == [
        Decimal("1234.00"), Decimal("5.00")]
    assert store.query_one("SELECT currency FROM customers") == ("USD",)  # a new customer gets the store's currency
    refused = _import(store, "transactions", _csv(tmp_path, "cny.csv", ['"客户编号","日期","金额"', '"C001",2024-03-05,¥8']))
    assert refused.lines[0].endswith("This amount is in CNY, but this store keeps amounts in USD: convert it to USD "
                                     "first, or import it into a store kept in CNY. It was not stored as USD.")


def test_a_credit_limit_in_dollars_sets_a_blank_currency(store, tmp_path):
    path = _csv(tmp_path, "credit.csv", ['"客户编号","客户名称","信用额度","未结余额","币种"',
                                         '"D1","美元客户","$1,234",,', '"D2","人民币客户",5000,,',
                                         '"D3","欧元客户","€10","€2",""'])
    outcome = _import(store, "customers", path)
    assert outcome.lines == [] and outcome.result.created == 3
    assert _rows(store, "SELECT code, credit_limit, open_balance, currency FROM customers ORDER BY code") == [
        ("D1", Decimal("1234.00"), None, "USD"), ("D2", Decimal("5000.00"), None, "CNY"),
        ("D3", Decimal("10.00"), Decimal("2.00"), "EUR")]


def test_a_credit_limit_against_the_customers_currency_is_refused(store, tmp_path):
    path = _csv(tmp_path, "credit.csv", ['"客户编号","客户名称","信用额度","未结余额","币种"',
                                         '"D1","甲","$1,234",,"CNY"', '"D2","乙","$10","€2",'])
    en, zh = _both(store, "customers", path)
    assert en.lines == [
        'Row 2, column "信用额度", value "$1,234": This amount is in USD, but the customer\'s currency is CNY: '
        "convert the amount to CNY, or correct the currency column.",
        'Row 3, column "未结余额", value "€2": This amount is in EUR, but the customer\'s currency is USD: '
        "convert the amount to USD, or correct the currency column."]
    assert zh[0] == ("第 2 行，“信用额度”列，值“$1,234”：这笔金额的币种是 USD，而该客户的币种是 CNY：请把金额换算成 CNY，"
                     "或更正币种列。")
    assert _count(store, "customers") == 0
    # an existing customer kept in CNY: dollars in a file without a currency column are refused too
    _seed(store, tmp_path, "E1")
    update = _import(store, "customers", _csv(tmp_path, "u.csv", ['"客户编号","信用额度"', '"E1","$500"']), mode="update")
    assert update.lines == ['Row 2, column "信用额度", value "$500": This amount is in USD, but the customer\'s '
                            "currency is CNY: convert the amount to CNY, or correct the currency column."]
    assert store.query_one("SELECT credit_limit, currency FROM customers WHERE code = 'E1'") == (None, "CNY")


def test_a_header_in_ten_thousand_yuan_scales_every_value(store, tmp_path):
    _seed(store, tmp_path, "C001")
    path = _csv(tmp_path, "wan.csv", ['"客户编号","日期","金额（万元）"', '"C001",2024-03-05,12.5', '"C001",2024-03-06,"¥0.0001"'])
    outcome = _import(store, "transactions", path, mapping={"客户编号": "customer_code", "日期": "txn_date",
                                                             "金额（万元）": "amount"})
    assert outcome.lines == [] and outcome.result.created == 2
    assert store.query_df("SELECT amount FROM transactions ORDER BY txn_id")["amount"].tolist() == [
        Decimal("125000.00"), Decimal("1.00")]
    twice = _import(store, "transactions", _csv(tmp_path, "wan2.csv", ['"客户编号","日期","金额（万元）"',
                                                                       '"C001",2024-03-07,1.5万']),
                    mapping={"客户编号": "customer_code", "日期": "txn_date", "金额（万元）": "amount"})
    assert twice.lines == ['Row 2, column "金额（万元）", value "1.5万": The cell has its own unit (千, 万 or 亿) but the '
                           "column header already gives one: write the plain number in the header's unit."]
    assert _count(store, "transactions") == 2


def test_a_dollar_header_in_a_yuan_store_is_refused(store, tmp_path):
    _seed(store, tmp_path, "C001")
    path = _csv(tmp_path, "usd_header.csv", ['"Customer code","Date","Amount (USD)"', '"C001",2024-03-05,1234',
                                             '"C001",2024-03-06,"¥5"'])
    mapping = {"Customer code": "customer_code", "Date": "txn_date", "Amount (USD)": "amount"}
    en, zh = _both(store, "transactions", path, mapping=mapping)
    assert en.lines == [
        'Row 2, column "Amount (USD)", value "1234": This amount is in USD, but this store keeps amounts in CNY: '
        "convert it to CNY first, or import it into a store kept in USD. It was not stored as CNY.",
        'Row 3, column "Amount (USD)", value "¥5": The cell says CNY but the column header says USD: correct the '
        "cell or the header."]
    assert zh[1] == "第 3 行，“Amount (USD)”列，值“¥5”：单元格写的是 CNY，列标题写的却是 USD：请更正单元格或列标题。"
    assert _count(store, "transactions") == 0


def test_a_currency_in_a_quantity_is_not_a_number(store, tmp_path):
    _seed(store, tmp_path, "C001")
    path = _csv(tmp_path, "qty.csv", ['"客户编号","日期","金额","数量"', '"C001",2024-03-05,10,"$3"',
                                      '"C001",2024-03-05,10,1.5千'])
    outcome = _import(store, "transactions", path)
    assert outcome.lines == ['Row 2, column "数量", value "$3": Not a number: write digits only, e.g. 50000.00.']
    assert _count(store, "transactions") == 0


def test_the_entry_form_keeps_what_was_typed_with_the_phone_it_gave(store, tmp_path):
    from crm_core.customers import create_customer, get_customer, update_customer

    manager = Actor("m", "manager")
    customer_id = create_customer(store, manager, CustomerIn(code="F1", name="甲", phone="（021）1234-5678 转 8001"))
    assert store.query_one("SELECT phone, phone_typed FROM customers") == ("021-12345678-8001", "（021）1234-5678 转 8001")
    record = get_customer(store, manager, customer_id)
    update_customer(store, manager, customer_id, CustomerIn(code="F1", name="乙", phone=record["phone"]))
    assert store.query_one("SELECT name, phone_typed FROM customers") == ("乙", "（021）1234-5678 转 8001")
    update_customer(store, manager, customer_id, CustomerIn(code="F1", name="乙", phone="139 1234 5678"))
    assert store.query_one("SELECT phone, phone_typed FROM customers") == ("13912345678", "139 1234 5678")
    update_customer(store, manager, customer_id, CustomerIn(code="F1", name="乙", phone="13800138000"))
    assert store.query_one("SELECT phone, phone_typed FROM customers") == ("13800138000", None)


def test_a_viewer_sees_the_typed_phone_masked_like_the_phone(store, tmp_path):
    _import(store, "customers", _csv(tmp_path, "v.csv", ['"客户编号","客户名称","联系电话"', '"V1","甲","+86 138-0013-8000"']))
    cur = store.cursor(Actor("v", "viewer"))
    try:
        assert cur.execute("SELECT phone, phone_typed FROM customers").fetchall() == [
            ("•••••••8000", "•••••••••••••8000")]
    finally:
        cur.close()
