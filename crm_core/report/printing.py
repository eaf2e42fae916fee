"""Charts to SVG and HTML to PDF, both in one headless Chromium (Debian's ``chromium``).

Plotly's static export (kaleido 1.x) drives a Chromium through the DevTools protocol
(choreographer); the same browser then prints the report's HTML with ``Page.printToPDF``, so a
report costs one browser start (~2 s), however many charts and languages it has. The browser is
found the way kaleido documents it: ``BROWSER_PATH``, else ``chromium`` (or Chrome) on the PATH.
Chinese text needs a CJK font (Debian's ``fonts-noto-cjk``); without one it would print as boxes,
so a missing font is refused like a missing browser.
"""
from __future__ import annotations

import asyncio
import base64
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT_SECONDS = 120
A4_INCHES = (8.27, 11.69)


class ChromiumMissing(RuntimeError):
    """No browser or no CJK font to make the PDF with; the message says what to install."""


def browser_path() -> str | None:
    """The browser kaleido will drive: ``BROWSER_PATH`` (kaleido's documented setting) when set,
    else the first of ``BROWSERS`` on the PATH; None when there is none."""
    explicit = os.environ.get("BROWSER_PATH")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def has_cjk_font() -> bool:
    """Whether fontconfig knows a font with Chinese glyphs (what Chromium falls back to)."""
    if not shutil.which("fc-list"):
        return False
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30)
    return bool(listed.stdout.strip())


def require_browser() -> str:
    """The browser's path; ChromiumMissing (saying what to install) without a browser or a CJK font."""
    path = browser_path()
    if path is None:
        raise ChromiumMissing("no Chromium found: neither BROWSER_PATH nor chromium on the PATH")
    if not has_cjk_font():
        raise ChromiumMissing("no Chinese font found (fc-list :lang=zh lists none)")
    return path


@dataclass(frozen=True)
class Document:
    """One PDF to print: its charts, and how to write its HTML once they are SVG (name → bytes)."""

    charts: dict[str, go.Figure]
    html: Callable[[dict[str, bytes]], str]
    footer: str = ""  # plain text under every page, beside the page number (HTML-escaped by the caller)


def _footer_template(footer: str) -> str:
    return ("<div style=\"width:100%;font-size:7pt;color:#777;padding:0 20mm;display:flex;"
            "justify-content:space-between;font-family:'Noto Sans CJK SC',sans-serif\">"
            f"<span>{footer}</span><span><span class=pageNumber></span> / <span class=totalPages></span></span></div>")


async def _print_html(browser, html: str, footer: str, folder: Path) -> bytes:
    page = folder / "report.html"
    page.write_text(html, encoding="utf-8")
    tab = await browser.create_tab("about:blank")
    try:
        await tab.send_command("Page.enable")
        loaded = tab.subscribe_once("Page.loadEventFired")
        await tab.send_command("Page.navigate", params={"url": page.as_uri()})
        await loaded
        width, height = A4_INCHES
        answer = await tab.send_command("Page.printToPDF", params={
            "paperWidth": width, "paperHeight": height, "preferCSSPageSize": True, "printBackground": True,
            "displayHeaderFooter": bool(footer), "headerTemplate": "<span></span>",
            "footerTemplate": _footer_template(footer)})
    finally:
        await browser.close_tab(tab.target_id)
    if "error" in answer:
        raise RuntimeError(f"Chromium could not print the report: {answer['error']}")
    return base64.b64decode(answer["result"]["data"])


async def _print_all(documents: Sequence[Document], path: str) -> list[bytes]:
    import kaleido  # here: importing it costs ~0.3 s, paid only by a report

    pdfs = []
    # mathjax=False: no CDN fetch (works offline); plotly.js comes from the installed plotly.
    async with kaleido.Kaleido(path=path, mathjax=False) as browser:
        with tempfile.TemporaryDirectory(prefix="kehu-report-") as folder:
            for document in documents:
                svgs = {name: await browser.calc_fig(figure, opts={"format": "svg"})
                        for name, figure in document.charts.items()}
                pdfs.append(await _print_html(browser, document.html(svgs), document.footer, Path(folder)))
    return pdfs


def print_documents(documents: Sequence[Document]) -> list[bytes]:
    """Each document as PDF bytes (A4 portrait), in one browser session.

    Runs in a thread of its own with its own event loop, so it works from a Streamlit script, a
    notebook whose loop is running, or the command line alike."""
    path = require_browser()

    def run() -> list[bytes]:
        return asyncio.run(asyncio.wait_for(_print_all(documents, path), TIMEOUT_SECONDS))

    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(run).result()
        except RuntimeError as error:
            # kaleido 1.5 can take the JavaScript context of a tab's about:blank instead of its
            # page's when the machine is busy ("kaleido_scopes is not defined", seen on a loaded
            # test run); a fresh browser session then works. Any other failure is raised as it is.
            if "kaleido_scopes is not defined" not in str(error):
                raise
            return pool.submit(run).result()
