"""Survey aggregates computed in DuckDB, so a page over 500,000 responses never loads raw rows.

Every function takes a duckdb connection or cursor first, uses named parameters for values, and
takes identifiers only from the fixed whitelists below. The SQL returns answer counts; the
formulas (intervals, tests) are the same pandas/numpy code as for raw responses.
"""
from __future__ import annotations

import pandas as pd

from crm_core import access
from crm_core.satisfaction.loyalty import LADDER_LEVELS, ladder_from_counts
from crm_core.satisfaction.scores import CSAT_SCALE, NPS_SCALE
from crm_core.satisfaction.servqual import DIMENSIONS
from crm_core.satisfaction.trend import (
    nps_from_answer_counts,
    trend_from_counts,
)
from crm_core.sql import Fragment, compose, run

GROUPINGS = {
    "wave_id": "wave_id",
    "region": "coalesce(region, '(missing)')",
    "channel": "coalesce(channel, '(missing)')",
    "month": "date_trunc('month', responded_on)",
}
MEASURES = {"satisfaction": CSAT_SCALE, "recommend": NPS_SCALE}


def filters(wave_id: int | None, rep: str | None, alias: str | None = None) -> Fragment:
    """One wave (None: all) and one rep's answers (None: everyone's) of ``survey_responses`` as
    ``alias``. A rep's answers are those of the customers they own — the access rule
    (``access.of_rep``); anonymous answers belong to nobody."""
    a = f"{alias}." if alias else ""
    wave = Fragment(f"($wave_id IS NULL OR {a}wave_id = $wave_id)", {"wave_id": wave_id})
    return wave & access.of_rep(rep, "survey_responses", alias)



def _checked(name: str, allowed, what: str) -> str:
    if name not in allowed:
        raise ValueError(f"{what} must be one of {sorted(allowed)}; got {name!r}")
    return name


def answer_counts_sql(db, measure: str, group_by: str, wave_id: int | None = None,
                      rep: str | None = None) -> pd.DataFrame:
    """Counts of each answer of ``measure`` ("satisfaction" 1..5 or "recommend" 0..10) per group.

    ``group_by``: one of :data:`GROUPINGS` ("month" = first day of the month of responded_on).
    ``wave_id`` restricts to one wave; ``rep`` to the customers of that sales rep (every function
    here takes both). Returns groups × answer values, zeros filled.
    """
    scale = MEASURES[_checked(measure, MEASURES, "measure")]
    group_sql = GROUPINGS[_checked(group_by, GROUPINGS, "group_by")]
    query = compose(f"SELECT {group_sql} AS grp, {measure} AS answer, count(*) AS n FROM survey_responses "
                    f"WHERE {measure} IS NOT NULL AND {{filters}} GROUP BY ALL", filters=filters(wave_id, rep))
    rows = run(db, query).df()
    table = rows.pivot_table(index="grp", columns="answer", values="n", aggfunc="sum", fill_value=0)
    table = table.reindex(columns=list(scale), fill_value=0).astype("int64")
    return table.rename_axis(index=group_by, columns=None)


def nps_by(db, group_by: str, wave_id: int | None = None, rep: str | None = None) -> pd.DataFrame:
    """NPS table with adjusted-Wald intervals per group; see ``nps_table``."""
    return nps_from_answer_counts(answer_counts_sql(db, "recommend", group_by, wave_id, rep))


def trend_sql(db, period: str = "wave_id", rep: str | None = None) -> pd.DataFrame:
    """CSAT/NPS trend per wave (``"wave_id"``) or per ``"month"``, with change significance."""
    _checked(period, ("wave_id", "month"), "period")
    return trend_from_counts(answer_counts_sql(db, "satisfaction", period, rep=rep),
                             answer_counts_sql(db, "recommend", period, rep=rep))


def ladder_sql(db, wave_id: int | None = None, rep: str | None = None) -> pd.DataFrame:
    """The satisfaction ladder counted in SQL; same columns as ``satisfaction_ladder``.

    Recommending is ``recommend_yes``, or a promoter answer (9–10) where only the 0..10
    question was asked.
    """
    sql = ("SELECT count(*) AS respondents, count(*) FILTER (sat) AS satisfied, "
           "count(*) FILTER (sat AND again) AS will_buy_again, "
           "count(*) FILTER (sat AND again AND rec) AS will_recommend FROM ("
           "SELECT coalesce(satisfaction >= 4, false) AS sat, coalesce(repurchase_intent, false) AS again, "
           "coalesce(recommend_yes, recommend >= 9, false) AS rec FROM survey_responses "
           "WHERE {filters})")
    counts = run(db, compose(sql, filters=filters(wave_id, rep))).df().iloc[0]
    return ladder_from_counts([int(counts[level]) for level in LADDER_LEVELS])


def servqual_sql(db, wave_id: int | None = None, rep: str | None = None) -> pd.DataFrame:
    """Per dimension: expectation, perception, gap (mean of perc − exp over respondents who
    answered both) and servperf (mean perception over everyone who answered it), n_pairs.
    Dimensions nobody answered are left out.
    """
    selects = ", ".join(
        f"avg(exp_{d}) FILTER (perc_{d} IS NOT NULL) AS {d}__expectation, "
        f"avg(perc_{d}) FILTER (exp_{d} IS NOT NULL) AS {d}__perception, "
        f"avg(perc_{d} - exp_{d}) AS {d}__gap, avg(perc_{d}) AS {d}__servperf, "
        f"count(perc_{d} - exp_{d}) AS {d}__n_pairs"
        for d in DIMENSIONS  # identifiers from the fixed DIMENSIONS tuple only
    )
    row = run(db, compose(f"SELECT {selects} FROM survey_responses WHERE {{filters}}",
                           filters=filters(wave_id, rep))).df()
    long = row.iloc[0].rename_axis("key").reset_index(name="value")
    long[["dimension", "field"]] = long["key"].str.split("__", expand=True)
    table = long.pivot(index="dimension", columns="field", values="value").reindex(list(DIMENSIONS))
    table = table[table["servperf"].notna()].rename_axis(columns=None)
    return table[["expectation", "perception", "gap", "servperf", "n_pairs"]].astype({"n_pairs": "int64"})


def response_sample(db, wave_id: int | None = None, limit: int = 50_000, rep: str | None = None) -> pd.DataFrame:
    """Up to ``limit`` responses (all columns) for row-level analyses (drivers, regional style,
    comments): a repeatable pseudo-random sample ordered by a hash of response_id.
    """
    return run(db, compose("SELECT * FROM survey_responses WHERE {filters} ORDER BY hash(response_id) LIMIT $limit",
                            filters=filters(wave_id, rep), limit=int(limit))).df()
