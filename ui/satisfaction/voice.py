"""Satisfaction page: complaint iceberg and word of mouth, comments, non-response, mystery shoppers."""
from __future__ import annotations

import pandas as pd
import plotly.express as px
import streamlit as st

from crm_core import satisfaction as sat
from crm_core import tables
from crm_core.i18n import format_date, format_number
from crm_core.satisfaction.mystery import location_summary
from crm_core.satisfaction.report import COMPLAINT_WINDOW, SAMPLE
from crm_core.text_safety import chart_text
from ui.common import choice_label, lang, open_customer, plain, style_chart, tr
from ui.metrics import count_metric
from ui.satisfaction import data
from ui.satisfaction.overview import pct
from ui.tables import frame_grid, show_frame, show_table
from ui.view_state import catalog_label, in_url


def _assumptions(key: str) -> dict:
    preset = st.selectbox(tr("sat.preset"), tuple(sat.ICEBERG_PRESETS),
                          **in_url(f"{key}_preset", sat.ICEBERG_PRESETS, catalog_label("sat.preset")),
                          format_func=lambda p: tr(f"sat.preset.{p}"))
    values = sat.ICEBERG_PRESETS[preset]
    c1, c2, c3 = st.columns(3)
    one_in = c1.number_input(tr("sat.one_in"), 1.0, 1000.0, round(1 / values["complain_ratio"], 1), 1.0,
                             key=f"{key}_one_in_{preset}")
    tell_sat = c2.number_input(tr("sat.tell_satisfied"), 0.0, 100.0, float(values["tell_satisfied"]), 1.0,
                               key=f"{key}_tell_sat_{preset}")
    tell_dis = c3.number_input(tr("sat.tell_dissatisfied"), 0.0, 100.0, float(values["tell_dissatisfied"]), 1.0,
                               key=f"{key}_tell_dis_{preset}")
    return {"complain_ratio": 1 / one_in, "tell_satisfied": tell_sat, "tell_dissatisfied": tell_dis}


def render_iceberg(db, user, wave_id, as_of) -> None:
    st.subheader(tr("sat.iceberg_title"))
    figures = data.iceberg(db, user, wave_id, as_of)
    assumed = _assumptions("sat_ice")
    st.caption(tr("satisfaction.iceberg.assumption", one_in=1 / assumed["complain_ratio"],
                  tell_satisfied=assumed["tell_satisfied"], tell_dissatisfied=assumed["tell_dissatisfied"]))
    answers, language = figures["answers"], lang()
    if not answers:
        st.info(tr("sat.no_answers"))
        return
    dis_share, sat_share = figures["dissatisfied"] / answers, figures["satisfied"] / answers
    dissatisfied = dis_share * figures["active_customers"]
    satisfied = sat_share * figures["active_customers"]
    estimate = sat.complaint_iceberg(round(dissatisfied * assumed["complain_ratio"]), round(satisfied), **assumed)
    st.markdown(tr("sat.iceberg_from_survey", share=pct(100 * dis_share), active=format_number(figures["active_customers"], language),
                   dissatisfied=format_number(dissatisfied, language)))
    cards = st.columns(3)
    count_metric(cards[0], tr("sat.expected_complaints"), estimate.complaints)
    count_metric(cards[1], tr("satisfaction.iceberg.silent"), estimate.silent_dissatisfied)
    count_metric(cards[2], tr("satisfaction.iceberg.net_reach"), estimate.net_reach)
    _complaint_log(figures, assumed, satisfied)
    swan = sat.little_swan_reach(satisfied)
    st.markdown(tr("satisfaction.little_swan"))
    st.caption(tr("sat.swan_line", satisfied=format_number(satisfied, language), aware=format_number(swan["aware"], language),
                  potential=format_number(swan["potential"], language), new=format_number(swan["new_customers"], language)))


def _complaint_log(figures: dict, assumed: dict, satisfied: float) -> None:
    language = lang()
    if not figures["complaint_log"]:
        st.warning(tr("sat.no_complaint_log"))
        return
    logged = sat.complaint_iceberg(int(figures["complaints_12m"]), round(satisfied), **assumed)
    st.markdown(tr("sat.iceberg_from_log", complaints=format_number(logged.complaints, language),
                   dissatisfied=format_number(logged.estimated_dissatisfied, language),
                   silent=format_number(logged.silent_dissatisfied, language),
                   reach=format_number(logged.net_reach, language)))
    if figures["dissatisfied_identified"]:
        measured = sat.measured_complaint_ratio(int(figures["dissatisfied_complained"]), figures["dissatisfied_identified"])
        st.info(tr("sat.measured_ratio", complained=format_number(figures["dissatisfied_complained"], language),
                   dissatisfied=format_number(figures["dissatisfied_identified"], language),
                   ratio=pct(100 * measured["ratio"]), low=pct(100 * measured["ci_low"]),
                   high=pct(100 * measured["ci_high"]), before=COMPLAINT_WINDOW[0], after=COMPLAINT_WINDOW[1]))


def _word_table(words: pd.DataFrame, mood: str, key: str):
    st.markdown(f"**{tr(f'satisfaction.comments.{mood}')}**")
    if words.empty:
        st.info(tr("sat.no_comments"))
        return None
    shown = pd.DataFrame({tr("sat.word"): words["word"], tr("sat.count"): words["count"],
                          tr("sat.share_of_words"): words["share"] / 100})  # a fraction: kind percent
    event = frame_grid(shown, title="sat.comments_title", key=key, select=True, height=420,
                       kinds={tr("sat.share_of_words"): "percent"})
    return words["word"].iloc[event.selection.rows[0]] if event.selection.rows else None


