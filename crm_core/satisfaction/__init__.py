"""Satisfaction surveys (docs/domain.md §4).

One module per capability; the public functions are re-exported here so pages can write
``from crm_core import satisfaction`` and call ``satisfaction.nps(...)``.

- :mod:`.scores` — NPS (adjusted-Wald interval) and CSAT (Wilson intervals), NPS z test
- :mod:`.labels` — satisfaction labels (zh/en, 1..5) and yes/no answers
- :mod:`.trend` — per-period trend and group-vs-rest breakdowns with significance (α = 0.05)
- :mod:`.loyalty` — satisfaction ladder, satisfaction × loyalty quadrants, word-of-mouth arithmetic
- :mod:`.servqual` — SERVQUAL gaps, SERVPERF, key drivers (Johnson's relative weights)
- :mod:`.regional` — raw vs region-adjusted scores (response style)
- :mod:`.comments` — top words and dissatisfied/satisfied contrast
- :mod:`.nonresponse` — respondents vs non-respondents
- :mod:`.queries` — the same aggregates computed in DuckDB over ``survey_responses``
"""
from crm_core.satisfaction.comments import top_words, word_contrast
from crm_core.satisfaction.labels import (
    parse_satisfaction,
    parse_satisfaction_series,
    parse_yes_no,
    parse_yes_no_series,
)
from crm_core.satisfaction.loyalty import (
    ICEBERG_PRESETS,
    QUADRANTS,
    complaint_iceberg,
    ladder_from_counts,
    little_swan_reach,
    loyalty_quadrant_of,
    measured_complaint_ratio,
)
from crm_core.satisfaction.nonresponse import nonresponse_check
from crm_core.satisfaction.regional import region_adjusted, region_adjusted_means
from crm_core.satisfaction.scores import CSATResult, NPSResult, csat, csat_table, nps, nps_table
from crm_core.satisfaction.servqual import (
    DIMENSIONS,
    IPA_QUADRANTS,
    dimension_scores,
    johnson_relative_weights,
    key_drivers,
    servperf,
)
from crm_core.satisfaction.trend import (
    breakdown_from_counts,
    satisfaction_trend,
    trend_from_counts,
)

__all__ = [
    "top_words", "word_contrast", "parse_satisfaction", "parse_satisfaction_series", "parse_yes_no",
    "parse_yes_no_series", "ICEBERG_PRESETS", "QUADRANTS", "complaint_iceberg",
    "ladder_from_counts", "little_swan_reach", "loyalty_quadrant_of",
    "measured_complaint_ratio", "nonresponse_check", "region_adjusted",
    "region_adjusted_means", "CSATResult", "NPSResult", "csat", "csat_table", "nps", "nps_table",
    "DIMENSIONS", "IPA_QUADRANTS", "dimension_scores", "johnson_relative_weights",
    "key_drivers", "servperf", "breakdown_from_counts",
    "satisfaction_trend", "trend_from_counts",
]
