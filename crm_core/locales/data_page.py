"""Strings of the Data page's import and history tabs added with real office files (issue 14):
file types, the header row, tables in the user's words, leading zeros, undo with its preview."""

MESSAGES = {
    # the file
    "data.unsupported_type": {"en": "\"{file}\" is not a file type Kehu can read. Upload one of: {types}. In Excel or WPS use Save As → Excel workbook (.xlsx) or \"CSV UTF-8\".",
                              "zh": "无法读取“{file}”这种类型的文件。请上传以下类型之一：{types}。在 Excel 或 WPS 中可“另存为”→ Excel 工作簿（.xlsx）或“CSV UTF-8”。"},
    "data.file_read_sheet": {"en": "Read sheet \"{sheet}\", {columns} {columns!p:column|columns}. The first rows:",
                             "zh": "已读取工作表“{sheet}”，共 {columns} 列。前几行如下："},
    # the header row
    "data.header_row_pick": {"en": "Row with the column headers", "zh": "表头所在行"},
    "data.header_row_help": {"en": "If the headers are in another row, choose it: the rows above it are not imported.",
                             "zh": "如果表头在别的行，请在这里选择；表头上面的行不会导入。"},
    "data.header_row_option": {"en": "Row {row}: {cells}", "zh": "第 {row} 行：{cells}"},
    # tables in the user's words
    "data.excel_column": {"en": "Column", "zh": "列号"},
    "data.hidden_column": {"en": "{letter} (hidden)", "zh": "{letter}（隐藏列）"},
    "data.dup_same_as": {"en": "Same name and phone as code", "zh": "名称、电话相同的编号"},
    "data.dup_where": {"en": "That one is", "zh": "对方所在"},
    "data.dup_in_store": {"en": "already stored", "zh": "已有客户"},
    "data.dup_in_file": {"en": "row {row} of this file", "zh": "本文件第 {row} 行"},
    # leading zeros Excel removed
    "data.pad_codes_note": {"en": "{count} {count!p:row has|rows have} customer codes that match stored codes only once their leading zeros are put back (00001 was saved as 1: Excel treats a column of digits as numbers and drops the zeros). Restore them here, and in Excel format that column as Text before typing codes.",
                            "zh": "有 {count} 行的客户编号补回开头的 0 后才与已有编号一致（00001 被存成了 1：Excel 把整列数字当作数值，删掉了开头的 0）。可以在这里恢复；以后在 Excel 中请先把该列设为“文本”格式再输入编号。"},
    "data.pad_codes_button": {"en": "Restore leading zeros (1 → 00001) and check again", "zh": "恢复开头的 0（1 → 00001）并重新检查"},
    "data.pad_codes": {"en": "Restore leading zeros (00001)", "zh": "恢复编号开头的 0（00001）"},
    # undo
    "data.undo_preview": {"en": "Undoing import #{import_id} deletes the {customers} {customers!p:customer|customers} it created, gives the {restored} {restored!p:customer|customers} it changed their previous values back, and deletes {transactions} {transactions!p:transaction|transactions} and {interactions} {interactions!p:interaction|interactions}.",
                          "zh": "撤销第 {import_id} 号导入将：删除它新建的客户 {customers} 个，把它修改过的 {restored} 个客户恢复为原来的内容，删除交易 {transactions} 条、接触记录 {interactions} 条。"},
    "data.undo_preview_rows": {"en": "Undoing import #{import_id} deletes the {rows} {rows!p:row|rows} of {kind} it imported.",
                               "zh": "撤销第 {import_id} 号导入将删除它导入的{kind} {rows} 条。"},
    "data.undone_rows": {"en": "Import #{import_id} undone: {rows} {rows!p:row|rows} of {kind} deleted.",
                         "zh": "第 {import_id} 号导入已撤销：删除{kind} {rows} 条。"},
    "ingest.err_undo_append_only": {"en": "Import #{import_id} cannot be undone: promises and their events are never deleted (the promise ledger only grows). Correct them on the Promises page.",
                                    "zh": "第 {import_id} 号导入无法撤销：承诺及其事件从不删除（承诺台账只增不减）。请在“时限承诺”页面更正。"},
    "data.undo_confirm": {"en": "I understand: undoing deletes and restores the data above", "zh": "我已了解：撤销会删除并恢复上述数据"},
    "data.undo_refused": {"en": "This import cannot be undone now: {reason}", "zh": "该批导入现在不能撤销：{reason}"},
}
