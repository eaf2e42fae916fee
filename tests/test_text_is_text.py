"""Text is text (issue 16, finding 14): a user's string is shown as typed, never as markup.

A store whose every free-text value is hostile (customer names and codes, regions, cities, reps,
notes, preferences, promise and complaint texts, interaction places, products, key-date labels,
survey wave names and comments, mystery-shopper locations, churn notes) is rendered on every page
in ``pages/`` — each lazily opened tab too — in both languages, and every element is checked:

- Markdown (headers, captions, messages, labels, tab and expander labels, radio options,
  ``st.table`` cells): the hostile text appears only escaped, and nothing Streamlit rewrites after
  parsing (bare URLs and e-mails → links, ``:smile:`` → emoji, ``:material_…:`` → icon, `` -> `` →
  arrow) survives in the text it would show.
- Plotly charts (the spec sent to the browser): no user string carries a raw ``<b>`` / ``<a href``.

A new page is swept as soon as it exists in ``pages/``. The escapers themselves
(crm_core.text_safety) are checked against exact strings, and in Chromium on the real 360 view and
the mystery-shopper chart (marked ``browser``).
"""
from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pandas as pd
import pytest
from streamlit.runtime.state.common import user_key_from_element_id
from streamlit.testing.v1 import AppTest

from crm_core.i18n import t
from crm_core.store import Store
from crm_core.text_safety import WORD_JOINER, chart_text, markdown_literal
from crm_core.users import Actor
from tests.conftest import DEMO_AS_OF
from tests.test_pages import PAGES, run_page

WJ = WORD_JOINER
HOSTILE = ('**bold** [link](http://evil.example) ![img](http://evil.example/x.png) :red[red] <b>b</b> '
           '<a href="http://evil.example">a</a> $x^2$ http://evil.example www.evil.example mail@evil.example '
           ':material/home: :material_home: :streamlit: :smile: 1 -> 2')
PROMISES_NOW = "2026-06-30T10:00:00"  # the demo's "now": its open promises are open then


# -- the escapers ----------------------------------------------------------------------------------
def test_markdown_literal_escapes_every_piece_of_markdown_syntax():
    assert markdown_literal("**b** [l](x) ![i](y) :red[r] <b> $x$ # h | ~s~ `c` 1. -") == (
        r"\*\*b\*\* \[l\]\(x\) \!\[i\]\(y\) \:red\[r\] \<b\> \$x\$ \# h \| \~s\~ \`c\` 1\. \-")
    assert markdown_literal("客户 王芳") == "客户 王芳"  # nothing to escape, nothing added
    assert markdown_literal(12.5) == r"12\.5"


def test_markdown_literal_breaks_what_streamlit_rewrites_after_escapes_are_resolved():
    # GFM autolink literals, emoji/icon/logo shortcodes and arrows act on the parsed text, where a
    # backslash escape is already gone: a word joiner inside the pattern stops each of them.
    assert markdown_literal("http://e.x") == "http\\:" + WJ + r"\/\/e\.x"
    assert markdown_literal("WWW.e.x") == "WWW" + WJ + r"\.e\.x"
    assert markdown_literal("a@e.x") == "a\\@" + WJ + r"e\.x"
    assert markdown_literal(":smile: :material_home:") == "\\:" + WJ + "smile\\: \\:" + WJ + "material\\_home\\:"
    assert markdown_literal("1 -> 2 >= 3") == "1 \\-" + WJ + "\\> 2 \\>" + WJ + "\\= 3"
    assert markdown_literal("x->y") == r"x\-\>y"  # not an arrow to Streamlit (no spaces): nothing added


def test_markdown_literal_keeps_lines_and_never_makes_a_code_block():
    assert markdown_literal("one\r\n    two\n\n  three") == "one  \ntwo  \n  \nthree"


