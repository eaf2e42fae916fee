"""CSAT and NPS per wave or month, and per group against the rest, with significance marks.

Significance is judged at α = 0.05 (``crm_core.stats.ALPHA``), two-sided: CSAT (top-two-box)
with the pooled two-proportion z test, NPS with z = (NPS₁ − NPS₂) / sqrt(SE₁² + SE₂²)
over the adjusted-Wald estimates. A change is
marked only between consecutive periods that both have answers. Group-vs-rest flags test every
group of one table at once, so they are judged on Holm-adjusted p-values across the groups that
have a test (:data:`CORRECTION`); the raw p is kept beside the adjusted one. Both functions work from answer
counts, so they take either raw responses (pandas) or counts already aggregated in DuckDB
(:mod:`crm_core.satisfaction.queries`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crm_core.satisfaction.scores import CSAT_SCALE, NPS_SCALE, csat_table, nps_table, validated_answers
from crm_core.stats import ALPHA, holm_adjusted, two_proportion_z_test, two_sided_p

CORRECTION = "holm"  # multiple-comparison correction of the group-vs-rest flags (docs/domain.md §4)

_NPS_FIELDS = ["n", "score", "ci_low", "ci_high", "score_adjusted", "se_adjusted"]
_CSAT_FIELDS = ["n", "top_two_box", "top_two_box_low", "top_two_box_high", "top_box", "top_box_low", "top_box_high",
                "mean"]


def answer_counts(df: pd.DataFrame, group_col: str, score_col: str, scale: range) -> pd.DataFrame:
    """Counts of each answer on ``scale`` per group (groups × scale values), missing answers skipped.

    Raises ValueError naming a value that is not a whole number on the scale.
    """
    answered = df[[group_col, score_col]].dropna()
    answers = validated_answers(answered[score_col], scale, score_col)
    table = pd.crosstab(answered[group_col].to_numpy(), answers)
    return table.reindex(columns=list(scale), fill_value=0)


def nps_from_answer_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """NPS table (index kept) from counts of answers 0..10 (columns 0..10)."""
    c = counts.reindex(columns=list(NPS_SCALE), fill_value=0).to_numpy()
    table = nps_table(c[:, 9:].sum(axis=1), c[:, 7:9].sum(axis=1), c[:, :7].sum(axis=1))
    return table.set_index(counts.index)


def csat_from_answer_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """CSAT table (index kept) from counts of answers 1..5 (columns 1..5)."""
    table = csat_table(counts.reindex(columns=list(CSAT_SCALE), fill_value=0).to_numpy())
    return table.set_index(counts.index)


def _nps_z(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return (a["score_adjusted"].to_numpy() - b["score_adjusted"].to_numpy()) / np.sqrt(
            a["se_adjusted"].to_numpy() ** 2 + b["se_adjusted"].to_numpy() ** 2)


def _flag(p_values) -> np.ndarray:
    p = np.asarray(p_values, dtype=float)
    return np.where(np.isnan(p), False, p < ALPHA)


def trend_from_counts(csat_counts: pd.DataFrame, nps_counts: pd.DataFrame) -> pd.DataFrame:
    """Per-period CSAT and NPS with intervals and change-vs-previous-period tests.

    Both inputs are indexed by period (sorted ascending) with answer-count columns (1..5 and
    0..10). Columns: ``csat_*`` and ``nps_*`` fields, ``csat_change_p``/``nps_change_p`` and the
    booleans ``csat_significant_change``/``nps_significant_change`` (p < 0.05).
    """
    periods = csat_counts.index.union(nps_counts.index).sort_values()
    cc = csat_counts.reindex(index=periods, columns=list(CSAT_SCALE), fill_value=0)
    c, n = csat_from_answer_counts(cc), nps_from_answer_counts(nps_counts.reindex(periods, fill_value=0))
    top2 = (cc[4] + cc[5]).to_numpy()
    _, csat_p = two_proportion_z_test(top2[1:], c["n"].to_numpy()[1:], top2[:-1], c["n"].to_numpy()[:-1])
    nps_p = two_sided_p(_nps_z(n.iloc[1:], n.iloc[:-1]))
    out = pd.concat([c[_CSAT_FIELDS].add_prefix("csat_"), n[_NPS_FIELDS].add_prefix("nps_")], axis=1)
    out["csat_change_p"] = np.concatenate([[np.nan], np.atleast_1d(csat_p)])
    out["nps_change_p"] = np.concatenate([[np.nan], np.atleast_1d(nps_p)])
    out["csat_significant_change"] = _flag(out["csat_change_p"])
    out["nps_significant_change"] = _flag(out["nps_change_p"])
    return out


def satisfaction_trend(df: pd.DataFrame, period_col: str, csat_col: str = "satisfaction",
                       nps_col: str = "recommend", by_month: bool = False) -> pd.DataFrame:
    """Trend per wave or month from raw responses; see :func:`trend_from_counts` for the columns.

    Each distinct ``period_col`` value (e.g. ``wave_id``) is a period, in sorted order; with
    ``by_month`` the column is read as dates and bucketed by calendar month (a ``Period``).
    Missing answers are skipped; a bad answer raises ValueError naming it.
    """
    frame = df
    if by_month:
        frame = df.assign(**{period_col: pd.to_datetime(df[period_col]).dt.to_period("M")})
    return trend_from_counts(answer_counts(frame, period_col, csat_col, CSAT_SCALE),
                             answer_counts(frame, period_col, nps_col, NPS_SCALE))


def breakdown_from_counts(csat_counts: pd.DataFrame, nps_counts: pd.DataFrame) -> pd.DataFrame:
    """Each group's CSAT and NPS against all other groups together ("the rest").

    Inputs as for :func:`trend_from_counts`, indexed by group. Adds ``csat_rest``/``nps_rest``,
    the raw ``csat_vs_rest_p``/``nps_vs_rest_p``, their Holm-adjusted ``csat_vs_rest_p_holm``/
    ``nps_vs_rest_p_holm`` (across the groups with a test: NaN p's are not counted),
    ``csat_tests``/``nps_tests`` (that number of groups) and ``csat_significant``/``nps_significant``
    (adjusted p < 0.05), plus ``csat_direction``/``nps_direction`` = +1 above the rest, −1 below,
    0 not significant.
    """
    groups = csat_counts.index.union(nps_counts.index)
    cc = csat_counts.reindex(index=groups, columns=list(CSAT_SCALE), fill_value=0)
    nc = nps_counts.reindex(index=groups, columns=list(NPS_SCALE), fill_value=0)
    c, n = csat_from_answer_counts(cc), nps_from_answer_counts(nc)
    c_rest = csat_from_answer_counts(cc.sum() - cc)
    n_rest = nps_from_answer_counts(nc.sum() - nc)
    top2 = (cc[4] + cc[5]).to_numpy()
    z_c, p_c = two_proportion_z_test(top2, c["n"].to_numpy(), top2.sum() - top2, c_rest["n"].to_numpy())
    z_n = _nps_z(n, n_rest)
    out = pd.concat([c[_CSAT_FIELDS].add_prefix("csat_"), n[_NPS_FIELDS].add_prefix("nps_")], axis=1)
    out["csat_rest"], out["nps_rest"] = c_rest["top_two_box"].to_numpy(), n_rest["score"].to_numpy()
    out["csat_vs_rest_p"], out["nps_vs_rest_p"] = p_c, two_sided_p(z_n)
    for measure in ("csat", "nps"):
        raw = out[f"{measure}_vs_rest_p"].to_numpy(dtype=float)
        out[f"{measure}_vs_rest_p_holm"] = holm_adjusted(raw)
        out[f"{measure}_tests"] = int((~np.isnan(raw)).sum())
        out[f"{measure}_significant"] = _flag(out[f"{measure}_vs_rest_p_holm"])
    out["csat_direction"] = np.where(out["csat_significant"], np.sign(z_c), 0).astype(int)
    out["nps_direction"] = np.where(out["nps_significant"], np.sign(z_n), 0).astype(int)
    return out
