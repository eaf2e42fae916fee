"""Regional response style: raw and region-adjusted satisfaction side by side.

Seed 001: southern customers word their satisfaction more reservedly than northern ones, so the
same label means more satisfaction in the south. Two corrections, each returned next to the raw
score (the raw number is never replaced):

- ``zscore``: each answer as a z-score against its own region's mean and sd, re-expressed on the
  overall scale (overall mean + z × overall sd). It assumes every region's true satisfaction is
  distributed alike, so it removes real regional differences along with the style; use it to
  rank respondents within the whole base, not to compare regions.
- ``label_calibration``: each (region, label) is replaced by the repurchase-intent rate that goes
  with it in that region, and that rate is read back onto the scale through the overall
  label → rate curve (linear interpolation; read as a shift from where the label's own overall
  rate sits on that curve, so a cell exactly at its label's rate keeps its raw label). A southern 4 that goes with the repurchase rate of
  an overall 5 becomes ≈ 5. It is anchored in behaviour, so real differences survive.

  Small cells are not cut off but shrunk (empirical Bayes): with k "yes" among the cell's n
  answers with a known intent and the label's overall rate p, the cell's rate is
  (k + m·p) / (n + m). The cell's own data carries the weight n / (n + m); an empty cell is the
  label's overall rate, i.e. its raw label. The prior strength m is estimated from the data by
  the method of moments: for each label the Pearson χ² of its region × intent table has
  E[χ²] ≈ (R − 1) + ρ·(N − Σnᵣ²/N), where ρ = 1/(m + 1) is the share of a cell rate's variance
  that is real between-region difference (beta-binomial). Pooled over labels,
  ρ = Σ(χ² − (R − 1)) / Σ(N − Σnᵣ²/N) and m = 1/ρ − 1, clipped to [1, 500]
  (:data:`PRIOR_STRENGTH_RANGE`): no evidence of regional differences (ρ ≤ 0) gives m = 500,
  i.e. almost everything stays at its raw label until the data say otherwise.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from crm_core.satisfaction.labels import parse_yes_no_series

METHODS = ("zscore", "label_calibration")


def _zscore_adjusted(scores: pd.Series, regions: pd.Series) -> pd.Series:
    grouped = scores.groupby(regions)
    mean, sd = grouped.transform("mean"), grouped.transform("std")
    z = ((scores - mean) / sd).where(sd > 0, 0.0)  # a region that answered all alike has z = 0
    return scores.mean() + z * scores.std()


def _label_curve(scores: pd.Series, intent: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Overall (rate, label) points, rates forced non-decreasing so the curve can be inverted."""
    rates = intent.groupby(scores).mean().dropna().sort_index()
    return np.maximum.accumulate(rates.to_numpy(dtype=float)), rates.index.to_numpy(dtype=float)


PRIOR_STRENGTH_RANGE = (1.0, 500.0)


def prior_strength(cells: pd.DataFrame) -> float:
    """Method-of-moments prior strength m from per-(region, label) counts ``n`` (answers with a
    known intent) and ``k`` (yes), indexed by (region, label); see the module docstring.
    Labels whose overall rate is 0 or 1, or seen in one region only, carry no information.
    """
    low, high = PRIOR_STRENGTH_RANGE
    excess = spread = 0.0
    for _, cell in cells[cells["n"] > 0].groupby(level=1):
        total, yes = cell["n"].sum(), cell["k"].sum()
        rate = yes / total
        if len(cell) < 2 or rate <= 0 or rate >= 1:
            continue
        chi2 = (cell["n"] * (cell["k"] / cell["n"] - rate) ** 2).sum() / (rate * (1 - rate))
        excess += chi2 - (len(cell) - 1)
        spread += total - (cell["n"] ** 2).sum() / total
    if spread <= 0 or excess <= 0:
        return high
    return float(np.clip(spread / excess - 1.0, low, high))


def calibration_cells(scores: pd.Series, regions: pd.Series, intent: pd.Series,
                      m: float | None = None) -> pd.DataFrame:
    """Per (region, label): n (answers with a known intent), k (yes), rate = k/n, label_rate (the
    label's overall rate), weight = n/(n + m), shrunk = (k + m·label_rate)/(n + m) and the
    ``prior_strength`` m used (estimated with :func:`prior_strength` when ``m`` is None).
    """
    known = intent.notna()
    frame = pd.DataFrame({"region": regions, "label": scores, "yes": intent.where(known, 0.0),
                          "known": known.astype(float)})
    cells = frame.groupby(["region", "label"]).agg(n=("known", "sum"), k=("yes", "sum"))
    by_label = cells.groupby(level=1)[["n", "k"]].sum()
    label_rate = (by_label["k"] / by_label["n"]).where(by_label["n"] > 0)
    cells["rate"] = (cells["k"] / cells["n"]).where(cells["n"] > 0)
    cells["label_rate"] = label_rate.reindex(cells.index.get_level_values(1)).to_numpy()
    m = prior_strength(cells) if m is None else float(m)
    cells["weight"] = cells["n"] / (cells["n"] + m)
    cells["shrunk"] = (cells["k"] + m * cells["label_rate"]) / (cells["n"] + m)
    cells["prior_strength"] = m
    return cells


