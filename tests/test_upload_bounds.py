"""Uploads are bounded before they are read, and read off the server's threads (issue 16, finding 11).

Each file here is a few hundred bytes to 2 MB, written by hand so the test says exactly what it
holds: a 1.6 KB XLSX claiming the whole sheet, two cells 17 billion cells apart (with python-calamine
0.9.1 this aborted the whole server process), a used range just past the cell bound, an ODS whose
repeated cells expand, a zip bomb, a zip directory that lies about sizes, and a read that never
ends (a FIFO nobody writes). The answer is always our message; a stuck read holds neither the
server nor another user's read.

Then finding 12: the Data page's copies of an upload are private (600) and gone when the import
ends, the file is removed or unreadable, or the session's state is dropped; and a download link
(``/media/…``) on a real server with accounts needs a live session cookie.
"""
from __future__ import annotations

import errno
import os
import struct
import tempfile
import threading
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from crm_core.ingest import ImportProblem, prepare_file, sheet_names, sheets

ROOT = Path(__file__).resolve().parent.parent
CUSTOMERS_XLSX = ROOT / "tests" / "fixtures" / "import" / "customers.xlsx"

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
         'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
         'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
             'relationships"><sheets><sheet name="客户" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                  'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                  'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def _xlsx(path: Path, cells: list[tuple[str, str]], dimension: str | None = None,
          extra: dict[str, bytes] | None = None) -> Path:
    """An XLSX of inline-string ``cells`` (reference, text), one row element per cell."""
    rows = "".join(f'<row r="{ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{ref}" t="inlineStr"><is><t>{text}'
                   f"</t></is></c></row>" for ref, text in cells)
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             f'spreadsheetml/2006/main">{declared}<sheetData>{rows}</sheetData></worksheet>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


TABLE = [("A1", "客户编号"), ("B1", "客户名称"), ("A2", "C001"), ("B2", "华鑫")]


def _refusal(path: Path, **kwargs) -> ImportProblem:
    with pytest.raises(ImportProblem) as refused:
        prepare_file(path, kind="customers", **kwargs)
    return refused.value


def test_a_tiny_xlsx_claiming_the_whole_sheet_is_refused_before_calamine_reads_it(tmp_path):
    """The issue's file: its dimension claims A1:XFD1048576 (17 billion cells)."""
    path = _xlsx(tmp_path / "bomb.xlsx", TABLE, dimension="A1:XFD1048576")
    assert path.stat().st_size < 2000
    problem = _refusal(path)
    assert problem.key == "uploads.err_too_many_cells"
    assert problem.params == {"file": "bomb.xlsx", "sheet": "客户", "rows": "1,048,576", "columns": "16,384",
                              "cells": "17,179,869,184", "max_cells": "20,000,000", "first": "A1",
                              "last": "XFD1048576"}


def test_two_cells_far_apart_end_the_worker_and_not_the_server(tmp_path):
    """Without a dimension, A1 and XFD1048576 make calamine ask for 512 GiB; the failed allocation
    aborted the process that read the file — before the worker, the server itself."""
    path = _xlsx(tmp_path / "far.xlsx", [*TABLE, ("XFD1048576", "x")])
    problem = _refusal(path)
    assert (problem.key, problem.params) == ("uploads.err_read_memory", {"file": "far.xlsx", "gb": 3})
    assert prepare_file(CUSTOMERS_XLSX, kind="customers").sheet == "说明"  # this process reads on


def test_a_used_range_past_the_cell_bound_is_refused_before_a_row_is_read(tmp_path):
    """20 columns × 1,048,576 rows = 20,971,520 cells: calamine can hold it, we refuse to walk it."""
    path = _xlsx(tmp_path / "wide.xlsx", [*TABLE, ("T1048576", "x")])
    problem = _refusal(path)
    assert problem.key == "uploads.err_too_many_cells"
    assert (problem.params["rows"], problem.params["columns"], problem.params["last"]) == ("1,048,576", "20",
                                                                                           "T1048576")


