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
  label → rate curve (linear interpolation). A southern 4 that goes with the repurchase rate of
  an overall 5 becomes ≈ 5. It is anchored in behaviour, so real differences survive. Cells with
  fewer than ``min_cell`` answers with a known intent are too thin to calibrate and keep their
  raw label.
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


def _calibrated(scores: pd.Series, regions: pd.Series, intent: pd.Series, min_cell: int) -> pd.Series:
    curve_rates, curve_labels = _label_curve(scores, intent)
    cells = intent.groupby([regions, scores])
    rate, thick = cells.transform("mean"), cells.transform("count") >= min_cell
    mapped = np.interp(rate.fillna(0).to_numpy(), curve_rates, curve_labels)
    return pd.Series(np.where(thick & rate.notna(), mapped, scores), index=scores.index)


def region_adjusted(df: pd.DataFrame, score_col: str, region_col: str, method: str = "zscore",
                    repurchase_col: str = "repurchase_intent", min_cell: int = 30) -> pd.DataFrame:
    """Raw and region-adjusted scores per response: columns ``region``, ``raw``, ``adjusted``.

    ``method`` is ``"zscore"`` or ``"label_calibration"`` (needs ``repurchase_col`` with yes/no
    answers; see the module docstring). Rows without a score or region get NaN adjusted. Raises
    ValueError for an unknown method, or for calibration when no repurchase answers exist.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}; got {method!r}")
    scores = pd.to_numeric(df[score_col], errors="coerce").astype(float)
    regions = df[region_col]
    usable = scores.notna() & regions.notna()
    s, r = scores[usable], regions[usable]
    if method == "zscore":
        adjusted = _zscore_adjusted(s, r)
    else:
        intent = parse_yes_no_series(df.loc[usable, repurchase_col])[0].astype(float)
        if intent.notna().sum() == 0:
            raise ValueError(f"label calibration needs repurchase answers in {repurchase_col!r}")
        adjusted = _calibrated(s, r, intent, min_cell)
    return pd.DataFrame({"region": regions, "raw": scores, "adjusted": adjusted.reindex(df.index)})


def region_adjusted_means(adjusted: pd.DataFrame) -> pd.DataFrame:
    """Per region: n, raw mean and adjusted mean, from :func:`region_adjusted`'s output."""
    return adjusted.groupby("region").agg(n=("raw", "count"), raw_mean=("raw", "mean"),
                                          adjusted_mean=("adjusted", "mean"))
