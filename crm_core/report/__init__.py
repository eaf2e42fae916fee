"""The management report: one PDF (A4 portrait, 中文 or English) with the headlines and charts of
Overview, Segmentation, Promises, Satisfaction and Churn for one analysis date.

``build_pdfs(store, actor, as_of, langs)`` makes it — figures through the user's scope
(crm_core.report.figures), charts by plotly's static export and the PDF by the same headless
Chromium (crm_core.report.printing; ``ChromiumMissing`` says what to install).
``audited_download`` is the download: the PDF with its audit row, as every export has.
"""
from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from crm_core.audit import record_event
from crm_core.i18n import format_date, t
from crm_core.report import charts
from crm_core.report.document import html_document
from crm_core.report.figures import ReportFigures, gather
from crm_core.report.printing import ChromiumMissing, Document, print_documents
from crm_core.store import Store
from crm_core.users import Actor

__all__ = ["ChromiumMissing", "ReportFigures", "audited_download", "build_pdfs", "file_name", "report_charts"]


def report_charts(figures: ReportFigures, lang: str) -> dict:
    """The report's charts by name (a chart without data is left out, and so is its image)."""
    made = {"revenue": charts.revenue_chart(figures, lang), "classes": charts.class_chart(figures, lang),
            "pareto": charts.pareto_chart(figures, lang), "promises": charts.promises_chart(figures, lang),
            "churn": charts.churn_chart(figures, lang), "loss": charts.loss_chart(figures, lang)}
    made.update(zip(("csat", "nps"), charts.satisfaction_charts(figures, lang)))
    return {name: figure for name, figure in made.items() if figure is not None}


def _document(figures: ReportFigures, lang: str, actor: Actor) -> Document:
    footer = html.escape(t("report.footer", lang, as_of=format_date(figures.as_of, lang)))
    return Document(report_charts(figures, lang), lambda svgs: html_document(figures, lang, actor, svgs), footer)


def build_pdfs(store: Store, actor: Actor, as_of: date, langs: Sequence[str] = ("zh",),
               now: datetime | None = None) -> dict[str, bytes]:
    """The report for ``actor`` as of ``as_of`` in each of ``langs`` (language → PDF bytes); the
    figures are read once, the browser started once. ``now``: the clock the open promises and the
    promise window are judged at and the title page's "prepared on" (default: now in the store's
    zone). Raises ChromiumMissing without a browser or a Chinese font."""
    now = now or datetime.now(ZoneInfo(store.timezone)).replace(microsecond=0)
    figures = gather(store, actor, as_of, now)
    pdfs = print_documents([_document(figures, lang, actor) for lang in langs])
    return dict(zip(langs, pdfs, strict=True))


def file_name(as_of: date, lang: str) -> str:
    """kehu-report-2026-06-30-zh.pdf"""
    return f"kehu-report-{as_of.isoformat()}-{lang}.pdf"


def audited_download(store: Store, actor: Actor, pdf: bytes, name: str) -> bytes:
    """The report handed to ``actor`` as a download, with its audit row (action ``export``, entity
    ``file``, like crm_core.exporting.export_bytes): a report is a download of customer data."""
    record_event(store, actor, "export", "file", f"{name} (management report)")
    return pdf
