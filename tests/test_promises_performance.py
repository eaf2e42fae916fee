"""Attainment denominator rules, Wilson interval, overrun percentiles, compensation by month."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from crm_core.promises import (
    attainment,
    attainment_outcomes,
    wilson_interval,
)
from tests.reference import attainment_by, compensation_by_month, overrun_percentiles

SH = ZoneInfo("Asia/Shanghai")
WINDOW = (datetime(2025, 11, 1, tzinfo=SH), datetime(2025, 12, 1, tzinfo=SH))
NOW = datetime(2025, 11, 20, 12, tzinfo=SH)


def ts(text):
    return pd.Timestamp(text, tz="Asia/Shanghai") if text else pd.NaT


ROWS = [  # name, status, due, closed, paused, owner → expected outcome
    ("closed met in window", "met", "2025-11-05 10:00", "2025-11-05 09:00", None, "wang", "met"),
    (
        "closed breached in window",
        "breached",
        "2025-11-06 10:00",
        "2025-11-06 11:00",
        None,
        "wang",
        "breached",
    ),
    ("closed before the window", "met", "2025-10-30 10:00", "2025-10-30 09:00", None, "li", None),
    ("cancelled in window", "cancelled", "2025-11-07 10:00", "2025-11-07 09:00", None, "li", "excluded"),
    ("open, due passed in window", "open", "2025-11-10 10:00", None, None, "li", "breached"),
    ("open, not yet due", "open", "2025-11-25 10:00", None, None, "wang", "excluded"),
    # Issue 15: still open and past its due, so breached in November too although it fell due before.
    ("open, breached in October", "open", "2025-10-25 10:00", None, None, "li", "breached"),
    ("open, paused before its due", "open", "2025-11-18 10:00", None, "2025-11-15 10:00", "li", "excluded"),
    (
        "met on the window's last second",
        "met",
        "2025-11-30 23:59:59",
        "2025-11-30 23:59:59",
        None,
        "li",
        "met",
    ),
    (
        "met at the window's end (next window)",
        "met",
        "2025-12-01 00:00",
        "2025-12-01 00:00",
        None,
        "li",
        None,
    ),
]
FRAME = pd.DataFrame(
    {
        "status": [r[1] for r in ROWS],
        "due_at": pd.Series([ts(r[2]) for r in ROWS]),
        "closed_at": pd.Series([ts(r[3]) for r in ROWS], dtype="datetime64[us, Asia/Shanghai]"),
        "paused_at": pd.Series([ts(r[4]) for r in ROWS], dtype="datetime64[us, Asia/Shanghai]"),
        "owner": [r[5] for r in ROWS],
    }
)


@pytest.mark.parametrize("i", range(len(ROWS)), ids=[r[0] for r in ROWS])
def test_each_denominator_rule(i):
    outcomes = attainment_outcomes(FRAME, *WINDOW, NOW)
    assert outcomes.iloc[i] == ROWS[i][6]


def test_attainment_totals_and_wilson():
    result = attainment(FRAME, *WINDOW, NOW)
    # met: rows 1 and 9; breached: row 2, the open-breached row 5 and row 7 (open, fell due in
    # October, still open: breached in November too); excluded: 4, 6, 8.
    assert (result["met"], result["breached"], result["excluded"]) == (2, 3, 3)
    assert result["pct"] == 0.4
    # Wilson, 2 of 5, z = 1.96: d = 1 + 3.8416/5 = 1.76832; centre (0.4 + 3.8416/10) / d = 0.443449,
    # half-width 1.96·√(0.048 + 0.038416) / d = 0.325831 → (0.117618, 0.769280).
    assert result["ci_low"] == pytest.approx(0.117618, abs=1e-6)
    assert result["ci_high"] == pytest.approx(0.769280, abs=1e-6)


def test_attainment_by_owner():
    table = attainment_by(FRAME, "owner", *WINDOW, NOW)
    assert table.loc["wang", ["met", "breached", "excluded"]].tolist() == [1, 1, 1]
    assert table.loc["li", ["met", "breached", "excluded"]].tolist() == [1, 2, 2]
    with pytest.raises(ValueError):
        attainment_by(FRAME, "customer_id; DROP TABLE promises", *WINDOW, NOW)


def test_nothing_decided_gives_no_percentage():
    result = attainment(FRAME.iloc[[5]], *WINDOW, NOW)
    assert result["met"] == result["breached"] == 0 and result["excluded"] == 1
    assert result["pct"] != result["pct"]  # NaN, never a made-up 0 %


def test_wilson_hand_value():
    # 81 of 100: p = 0.81; centre (0.81 + 0.019208) / 1.038416 = 0.798532;
    # half 1.96·√(0.001539 + 0.00009604) / 1.038416 = 0.076322 → (0.722210, 0.874853).
    low, high = wilson_interval(81, 100)
    assert low == pytest.approx(0.722210, abs=1e-6) and high == pytest.approx(0.874853, abs=1e-6)


def test_overrun_percentiles_of_late_closures():
    frame = pd.DataFrame(
        {
            "status": ["breached"] * 5 + ["met"],
            "due_at": [ts("2025-11-03 10:00")] * 6,
            "closed_at": [
                ts("2025-11-03 10:00") + pd.Timedelta(seconds=s) for s in (60, 120, 180, 240, 600, -60)
            ],
        }
    )
    # Linear interpolation over 60, 120, 180, 240, 600: p50 = 180; p90 at position 3.6 = 240 + 0.6·360.
    assert overrun_percentiles(frame, *WINDOW) == {"p50": 180.0, "p90": 456.0, "n": 5}


def test_compensation_by_month():
    remedies = pd.DataFrame(
        {
            "granted_at": [ts("2025-10-31 23:30"), ts("2025-10-05 12:00"), ts("2025-11-01 00:30")],
            "delivered_at": pd.Series(
                [ts("2025-11-01 08:00"), pd.NaT, ts("2025-11-01 01:00")],
                dtype="datetime64[us, Asia/Shanghai]",
            ),
            "cost": [30.0, 40.0, 100.0],
        }
    )
    out = compensation_by_month(remedies)
    assert out.loc["2025-10"].tolist() == [2, 70.0, 1, 30.0, 40.0]
    assert out.loc["2025-11"].tolist() == [1, 100.0, 1, 100.0, 0.0]
