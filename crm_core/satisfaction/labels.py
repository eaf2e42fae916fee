"""Reading survey answers as typed: satisfaction labels (zh/en) and yes/no answers.

The 5-point scale is the one of seed 004: 高度满意 5 / 一般满意 4 / 无意见 3 / 有些不满意 2 /
极不满意 1, with the English labels and the digits 1..5 as alternatives. Text is NFKC-normalised
(full-width digits and spaces become ASCII), trimmed and compared case-insensitively.

The Series versions are vectorised: each distinct text is looked up once, so 500,000 answers
with a handful of distinct labels cost a handful of lookups.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

SATISFACTION_LABELS: dict[str, int] = {
    "高度满意": 5, "一般满意": 4, "无意见": 3, "有些不满意": 2, "极不满意": 1,
    "highly satisfied": 5, "generally satisfied": 4, "satisfied": 4, "no opinion": 3, "neutral": 3,
    "somewhat dissatisfied": 2, "very dissatisfied": 1,
    **{str(k): k for k in range(1, 6)}, **{f"{k}.0": k for k in range(1, 6)},
}
YES_NO_LABELS: dict[str, bool] = {
    "是": True, "否": False, "yes": True, "no": False, "y": True, "n": False,
    "1": True, "0": False, "1.0": True, "0.0": False, "true": True, "false": False,
}


def _normalised_text(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(lower-cased NFKC text, missing mask); blanks count as missing."""
    text = values.astype("string").str.normalize("NFKC").str.strip().str.lower()
    missing = values.isna() | text.isna() | (text == "")
    return text, missing


def _parsed_series(values, table: dict) -> tuple[pd.Series, pd.Series]:
    series = pd.Series(values)
    text, missing = _normalised_text(series)
    codes, uniques = pd.factorize(text.fillna(""))
    looked_up = np.array([table.get(u, np.nan) for u in uniques], dtype=object)
    parsed = pd.Series(looked_up[codes] if len(codes) else [], index=series.index, dtype=object)
    errors = parsed.isna() & ~missing
    return parsed, errors


def parse_satisfaction_series(values) -> tuple[pd.Series, pd.Series]:
    """Vectorised :func:`parse_satisfaction`: returns ``(scores, errors)``.

    ``scores`` is float (1..5, NaN where missing or unreadable); ``errors`` is a bool mask of the
    answers that were present but not a known label — blanks are missing, not errors.
    """
    parsed, errors = _parsed_series(values, SATISFACTION_LABELS)
    return parsed.astype(float), errors


def parse_satisfaction(value) -> int:
    """A satisfaction answer as 1..5 from a zh/en label or the digits 1..5.

    Raises ValueError naming the value otherwise (including blanks and True/False).
    """
    scores, errors = parse_satisfaction_series([value])
    if errors.iloc[0] or pd.isna(scores.iloc[0]):
        raise ValueError(f"not a satisfaction answer: {value!r}")
    return int(scores.iloc[0])


def parse_yes_no_series(values) -> tuple[pd.Series, pd.Series]:
    """Yes/no answers (是/否/yes/no/y/n/1/0/true/false) as a nullable boolean Series + error mask."""
    parsed, errors = _parsed_series(values, YES_NO_LABELS)
    return parsed.astype("boolean"), errors


def parse_yes_no(value) -> bool:
    """One yes/no answer as bool; raises ValueError naming the value otherwise."""
    answers, errors = parse_yes_no_series([value])
    if errors.iloc[0] or pd.isna(answers.iloc[0]):
        raise ValueError(f"not a yes/no answer: {value!r}")
    return bool(answers.iloc[0])
