"""The management report (crm_core.report, the Overview's button, the CLI) and how pages print.

The PDFs are read back with poppler (pdfinfo, pdftotext, pdftoppm — Debian's poppler-utils) and
rendered to PNG under /work/shots/report/ (or test-artifacts/report/) for people to look at.
"""
from __future__ import annotations

import subprocess
import unicodedata
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PIL import Image

from crm_core import overview
from crm_core.__main__ import main
from crm_core.i18n import format_date, format_money, format_number, format_percent
from crm_core.report import ChromiumMissing, audited_download, build_pdfs, report_charts
from crm_core.report.document import html_document
from crm_core.report.figures import gather
from crm_core.store import Store
from crm_core.users import Actor
from tests.app_pages import page_app
from tests.browser_harness import browser_page, streamlit_server, wait_until_idle

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 6, 30)
NOW = datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
# A display name with markup: the title page must show it as typed.
MAKER = Actor("lijing", "manager", display_name="李<b>经理</b> & Co")
PAGES = 6  # title, Overview, Segmentation, Promises, Satisfaction, Churn
SHOTS = Path("/work/shots/report") if Path("/work/shots").is_dir() else ROOT / "test-artifacts" / "report"


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def pdf_text(pdf: Path, page: int | None = None) -> str:
    """The text of the PDF (or one page); NFKC so the CJK radicals some fonts map to are plain Han."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    text = subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return unicodedata.normalize("NFKC", text)


def render(pdf: Path, stem: str, dpi: int = 60) -> list[Path]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob(f"{stem}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(SHOTS / stem)], check=True)
    return sorted(SHOTS.glob(f"{stem}-*.png"))


def ink(png: Path) -> float:
    """Share of pixels that are not (near) white."""
    grey = np.asarray(Image.open(png).convert("L"))
    return float((grey < 235).mean())


def coloured(png: Path) -> float:
    """Share of clearly coloured pixels (chart bars and lines; the text is black or grey)."""
    rgb = np.asarray(Image.open(png).convert("RGB")).astype(int)
    return float((rgb.max(axis=2) - rgb.min(axis=2) > 60).mean())


@pytest.fixture(scope="module")
def reports(demo_db_path, tmp_path_factory):
    """The demo store's report as of 2026-06-30 in both languages (one browser start for both)."""
    db = Store(demo_db_path)
    try:
        made = build_pdfs(db, MAKER, AS_OF, ("zh", "en"), now=NOW)
        figures = gather(db, MAKER, AS_OF, NOW)
    finally:
        db.close()
    folder = tmp_path_factory.mktemp("report")
    paths = {}
    for lang, pdf in made.items():
        paths[lang] = folder / f"report-{lang}.pdf"
        paths[lang].write_bytes(pdf)
    return paths, figures


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_has_a_title_page_and_one_page_per_section(reports, lang):
    paths, _ = reports
    assert paths[lang].read_bytes().startswith(b"%PDF")
    assert pdf_pages(paths[lang]) == PAGES
    title = pdf_text(paths[lang], 1)
    assert ("管理报告" if lang == "zh" else "Management report") in title
    assert format_date(AS_OF, lang) in title  # the analysis date
    assert "CNY" in title  # the store's currency
    assert "李<b>经理</b> & Co" in title  # who made it, as typed (escaped, not read as markup)
    assert ("2026年07月01日 09:00" if lang == "zh" else "2026-07-01 09:00") in title  # when
    headings = [("总览", "客户细分", "时限承诺", "客户满意", "客户流失"),
                ("Overview", "Segmentation", "Promises", "Satisfaction", "Churn")][lang == "en"]
    for page, heading in enumerate(headings, start=2):
        assert pdf_text(paths[lang], page).lstrip().startswith(heading), (page, heading)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_shows_the_numbers_the_pages_show(reports, demo_db_path, lang):
    paths, figures = reports
    db = Store(demo_db_path)
    try:  # read again through the functions the Overview page calls, for the same user
        kpis = overview.kpis(db, MAKER, AS_OF)
        later = overview.relationship_kpis(db, MAKER, NOW, AS_OF)
    finally:
        db.close()
    assert kpis.customers == 300
    page = pdf_text(paths[lang], 2)
    for shown in (format_number(kpis.customers, lang), format_number(kpis.active_customers, lang),
                  format_money(kpis.revenue_12m, lang), format_money(kpis.revenue_per_active_customer, lang),
                  format_number(later.open_promises, lang), format_number(later.nps, lang, 1),
                  format_percent(later.churn_rate, lang)):
        assert shown in page, shown
    segmentation = pdf_text(paths[lang], 3)
    assert format_percent(figures.abc.top_spend_share, lang) in segmentation
    assert format_number(figures.abc.gini, lang, 3) in segmentation
    promises = pdf_text(paths[lang], 4)
    assert format_percent(figures.promises_total["pct"], lang) in promises
    assert format_number(figures.promises_total["met"], lang) in promises
    satisfaction = pdf_text(paths[lang], 5)
    latest = figures.satisfaction.iloc[-1]
    assert format_number(latest["nps_score"], lang, 1) == format_number(later.nps, lang, 1)  # the same wave
    assert format_number(latest["nps_score"], lang, 1) in satisfaction
    assert format_percent(latest["csat_top_two_box"] / 100, lang) in satisfaction
    churn = pdf_text(paths[lang], 6)
    assert format_percent(later.churn_rate, lang) in churn
    assert format_money(figures.churn_loss.lost_profit, lang) in churn


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_pages_are_not_blank_and_carry_their_charts(reports, lang):
    paths, _ = reports
    pngs = render(paths[lang], f"report-{lang}")
    assert len(pngs) == PAGES
    for png in pngs:
        assert ink(png) > 0.01, png  # something printed on every page
    for png in pngs[1:]:  # every section has at least one chart: coloured bars or lines
        assert coloured(png) > 0.004, png
    assert coloured(pngs[0]) < 0.002  # the title page has no chart


