"""Churn page, first tab: the churn-loss calculator (docs/domain.md §5) with "textbook example" and "fill from my data"."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from crm_core.churn import churn_loss, what_if
from crm_core.churn.loss import REICHHELD_SASSER_CUT_POINTS, REICHHELD_SASSER_PROFIT_BAND
from crm_core.churn.measured import LossInputs, default_inputs, textbook_inputs
from crm_core.i18n import format_number, format_percent
from crm_core.tables import Column
from ui.churn import cache
from ui.common import lang, style_chart, tr
from ui.metrics import count_metric, money_metric
from ui.tables import show_frame
from ui.view_state import in_url

CURRENCIES = ("CNY", "USD", "EUR")
# input name → (widget key, step, lower, upper, shown as percent)
FIELDS = {
    "customers": ("churn_in_customers", 100, 0, None, False),
    "churn_rate": ("churn_in_churn_rate", 0.5, 0.0, 100.0, True),
    "revenue_per_customer": ("churn_in_revenue", 1000.0, 0.0, None, False),
    "margin": ("churn_in_margin", 1.0, 0.0, 100.0, True),
    "years": ("churn_in_years", 1, 1, 30, False),
    "discount_rate": ("churn_in_discount", 1.0, 0.0, 100.0, True),
    "word_of_mouth": ("churn_in_wom", 1.0, 0.0, 50.0, False),
    "word_of_mouth_loss_share": ("churn_in_wom_share", 5.0, 0.0, 100.0, True),
    "acquisition_cost_multiple": ("churn_in_acquisition", 1.0, 0.0, 100.0, False),
    "retention_cost_per_customer": ("churn_in_retention_cost", 10.0, 0.0, None, False),
    "replacements_per_lost": ("churn_in_replacements", 1.0, 0.0, 100.0, False),
}
SOURCES_KEY = "churn_in_sources"


def _shown(name: str, value):
    """Model value → widget value (shares as percent points; counts and years as int)."""
    if value is None:
        return None
    if FIELDS[name][4]:
        return round(float(value) * 100, 4)
    return int(value) if name in ("customers", "years") else float(value)


def _load(inputs: LossInputs) -> None:
    """Put ``inputs`` into the widgets (a button callback: runs before the widgets are drawn)."""
    for name, (key, *_rest) in FIELDS.items():
        st.session_state[key] = _shown(name, getattr(inputs, name))
    st.session_state["churn_in_currency"] = inputs.currency if inputs.currency in CURRENCIES else "CNY"
    # Each input's source, the value its widget was given and the exact value behind it: while the
    # widget still shows what was loaded, the calculation uses the exact value (a measured churn
    # rate of 1/7, not the 14.2857 % the widget shows) — rounding is for display only.
    st.session_state[SOURCES_KEY] = {name: (inputs.sources.get(name, "assumed"), st.session_state[FIELDS[name][0]],
                                            getattr(inputs, name))
                                     for name in FIELDS}


def _load_from_data(db, user, as_of) -> None:
    _load(cache.fill_from_data(db, user, as_of))


def _loaded(name: str) -> tuple:
    """(source, value shown when loaded, exact value loaded) of an input; ("assumed", None, None) before any load."""
    return (tuple(st.session_state.get(SOURCES_KEY, {}).get(name, ("assumed", None))) + (None,))[:3]


def _unchanged(name: str) -> bool:
    return st.session_state.get(FIELDS[name][0]) == _loaded(name)[1]


def _source(name: str) -> str:
    return _loaded(name)[0] if _unchanged(name) else "entered"


def _model_value(name: str, shown):
    """What the calculation uses: the exact loaded value while the widget still shows it (never the
    rounded display), otherwise what the user typed (percent points → share)."""
    _, loaded, exact = _loaded(name)
    if exact is not None and shown == loaded:
        return exact
    return shown / 100 if FIELDS[name][4] and shown is not None else shown


def _input(column, name: str, currency: str):
    key, step, lower, upper, _ = FIELDS[name]
    label = tr(f"churn.in.{name}", currency=currency)
    value = column.number_input(label, min_value=lower, max_value=upper, step=step, **in_url(key, persist=False),
                                help=tr(f"churn.in.{name}.help"))
    column.caption(tr(f"churn.source.{_source(name)}"))
    return value


def _inputs(db, user, as_of) -> tuple[dict, str]:
    if FIELDS["customers"][0] not in st.session_state:
        _load(default_inputs())
    b1, b2, _ = st.columns([1, 1, 2])
    b1.button(tr("churn.calc.textbook"), key="churn_textbook", on_click=_load, args=(textbook_inputs(),),
              width="stretch")
    b2.button(tr("churn.calc.fill"), key="churn_fill", on_click=_load_from_data, args=(db, user, as_of),
              width="stretch",
              help=tr("churn.calc.fill_help"))
    currency = st.session_state.get("churn_in_currency", "CNY")
    values = {}
    for row in (("customers", "churn_rate", "revenue_per_customer", "margin"),
                ("years", "discount_rate", "word_of_mouth", "word_of_mouth_loss_share"),
                ("acquisition_cost_multiple", "retention_cost_per_customer", "replacements_per_lost", None)):
        columns = st.columns(4)
        for column, name in zip(columns, row):
            if name:
                values[name] = _input(column, name, currency)
    currency = columns[3].selectbox(tr("churn.in.currency"), CURRENCIES, **in_url("churn_in_currency", persist=False))
    return {name: _model_value(name, shown) for name, shown in values.items()}, currency


# customers lost in a year are expected values (0.9 of a customer): one decimal, not a made-up whole
YEAR_KINDS = {"year": "count", "base_at_start": Column("base_at_start", "churn.year.base_at_start", "number", decimals=1),
              "newly_lost": Column("newly_lost", "churn.year.newly_lost", "number", decimals=1),
              "cumulative_lost": Column("cumulative_lost", "churn.year.cumulative_lost", "number", decimals=1),
              **{c: "money" for c in ("lost_revenue", "lost_profit", "discounted_lost_profit", "replacement_cost")}}


def _year_table(loss) -> object:
    frame = loss.to_frame()[["year", "base_at_start", "newly_lost", "cumulative_lost", "lost_revenue",
                             "lost_profit", "discounted_lost_profit", "replacement_cost"]]
    frame = frame.astype({c: "float64" for c in frame.columns if c != "year"})
    return frame.dropna(axis="columns", how="all")  # no replacement cost without a retention cost


def _what_if(values: dict, currency: str, language: str) -> None:
    st.subheader(tr("churn.whatif.title"))
    top = round(values["churn_rate"] * 100, 2)
    if top <= 0:
        st.info(tr("churn.whatif.no_churn"))
        return
    cut = st.slider(tr("churn.whatif.cut"), 0.0, float(top), float(min(5.0, top)), 0.5, **in_url("churn_cut"))
    options = {k: values[k] for k in ("years", "discount_rate", "word_of_mouth", "word_of_mouth_loss_share")}
    result = what_if(values["customers"], values["churn_rate"], values["revenue_per_customer"], values["margin"],
                     cut, **options)
    m = st.columns(3)
    money_metric(m[0], tr("churn.whatif.profit_before"), result.profit_before, currency=currency)
    money_metric(m[1], tr("churn.whatif.profit_after"), result.profit_after, currency=currency)
    money_metric(m[2], tr("churn.whatif.profit_change"), result.profit_change, currency=currency,
                 delta=None if result.profit_change_share is None
                else format_percent(result.profit_change_share, language))
    low, high = (float(v) for v in REICHHELD_SASSER_PROFIT_BAND)
    figure = go.Figure()
    figure.add_trace(go.Bar(y=[tr("churn.whatif.reference")], x=[high - low], base=[low], orientation="h",
                            marker_color="rgba(120,120,120,0.35)", name=tr("churn.whatif.reference_band",
                                                                           points=int(REICHHELD_SASSER_CUT_POINTS))))
    if result.profit_change_share is not None:
        figure.add_trace(go.Bar(y=[tr("churn.whatif.this_model")], x=[float(result.profit_change_share)],
                                orientation="h", name=tr("churn.whatif.this_model_cut", points=cut)))
    figure.update_layout(xaxis_tickformat=".0%", showlegend=True, barmode="overlay")
    st.plotly_chart(style_chart(figure, height=200), width="stretch")
    st.caption(tr("churn.ref.reichheld_sasser"))


def render(db, user, as_of) -> None:
    language = lang()
    values, currency = _inputs(db, user, as_of)
    try:
        loss = churn_loss(**values)
    except ValueError as error:
        st.error(tr("churn.calc.invalid", detail=str(error)))
        return
    st.subheader(tr("churn.calc.year_one"))
    m = st.columns(4)
    count_metric(m[0], tr("churn.loss.lost_customers"), loss.lost_customers)
    money_metric(m[1], tr("churn.loss.lost_revenue"), loss.lost_revenue, currency=currency)
    money_metric(m[2], tr("churn.loss.lost_profit"), loss.lost_profit, currency=currency)
    money_metric(m[3], tr("churn.loss.replacement_cost"), loss.replacement_cost, currency=currency,
                 help=tr("churn.calc.replacement_help"))
    st.caption(tr("churn.calc.exact", customers=format_number(loss.lost_customers, language),
                  revenue=format_number(loss.lost_revenue, language), profit=format_number(loss.lost_profit, language),
                  currency=currency))
    st.subheader(tr("churn.calc.horizon", years=values["years"]))
    h = st.columns(4)
    count_metric(h[0], tr("churn.loss.total_lost_customers"), loss.total_lost_customers)
    money_metric(h[1], tr("churn.loss.total_lost_revenue"), loss.total_lost_revenue, currency=currency)
    money_metric(h[2], tr("churn.loss.total_lost_profit"), loss.total_lost_profit, currency=currency)
    money_metric(h[3], tr("churn.loss.total_replacement_cost"), loss.total_replacement_cost, currency=currency)
    st.info(tr("churn.loss.grows"))
    table = _year_table(loss)
    labels = {c: tr(f"churn.year.{c}") for c in table.columns}
    if len(table) > 1:
        chart = go.Figure(go.Bar(x=table["year"], y=table["lost_profit"], name=labels["lost_profit"]))
        chart.update_layout(xaxis_title=labels["year"], yaxis_title=f'{labels["lost_profit"]} ({currency})')
        st.plotly_chart(style_chart(chart, height=280), width="stretch")
    show_frame(table, title="table.churn_loss_by_year", header_prefix="churn.year", key="churn_year_table",
               file_stem="churn_loss_by_year", kinds=YEAR_KINDS)
    _what_if(values, currency, language)
