"""Role-shaped pages, bounded uploads and repeated imports (issue 16, findings 9, 11, 12, 15)."""

MESSAGES = {
    # -- role-shaped pages (the reason beside a disabled or missing action) ------------------------
    "perm.managers_only": {
        "en": "Only managers and admins can do this.",
        "zh": "只有经理和管理员可以执行此操作。",
    },
    # -- spreadsheets read within bounds (crm_core/ingest/sheets.py) -------------------------------
    "uploads.err_too_many_cells": {
        "en": "The sheet \"{sheet}\" of {file} spans {rows} {rows!p:row|rows} × {columns} {columns!p:column|columns} ({first} to {last}, "
              "{cells} {cells!p:cell|cells}); at most {max_cells} {max_cells!p:cell is|cells are} read. Delete the empty rows and columns around "
              "the table (or whatever sits far away from it), or save the table as CSV, and import again.",
        "zh": "{file} 的工作表“{sheet}”占用 {rows} 行 × {columns} 列（{first} 至 {last}，共 {cells} 个单元格），"
              "最多读取 {max_cells} 个单元格。请删除表格周围的空行空列（或远离表格的零散内容），"
              "或把表格另存为 CSV，然后重新导入。",
    },
    "uploads.err_zip_entries": {
        "en": "{file} holds {count} parts; a workbook has far fewer (at most {max_count} are read). "
              "Open it in Excel or WPS, save it again, and import that file.",
        "zh": "{file} 内含 {count} 个部件，正常的工作簿远没有这么多（最多读取 {max_count} 个）。"
              "请用 Excel 或 WPS 打开并重新保存后再导入。",
    },
    "uploads.err_unpacked_too_large": {
        "en": "{file} unpacks to {size_mb} MB; at most {max_mb} MB are read. Save the table as CSV, "
              "or split it into several files.",
        "zh": "{file} 解压后有 {size_mb} MB，最多读取 {max_mb} MB。请把表格另存为 CSV，或拆成几个文件。",
    },
    "uploads.err_pack_ratio": {
        "en": "{file} is packed {ratio} : 1 — a real workbook packs at most about {max_ratio} : 1. "
              "A file like this is made to exhaust the server (a \"zip bomb\") and is not read.",
        "zh": "{file} 的压缩比为 {ratio} : 1，正常的工作簿最多约 {max_ratio} : 1。"
              "这种文件是为了拖垮服务器而制作的（“压缩炸弹”），不予读取。",
    },
    "uploads.err_read_time": {
        "en": "{file} could not be read within {seconds} seconds and was stopped. Save the table as CSV "
              "(or only the rows and columns of the table) and import that file.",
        "zh": "{file} 在 {seconds} 秒内未能读完，已停止读取。请把表格另存为 CSV（或只保留表格所在的行和列）后再导入。",
    },
    "uploads.err_read_memory": {
        "en": "{file} needs more than the {gb} GB of memory a file may use: its sheet spans far more rows "
              "and columns than its table, or the file is damaged. Delete the empty rows and columns "
              "around the table, or save the table as CSV, and import again.",
        "zh": "读取 {file} 需要的内存超过单个文件可用的 {gb} GB：工作表占用的行列远多于表格本身，或文件已损坏。"
              "请删除表格周围的空行空列，或把表格另存为 CSV，然后重新导入。",
    },
    # -- the same file twice (crm_core.ingest.previous_import_of) ------------------------------------
    "uploads.already_imported_cli": {
        "en": "This file was already imported as #{import_id} on {when} by {actor} ({file}). Importing it again "
              "adds its rows again (transactions twice). To import it anyway, add --again.",
        "zh": "该文件已于 {when} 由 {actor} 导入过（批次 #{import_id}，{file}）。再次导入会把其中的行再加一遍"
              "（交易记录会重复）。如确需再次导入，请加上 --again。",
    },
    "uploads.already_imported": {
        "en": "This file was already imported as #{import_id} on {when} by {actor} ({file}). Importing it again "
              "adds its rows again (transactions twice); to replace that import, undo it first in "
              "\"Import history & undo\".",
        "zh": "该文件已于 {when} 由 {actor} 导入过（批次 #{import_id}，{file}）。再次导入会把其中的行再加一遍"
              "（交易记录会重复）；如要替换那次导入，请先在“导入记录与撤销”中撤销它。",
    },
    "uploads.import_again": {
        "en": "Import it again anyway",
        "zh": "仍然再次导入",
    },
    # -- download links need the session (ui/web.py) ---------------------------------------------------
    "uploads.media_needs_session": {
        "en": "Sign in to Kehu to open this file: download links work only in a signed-in browser.",
        "zh": "请先登录客户管理系统再打开此文件：下载链接只在已登录的浏览器中有效。",
    },
    # -- Streamlit's own uploader words, said in the page's language (ui/uploader.py) -----------------
    "uploader.button": {"en": "Upload", "zh": "选择文件"},
    "uploader.limit": {"en": "{mb}MB per file", "zh": "每个文件不超过 {mb} MB"},
    "uploader.drop": {"en": "Drag and drop a file here", "zh": "把文件拖到这里"},
}
