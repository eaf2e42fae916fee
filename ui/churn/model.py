"""Churn page: probability alive and value (BG/NBD + Gamma-Gamma), and the retention list."""
from __future__ import annotations

import math

import streamlit as st

from crm_core import tables as shown_tables
from crm_core.churn.fits import PURCHASE_MODEL
from crm_core.churn.model import DEFAULT_HORIZON, HORIZON_MONTHS, INACTIVE_SEGMENT
from crm_core.i18n import format_number, format_percent, t
from crm_core.tables import Column
from ui.churn import cache
from ui.churn.common import bar_chart, customer_list, rounded
from ui.common import choice_label, lang, style_chart, tr
from ui.fits import fitted
from ui.metrics import count_metric, money_metric
from ui.tables import show_frame
from ui.view_state import in_url


def _segment_label(by: str):
    ctype = choice_label("ctype")
    if by == "customer_type":
        return ctype
    return lambda s: tr("churn.segment.inactive") if s == INACTIVE_SEGMENT else tr("churn.segment.abc_class", abc=s)


def readable(value: float, language: str) -> str:
    """A parameter as people read numbers: separators and about three significant digits, never
    scientific notation (1,579 / 26.87 / 0.00123)."""
    if value is None or not math.isfinite(value):
        return "—"
    size = abs(value)
    if size >= 100 or size == 0:
        decimals = 0
    elif size >= 1:
        decimals = 2
    else:
        decimals = min(8, 2 - math.floor(math.log10(size)))
    return format_number(value, language, decimals)


def readable_percent(share: float, language: str) -> str:
    """A probability as a percentage with two decimals; "< 0.01%" rather than a string of zeros."""
    if share is not None and 0 < share < 0.0001:
        return "< " + format_percent(0.0001, language, 2)
    return format_percent(share, language, 2)


def fit_texts(fit, spend, language: str) -> list[tuple[str, str]]:
    """(kind, text) lines describing the fit: kind is success / warning / info / caption."""
    p = readable_percent(fit.dropout_per_purchase, language)
    ll = format_number(fit.log_likelihood, language)
    lines = []
    if fit.limiting:
        lines.append(("info", tr("churn.model.limiting", p=p)))
        lines.append(("caption", tr("churn.model.params_limiting", r=readable(fit.r, language),
                                    alpha=readable(fit.alpha, language), p=p, ll=ll)))
    else:
        if fit.converged:
            lines.append(("success", tr("churn.model.converged", iterations=fit.iterations,
                                        customers=format_number(fit.customers, language))))
        else:
            lines.append(("warning", tr("churn.model.not_converged", iterations=fit.iterations)))
        lines.append(("caption", tr("churn.model.params", r=readable(fit.r, language),
                                    alpha=readable(fit.alpha, language), a=readable(fit.a, language),
                                    b=readable(fit.b, language), ll=ll)))
    if spend is not None and spend.q > 1:
        lines.append(("caption", tr("churn.model.spend_params", p=readable(spend.p, language),
                                    q=readable(spend.q, language), v=readable(spend.gamma, language))))
    else:
        lines.append(("caption", tr("churn.model.spend_fallback")))
    return lines


def _fit_report(tables, language: str) -> None:
    fit = tables["fit"]
    with st.expander(tr("churn.model.fit_title"), expanded=fit.limiting or not fit.converged):
        for kind, text in fit_texts(fit, tables["spend"], language):
            getattr(st, kind)(text)


def _horizon(key: str) -> int:
    language = lang()  # fixed here: Streamlit may call format_func outside the script run
    return st.selectbox(tr("churn.model.horizon"), HORIZON_MONTHS, index=HORIZON_MONTHS.index(DEFAULT_HORIZON),
                        format_func=lambda m: t("churn.model.horizon_option", language, months=m),
                        **in_url(key, HORIZON_MONTHS, lambda m, code: t("churn.model.horizon_option", code, months=m)),
                        help=tr("churn.model.horizon_help"))


