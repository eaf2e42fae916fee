"""Satisfaction page: demo survey data, form entry, store-level reports and the page in both languages."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from pydantic import ValidationError

from crm_core import demo
from crm_core.i18n import t
from crm_core.satisfaction import demo as survey_demo
from crm_core.satisfaction import mystery, report
from crm_core.satisfaction.entry import (
    MysteryVisitIn,
    SurveyResponseIn,
    create_wave,
    record_response,
    record_visit,
)
from crm_core.store import Store
from crm_core.users import Actor, PermissionDenied
from tests.conftest import DEMO_AS_OF
from tests.test_pages import run_page

MANAGER = Actor("boss", "manager")
TABS = ("overview", "trend", "quality", "regional", "quadrants", "word_of_mouth", "comments", "nonresponse",
        "mystery", "entry", "links")


def _with_surveys(db: Store, customers: int, as_of: date, seed: int = 20240305) -> None:
    """Demo data, survey answers included (the demo loads every capability's rows)."""
    demo.load_demo(db, customers=customers, seed=seed, as_of=as_of)


@pytest.fixture(scope="session")
def survey_db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("survey") / "crm.duckdb"
    db = Store(path)
    _with_surveys(db, 300, DEMO_AS_OF)
    db.close()
    return path


@pytest.fixture(scope="module")
def big_survey():
    """3,000 customers: enough answers per region and label for the regional calibration."""
    db = Store(":memory:")
    _with_surveys(db, 3000, DEMO_AS_OF)
    yield db
    db.close()


@pytest.fixture
def survey_app(survey_db_path, monkeypatch):
    monkeypatch.setenv("CRM_DB", str(survey_db_path))
    return survey_db_path


# --- demo loader ---------------------------------------------------------------------------

def test_demo_has_eight_quarterly_waves_and_about_15_percent_answering(big_survey):
    waves = report.waves(big_survey, MANAGER)
    assert waves["name"].tolist() == ["2024 Q3", "2024 Q4", "2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4",
                                      "2026 Q1", "2026 Q2"]
    # each wave: p = 0.15 × weight × N / Σweight over eligible customers → Σp = 0.15 × 3000 = 450
    assert waves["responses"].between(380, 520).all()
    assert (waves["response_rate"].between(30, 45)).all()  # invited = answers / (0.35 … 0.41)


def test_demo_southern_reserve_is_removed_by_label_calibration(big_survey):
    answers = report.sample(big_survey, MANAGER, None)
    means = report.regional(answers, "label_calibration")
    south = means.loc["华南"]
    others = means.drop(index="华南")
    others_raw = (others["raw_mean"] * others["n"]).sum() / others["n"].sum()
    others_adj = (others["adjusted_mean"] * others["n"]).sum() / others["n"].sum()
    # the built-in style: one notch lower for the same experience (less where 1 cannot go lower)
    assert 0.7 < others_raw - south["raw_mean"] < 1.0
    assert abs(others_adj - south["adjusted_mean"]) < 0.25


def test_demo_mystery_location_scores_83_85_88(big_survey):
    visits = mystery.visit_trend(big_survey, MANAGER, "上海人民广场店")
    assert visits["score"].tail(3).tolist() == [83.0, 85.0, 88.0]
    assert visits["change"].tail(2).tolist() == [2.0, 3.0]


def test_demo_is_deterministic():
    counts = []
    for _ in range(2):
        db = Store(":memory:")
        _with_surveys(db, 200, DEMO_AS_OF)
        counts.append(db.query_df("SELECT wave_id, count(*) AS n, sum(satisfaction) AS s FROM survey_responses "
                                  "GROUP BY 1 ORDER BY 1"))
        db.close()
    pd.testing.assert_frame_equal(counts[0], counts[1])


# --- form entry ------------------------------------------------------------------------------

def test_answer_model_reads_labels_in_both_languages():
    zh = SurveyResponseIn(wave_id=1, responded_on="2026-05-01", satisfaction="有些不满意", repurchase_intent="是")
    en = SurveyResponseIn(wave_id=1, responded_on=date(2026, 5, 1), satisfaction="Highly satisfied",
                          repurchase_intent="no", recommend_yes="yes")
    assert (zh.satisfaction, zh.repurchase_intent) == (2, True)
    assert (en.satisfaction, en.repurchase_intent, en.recommend_yes) == (5, False, True)
    assert SurveyResponseIn(wave_id=1, responded_on="2026-05-01", satisfaction="3", customer_code=" ").customer_code is None


@pytest.mark.parametrize("values, rule", [
    ({"satisfaction": "满意吗"}, "err.survey_satisfaction"),
    ({"repurchase_intent": "maybe"}, "err.survey_yes_no"),
    ({"recommend": 11}, "less_than_equal"),
    ({"perc_reliability": 8}, "less_than_equal"),
    ({}, "err.survey_empty"),
])
def test_answer_model_rejects(values, rule):
    with pytest.raises(ValidationError) as caught:
        SurveyResponseIn(wave_id=1, responded_on="2026-05-01", **values)
    assert caught.value.errors()[0]["type"] == rule


def test_record_response_anonymous_and_by_code(store):
    store.write(lambda cur: cur.execute("INSERT INTO customers (code, name, sales_rep) VALUES "
                                        "('K1', '东方饭店', '王芳'), ('K2', 'Other', '李娜')"))
    wave = create_wave(store, MANAGER, "2026 Q3", date(2026, 7, 15), invited=10)
    first = record_response(store, MANAGER, SurveyResponseIn(
        wave_id=wave, responded_on="2026-07-20", customer_code="K1", satisfaction="一般满意", recommend=9,
        perc_empathy=6, exp_empathy=5))
    record_response(store, MANAGER, SurveyResponseIn(wave_id=wave, responded_on="2026-07-21", satisfaction=1))
    rows = store.query_df("SELECT response_id, customer_id, satisfaction, recommend, exp_empathy FROM survey_responses "
                          "ORDER BY response_id")
    assert rows["customer_id"].isna().tolist() == [False, True]
    assert rows["satisfaction"].tolist() == [4, 1] and rows.loc[0, "exp_empathy"] == 5
    assert int(rows.loc[0, "response_id"]) == first
    # a rep may only enter answers for their own customers
    with pytest.raises(PermissionDenied):
        record_response(store, Actor("王芳", "rep"), SurveyResponseIn(
            wave_id=wave, responded_on="2026-07-20", customer_code="K2", satisfaction=5))
    with pytest.raises(PermissionDenied):
        record_response(store, Actor("v", "viewer"), SurveyResponseIn(
            wave_id=wave, responded_on="2026-07-20", satisfaction=5))
    waves = report.waves(store, MANAGER)
    assert (waves.loc[0, "responses"], waves.loc[0, "response_rate"]) == (2, 20.0)  # 2 of 10 invited
    # the rep sees only answers of customers they own: one of the two (the other is anonymous)
    assert report.waves(store, Actor("王芳", "rep")).loc[0, "responses"] == 1
    answers = report.customer_answers(store, MANAGER, 1)
    assert answers["wave"].tolist() == ["2026 Q3"] and answers["satisfaction"].tolist() == [4]


def test_record_visit_and_trend(store):
    for day, score in (("2026-01-10", 83), ("2026-04-10", 85), ("2026-07-10", "88.5")):
        record_visit(store, MANAGER, MysteryVisitIn(location="店1", visited_on=day, score=score,
                                                    checklist={"greeting": True, "cleanliness": False}))
    visits = mystery.visit_trend(store, MANAGER)
    assert visits["score"].tolist() == [83.0, 85.0, 88.5]
    assert visits["change"].tolist()[1:] == [2.0, 3.5]
    assert visits["checklist_passed"].tolist() == [1, 1, 1] and visits["checklist_items"].tolist() == [2, 2, 2]
    with pytest.raises(ValidationError):
        MysteryVisitIn(location="店1", visited_on="2026-01-10", score=101)


# --- store-level reports ------------------------------------------------------------------

def test_quadrant_cells_match_member_lists(big_survey):
    cells = report.quadrant_cells(big_survey, MANAGER, "behaviour", DEMO_AS_OF)
    counts = report.quadrant_counts(cells)
    for quadrant in ("saboteur", "hostage"):
        members = report.quadrant_members(big_survey, MANAGER, quadrant, "behaviour", DEMO_AS_OF, limit=100_000)
        assert len(members) == counts.loc[quadrant, "count"]
        # the list obeys the definition: score < 4; hostages have ≥ 2 purchases, saboteurs fewer
        assert (members["satisfaction"] < 4).all()
        assert ((members["purchases_12m"] >= 2) == (quadrant == "hostage")).all()
    assert counts["count"].sum() == big_survey.query_one(
        "SELECT count(DISTINCT customer_id) FROM survey_responses WHERE satisfaction IS NOT NULL")[0]
    intent = report.quadrant_counts(report.quadrant_cells(big_survey, MANAGER, "intent", DEMO_AS_OF))
    members = report.quadrant_members(big_survey, MANAGER, "apostle", "intent", DEMO_AS_OF, limit=100_000)
    assert len(members) == intent.loc["apostle", "count"] and members["repurchase_intent"].all()


def test_quadrant_cells_and_lists_read_one_respondent_table(big_survey):
    respondents = report.respondents_12m(big_survey, MANAGER, DEMO_AS_OF)
    # one row per customer with a 1-5 answer; purchases and spend of the 12 months, 0 without any
    assert respondents.num_rows == big_survey.query_one(
        "SELECT count(DISTINCT customer_id) FROM survey_responses WHERE satisfaction IS NOT NULL")[0]
    frame = respondents.to_pandas()
    assert frame.loc[frame["purchases"] == 0, "spend"].eq(0).all()
    for loyalty in ("behaviour", "intent"):
        pd.testing.assert_frame_equal(
            report.quadrant_cells(big_survey, MANAGER, loyalty, DEMO_AS_OF, 3, 1, respondents=respondents),
            report.quadrant_cells(big_survey, MANAGER, loyalty, DEMO_AS_OF, 3, 1))
        for quadrant in ("saboteur", "apostle"):
            pd.testing.assert_frame_equal(
                report.quadrant_members(big_survey, MANAGER, quadrant, loyalty, DEMO_AS_OF, respondents=respondents),
                report.quadrant_members(big_survey, MANAGER, quadrant, loyalty, DEMO_AS_OF))
    behaviour = report.quadrant_cells(big_survey, MANAGER, "behaviour", DEMO_AS_OF, respondents=respondents)
    assert behaviour["n"].sum() == respondents.num_rows


def test_breakdowns_by_every_grouping(big_survey):
    for by in report.BREAKDOWNS:
        table = report.breakdown(big_survey, MANAGER, by, None, DEMO_AS_OF)
        assert table["csat_n"].sum() == big_survey.query_one(
            "SELECT count(*) FROM survey_responses WHERE satisfaction IS NOT NULL")[0], by
    by_rep = report.breakdown(big_survey, MANAGER, "rep", None, DEMO_AS_OF)
    assert by_rep.loc[survey_demo.WEAK_REP, "csat_direction"] == -1  # the demo's weaker rep shows


def test_iceberg_inputs_measure_complaints_where_the_log_exists(big_survey):
    figures = report.iceberg_inputs(big_survey, MANAGER, None, DEMO_AS_OF)
    assert figures["complaint_log"] is True  # the demo's promises area logs complaints
    assert 0 <= figures["dissatisfied_complained"] <= figures["dissatisfied_identified"]
    assert figures["satisfied"] + figures["dissatisfied"] < figures["answers"]


def test_iceberg_active_customers_from_summaries_match_the_rows(big_survey, monkeypatch):
    from datetime import timedelta

    rep = big_survey.query_one("SELECT min(sales_rep) FROM customers")[0]
    (end,) = big_survey.query_one("SELECT max(txn_date) FROM transactions")
    for actor in (MANAGER, Actor(rep, "rep")):
        for as_of in (end, end - timedelta(days=3), DEMO_AS_OF, end + timedelta(days=800)):
            counted = big_survey.query_one(
                "SELECT count(DISTINCT t.customer_id) FROM transactions t LEFT JOIN customers c USING (customer_id) "
                "WHERE t.txn_date > ?::DATE - INTERVAL 12 MONTH AND t.txn_date <= ? AND (? IS NULL OR c.sales_rep = ?)",
                [as_of, as_of, actor.rep_scope and rep, actor.rep_scope and rep])[0]
            for share in (1.0, 0.0):  # every date from the summaries, then every date from the rows
                monkeypatch.setattr(report, "_LATER_SHARE", share)
                assert report.iceberg_inputs(big_survey, actor, None, as_of)["active_customers"] == counted


def test_iceberg_inputs_without_complaints(tmp_path):
    db = Store(tmp_path / "crm.duckdb")
    _with_surveys(db, 300, DEMO_AS_OF)
    db.write(lambda cur: cur.execute("DELETE FROM complaints"))
    figures = report.iceberg_inputs(db, MANAGER, None, DEMO_AS_OF)
    assert figures["complaint_log"] is False and figures["dissatisfied_complained"] is None
    db.close()


def test_nonresponse_hand_counted(store):
    # Wave 1 starts 2026-07-15: its spend window is (2025-07-15, 2026-07-15]. K5 joined after the
    # start (not in the base, though it answered); K3's 50 is before the window.
    store.write(lambda cur: cur.execute(
        "INSERT INTO customers (customer_id, code, name, region, sales_rep, created_at) VALUES "
        "(1, 'K1', 'a', 'north', '王芳', TIMESTAMPTZ '2024-01-01 08:00:00+08'), "
        "(2, 'K2', 'b', 'south', '王芳', TIMESTAMPTZ '2024-01-01 08:00:00+08'), "
        "(3, 'K3', 'c', 'north', '李娜', TIMESTAMPTZ '2024-01-01 08:00:00+08'), "
        "(4, 'K4', 'd', NULL, '李娜', TIMESTAMPTZ '2026-07-14 23:59:00+08'), "
        "(5, 'K5', 'e', 'north', '王芳', TIMESTAMPTZ '2026-07-15 00:00:00+08')"))
    store.write(lambda cur: cur.execute(
        "INSERT INTO transactions (customer_id, txn_date, amount) VALUES (1, DATE '2026-07-15', 100), "
        "(3, DATE '2026-01-02', 300), (3, DATE '2025-07-15', 50), (4, DATE '2025-07-16', 20), (5, DATE '2026-07-01', 9)"))
    wave = create_wave(store, MANAGER, "2026 Q3", date(2026, 7, 15), invited=5)
    for code in ("K1", "K2", "K5"):
        record_response(store, MANAGER, SurveyResponseIn(wave_id=wave, responded_on="2026-07-20", customer_code=code,
                                                         satisfaction=5))
    table = report.nonresponse(store, MANAGER, wave).set_index(["variable", "level"])
    # respondents K1, K2 (north, south); non-respondents K3, K4 (north, missing): shares in %
    assert table.loc[("region", "north"), ["respondents", "non_respondents"]].tolist() == [50.0, 50.0]
    assert table.loc[("region", "south"), ["respondents", "non_respondents"]].tolist() == [50.0, 0.0]
    assert table.loc[("region", "(missing)"), ["respondents", "non_respondents"]].tolist() == [0.0, 50.0]
    # spend: (100 + 0) / 2 = 50 against (300 + 20) / 2 = 160
    assert table.loc[("spend", ""), ["respondents", "non_respondents"]].tolist() == [50.0, 160.0]
    # 王芳's base is K1, K2 (both answered): no non-respondents, so no spend test
    mine = report.nonresponse(store, Actor("王芳", "rep"), wave).set_index(["variable", "level"])
    assert mine.loc[("spend", ""), "respondents"] == 50.0 and pd.isna(mine.loc[("spend", ""), "p_value"])
    assert report.nonresponse(store, MANAGER, wave + 1).empty


def _nonresponse_by_frame(db: Store, actor: Actor, wave_id: int) -> pd.DataFrame:
    """The check as it was computed before the counts moved into SQL: the whole base as a frame."""
    from contextlib import closing

    from crm_core import access
    from crm_core.satisfaction.nonresponse import nonresponse_check
    from crm_core.sql import Fragment, compose, last_12_months, run

    with closing(db.system_cursor()) as cur:
        base = run(cur, compose(
            "WITH w AS (SELECT started_on FROM survey_waves WHERE wave_id = $wave_id), "
            "spend AS (SELECT t.customer_id, sum(t.amount)::DOUBLE AS spend FROM transactions t, w "
            "WHERE {window} GROUP BY 1) "
            "SELECT c.customer_id, coalesce(c.region, '(missing)') AS region, c.tenure_stage, "
            "coalesce(s.spend, 0) AS spend FROM customers c CROSS JOIN w LEFT JOIN spend s USING (customer_id) "
            "WHERE c.created_at::DATE < w.started_on AND {scope}",
            window=last_12_months(Fragment("w.started_on"), "t.txn_date"),
            scope=access.of_rep(actor.rep_scope, "customers", alias="c"), wave_id=wave_id)).df()
        answered = cur.execute("SELECT DISTINCT customer_id FROM survey_responses "
                               "WHERE customer_id IS NOT NULL AND wave_id = $w", {"w": wave_id}).df()["customer_id"]
    return nonresponse_check(base, answered)


def test_nonresponse_counted_in_sql_matches_the_frame_check(big_survey):
    rep = big_survey.query_one("SELECT min(sales_rep) FROM customers")[0]
    for actor in (MANAGER, Actor(rep, "rep")):
        for wave_id in report.waves(big_survey, actor)["wave_id"]:
            pd.testing.assert_frame_equal(report.nonresponse(big_survey, actor, int(wave_id)),
                                          _nonresponse_by_frame(big_survey, actor, int(wave_id)),
                                          check_exact=False, rtol=1e-12)


# --- the page -------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_first_render_shows_the_latest_wave(survey_app, lang):
    from crm_core.store import open_store

    app = run_page("satisfaction.py", lang)
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == t("page.satisfaction", lang)
    trend = report.trend(open_store(survey_app), MANAGER)  # the app's own store (one per file per process)
    latest = trend.iloc[-1]
    assert app.session_state["sat_wave"] == trend.index[-1]
    shown = {m.label: m.value for m in app.metric}
    assert shown[t("satisfaction.metric.csat", lang)] == f"{latest['csat_top_two_box']:.1f}%"
    assert shown[t("satisfaction.metric.nps", lang)] == f"{latest['nps_score']:.1f}"
    assert shown[t("sat.answers", lang)] == f"{latest['csat_n']:,}"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("tab", TABS)
def test_every_tab_renders(survey_app, tab, lang):
    app = run_page("satisfaction.py", lang, sat_tab=t(f"sat.tab.{tab}", lang))
    assert not app.exception, [e.value for e in app.exception]
    assert app.subheader, tab


def test_quadrant_tab_counts_match_the_report(survey_app):
    app = run_page("satisfaction.py", "en", sat_tab=t("sat.tab.quadrants", "en"))
    shown = {m.label: m.value for m in app.metric}
    from crm_core.store import open_store

    counts = report.quadrant_counts(report.quadrant_cells(open_store(survey_app), MANAGER, "behaviour",
                                                          _app_today(survey_app)))
    assert shown["Saboteurs"] == f"{counts.loc['saboteur', 'count']:,}"
    assert shown["Apostles"] == f"{counts.loc['apostle', 'count']:,}"


def _app_today(path) -> date:
    """The day the page measures up to: the app's default analysis date (issue 15)."""
    from crm_core.analysis_date import default_analysis_date
    from crm_core.customers import today_in
    from crm_core.store import open_store

    db = open_store(path)
    return default_analysis_date(db, today_in(db))[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_breakdown_note_names_holm_and_the_number_of_groups(survey_app, lang):
    from crm_core.store import open_store

    app = run_page("satisfaction.py", lang, sat_tab=t("sat.tab.trend", lang))
    assert not app.exception, [e.value for e in app.exception]
    wave = app.session_state["sat_wave"]
    table = report.breakdown(open_store(survey_app), MANAGER, "region", wave, _app_today(survey_app))
    groups = int(table["csat_tests"].max())
    note = t("sat.breakdown_tests", lang, tests=str(groups))
    assert note in [c.value for c in app.caption]
    assert ("Holm-corrected across " if lang == "en" else "经 Holm 法校正（共 ") + f"{groups}" in note


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_regional_tab_shows_what_the_adjustment_rests_on(survey_app, lang):
    app = run_page("satisfaction.py", lang, sat_tab=t("sat.tab.regional", lang))
    assert not app.exception, [e.value for e in app.exception]
    columns = list(app.dataframe[0].value.columns)
    assert t("sat.regional.n_intent", lang) in columns and t("sat.regional.weight", lang) in columns
    assert any(("m = " in c.value) for c in app.caption)


def test_headline_shows_the_top_box_interval(survey_app):
    app = run_page("satisfaction.py", "en")
    assert any(c.value.startswith("Top box (highly satisfied)") and "Wilson" in c.value for c in app.caption)