def _calibrated(scores: pd.Series, regions: pd.Series, intent: pd.Series,
                m: float | None) -> tuple[pd.Series, pd.Series, float]:
    curve_rates, curve_labels = _label_curve(scores, intent)
    cells = calibration_cells(scores, regions, intent, m)
    key = pd.MultiIndex.from_arrays([regions, scores])
    shrunk = cells["shrunk"].reindex(key).to_numpy()
    weight = cells["weight"].reindex(key).to_numpy()
    # Read relative to where the label's own overall rate sits on the curve, so a cell at its
    # label's rate keeps its raw label even where the curve had to be flattened to be monotone.
    label_rate = cells["label_rate"].reindex(key).to_numpy()
    mapped = np.clip(scores.to_numpy() + np.interp(np.nan_to_num(shrunk), curve_rates, curve_labels)
                     - np.interp(np.nan_to_num(label_rate), curve_rates, curve_labels),
                     curve_labels.min(), curve_labels.max())
    use = ~np.isnan(shrunk) & (weight > 0)
    adjusted = pd.Series(np.where(use, mapped, scores), index=scores.index)
    return adjusted, pd.Series(np.where(use, weight, 0.0), index=scores.index), float(cells["prior_strength"].iloc[0])


def region_adjusted(df: pd.DataFrame, score_col: str, region_col: str, method: str = "zscore",
                    repurchase_col: str = "repurchase_intent", prior_strength: float | None = None) -> pd.DataFrame:
    """Raw and region-adjusted scores per response: columns ``region``, ``raw``, ``adjusted``,
    ``intent_known`` (the answer has a yes/no repurchase intent), ``weight`` (its cell's own-data
    weight n/(n + m); NaN for ``zscore``) and ``prior_strength`` (m; NaN for ``zscore``).

    ``method`` is ``"zscore"`` or ``"label_calibration"`` (needs ``repurchase_col`` with yes/no
    answers; see the module docstring; ``prior_strength`` fixes m instead of estimating it).
    Rows without a score or region get NaN adjusted. Raises
    ValueError for an unknown method, or for calibration when no repurchase answers exist.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}")
    scores = pd.to_numeric(df[score_col], errors="coerce").astype(float)
    regions = df[region_col]
    usable = scores.notna() & regions.notna()
    s, r = scores[usable], regions[usable]
    weight, m = pd.Series(np.nan, index=s.index), np.nan
    known = pd.Series(False, index=df.index)
    if method == "zscore":
        adjusted = _zscore_adjusted(s, r)
    else:
        intent = parse_yes_no_series(df.loc[usable, repurchase_col])[0].astype(float)
        if intent.notna().sum() == 0:
            raise ValueError(f"label calibration needs repurchase answers in {repurchase_col!r}")
        adjusted, weight, m = _calibrated(s, r, intent, prior_strength)
        known.loc[intent.index] = intent.notna().to_numpy()
    return pd.DataFrame({"region": regions, "raw": scores, "adjusted": adjusted.reindex(df.index),
                         "intent_known": known, "weight": weight.reindex(df.index), "prior_strength": m})


def region_adjusted_means(adjusted: pd.DataFrame) -> pd.DataFrame:
    """Per region from :func:`region_adjusted`'s output: n, raw mean, adjusted mean, ``n_intent``
    (answers with a known repurchase intent: what the calibration rests on), ``weight`` (mean
    own-data weight n/(n + m) over the region's answers: 0 = all at the overall calibration, i.e.
    the raw label; 1 = all the region's own data) and ``prior_strength`` m (NaN for ``zscore``).
    """
    scored = adjusted[adjusted["raw"].notna()]
    return scored.groupby("region").agg(n=("raw", "count"), raw_mean=("raw", "mean"),
                                        adjusted_mean=("adjusted", "mean"), n_intent=("intent_known", "sum"),
                                        weight=("weight", "mean"), prior_strength=("prior_strength", "first"))