def render_model(db, user, as_of) -> None:
    language = lang()
    st.info(tr("churn.p_alive.meaning"))
    months = _horizon("churn_horizon")
    fit = fitted(db, PURCHASE_MODEL, as_of)  # fitted in the background, never here
    if fit is None:
        return
    with st.spinner(tr("churn.model.reading")):
        tables = cache.model_tables(db, user, fit.fit_id, months)
    if tables is None:
        st.info(tr("ui.no_data_yet"))
        return
    s = tables["summary"]
    m = st.columns(4)
    count_metric(m[0], tr("churn.model.repeat_buyers"), s["repeat_buyers"])
    m[1].metric(tr("churn.model.mean_p_alive"), format_percent(s["mean_p_alive_repeat"], language))
    count_metric(m[2], tr("churn.model.likely_lost"), s["likely_lost"], help=tr("churn.model.likely_lost_help"))
    count_metric(m[3], tr("churn.model.one_time_buyers"), s["one_time_buyers"], help=tr("churn.p_alive.one_time_buyer"))
    v = st.columns(2)
    money_metric(v[0], tr("churn.col.clv", months=months), s["clv"], help=tr("churn.model.clv_help", months=months))
    money_metric(v[1], tr("churn.col.expected_loss"), s["expected_loss"],
                 help=tr("churn.model.expected_loss_help", months=months))
    _fit_report(tables, language)

    histogram = tables["histogram"]
    chart = bar_chart(histogram, "band_start", "customers",
                      {"band_start": tr("churn.col.p_alive"), "customers": tr("churn.col.customers")})
    chart.update_traces(offset=0, width=0.05)
    chart.update_layout(xaxis_tickformat=".0%", title=tr("churn.model.histogram"))
    st.plotly_chart(style_chart(chart, height=300), width="stretch")
    st.caption(tr("churn.p_alive.repeat_buyer"))

    st.subheader(tr("churn.model.loss_by_segment"))
    columns = st.columns(2)
    for column, by in zip(columns, ("abc", "customer_type")):
        table = rounded(tables[by], ("value", "expected_loss")).assign(
            segment=lambda f, by=by: f["segment"].map(_segment_label(by)))
        chart = bar_chart(table, "segment", "expected_loss",
                          {"segment": tr(f"churn.segment.by_{by}"), "expected_loss": tr("churn.col.expected_loss")})
        column.plotly_chart(style_chart(chart, height=260), width="stretch")
        kinds = {"value": Column("value", "churn.col.value_horizon", "money", params=(("months", months),)),
                 "expected_loss": "money", "loss_share": "percent"}
        with column:
            show_frame(table, title="churn.model.loss_by_segment", header_prefix="churn.col", kinds=kinds,
                       key=f"churn_loss_{by}", file_stem=f"expected_loss_by_{by}")
    st.caption(tr("churn.model.segment_explained", months=months))


def render_retention(db, user, as_of) -> None:
    st.markdown(tr("churn.retention.explained"))
    a, b, c, d = st.columns(4)
    max_p = a.slider(tr("churn.retention.max_p_alive"), 0.05, 0.95, 0.5, 0.05, **in_url("churn_ret_p"))
    min_value = b.number_input(tr("churn.retention.min_value"), 0.0, None, 0.0, 1000.0, **in_url("churn_ret_value"))
    limit = c.number_input(tr("churn.retention.limit"), 10, 5000, 500, 50, **in_url("churn_ret_limit"))
    with d:
        months = _horizon("churn_ret_horizon")
    fit = fitted(db, PURCHASE_MODEL, as_of)
    if fit is None:
        return
    with st.spinner(tr("churn.model.reading")):
        frame = cache.retention(db, user, fit.fit_id, max_p, min_value, int(limit), months)
    if frame is None or frame.empty:
        st.info(tr("churn.retention.none"))
        return
    customer_list(frame, "churn_retention", "retention_list", shown_tables.churn_retention(months))