def _shown(source: str) -> str:
    """The text Markdown shows for ``source`` made of escapes, plain characters and hard breaks."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", source).replace("  \n", "\n").replace(WJ, "")


@pytest.mark.parametrize("text", [HOSTILE, "东方饭店（上海）有限公司", "Tom's \"A&B\" 50% {x} \\ back"])
def test_the_visible_text_is_exactly_the_text(text):
    assert _shown(markdown_literal(text)) == text
    assert html.unescape(chart_text(text)) == text


def test_chart_text_writes_entities_plotly_turns_back():
    assert chart_text('<b>A&B</b> <a href="x">y</a> $1$ %{y}') == (
        '&lt;b&gt;A&amp;B&lt;/b&gt; &lt;a href="x"&gt;y&lt;/a&gt; &#36;1&#36; &#37;{y}')
    assert chart_text("上海人民广场店") == "上海人民广场店"
    assert chart_text(None) is None
    assert pd.isna(chart_text(float("nan")))


# -- what a page shows, checked ---------------------------------------------------------------------
MARKUP_IN_SOURCE = ("**bold**", "[link](", "![img](", ":red[red]", "<b>b</b>", "<a href", "$x^2$")
REWRITTEN_BEFORE_PARSING = (":material/",)  # Streamlit makes it ":material_" (an icon) in the raw source
REWRITTEN_IN_TEXT = (re.compile(r"(?i)(https?://|www\.)evil"), re.compile(r"@evil\."),
                     re.compile(r":(material_home|streamlit|smile):"), re.compile(r"1\s->\s2"))
MARKUP_IN_CHART = ("<b>b</b>", "<a href", "$x^2$")
# Proto fields a browser shows as text, not Markdown (checked in Chromium for the select box):
# element ids, select box options, what a text box holds. Radio options, labels and help are Markdown;
# plotly specs are checked as charts; dataframe cells are Arrow bytes, shown as text. An element's
# icon is never user text: every icon= in ui/ and pages/ is a constant of the code.
TEXT_FIELDS = {"id", "form_id", "icon"}
TEXT_FIELDS_OF = {"selectbox": {"options", "raw_value", "placeholder"}, "multiselect": {"options", "placeholder"},
                  "text_input": {"value", "default", "placeholder"}, "text_area": {"value", "default", "placeholder"},
                  "number_input": {"placeholder"}, "dataframe": {"placeholder"}, "download_button": {"url"}}


def markdown_problems(source: str) -> list[str]:
    """The pieces of HOSTILE that ``source`` (Markdown) would render as markup."""
    unescaped = re.sub(r"\\[!-/:-@\[-`{-~]", "\0", source)  # what Markdown still reads as syntax
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", source)
    return ([token for token in REWRITTEN_BEFORE_PARSING if token in source]
            + [token for token in MARKUP_IN_SOURCE if token in unescaped]
            + [pattern.pattern for pattern in REWRITTEN_IN_TEXT if pattern.search(text)])


def test_the_checker_sees_the_old_escaping_fail():
    """plain() before this issue (backslashes only) still let bare URLs become links."""
    old = re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~:$=])", r"\\\1", HOSTILE)
    assert markdown_problems(old) == [":material/", *(pattern.pattern for pattern in REWRITTEN_IN_TEXT)]
    assert markdown_problems(HOSTILE) != [] and markdown_problems(markdown_literal(HOSTILE)) == []


def _strings(message, path: str = ""):
    """(field path, text) of every string in a protobuf message, nested messages included."""
    for field, value in message.ListFields():
        values = value if field.is_repeated else [value]
        for item in values:
            if field.type == field.TYPE_MESSAGE:
                yield from _strings(item, f"{path}.{field.name}")
            elif field.type == field.TYPE_STRING:
                yield f"{path}.{field.name}", item


def _json_strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def page_problems(app: AppTest) -> list[str]:
    """Every place ``app`` shows a piece of HOSTILE as markup: (element type, field, what)."""
    found = []
    for node in _nodes(app._tree):
        kind, proto = getattr(node, "type", "?"), getattr(node, "proto", None)
        if proto is None:
            continue
        if kind == "plotly_chart":
            for text in _json_strings(json.loads(proto.spec)):
                found += [f"plotly_chart: {token!r} in {text[:80]!r}" for token in MARKUP_IN_CHART if token in text]
            continue
        if kind == "table":  # st.table renders every cell, header and index as Markdown
            frame = node.value
            cells = [*map(str, frame.columns), *map(str, frame.index), *frame.astype(str).to_numpy().ravel()]
            found += [f"table: {problem} in {cell[:80]!r}" for cell in cells for problem in markdown_problems(cell)]
        for path, text in _strings(proto):
            field = path.rsplit(".", 1)[-1]
            if field in TEXT_FIELDS or field in TEXT_FIELDS_OF.get(kind, ()):
                continue
            found += [f"{kind}{path}: {problem} in {text[:80]!r}" for problem in markdown_problems(text)]
    return found


# -- the hostile store and the sweep ----------------------------------------------------------------
HOSTILE_TEXT = {  # table → its free-text columns; every row gets HOSTILE (customers' codes stay unique)
    "customers": ("name", "province", "city", "address", "contact_person", "sales_rep", "preferences",
                  "notes", "business_scope", "delivery_address", "payment_terms", "attitude", "frictions",
                  "competitor_dealings", "needs_potential"),
    "interactions": ("place", "rep", "products_provided", "note"),
    "transactions": ("product", "order_id"),
    "key_dates": ("label",),
    "promises": ("owner", "description"),
    "complaints": ("owner", "description"),
    "survey_responses": ("comment",),
    "churn_events": ("note",),
}


@pytest.fixture(scope="module")
def hostile_db(demo_db_path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "crm.duckdb"
    shutil.copyfile(demo_db_path, path)
    db = Store(path)
    with db.transaction() as cur:
        for table, columns in HOSTILE_TEXT.items():
            cur.execute(f"UPDATE {table} SET " + ", ".join(f"{c} = ?" for c in columns), [HOSTILE] * len(columns))
        cur.execute("UPDATE customers SET code = code || ' ' || ?", [HOSTILE])
        cur.execute("UPDATE survey_waves SET name = ? || ' #' || wave_id", [HOSTILE])
        # three hostile regions, so the regional comparisons have groups to compare
        cur.execute("UPDATE customers SET region = ? || ' #' || (customer_id % 3)", [HOSTILE])
        cur.execute("UPDATE survey_responses SET region = ? || ' #' || (response_id % 3)", [HOSTILE])
        cur.execute("UPDATE mystery_visits SET location = ? || ' · ' || location", [HOSTILE])
        cur.execute("INSERT INTO imports (actor, file_name, sha256, kind, mode, rows_created) "
                    "VALUES (?, ?, 'abc', 'interactions', 'create', 0)", [HOSTILE, HOSTILE + ".csv"])
        cur.execute("INSERT INTO audit_log (actor, action, entity, entity_id, field, old_value, new_value) "
                    "VALUES (?, 'update', 'customer', 1, 'name', ?, ?)", [HOSTILE, HOSTILE, HOSTILE])
    db.close()
    return path


@pytest.fixture
def hostile_app(hostile_db, monkeypatch):
    monkeypatch.setenv("CRM_DB", str(hostile_db))
    return hostile_db


def _promise_of_customer_1(path: Path) -> int:
    db = Store(path)
    try:
        return db.query_one("SELECT min(promise_id) FROM promises WHERE customer_id = 1")[0]
    finally:
        db.close()


BASE_STATE = {"customer_id": 1, "as_of": DEMO_AS_OF, "promises_now": PROMISES_NOW}
NOTICE_WITH_HOSTILE_KIND = f"2027-01-01,{HOSTILE}"  # a pasted holiday notice whose kind cell is refused


def extra_views(page: str, lang: str, promise_id: int) -> list[dict]:
    """States a tab sweep cannot reach: a radio that picks the section, a selected promise, a form
    opened for editing, a rep's or an admin's view."""
    return {
        "care.py": [{"care_section": s} for s in ("absent", "replenish", "contacts")],
        "customer_form.py": [{"edit_customer_id": 1}],
        "customer_360.py": [{"c360_tab": t("tab.promises", lang), "p360_selected": promise_id}],
        "promises.py": [{"prom_selected": promise_id}, {"prom_notice_text": NOTICE_WITH_HOSTILE_KIND}],
        "segmentation.py": [{"actor": Actor(HOSTILE, "rep")}],
        "satisfaction.py": [{"sat_tab": t("sat.tab.trend", lang), "sat_breakdown_by": by} for by in ("rep", "product")],
        "admin.py": [{"actor": Actor("root", "admin")}],
    }.get(page, [])


def _tab_views(app: AppTest) -> list[dict]:
    """One state per tab not yet open in a keyed (lazy) tab container: {key: label}."""
    views = []
    for node in _nodes(app._tree):
        if getattr(node, "type", None) == "tab_container":
            key = user_key_from_element_id(node.proto.id)
            labels = [tab.label for tab in node.children.values()]
            views += [{key: label} for label in labels[1:]] if key else []
    return views


def sweep(page: str, lang: str, promise_id: int):
    """(state, app) for the page's first view, each of its lazy tabs (found by running it), and its extra views."""
    first = run_page(page, lang, **BASE_STATE)
    yield {}, first
    for state in [*_tab_views(first), *extra_views(page, lang, promise_id)]:
        yield state, run_page(page, lang, **BASE_STATE, **state)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_user_text_as_markup(hostile_app, page, lang):
    promise_id = _promise_of_customer_1(hostile_app)
    problems, views = [], 0
    for state, app in sweep(page, lang, promise_id):
        assert not app.exception, (state, [e.value for e in app.exception])
        problems += [f"{state}: {problem}" for problem in page_problems(app)]
        views += 1
    assert problems == []
    assert views >= 1