def render_comments(db, user, wave_id) -> None:
    st.subheader(tr("sat.comments_title"))
    contrast = data.words(db, user, wave_id)
    if contrast["dissatisfied"].attrs.get("method") == "char_bigram":
        st.warning(tr("satisfaction.comments.bigram_fallback"))
    left, right = st.columns(2)
    with left:
        bad = _word_table(contrast["dissatisfied"], "dissatisfied", "sat_words_bad")
    with right:
        good = _word_table(contrast["satisfied"], "satisfied", "sat_words_good")
    st.caption(tr("sat.words_note", n=format_number(SAMPLE, lang())))
    word, mood = (bad, "dissatisfied") if bad else (good, "satisfied")
    if not word:
        st.caption(tr("sat.pick_word"))
        return
    rows = data.answers_with_word(db, user, word, mood, wave_id)
    st.markdown(tr("sat.answers_with_word", word=plain(word), count=format_number(len(rows), lang())))
    shown = pd.DataFrame({
        tr("sat.answered_on"): rows["responded_on"].map(lambda d: format_date(pd.Timestamp(d).date(), lang())),
        tr("field.code"): rows["code"].fillna(tr("sat.anonymous")), tr("field.name"): rows["name"].fillna(""),
        tr("sat.answer"): rows["satisfaction"].map(lambda s: tr(f"satisfaction.label.{int(s)}")),
        tr("sat.comment"): rows["comment"]})
    event = show_frame(shown, title="sat.comments_title", key="sat_word_answers", select=True,
                       file_stem="answers_with_word")
    if event.selection.rows and pd.notna(rows["customer_id"].iloc[event.selection.rows[0]]):
        open_customer(rows["customer_id"].iloc[event.selection.rows[0]])


def render_nonresponse(db, user, waves: pd.DataFrame, wave_id) -> None:
    st.subheader(tr("satisfaction.nonresponse.title"))
    chosen = wave_id if wave_id is not None else int(waves["wave_id"].iloc[-1])
    st.caption(tr("sat.nonresponse_basis", wave=plain(waves.set_index("wave_id").loc[chosen, "name"])))
    table = data.nonresponse(db, user, chosen)
    if table.empty:
        st.info(tr("sat.no_answers"))
        return
    flagged = sorted({tr(f"sat.var.{v}") for v in table.loc[table["significant"], "variable"]})
    if flagged:
        st.warning(tr("satisfaction.nonresponse.warning", fields="、".join(flagged) if lang() == "zh" else ", ".join(flagged)))
    level = {"region": choice_label("region"), "tenure_stage": choice_label("tenure")}
    shown = pd.DataFrame({
        tr("sat.variable"): table["variable"].map(lambda v: tr(f"sat.var.{v}")),
        tr("sat.level"): [level.get(v, str)(lv) if lv else "" for v, lv in zip(table["variable"], table["level"], strict=True)],
        tr("sat.respondents"): [_fmt(v, m) for v, m in zip(table["respondents"], table["measure"], strict=True)],
        tr("sat.non_respondents"): [_fmt(v, m) for v, m in zip(table["non_respondents"], table["measure"], strict=True)],
        tr("sat.p_value"): table["p_value"].map(lambda p: "—" if pd.isna(p) else f"{p:.3f}"),
        tr("sat.p_holm"): table["p_holm"].map(lambda p: "—" if pd.isna(p) else f"{p:.3f}"),
        tr("sat.significant"): table["significant"].map(lambda s: "●" if s else ""),
    })
    show_frame(shown, title="satisfaction.nonresponse.title", key="sat_nonresponse", file_stem="nonresponse_check")
    st.caption(tr("sat.nonresponse_tests", tests=int(table["p_value"].notna().sum())))


def _fmt(value, measure: str) -> str:
    return pct(value) if measure == "share_pct" else format_number(value, lang(), 0)


def render_mystery(db, user) -> None:
    st.subheader(tr("sat.mystery_title"))
    visits = data.visits(db, user)
    if visits.empty:
        st.info(tr("sat.no_visits"))
        return
    shown = visits.assign(location=visits["location"].map(chart_text))  # legend and hover: the name as typed
    figure = px.line(shown, x="visited_on", y="score", color="location", markers=True,
                     labels={"visited_on": tr("sat.visited_on"), "score": tr("sat.mystery_score"),
                             "location": tr("sat.location")}, title=tr("sat.mystery_chart"))
    style_chart(figure, height=380)
    st.plotly_chart(figure, width="stretch", key="sat_mystery_chart")
    show_table(VISIT_SUMMARY, location_summary(visits).reset_index(), key="sat_mystery_summary",
               file_stem="mystery_visits_by_location")
    st.caption(tr("sat.mystery_note"))
    with st.expander(tr("grids.all_visits")):
        show_table(VISITS, visits, key="sat_mystery_visits", file_stem="mystery_visits")


# Per location and every visit, on screen and in the downloads (scores are 0–100, one decimal).
VISIT_SUMMARY = tables.Table("grids.visits_summary", (
    tables.text("location", "sat.location"), tables.count("visits", "sat.mystery.visits"),
    tables.number("first", "sat.mystery.first"), tables.number("last", "sat.mystery.last"),
    tables.number("mean", "sat.mystery.mean"), tables.number("last_change", "sat.mystery.last_change")))
VISITS = tables.Table("grids.visits_title", (
    tables.text("location", "sat.location"), tables.day("visited_on", "sat.visited_on"),
    tables.number("score", "sat.mystery_score"), tables.number("change", "grids.score_change"),
    tables.count("checklist_passed", "grids.checklist_passed"), tables.count("checklist_items", "grids.checklist_items")))
