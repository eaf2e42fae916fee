"""Strings of what a cell means on import: Excel's damage, lost leading zeros, currencies (crm_core.ingest)."""

MESSAGES = {
    "err.excel_digits_lost": {
        "en": "Excel has already lost digits here: it keeps only 15 significant digits and showed this number as "
              "{code}, so the real value cannot be recovered from this file. In Excel or WPS set the column's "
              "format to Text (Format Cells → Text) before typing or pasting the values, or export them from the "
              "source system as text, then import again.",
        "zh": "Excel 已经丢失了这里的数字：它只保留 15 位有效数字，把这个数显示成了 {code}，原值无法从这个文件恢复。"
              "请在 Excel 或 WPS 中先把该列设为文本格式（设置单元格格式 → 文本）再输入或粘贴，"
              "或从原系统按文本导出，然后重新导入。",
    },
    "err.phone_excel_scientific": {
        "en": "Excel has turned this phone number into {code} and dropped its last digits, so the number cannot be "
              "recovered from this file. In Excel or WPS set the column's format to Text (Format Cells → Text) "
              "before typing or pasting the numbers, or export them from the source system as text, then import "
              "again.",
        "zh": "Excel 把这个电话号码变成了 {code}，后面的数字已经丢失，无法从这个文件恢复。"
              "请在 Excel 或 WPS 中先把该列设为文本格式（设置单元格格式 → 文本）再输入或粘贴号码，"
              "或从原系统按文本导出，然后重新导入。",
    },
    "err.amount_two_currencies": {
        "en": "The amount names two different currencies: keep only the one it is in.",
        "zh": "金额里写了两种不同的币种：只保留实际的那一种。",
    },
    "err.scale_twice": {
        "en": "The cell has its own unit (千, 万 or 亿) but the column header already gives one: write the plain "
              "number in the header's unit.",
        "zh": "单元格自带单位（千、万或亿），而列标题已经给出了单位：请按列标题的单位只写数字。",
    },
    "err.currency_not_store": {
        "en": "This amount is in {currency}, but this store keeps amounts in {store_currency}: convert it to "
              "{store_currency} first, or import it into a store kept in {currency}. It was not stored as "
              "{store_currency}.",
        "zh": "这笔金额的币种是 {currency}，而本系统的金额以 {store_currency} 记账：请先换算成 {store_currency}，"
              "或导入以 {currency} 记账的系统。未把它当作 {store_currency} 保存。",
    },
    "err.currency_mismatch": {
        "en": "This amount is in {currency}, but the customer's currency is {row_currency}: convert the amount "
              "to {row_currency}, or correct the currency column.",
        "zh": "这笔金额的币种是 {currency}，而该客户的币种是 {row_currency}：请把金额换算成 {row_currency}，"
              "或更正币种列。",
    },
    "err.currency_header_conflict": {
        "en": "The cell says {currency} but the column header says {header_currency}: correct the cell or the "
              "header.",
        "zh": "单元格写的是 {currency}，列标题写的却是 {header_currency}：请更正单元格或列标题。",
    },
    "ingest.err_code_lost_zeros": {
        "en": "No customer with code {code}, but there is {padded}: Excel removed the leading zeros. Tick "
              "\"Restore the leading zeros Excel removed from customer codes\" (on the command line: --pad-codes), "
              "or set the column's format to Text in Excel or WPS and export again.",
        "zh": "没有编号为 {code} 的客户，但有 {padded}：Excel 去掉了编号前面的 0。"
              "请勾选“补回 Excel 去掉的客户编号前导零”（命令行用 --pad-codes），"
              "或在 Excel 或 WPS 中把该列设为文本格式后重新导出。",
    },
    "ingest.pad_codes_label": {
        "en": "Restore the leading zeros Excel removed from customer codes",
        "zh": "补回 Excel 去掉的客户编号前导零",
    },
    "ingest.pad_codes_help": {
        "en": "{count} {count!p:row has|rows have} a customer code that matches a stored customer only once the leading zeros Excel "
              "removed are restored (customer codes in this store are {width} digits long).",
        "zh": "有 {count} 行的客户编号补回 Excel 去掉的前导零后才能对上已有客户（本系统的客户编号为 {width} 位）。",
    },
    "field.phone_typed": {"en": "Phone as typed", "zh": "电话（原始写法）"},
}