# -- the findings, where they were seen -----------------------------------------------------------
def _code_of_customer_1(path: Path) -> str:
    db = Store(path)
    try:
        return db.query_one("SELECT code FROM customers WHERE customer_id = 1")[0]
    finally:
        db.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_entry_form_heading_shows_the_name_as_typed(hostile_app, lang):
    app = run_page("customer_form.py", lang, **BASE_STATE, edit_customer_id=1)
    code = _code_of_customer_1(hostile_app)
    assert [h.value for h in app.subheader][0] == t("ui.editing", lang, name=markdown_literal(HOSTILE),
                                                    code=markdown_literal(code))


def test_the_360_header_and_record_show_the_text_as_typed(hostile_app):
    app = run_page("customer_360.py", "en", **BASE_STATE)
    code = _code_of_customer_1(hostile_app)
    assert app.header[0].value == f"{markdown_literal(HOSTILE)} · {markdown_literal(code)}"
    # the original record, one grid a group: grid cells are plain text, so the value is the text as typed
    grids = [g.value for g in app.dataframe if list(g.value.columns) == [t("grids.field", "en"), t("grids.value", "en")]]
    record = pd.concat(grids).set_index(t("grids.field", "en"))[t("grids.value", "en")]
    assert record[t("field.name", "en")] == HOSTILE
    assert record[t("field.region", "en")] == HOSTILE + " #1"