def test_the_report_has_every_chart_and_the_last_month_labelled(reports):
    _, figures = reports
    charts = report_charts(figures, "en")
    assert set(charts) == {"revenue", "classes", "pareto", "promises", "csat", "nps", "churn", "loss"}
    revenue = charts["revenue"]
    assert len(revenue.data[0].x) == 36 and max(revenue.layout.xaxis.tickvals).strftime("%Y-%m") == "2026-06"


def test_a_reps_report_covers_their_customers_only(demo_db_path):
    db = Store(demo_db_path)
    try:
        rep = Actor("wangfang", "rep", display_name="王芳", rep_codes=("王芳",))
        figures = gather(db, rep, AS_OF, NOW)
        everyone = overview.kpis(db, MAKER, AS_OF).customers
    finally:
        db.close()
    assert 0 < figures.kpis.customers < everyone
    page = html_document(figures, "zh", rep, {})
    assert "仅包含 王芳 负责的客户。" in page
    assert f"<div class=\"value\">{format_number(figures.kpis.customers, 'zh')}</div>" in page


def test_without_chromium_the_report_says_what_to_install(demo_db_path, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    db = Store(demo_db_path)
    try:
        with pytest.raises(ChromiumMissing, match="no Chromium"):
            build_pdfs(db, MAKER, AS_OF, ("en",), now=NOW)
    finally:
        db.close()
    code = main(["report", "--lang", "zh", "--as-of", "2026-06-30", "--out", str(tmp_path / "r.pdf"),
                 "--db", str(demo_db_path)])
    assert code == 2 and "apt install chromium fonts-noto-cjk" in capsys.readouterr().err
    assert not (tmp_path / "r.pdf").exists()


def test_the_overview_button_says_what_to_install_without_chromium(demo_db_path, monkeypatch, tmp_path):
    monkeypatch.setenv("CRM_DB", str(demo_db_path))
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-chromium"))
    app = page_app("overview.py", "zh")
    app.button(key="report_make").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert any("apt install chromium fonts-noto-cjk" in e.value for e in app.error)


def test_the_cli_writes_the_report_and_audits_it(demo_copy, tmp_path, capsys):
    out = tmp_path / "report.pdf"
    assert main(["report", "--lang", "en", "--as-of", "2026-06-30", "--out", str(out), "--db", str(demo_copy)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    assert pdf_pages(out) == PAGES and "Management report" in pdf_text(out, 1)
    assert main(["report", "--out", str(out), "--db", str(demo_copy)]) == 2  # never overwrites by surprise
    assert "--force" in capsys.readouterr().err
    db = Store(demo_copy)
    try:
        (detail,) = db.query_one("SELECT new_value FROM audit_log WHERE action = 'export' ORDER BY logged_at DESC LIMIT 1")
    finally:
        db.close()
    assert detail == "report.pdf (management report)"


def test_a_download_is_audited(demo_copy):
    db = Store(demo_copy)
    try:
        assert audited_download(db, MAKER, b"%PDF-1.4", "kehu-report-2026-06-30-zh.pdf") == b"%PDF-1.4"
        actor, detail = db.query_one("SELECT actor, new_value FROM audit_log WHERE action = 'export' AND entity = 'file'")
    finally:
        db.close()
    assert (actor, detail) == ("lijing", "kehu-report-2026-06-30-zh.pdf (management report)")


# -- in the browser: the button, and printing a page ---------------------------------------------

SIDEBAR_TEXT = {"zh": ("语言 / Language", "客户分析", "分析日期"), "en": ("语言 / Language", "Analysis", "Analysis date")}


@pytest.fixture(scope="module")
def server(demo_db_path, tmp_path_factory):
    """One app over a copy of the demo store (a download writes its audit row)."""
    path = tmp_path_factory.mktemp("report-app") / "crm.duckdb"
    path.write_bytes(demo_db_path.read_bytes())
    with streamlit_server(path) as url:
        yield url


def bars_in_row(png: Path) -> int:
    """How many separate bars of the chart's blue cross the row just above the chart's baseline."""
    rgb = np.asarray(Image.open(png).convert("RGB")).astype(int)
    blue = (rgb[..., 2] > 150) & (rgb[..., 0] < 90) & (rgb[..., 2] - rgb[..., 0] > 100)
    rows = np.flatnonzero(blue.sum(axis=1) > 20)
    row = blue[rows.max() - 1]
    return int(np.count_nonzero(row[1:] & ~row[:-1]) + row[0])


@pytest.mark.parametrize(("lang", "locale"), [("zh", "zh-CN"), ("en", "en-US")])
def test_printing_the_overview_leaves_out_the_chrome_and_keeps_the_whole_chart(  # and at 390 px
        server, lang, locale, tmp_path):
    with browser_page(locale, 1280, 720) as page:
        page.goto(f"{server}/?as_of=2026-06-30")
        wait_until_idle(page)
        page.wait_for_selector(".js-plotly-plot .bars path")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"overview-screen-{lang}-1280.png"), full_page=True)
        page.emulate_media(media="print")
        pdf = tmp_path / f"overview-{lang}.pdf"
        page.pdf(path=str(pdf), format="A4")
        page.emulate_media(media="screen")
        narrow_screen_check(page, lang)
    text = pdf_text(pdf)
    assert ("总览" if lang == "zh" else "Overview") in text
    for chrome in (*SIDEBAR_TEXT[lang], "生成管理报告", "Management report"):
        assert chrome not in text, chrome
    (png,) = render(pdf, f"overview-print-{lang}", dpi=100)
    assert bars_in_row(png) == 36  # every month of the revenue chart, none cut at the right


def narrow_screen_check(page, lang: str) -> None:
    """At 390 px (a phone) the button is whole on screen; a screenshot to look at."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(500)
    button = page.get_by_role("button", name="生成管理报告 (PDF)" if lang == "zh" else "Management report (PDF)")
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # not cut at the right
    page.screenshot(path=str(SHOTS / f"overview-screen-{lang}-390.png"))


def test_the_button_makes_the_report_for_download(server, tmp_path):
    with browser_page("zh-CN", 1280, 720) as page:
        page.goto(f"{server}/?as_of=2026-06-30")
        wait_until_idle(page)
        page.get_by_role("button", name="生成管理报告 (PDF)").click()
        download = page.get_by_role("button", name="下载管理报告 (PDF)")
        download.wait_for(timeout=90_000)
        page.mouse.move(1200, 700)  # no tooltip over the page in the screenshot
        page.screenshot(path=str(SHOTS / "overview-button-zh-1280.png"))
        with page.expect_download() as started:
            download.click()
        saved = tmp_path / "downloaded.pdf"
        started.value.save_as(saved)
        assert started.value.suggested_filename == "kehu-report-2026-06-30-zh.pdf"
    assert pdf_pages(saved) == PAGES and "管理报告" in pdf_text(saved, 1)
