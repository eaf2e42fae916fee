"""Masking and scope with no exceptions (issue 16, findings 1, 2 and 4; 5 is in test_access.py).

Every finding is a test, per role (admin, manager, analyst, rep, viewer): the Data page's exports,
the 360 view's audit tab, the import history and its rejected cells. Then every download button of
every page, opened as a rep and as a viewer: each file is built as the button would build it and
searched for what that user may not read — a contact detail in clear for the viewer, another
rep's customer for the rep — and every download call site in ui/ and pages/ must have been reached
(or be listed below with the reason a rep or viewer cannot reach it).

The store: the session's 300-customer demo, every customer given an e-mail address and a bank
account, customer 1's phone and bank account changed by a manager (audit rows with old and new
values), and an analyst's import of customers_errors.csv that rejected a phone and an e-mail cell.
"""
from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
import streamlit
from streamlit.elements.widgets.button import ButtonMixin
from streamlit.testing.v1 import AppTest

from crm_core import access
from crm_core.audit import customer_trail
from crm_core.customers import customer_360, customer_from_record, get_customer, update_customer
from crm_core.exporting import to_xlsx_bytes
from crm_core.i18n import t
from crm_core.ingest import exports, import_history, rejected_rows, run_import
from crm_core.satisfaction import links as survey_links
from crm_core.store import Store, close_store
from crm_core.users import Actor
from tests.conftest import DEMO_AS_OF

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures" / "import"
ROLES = ("admin", "manager", "analyst", "rep", "viewer")
SEES_EVERYTHING = ("admin", "manager", "analyst")
NEW_PHONE, NEW_BANK = "13800138000", "6222020200112233445"
CONTACTS = access.CONTACT_DETAILS


def mask(value: str | None) -> str | None:
    """The mask a viewer sees, written out by hand: all but the last four characters as dots."""
    return None if value is None else "•" * max(len(value) - 4, 0) + value[-4:]


@dataclass(frozen=True)
class Facts:
    path: Path
    focus: int  # the customer whose contact details a manager changed (with surveys, promises, visits)
    owner: str  # its sales rep
    rep_codes: tuple[str, ...]  # the rep account's codes: the owner's and the next five reps' (half the book)
    customers: pd.DataFrame  # every customer as stored (contact details in clear)
    old_phone: str
    old_bank: str
    import_id: int

    def actor(self, role: str) -> Actor:
        return Actor(f"a_{role}", role, rep_codes=self.rep_codes if role == "rep" else ())

    def mine(self) -> pd.Series:
        """Whether each of ``customers`` is the rep account's."""
        return self.customers["sales_rep"].isin(self.rep_codes)