@pytest.mark.parametrize("page, state", [
    ("promises.py", {"prom_selected": None}),
    ("customer_360.py", {"p360_selected": None, "c360_tab": t("tab.promises", "en")}),
])
def test_the_promise_panel_shows_customer_owner_and_promise_text_as_typed(hostile_app, page, state):
    promise_id = _promise_of_customer_1(hostile_app)
    state = {key: promise_id if value is None else value for key, value in state.items()}
    app = run_page(page, "en", **BASE_STATE, **state)
    facts = [m.value for m in app.markdown if m.value.startswith(t("promises.col.customer", "en"))]
    escaped = markdown_literal(HOSTILE)
    code = _code_of_customer_1(hostile_app)
    assert facts == [f"{t('promises.col.customer', 'en')}: {markdown_literal(code)} {escaped}  \n"
                     f"{t('promises.col.owner', 'en')}: {escaped}"]
    assert f"{t('promises.col.description', 'en')}: {escaped}" in [c.value for c in app.caption]


def test_the_mystery_shopper_legend_shows_the_location_as_typed(hostile_app):
    app = run_page("satisfaction.py", "en", **BASE_STATE, sat_tab=t("sat.tab.mystery", "en"))
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    names = sorted(trace["name"] for trace in spec["data"])
    assert names and all(name.startswith(chart_text(HOSTILE) + " · ") for name in names)
    assert html.unescape(names[0]).startswith(HOSTILE)


