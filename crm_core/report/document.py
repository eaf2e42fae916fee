"""The report as one HTML document, laid out for A4 portrait: a title page, then one page per
section (Overview, Segmentation, Promises, Satisfaction, Churn) with its headline cards, one
sentence and its charts.

Every text is escaped with ``html.escape`` (catalog text and user text alike: a wave name or a
user's display name shows as typed); numbers go through crm_core.i18n's format_* functions, as on
the pages. Charts arrive as SVG bytes and are embedded as images (no ids shared between them).
"""
from __future__ import annotations

import base64
import html
from datetime import timedelta

import pandas as pd

from crm_core.config import store_currency
from crm_core.i18n import CURRENCY_SYMBOLS, format_date, format_money, format_number, format_percent, t
from crm_core.report.figures import ReportFigures
from crm_core.segmentation import ABC_CLASSES
from crm_core.users import Actor

SECTIONS = ("overview", "segmentation", "promises", "satisfaction", "churn")
SECTION_TITLES = {"overview": "page.overview", "segmentation": "seg.page_title", "promises": "promises.page.title",
                  "satisfaction": "page.satisfaction", "churn": "churn.page_title"}

STYLE = """
@page { size: A4 portrait; margin: 16mm 20mm 18mm 20mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Noto Sans CJK SC", "Noto Sans SC", "Noto Sans", sans-serif; color: #1f2933;
       font-size: 10.5pt; line-height: 1.5; margin: 0; }
section { break-before: page; }
section.title { break-before: auto; padding-top: 60mm; }
h1 { font-size: 26pt; margin: 0 0 4mm 0; }
h2 { font-size: 16pt; margin: 0 0 4mm 0; padding-bottom: 2mm; border-bottom: 2px solid #c0392b; }
.subtitle { font-size: 13pt; color: #52606d; margin-bottom: 18mm; }
table.facts { border-collapse: collapse; font-size: 11pt; }
table.facts th { text-align: left; font-weight: normal; color: #52606d; padding: 1.5mm 8mm 1.5mm 0; }
table.facts td { padding: 1.5mm 0; font-weight: bold; }
.note { color: #52606d; font-size: 9.5pt; margin-top: 8mm; }
ol.contents { font-size: 11pt; margin-top: 2mm; padding-left: 6mm; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 3mm; margin: 0 0 4mm 0; }
.card { border: 1px solid #d9e2ec; border-radius: 2mm; padding: 2mm 3mm; break-inside: avoid; }
.card .label { font-size: 8.5pt; color: #52606d; overflow-wrap: anywhere; }
.card .value { font-size: 14pt; font-weight: bold; white-space: nowrap; }
.card .detail { font-size: 8pt; color: #52606d; overflow-wrap: anywhere; }
p.sentence { margin: 0 0 4mm 0; }
.charts { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 3mm 0; }
.charts img { display: block; break-inside: avoid; }
.charts img.full { width: 100%; }
.charts img.half { width: 49%; }
table.grid { border-collapse: collapse; width: 100%; font-size: 9.5pt; margin: 2mm 0 4mm 0; }
table.grid th, table.grid td { border-bottom: 1px solid #d9e2ec; padding: 1.2mm 2mm; text-align: right; }
table.grid th:first-child, table.grid td:first-child { text-align: left; }
table.grid th { color: #52606d; font-weight: normal; }
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _card(label: str, value: str, detail: str | None = None) -> str:
    extra = f'<div class="detail">{_e(detail)}</div>' if detail else ""
    return f'<div class="card"><div class="label">{_e(label)}</div><div class="value">{_e(value)}</div>{extra}</div>'


def _cards(cards: list[str]) -> str:
    return f'<div class="cards">{"".join(cards)}</div>'


def _chart(svgs: dict[str, bytes], name: str, size: str) -> str:
    if name not in svgs:
        return ""
    data = base64.b64encode(svgs[name]).decode("ascii")
    return f'<img class="{size}" alt="{_e(name)}" src="data:image/svg+xml;base64,{data}">'


def _charts(svgs: dict[str, bytes], *names: tuple[str, str]) -> str:
    return f'<div class="charts">{"".join(_chart(svgs, name, size) for name, size in names)}</div>'


def _sentence(text: str) -> str:
    return f'<p class="sentence">{_e(text)}</p>'


def _points(value, lang: str, decimals: int = 1) -> str:
    """A score kept in percent points (CSAT 66.7) as the Satisfaction page shows it: 66.7%."""
    return "—" if value is None or pd.isna(value) else format_percent(float(value) / 100, lang, decimals)


def _score(value, lang: str) -> str:
    return "—" if value is None or pd.isna(value) else format_number(float(value), lang, 1)


def _change(share: float | None, lang: str) -> str | None:
    """A change as the metric cards show it: +32.3% / -4.0%."""
    return None if share is None else ("+" if share > 0 else "") + format_percent(share, lang)


def _interval(low: str, high: str, lang: str) -> str:
    return f"{t('promises.col.ci', lang)}: {low} – {high}"


def title_page(figures: ReportFigures, lang: str, actor: Actor) -> str:
    currency = store_currency()
    symbol = CURRENCY_SYMBOLS.get(currency, "")
    facts = [("report.as_of", format_date(figures.as_of, lang)),
             ("report.currency", f"{currency} {symbol}".strip()),
             ("report.made_by", actor.label),
             ("report.made_at", format_date(figures.now.replace(second=0, microsecond=0), lang))]
    rows = "".join(f"<tr><th>{_e(t(key, lang))}</th><td>{_e(value)}</td></tr>" for key, value in facts)
    scope = "" if actor.rep_scope is None else \
        f'<p class="note">{_e(t("report.scope_rep", lang, reps="、".join(actor.rep_scope)))}</p>'
    contents = "".join(f"<li>{_e(t(SECTION_TITLES[s], lang))}</li>" for s in SECTIONS)
    return (f'<section class="title"><h1>{_e(t("report.title", lang))}</h1>'
            f'<div class="subtitle">{_e(t("report.subtitle", lang))}</div>'
            f'<table class="facts">{rows}</table>{scope}'
            f'<div class="note">{_e(t("report.contents", lang))}</div><ol class="contents">{contents}</ol></section>')


def overview_section(f: ReportFigures, lang: str, svgs: dict[str, bytes]) -> str:
    k, r = f.kpis, f.relationship
    cards = [
        _card(t("kpi.customers", lang), format_number(k.customers, lang)),
        _card(t("kpi.active_customers", lang), format_number(k.active_customers, lang)),
        _card(t("kpi.revenue_12m", lang), format_money(k.revenue_12m, lang), _change(k.revenue_growth, lang)),
        _card(t("kpi.revenue_per_customer", lang), format_money(k.revenue_per_active_customer, lang)),
        _card(t("kpi.new_this_year", lang), format_number(k.new_customers_this_year, lang)),
        _card(t("kpi.open_promises", lang), format_number(r.open_promises, lang)),
        _card(t("kpi.nps", lang), format_number(r.nps, lang, 1),
              None if r.nps is None else _interval(format_number(r.nps_low, lang, 1),
                                                    format_number(r.nps_high, lang, 1), lang)),
        _card(t("kpi.churn_rate", lang), format_percent(r.churn_rate, lang)),
    ]
    sentence = t("report.overview_sentence", lang, active=format_number(k.active_customers, lang),
                 customers=format_number(k.customers, lang), as_of=format_date(f.as_of, lang),
                 revenue=format_money(k.revenue_12m, lang), growth=_change(k.revenue_growth, lang) or "—")
    return _section("overview", lang, _cards(cards) + _sentence(sentence) + _charts(svgs, ("revenue", "full")))


def segmentation_section(f: ReportFigures, lang: str, svgs: dict[str, bytes]) -> str:
    abc, q = f.abc, f.segments
    if not abc.classified:
        return _section("segmentation", lang, _sentence(t("report.no_data", lang)))
    cards = [
        _card(t("seg.kpi.classified", lang), format_number(abc.classified, lang)),
        _card(t("seg.measure.revenue", lang), format_money(abc.total_spend, lang)),
        _card(t("seg.kpi.top_share", lang, fraction=format_percent(abc.top_fraction, lang, 0)),
              format_percent(abc.top_spend_share, lang)),
    ]
    sentence = t("report.segmentation_sentence", lang, start=format_date(q.start, lang), end=format_date(q.end, lang),
                 fraction=format_percent(abc.top_fraction, lang, 0),
                 customers=format_number(abc.top_customers, lang), share=format_percent(abc.top_spend_share, lang))
    head = "".join(f"<th>{_e(t(key, lang))}</th>" for key in
                   ("report.class", "kpi.customers", "report.class_customers", "seg.measure.revenue",
                    "report.class_revenue"))
    rows = "".join(
        f"<tr><td>{_e(t(f'seg.class.{c}', lang))}</td><td>{_e(format_number(abc.classes[c]['count'], lang))}</td>"
        f"<td>{_e(format_percent(abc.classes[c]['count'] / abc.classified, lang))}</td>"
        f"<td>{_e(format_money(abc.classes[c]['spend'], lang))}</td>"
        f"<td>{_e(format_percent(abc.classes[c]['share'], lang))}</td></tr>" for c in ABC_CLASSES)
    cards.append(_card(t("seg.gini", lang), format_number(abc.gini, lang, 3)))
    body = (_cards(cards) + _sentence(sentence) + f'<table class="grid"><tr>{head}</tr>{rows}</table>'
            + _charts(svgs, ("classes", "half"), ("pareto", "half")))
    return _section("segmentation", lang, body)


def promises_section(f: ReportFigures, lang: str, svgs: dict[str, bytes]) -> str:
    # The window is [start, end): its last day is the day before an end at midnight.
    start, end = (format_date(moment.date(), lang) for moment in (f.promise_window[0],
                                                                   f.promise_window[1] - timedelta(microseconds=1)))
    total = f.promises_total
    open_card = _card(t("kpi.open_promises", lang), format_number(f.relationship.open_promises, lang))
    if total is None:
        return _section("promises", lang, _cards([open_card]) + _sentence(t("report.promises_none", lang,
                                                                             start=start, end=end)))
    low, high = format_percent(total["ci_low"], lang), format_percent(total["ci_high"], lang)
    cards = [_card(t("promises.perf.attainment", lang), format_percent(total["pct"], lang), _interval(low, high, lang)),
             _card(t("report.promises_met", lang), format_number(total["met"], lang)),
             _card(t("report.promises_breached", lang), format_number(total["breached"], lang)), open_card]
    sentence = t("report.promises_sentence", lang, start=start, end=end, met=format_number(total["met"], lang),
                 breached=format_number(total["breached"], lang), excluded=format_number(total["excluded"], lang),
                 pct=format_percent(total["pct"], lang), low=low, high=high)
    return _section("promises", lang, _cards(cards) + _sentence(sentence) + _charts(svgs, ("promises", "full")))


def satisfaction_section(f: ReportFigures, lang: str, svgs: dict[str, bytes]) -> str:
    table = f.satisfaction
    if table.empty:
        return _section("satisfaction", lang, _sentence(t("report.no_data", lang)))
    row = table.iloc[-1]  # the latest wave
    csat_low, csat_high = _points(row["csat_top_two_box_low"], lang), _points(row["csat_top_two_box_high"], lang)
    nps_low, nps_high = _score(row["nps_ci_low"], lang), _score(row["nps_ci_high"], lang)
    cards = [_card(t("satisfaction.metric.csat", lang), _points(row["csat_top_two_box"], lang),
                   _interval(csat_low, csat_high, lang)),
             _card(t("satisfaction.metric.nps", lang), _score(row["nps_score"], lang),
                   _interval(nps_low, nps_high, lang)),
             _card(t("sat.answers", lang), format_number(row["csat_n"], lang)),
             _card(t("sat.wave", lang), str(row["label"]))]
    sentence = t("report.satisfaction_sentence", lang, wave=row["label"], answers=format_number(row["csat_n"], lang),
                 csat=_points(row["csat_top_two_box"], lang), csat_low=csat_low, csat_high=csat_high,
                 nps=_score(row["nps_score"], lang), nps_low=nps_low, nps_high=nps_high)
    return _section("satisfaction", lang, _cards(cards) + _sentence(sentence)
                    + _charts(svgs, ("csat", "half"), ("nps", "half")))


def churn_section(f: ReportFigures, lang: str, svgs: dict[str, bytes]) -> str:
    rate = f.relationship.churn_rate
    cards = [_card(t("churn.rate.yearly", lang), format_percent(rate, lang))]
    parts = [_sentence(t("report.churn_sentence", lang, churn=format_percent(rate, lang),
                         as_of=format_date(f.as_of, lang)))] if rate is not None else []
    loss = f.churn_loss
    if loss is not None:
        cards += [_card(t("churn.loss.lost_customers", lang), format_number(float(loss.lost_customers), lang)),
                  _card(t("churn.loss.lost_profit", lang), format_money(loss.lost_profit, lang)),
                  _card(t("churn.loss.total_lost_profit", lang), format_money(loss.total_lost_profit, lang),
                        t("churn.calc.horizon", lang, years=f.churn_loss_years))]
        parts.append(_sentence(t("report.loss_sentence", lang, profit=format_money(loss.lost_profit, lang),
                                 total=format_money(loss.total_lost_profit, lang), years=f.churn_loss_years)))
    if rate is None and loss is None:
        parts.append(_sentence(t("report.no_data", lang)))
    return _section("churn", lang, _cards(cards) + "".join(parts) + _charts(svgs, ("churn", "half"), ("loss", "half")))


def _section(name: str, lang: str, body: str) -> str:
    return f'<section class="{name}"><h2>{_e(t(SECTION_TITLES[name], lang))}</h2>{body}</section>'


def html_document(figures: ReportFigures, lang: str, actor: Actor, svgs: dict[str, bytes]) -> str:
    """The whole report (``svgs``: chart name → SVG bytes, from crm_core.report.charts)."""
    sections = [title_page(figures, lang, actor), overview_section(figures, lang, svgs),
                segmentation_section(figures, lang, svgs), promises_section(figures, lang, svgs),
                satisfaction_section(figures, lang, svgs), churn_section(figures, lang, svgs)]
    return (f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<title>{_e(t("report.title", lang))} {_e(figures.as_of.isoformat())}</title>'
            f'<style>{STYLE}</style></head><body>{"".join(sections)}</body></html>')