@pytest.fixture(scope="module")
def facts(demo_db_path, tmp_path_factory) -> Facts:
    path = tmp_path_factory.mktemp("scope") / "crm.duckdb"
    shutil.copyfile(demo_db_path, path)
    store = Store(path)
    try:
        store.write(lambda cur: cur.execute(
            "UPDATE customers SET email = coalesce(email, 'kehu' || customer_id || '@example.cn'),"
            " bank_account = '6222' || lpad(customer_id::VARCHAR, 15, '0')"))
        (focus,) = store.query_one(
            "SELECT min(customer_id) FROM customers c WHERE EXISTS (SELECT 1 FROM survey_responses s"
            " WHERE s.customer_id = c.customer_id) AND EXISTS (SELECT 1 FROM promises p WHERE p.customer_id ="
            " c.customer_id) AND EXISTS (SELECT 1 FROM interactions i WHERE i.customer_id = c.customer_id)")
        boss = Actor("boss", "manager")
        record = get_customer(store, boss, focus)
        edit = customer_from_record(record).model_copy(update={"phone": NEW_PHONE, "bank_account": NEW_BANK})
        update_customer(store, boss, focus, edit, record["version"])
        outcome = run_import(store, Actor("analyst1", "analyst"), "customers", str(FIX / "customers_errors.csv"),
                             skip_invalid=True)
        everyone = store.query_df("SELECT customer_id FROM customers")["customer_id"].tolist()
        for wave in store.query_df("SELECT wave_id FROM survey_waves")["wave_id"]:  # a survey link for everyone
            survey_links.generate_links(store, boss, int(wave), everyone, "sms", datetime(2026, 6, 30, tzinfo=ZoneInfo(store.timezone)))
        customers = store.query_df("SELECT customer_id, code, sales_rep, phone, phone_typed, email, bank_account"
                                   " FROM customers ORDER BY customer_id")
        reps = sorted(set(customers["sales_rep"].dropna()))
        start = reps.index(record["sales_rep"])
        codes = tuple((reps + reps)[start:start + len(reps) // 2])
    finally:
        store.close()
    return Facts(path, int(focus), record["sales_rep"], codes, customers, record["phone"], record["bank_account"],
                 outcome.result.import_id)


@pytest.fixture(scope="module")
def store(facts):
    db = Store(facts.path)
    yield db
    db.close()


def _cells_of_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _cells_of_xlsx(data: bytes) -> list[list[str]]:
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [["" if v is None else str(v) for v in row] for sheet in book for row in sheet.iter_rows(values_only=True)]


def _column(rows: list[list[str]], name: str) -> list[str]:
    index = rows[0].index(name)
    return [row[index] for row in rows[1:]]


# -- finding 1: the Data page's exports of customers ------------------------------------------

@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_customer_exports_hold_what_the_role_may_read(store, facts, role, fmt):
    who = facts.actor(role)
    if fmt == "csv":
        path = exports.export_csv_file(store, who, "customers")
        rows = _cells_of_csv(Path(path).read_bytes())
        Path(path).unlink()
    else:
        rows = _cells_of_xlsx(to_xlsx_bytes(exports.export_frame(store, who, "customers"), "customers"))
    by_code = facts.customers.set_index("code")
    codes = _column(rows, "code")
    if role == "rep":
        assert sorted(codes) == sorted(facts.customers.loc[facts.mine(), "code"])
        assert 100 < len(codes) < 200
    else:
        assert sorted(codes) == sorted(by_code.index)  # 300 demo customers and R001 from the import
        assert len(codes) == 301
    show = mask if role == "viewer" else (lambda v: v)
    for column in ("phone", "email", "bank_account"):
        expected = [show(v) if isinstance(v, str) else None for v in by_code.loc[codes, column]]
        assert [v or None for v in _column(rows, column)] == expected, column
    if role != "rep":
        focus = by_code.index[by_code["customer_id"] == facts.focus][0]
        assert by_code.loc[focus, "bank_account"] == NEW_BANK
        assert _column(rows, "bank_account")[codes.index(focus)] == show(NEW_BANK)


# -- finding 2: the 360 view's audit tab -------------------------------------------------------

@pytest.mark.parametrize("role", [*ROLES, "other rep"])
def test_the_360_audit_trail_follows_the_scope_and_masks_contact_details(store, facts, role):
    others = tuple(sorted(set(facts.customers["sales_rep"].dropna()) - set(facts.rep_codes)))
    who = Actor("other", "rep", rep_codes=others) if role == "other rep" else facts.actor(role)
    view = customer_360(store, who, facts.focus)
    with closing(store.cursor(who)) as cur:
        trail = customer_trail(cur, facts.focus)
    if role == "other rep":
        assert view is None and trail.empty
        return
    changes = {row.field: (row.old_value, row.new_value) for row in view.audit.itertuples()}
    clear = {"phone": (facts.old_phone, NEW_PHONE), "bank_account": (facts.old_bank, NEW_BANK)}
    if role == "viewer":
        assert changes == {field: (mask(old), mask(new)) for field, (old, new) in clear.items()}
        assert changes["phone"][1] == "•••••••8000"
    else:
        assert changes == clear
    pd.testing.assert_frame_equal(view.audit, trail)


def _page(facts: Facts, tmp_path: Path, monkeypatch, page: str, role: str, **state) -> AppTest:
    """``page`` opened by ``role`` through Home.py, on a copy of the store of its own."""
    path = tmp_path / "crm.duckdb"
    shutil.copyfile(facts.path, path)
    monkeypatch.setenv("CRM_DB", str(path))
    app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
    for key, value in {"lang": LANG, "actor": facts.actor(role), "as_of": DEMO_AS_OF, **state}.items():
        app.session_state[key] = value
    app.switch_page(f"pages/{page}")
    try:
        app = app.run()
    finally:
        close_store(path)
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.mark.parametrize("role", ROLES)
def test_the_360_audit_tab_shows_what_the_role_may_read(facts, tmp_path, monkeypatch, role):
    app = _page(facts, tmp_path, monkeypatch, "customer_360.py", role, customer_id=facts.focus)
    old, new, field = (t(f"col.{c}", LANG) for c in ("old_value", "new_value", "field"))
    (audit,) = [d.value for d in app.dataframe if old in d.value.columns]
    shown = {row[field]: (row[old], row[new]) for _, row in audit.iterrows()}
    show = mask if role == "viewer" else (lambda v: v)
    assert shown == {t("field.phone", LANG): (show(facts.old_phone), show(NEW_PHONE)),  # fields by name
                     t("field.bank_account", LANG): (show(facts.old_bank), show(NEW_BANK))}


# -- finding 4: import history and rejected cells ----------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_import_history_and_rejected_cells_follow_the_rule(store, facts, role):
    who = facts.actor(role)
    history = import_history(store, who)
    rejects = rejected_rows(store, who, facts.import_id)
    if role == "rep":  # reps do not import, and must not learn other reps' files or cells
        assert history.empty and rejects.empty
        return
    assert history[["import_id", "file_name", "actor"]].values.tolist() == [
        [facts.import_id, "customers_errors.csv", "analyst1"]]
    values = dict(zip(rejects["field"], rejects["value"]))
    assert len(rejects) == 12
    if role == "viewer":
        assert (values["phone"], values["email"]) == ("•2345", "••••••••mail")
    else:
        assert (values["phone"], values["email"]) == ("12345", "not-an-email")
    # Not a contact detail: shown as it was.
    assert rejects.iloc[0][["row_number", "field", "value"]].tolist() == [3, "code", "R 002"]


@pytest.mark.parametrize("role", ROLES)
def test_the_data_page_history_tab_shows_imports_to_those_who_may_read_them(facts, tmp_path, monkeypatch, role):
    app = _page(facts, tmp_path, monkeypatch, "data.py", role)
    listed = [d.value for d in app.dataframe if t("data.h_file_name", LANG) in d.value.columns]
    if role == "rep":
        assert listed == [] and t("data.no_imports", LANG) in [i.value for i in app.info]
    else:
        assert listed[0][t("data.h_file_name", LANG)].tolist() == ["customers_errors.csv"]


# -- every download of every page, as a rep and as a viewer --------------------------------------

@dataclass
class Download:
    site: str  # file:line of the page code that made the button
    file_name: str
    cells: list[list[str]]


# download_buttons / audited_export and show_table / table_downloads: the sites are their callers
HELPERS = (ROOT / "ui" / "common.py", ROOT / "ui" / "tables.py")


def _site() -> str:
    """The page code that asked for the download button (file:line under ui/ or pages/)."""
    frame = sys._getframe(2)
    while frame is not None:
        path = Path(frame.f_code.co_filename)
        if path not in HELPERS and (ROOT / "ui" in path.parents or ROOT / "pages" in path.parents):
            return f"{path.relative_to(ROOT)}:{frame.f_lineno}"
        frame = frame.f_back
    raise AssertionError("a download button made outside ui/ and pages/")


def _cells(file_name: str, data: bytes) -> list[list[str]]:
    if file_name.endswith(".xlsx"):
        return _cells_of_xlsx(data)
    if file_name.endswith(".csv"):
        return _cells_of_csv(data)
    if file_name.endswith(".pdf"):  # the management report: its text (poppler), a cell per word
        text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
        return [line.split() for line in text.decode("utf-8").splitlines()]
    return [[line] for line in data.decode("utf-8").splitlines()]  # .ics


class Recorder:
    """Stands in for st.download_button: records the file as a click would build it (the deferred
    function called now, the audit row written), then draws the real button."""

    def __init__(self):
        self.downloads: list[Download] = []
        self.original = ButtonMixin.download_button

    def __call__(self, dg, label, data, file_name=None, *args, **kwargs):
        site = _site()
        built = data() if callable(data) else data
        built = built.encode("utf-8") if isinstance(built, str) else bytes(built)
        self.downloads.append(Download(site, file_name or "", _cells(file_name or "", built)))
        return self.original(dg, label, data, file_name, *args, **kwargs)


LANG = "en"
# Every page, and every part of one drawn only when chosen (lazy tabs, the care list), as the
# session state that opens it. A part with a download added later and missing here is caught by
# test_every_download_site_was_reached.
LAZY = {
    "promises.py": ("prom_tab", [f"promises.tab.{n}" for n in ("now", "performance", "record", "policies")]),
    "churn.py": ("churn_tab", [f"churn.tab.{n}" for n in ("calculator", "lapsed", "rates", "model", "retention",
                                                          "reasons", "funnel")]),
    "satisfaction.py": ("sat_tab", [f"sat.tab.{n}" for n in ("overview", "trend", "quality", "regional",
                                                             "quadrants", "word_of_mouth", "comments",
                                                             "nonresponse", "mystery", "entry", "links")]),
    "segmentation.py": ("seg_tab", [f"seg.tab.{n}" for n in ("abc", "movement", "big", "rfm", "need",
                                                                     "resources", "satisfaction")]),
    "customer_360.py": ("c360_tab", ["tab.original_record", "tab.segments", "tab.promises", "tab.surveys",
                                     "tab.churn", "tab.care"]),
}
CARE_SECTIONS = ("key_dates", "absent", "replenish", "contacts")
# Download sites a role cannot reach, and why: the test checks that they exist and were not reached.
# A key is a file (every site in it) or "file[text]" (its sites whose line holds ``text``).
_NEITHER = {
    "pages/admin.py": "the Admin page (audit log) is not in a rep's or viewer's menu",
    "ui/alerts.py": "the Admin page's alerts section (the recent alerts list) is for admins only",
    "ui/data/importing.py": "the import's own error list: only importers (admin, manager, analyst) upload",
}
UNREACHABLE = {
    "rep": {**_NEITHER, "ui/data/history.py": "a rep sees no import, so no list and no rejected cells (finding 4)"},
    "viewer": {**_NEITHER, "ui/satisfaction/links.py[sat_link_list]":
               "the survey links themselves are for those who make them; a viewer sees the response rates"},
}


def _runs(facts: Facts) -> list[dict]:
    runs = [{"page": page} for page in ("overview.py", "customers.py")]
    runs += [{"page": "care.py", "care_section": section} for section in CARE_SECTIONS]
    for page, (key, tabs) in LAZY.items():
        runs += [{"page": page, key: t(tab, LANG), "customer_id": facts.focus} for tab in tabs]
    # The answers containing a word: shown once a word of the comments table is chosen.
    runs.append({"page": "satisfaction.py", "sat_tab": t("sat.tab.comments", LANG),
                 "sat_words_bad": {"selection": {"rows": [0], "columns": [], "cells": []}}})
    return [{**run, "as_of": DEMO_AS_OF} for run in runs]


def _open_data_page_files(app: AppTest) -> AppTest:
    """Press every "prepare" button of the Data page's export tab (the files exist only then)."""
    for table in exports.EXPORT_TABLES:
        for fmt in ("csv", "xlsx"):
            app = app.button(key=f"data_exp_{fmt}_{table}").click().run()
    return app


@pytest.fixture(scope="module", params=["rep", "viewer"])
def downloads(request, facts, tmp_path_factory) -> tuple[str, list[Download]]:
    role = request.param
    path = tmp_path_factory.mktemp(role) / "crm.duckdb"  # the app keeps its store open: one file per role
    shutil.copyfile(facts.path, path)
    recorder = Recorder()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CRM_DB", str(path))
        patch.setenv("CRM_PUBLIC_URL", "https://crm.example.cn")  # AppTest has no page address to start links with
        patch.setattr(ButtonMixin, "download_button", lambda dg, *a, **k: recorder(dg, *a, **k))  # a method
        patch.setattr(streamlit, "download_button", lambda *a, **k: recorder(streamlit._main, *a, **k))
        try:
            for run in [*_runs(facts), {"page": "data.py"}]:
                app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
                app.session_state["lang"] = LANG
                app.session_state["actor"] = facts.actor(role)
                page = run.pop("page")
                for key, value in run.items():
                    app.session_state[key] = value
                app.switch_page(f"pages/{page}")
                app = app.run()
                if page == "data.py":
                    app = _open_data_page_files(app)
                if page == "overview.py":  # the management report's download appears once it is made
                    app = app.button(key="report_make").click().run()
                assert not app.exception, (page, run, [e.value for e in app.exception])
        finally:
            close_store(path)
    return role, recorder.downloads


def _download_sites() -> dict[str, str]:
    """Every line of ui/ and pages/ that makes a download button (the helper itself aside): its
    ``file:line`` and its text."""
    call = re.compile(r"(?<!def )\b(download_buttons|download_button|show_table|show_frame|table_downloads)\(")
    sites = {}
    for folder in ("ui", "pages"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path in HELPERS:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if call.search(line) and not line.lstrip().startswith(("def ", "#", "from ", "import ")):
                    sites[f"{path.relative_to(ROOT)}:{number}"] = line
    return sites


def _forbidden(facts: Facts, role: str) -> tuple[set[str], set[str]]:
    """What ``role``'s files must not hold: (whole cells, texts found anywhere in a cell)."""
    frame = facts.customers
    if role == "viewer":  # every contact detail in clear, also the old values and the rejected cells
        hidden = frame
        # The rejected phone "12345" is left to test_the_downloads_were_really_read: the same file
        # rejected the postal code 12345, which is no contact detail.
        values = {facts.old_phone, facts.old_bank, NEW_PHONE, NEW_BANK, "not-an-email"}
        codes: set[str] = set()
    else:  # another rep's customers: their codes and contact details
        store = Store(facts.path)
        try:
            promised = set(store.query_df("SELECT DISTINCT customer_id FROM promises WHERE owner IN"
                                          " (SELECT unnest(?))", [list(facts.rep_codes)])["customer_id"])
        finally:
            store.close()
        hidden = frame[~facts.mine() & ~frame["customer_id"].isin(promised)]
        values = set()
        codes = set(hidden["code"])
    for column in CONTACTS:
        values |= {v for v in hidden[column] if isinstance(v, str) and v}
    return codes | {v for v in values if len(v) < 8}, {v for v in values if len(v) >= 8}


def test_no_download_holds_what_the_role_may_not_read(downloads, facts):
    role, files = downloads
    cells, texts = _forbidden(facts, role)
    sizes = {len(text) for text in texts}
    found = [(d.site, d.file_name, cell) for d in files for row in d.cells for cell in row
             if cell in cells or _holds_any(cell, texts, sizes)]
    assert found == [], found


def _holds_any(cell: str, texts: set[str], sizes: set[int]) -> bool:
    """Whether any of ``texts`` (whose lengths are ``sizes``) occurs in ``cell``: each slice of ``cell``
    as long as some text, looked up in the set. The same answer as ``any(text in cell for text in
    texts)``, without a pass over every text (~900 for the viewer) for each cell of every file."""
    return any(cell[start:start + size] in texts for size in sizes for start in range(len(cell) - size + 1))


def test_the_downloads_were_really_read(downloads, facts):
    """The search above looked at real files: the customer list is there with the role's rows."""
    role, files = downloads
    customers = [d for d in files if d.file_name == "customers.csv" and d.site.startswith("ui/data/")][-1]
    codes = _column(customers.cells, "code")
    phones = dict(zip(codes, _column(customers.cells, "phone"), strict=True))
    focus = facts.customers.loc[facts.customers["customer_id"] == facts.focus, "code"].iloc[0]
    if role == "viewer":
        assert len(codes) == 301 and phones[focus] == "•••••••8000"
    else:
        assert phones[focus] == NEW_PHONE
        assert set(codes) == set(facts.customers.loc[facts.mine(), "code"])
    assert len(files) > 50
    rejected = [d for d in files if d.file_name == f"import_{facts.import_id}_rejected.csv"]
    if role == "viewer":
        values = {row[0]: row[2] for row in rejected[0].cells[1:]}
        assert (values["5"], values["10"], values["11"]) == ("•2345", "••••••••mail", "12345")  # phone, e-mail, postal
    else:
        assert rejected == []


def _listed(entry: str, site: str, text: str) -> bool:
    file, _, key = entry.partition("[")
    return site.split(":")[0] == file and (not key or key.rstrip("]") in text)


def test_every_download_site_was_reached(downloads):
    role, files = downloads
    reached = {d.site for d in files}
    sites = _download_sites()
    listed = {entry: {site for site, text in sites.items() if _listed(entry, site, text)} for entry in UNREACHABLE[role]}
    assert [entry for entry, matched in listed.items() if not matched] == []  # the exceptions still exist
    unreachable = set().union(*listed.values())
    missing = sorted(set(sites) - unreachable - reached)
    assert missing == [], missing
    assert sorted(unreachable & reached) == []
    assert len(sites) > 30