def test_a_reps_own_name_is_shown_as_typed(hostile_app):
    app = run_page("segmentation.py", "en", **BASE_STATE, actor=Actor(HOSTILE, "rep"))
    assert t("seg.rep_scope_note", "en", rep=markdown_literal(HOSTILE)) in [c.value for c in app.caption]


def test_a_refused_cell_of_a_pasted_holiday_notice_is_quoted_as_typed(hostile_app):
    app = run_page("promises.py", "en", **BASE_STATE, prom_notice_text=NOTICE_WITH_HOSTILE_KIND)
    assert t("promises.notice.err.kind", "en", row=1, value=markdown_literal(HOSTILE)) in [e.value for e in app.error]


def test_the_signed_in_name_is_shown_as_typed(hostile_db, tmp_path, monkeypatch):
    import ui.auth
    from crm_core import accounts, sessions
    from crm_core.store import close_store, open_store

    hostile_app = tmp_path / "crm.duckdb"  # a copy: the accounts written here must not reach other tests
    shutil.copyfile(hostile_db, hostile_app)
    monkeypatch.setenv("CRM_DB", str(hostile_app))

    shown_name = "**b** [l](http://evil.example) :red[r] <b>b</b> www.evil.example"  # display names: ≤ 64
    users = tmp_path / "users.toml"
    accounts.add_account("hostile", "manager", "a long password", shown_name, path=users)
    monkeypatch.setenv("CRM_USERS", str(users))
    app_store = open_store(hostile_app)  # the store the app's script runs use (one per file)
    try:
        accounts.sync_file(app_store)
        token = sessions.sign_in(app_store, "hostile", "a long password").token
        monkeypatch.setattr(ui.auth, "session_token", lambda: token)  # AppTest cannot send the cookie
        app = run_page("overview.py", "en", **BASE_STATE)
        shown = t("auth.signed_in_as", "en", name=markdown_literal(shown_name), role=t("role.manager", "en"))
        assert shown in [c.value for c in app.sidebar.caption]
        assert page_problems(app) == []
    finally:
        close_store(hostile_app)


# -- in a real browser ------------------------------------------------------------------------------
@pytest.mark.browser
def test_in_chromium_the_360_view_and_the_mystery_chart_show_no_link_image_or_markup(hostile_db, tmp_path):
    from tests.browser_harness import browser_page, open_and_check, streamlit_server

    served = tmp_path / "crm.duckdb"  # the server's own copy: this process may hold the module's file open
    shutil.copyfile(hostile_db, served)
    code = _code_of_customer_1(served)
    with streamlit_server(served) as url, browser_page("en-US") as page:
        open_and_check(page, f"{url}/customer_360?code={quote(code)}&as_of={DEMO_AS_OF}", "text-is-text-360")
        heading = page.locator('[data-testid="stHeading"] h2').first.inner_text().replace(WJ, "")
        assert heading == f"{HOSTILE} · {code}"
        main = page.locator('[data-testid="stMain"]')
        assert main.locator('a[href*="evil"]:not([href^="#"]), img[src*="evil"], .katex, .stMarkdownColoredText').count() == 0
        assert main.locator('[data-testid="stMarkdownContainer"] strong:text("bold")').count() == 0
        page.get_by_role("link", name=t("page.satisfaction", "en")).click()
        page.get_by_role("tab", name=t("sat.tab.mystery", "en")).click()
        page.wait_for_selector(".legendtext", timeout=60_000)
        legends = page.locator(".legendtext").evaluate_all("texts => texts.map(text => text.textContent)")
        assert legends and all(text.startswith(HOSTILE) for text in legends)
        assert page.locator(".js-plotly-plot a, .js-plotly-plot .legendtext tspan[style*='bold']").count() == 0