def test_an_ods_whose_repeated_cells_expand_past_the_bound_is_refused(tmp_path):
    """About 800 bytes: one cell repeated over 1,000 columns and 20,000 rows below a header row."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:'
        'opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body>'
        '<office:spreadsheet><table:table table:name="客户"><table:table-row><table:table-cell '
        'office:value-type="string"><text:p>客户编号</text:p></table:table-cell></table:table-row>'
        '<table:table-row table:number-rows-repeated="20000"><table:table-cell '
        'table:number-columns-repeated="1000" office:value-type="float" office:value="1"/></table:table-row>'
        '</table:table></office:spreadsheet></office:body></office:document-content>')
    path = tmp_path / "repeated.ods"
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    problem = _refusal(path)
    assert problem.key == "uploads.err_too_many_cells"
    assert (problem.params["rows"], problem.params["columns"], problem.params["last"]) == ("20,001", "1,000",
                                                                                           "ALL20001")


def test_a_zip_bomb_part_is_refused_from_the_directory(tmp_path):
    """A 2 MB part of one repeated byte packs ~1000 : 1; real sheets pack 8–15 : 1."""
    path = _xlsx(tmp_path / "packed.xlsx", TABLE, extra={"xl/media/padding.xml": b" " * (2 << 20)})
    problem = _refusal(path)
    assert problem.key == "uploads.err_pack_ratio"
    assert int(problem.params["ratio"].replace(",", "")) > sheets.MAX_PACK_RATIO


def _declare_size(path: Path, member: str, size: int) -> None:
    """Make the zip's central directory say ``member`` unpacks to ``size`` bytes (a lying directory)."""
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    (entries,) = struct.unpack_from("<H", data, end + 10)
    (at,) = struct.unpack_from("<I", data, end + 16)
    for _ in range(entries):
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, at + 28)
        if data[at + 46:at + 46 + name_length] == member.encode():
            struct.pack_into("<I", data, at + 24, size)
            path.write_bytes(bytes(data))
            return
        at += 46 + name_length + extra_length + comment_length
    raise AssertionError(f"{member} is not in {path}")


def test_the_unpacked_size_is_judged_from_the_directory_before_anything_is_unpacked(tmp_path):
    path = _xlsx(tmp_path / "declared.xlsx", TABLE)
    _declare_size(path, "xl/worksheets/sheet1.xml", 3 << 30)
    problem = _refusal(path)
    assert problem.key == "uploads.err_unpacked_too_large"
    assert problem.params["max_mb"] == "1,024"


def test_a_zip_of_more_parts_than_any_workbook_is_refused(tmp_path):
    extra = {f"xl/parts/{i}.xml": b"" for i in range(sheets.MAX_ZIP_ENTRIES)}
    path = _xlsx(tmp_path / "parts.xlsx", TABLE, extra=extra)
    problem = _refusal(path)
    assert (problem.key, problem.params["count"]) == ("uploads.err_zip_entries", "10,005")
    with pytest.raises(ImportProblem) as listing:
        sheet_names(path)
    assert listing.value.key == "uploads.err_zip_entries"  # listing the sheets is bounded the same way


def _no_reader(fifo: Path) -> bool:
    """Whether nobody has ``fifo`` open for reading (opening it to write without waiting fails)."""
    try:
        handle = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as error:
        return error.errno == errno.ENXIO
    os.close(handle)
    return False


def test_a_read_that_never_ends_is_stopped_at_the_time_limit_and_its_worker_killed(tmp_path, monkeypatch):
    fifo = tmp_path / "stuck.xlsx"
    os.mkfifo(fifo)  # the worker's first read of it waits for a writer that never comes
    monkeypatch.setattr(sheets, "READ_SECONDS", 2)
    with pytest.raises(ImportProblem) as stopped:
        sheets.read_sheet(str(fifo), "stuck.xlsx", str(tmp_path / "out.csv"))
    assert (stopped.value.key, stopped.value.params) == ("uploads.err_read_time",
                                                         {"file": "stuck.xlsx", "seconds": 2})
    assert _no_reader(fifo)  # the worker that held it open is gone


