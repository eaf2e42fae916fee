"""SERVQUAL gaps, SERVPERF scores and key-driver analysis.

Columns follow the survey table: ``exp_<dimension>`` / ``perc_<dimension>`` for one item per
dimension, or ``exp_<dimension>_<item>`` / ``perc_<dimension>_<item>`` for several, answered on a
1..7 scale. Dimensions (Parasuraman, Zeithaml & Berry 1988): tangibles, reliability,
responsiveness, assurance, empathy — any subset may be present.

gap = perception − expectation per item (per respondent, then averaged over respondents who
answered both); dimension gap = mean of its items' gaps. SERVPERF (Cronin & Taylor 1992) uses the
perception scores alone.

Key drivers: Johnson's (2000) relative weights. The predictors' correlation matrix R = VΛVᵀ is
decomposed with numpy; Λ_half = R^½ = VΛ^½Vᵀ holds the correlations between the predictors and
their closest orthogonal counterparts Z; β = R^-½·r_xy are the outcome's weights on Z; the weight
of predictor j is Σ_k Λ_half[j,k]² β_k². The weights are non-negative and sum to the OLS R².
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
IPA_QUADRANTS = ("fix_first", "keep_up", "low_priority", "possible_overkill")
_COLUMN = re.compile(rf"^(exp|perc)_({'|'.join(DIMENSIONS)})(?:_(\w+))?$")


def servqual_items(df: pd.DataFrame) -> pd.DataFrame:
    """(kind, dimension, item) for every SERVQUAL column of ``df``, indexed by column name."""
    rows = {col: m.groups() for col in df.columns if (m := _COLUMN.match(str(col)))}
    items = pd.DataFrame.from_dict(rows, orient="index", columns=["kind", "dimension", "item"])
    return items.fillna({"item": ""})


def dimension_scores(df: pd.DataFrame, kind: str = "perc") -> pd.DataFrame:
    """Per-respondent score of each present dimension: the mean of its ``kind`` items (exp/perc)."""
    items = servqual_items(df)
    chosen = items[items["kind"] == kind]
    if chosen.empty:
        raise ValueError(f"no {kind}_<dimension> columns")
    present = [d for d in DIMENSIONS if d in set(chosen["dimension"])]
    return pd.DataFrame({
        d: df[list(chosen.index[chosen["dimension"] == d])].apply(pd.to_numeric, errors="coerce").mean(axis=1)
        for d in present
    }, index=df.index)


def servperf(df: pd.DataFrame) -> pd.Series:
    """SERVPERF: mean perception per dimension (performance only, no expectations needed)."""
    return dimension_scores(df, "perc").mean()


def johnson_relative_weights(X: pd.DataFrame, y: pd.Series) -> pd.Series:
    """Johnson's relative weights of each column of ``X`` for ``y``; they sum to the OLS R².

    Rows with any missing value are dropped. Raises ValueError with fewer complete rows than
    predictors + 2, or when a predictor or the outcome does not vary.
    """
    data = pd.concat([X, y.rename("__y__")], axis=1).apply(pd.to_numeric, errors="coerce").dropna()
    if len(data) < X.shape[1] + 2:
        raise ValueError(f"need at least {X.shape[1] + 2} complete answers for {X.shape[1]} drivers")
    if (data.std(ddof=0) == 0).any():
        flat = list(data.columns[data.std(ddof=0) == 0])
        raise ValueError(f"no variation in {flat}: cannot weigh drivers")
    corr = np.corrcoef(data.to_numpy(), rowvar=False)
    r_xx, r_xy = corr[:-1, :-1], corr[:-1, -1]
    eigenvalues, vectors = np.linalg.eigh(r_xx)
    eigenvalues = np.clip(eigenvalues, 0.0, None)  # round-off can make a tiny eigenvalue negative
    lam = vectors @ np.diag(np.sqrt(eigenvalues)) @ vectors.T
    beta = np.linalg.pinv(lam) @ r_xy
    weights = (lam ** 2) @ (beta ** 2)
    return pd.Series(weights, index=X.columns, name="weight")


def key_drivers(df: pd.DataFrame, outcome: str, importance_cut: float | None = None,
                performance_cut: float | None = None) -> pd.DataFrame:
    """Relative importance of each perceived dimension for ``outcome`` (e.g. satisfaction, recommend).

    Drivers are the per-respondent perception scores (:func:`dimension_scores`). Columns: weight
    (share of variance; they sum to ``attrs["r2"]``), share (% of R²), performance (mean
    perception), quadrant (:data:`IPA_QUADRANTS`). Quadrant cuts default to the mean weight and
    the mean performance across the drivers: important & below-average performance → fix_first,
    important & above → keep_up, unimportant & below → low_priority, unimportant & above →
    possible_overkill.
    """
    drivers = dimension_scores(df, "perc")
    weights = johnson_relative_weights(drivers, df[outcome])
    performance = drivers.mean()
    imp_cut = weights.mean() if importance_cut is None else importance_cut
    perf_cut = performance.mean() if performance_cut is None else performance_cut
    important, performs = weights >= imp_cut, performance >= perf_cut
    quadrant = np.select([important & ~performs, important & performs, ~important & ~performs],
                         IPA_QUADRANTS[:3], IPA_QUADRANTS[3])
    r2 = float(weights.sum())
    table = pd.DataFrame({"weight": weights, "share": 100.0 * weights / r2 if r2 else np.nan,
                          "performance": performance, "quadrant": quadrant})
    table.attrs["r2"] = r2
    return table.sort_values("weight", ascending=False)