def test_another_users_read_completes_while_one_read_is_stuck(tmp_path, monkeypatch):
    """The page thread of the stuck read only waits on its worker: the server's other sessions
    (here: another thread reading a workbook, as a second user's page would) go on."""
    fifo = tmp_path / "stuck.xlsx"
    os.mkfifo(fifo)
    monkeypatch.setattr(sheets, "READ_SECONDS", 300)
    outcome: dict = {}

    def stuck_read():
        try:
            sheets.read_sheet(str(fifo), "stuck.xlsx", str(tmp_path / "out.csv"))
        except ImportProblem as problem:
            outcome["key"] = problem.key

    stuck = threading.Thread(target=stuck_read)
    stuck.start()
    bomb = _xlsx(tmp_path / "bomb.xlsx", TABLE, dimension="A1:XFD1048576")
    assert _refusal(bomb).key == "uploads.err_too_many_cells"
    other = prepare_file(CUSTOMERS_XLSX, kind="customers", sheet="客户")
    assert other.headers[:2] == ["客户编号", "客户名称"]
    other.cleanup()
    assert stuck.is_alive() and not outcome  # still waiting for its FIFO: nothing held the others
    _feed_until_done(fifo, stuck)  # now give the stuck read something (not a workbook) to end on
    assert outcome == {"key": "ingest.err_sheet_unreadable"}


def _feed_until_done(fifo: Path, reader: threading.Thread) -> None:
    """Write to ``fifo`` whenever the worker has it open (it opens it more than once) until ``reader`` ends."""
    for _ in range(1200):
        try:
            handle = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # nobody reading it at this moment
            pass
        else:
            os.write(handle, b"not a workbook")
            os.close(handle)
        reader.join(timeout=0.05)
        if not reader.is_alive():
            return
    raise AssertionError("the stuck read did not end once it was fed")


def test_the_workbook_readers_still_read_every_format():
    """The bounded path reads what the old one read (the fixtures of tests/test_ingest_files.py)."""
    fixtures = ROOT / "tests" / "fixtures" / "import"
    assert sheet_names(fixtures / "customers_office.xls") == ["客户"]
    assert sheet_names(fixtures / "customers_office.ods") == ["客户"]
    prepared = prepare_file(fixtures / "customers_office.ods", kind="customers")
    assert prepared.headers[:3] == ["客户 编号", "客户名称", "信用额度"]
    prepared.cleanup()


# -- finding 12: download links need the session ---------------------------------------------------------
def _get(url: str, cookie: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Language": "en-US"})
    if cookie:
        request.add_header("Cookie", f"kehu_session={cookie}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.browser
def test_a_download_link_needs_a_live_session_on_a_real_server(demo_copy, tmp_path):
    """The customer export's /media/ URL, fetched without cookies (a copied link): 403 and our
    sentence; with the browser's session cookie: the file; after sign-out, the same cookie: 403."""
    from crm_core import accounts
    from tests.browser_harness import browser_page, streamlit_server, wait_until_idle

    users = tmp_path / "users.toml"
    accounts.add_account("boss", "manager", "manager password", "王经理", users)
    with streamlit_server(demo_copy, {"CRM_USERS": str(users)}) as url, browser_page("en-US") as page:
        page.goto(url + "/data")
        page.get_by_label("User name").fill("boss")
        page.get_by_label("Password").fill("manager password")
        page.get_by_role("button", name="Sign in").click()
        wait_until_idle(page)
        page.get_by_role("tab", name="Export").click()
        page.get_by_role("button", name="Prepare CSV (all rows)").first.click()
        wait_until_idle(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download CSV").first.click()
        link = download.value.url
        assert urlsplit(link).path.startswith("/media/")
        (cookie,) = [c["value"] for c in page.context.cookies() if c["name"] == "kehu_session"]

        status, body = _get(link)
        assert status == 403
        assert body.decode() == "Sign in to Kehu to open this file: download links work only in a signed-in browser."
        status, body = _get(link, cookie)
        assert status == 200 and body.startswith(b"\xef\xbb\xbfcode,name,")
        assert _get(link, "not-a-session")[0] == 403

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_selector("text=You have signed out on every device.", timeout=30_000)
        assert _get(link, cookie)[0] == 403  # the session ended: its cookie opens nothing


def test_without_accounts_the_local_user_s_downloads_are_served(monkeypatch, tmp_path, demo_copy):
    """No accounts (localhost only): nothing to sign in to, media is served as before."""
    import ui.web

    monkeypatch.setenv("CRM_DB", str(demo_copy))
    monkeypatch.setenv("CRM_USERS", str(tmp_path / "none.toml"))
    assert ui.web._page_allowed(None, file_error_allows=False)


# -- finding 12: the Data page's copies of an upload -----------------------------------------------------
@pytest.fixture
def data_page(tmp_path, monkeypatch):
    """The Data page on an empty store, its temporary files in a folder of the test's own."""
    from crm_core.store import Store, close_store

    db = tmp_path / "crm.duckdb"
    Store(db).close()
    monkeypatch.setenv("CRM_DB", str(db))
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=60)
    app.session_state["lang"] = "en"
    app.switch_page("pages/data.py")
    yield app.run(), temp
    close_store(db)


def _copies(temp: Path) -> dict[str, int]:
    return {p.name.split("_")[1]: p.stat().st_mode & 0o777 for p in temp.glob("kehu_*")}


CSV = "客户编号,客户名称\nN001,南方商行\n".encode()


def test_the_upload_s_copy_is_private_and_gone_once_the_import_ends(data_page):
    app, temp = data_page
    app.file_uploader(key="data_upload").set_value(("新客户.csv", CSV, "text/csv")).run()
    assert _copies(temp) == {"upload": 0o600}  # UTF-8 is read where it is: one copy, owner only
    app.button(key="data_validate").click().run()
    app.button(key="data_commit").click().run()
    assert [s.value for s in app.success][0].startswith("Import #1: 1 row read, 1 created")
    assert _copies(temp) == {}


def test_the_copies_go_when_the_file_is_removed_from_the_uploader_or_cannot_be_read(data_page):
    app, temp = data_page
    app.file_uploader(key="data_upload").set_value(("gbk.csv", "客户编号,客户名称\nN1,南方\n".encode("gbk"),
                                                    "text/csv")).run()
    assert _copies(temp) == {"upload": 0o600, "import": 0o600}  # and its decoded UTF-8 copy
    app.file_uploader(key="data_upload").set_value(None).run()
    assert _copies(temp) == {}
    app.file_uploader(key="data_upload").set_value(("broken.xlsx", b"PK\x03\x04 not really", "application/zip")).run()
    shown = [e.value.replace("\\", "") for e in app.error]  # shown literally: Markdown escapes
    assert shown[0].startswith("broken.xlsx cannot be read as a spreadsheet")
    assert _copies(temp) == {}


def test_the_copies_go_when_the_session_s_state_is_dropped(tmp_path, monkeypatch):
    """Streamlit drops a session's state some time after its browser went away; the copies go with it
    (and at the server's normal exit: weakref.finalize runs at exit)."""
    import gc

    from ui.data.importing import UploadCopies

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    class Upload:
        file_id, name = "f1", "a.csv"

        def getbuffer(self):
            return b"code\nC1\n"

    copies = UploadCopies()
    path = Path(copies.path_for(Upload()))
    assert path.read_bytes() == b"code\nC1\n"
    del copies
    gc.collect()
    assert not path.exists()
