"""Customer segmentation (客户细分), docs/domain.md §2.

ABC classes (seed 002) and their concentration (80/20 share, Gini, Lorenz curve); movement of
customers between classes; big-customer identification by revenue and by non-monetary value
(seed 001); RFM segments; need types (seed 001); resource allocation by tier (seed 000).

Every function is a pure function over pandas DataFrames, except the ``*_sql`` ones, which take
a DuckDB connection or cursor as their first argument, run one parameterised query over the
store's tables (migrations/001_foundation.sql) and return a DataFrame. Periods are calendar
dates, both ends inclusive. Money comes back as float (DOUBLE) except in ``allocate_budget``,
which works in ``Decimal``. Labels are stable English keys; their display text lives in
``crm_core/locales/segmentation.py`` under ``seg.*``.
"""
from crm_core.segmentation.abc import (  # noqa: F401
    ABC_CLASSES,
    ABC_COLUMNS,
    MEASURES,
    MIGRATION_CLASSES,
    abc_class_codes_sql,
    abc_classes_frame,
    abc_classify,
    abc_classify_sql,
    ceil_count,
    exact_share,
    gini_coefficient,
    lorenz_points,
    pareto_summary,
)
from crm_core.segmentation.allocation import (  # noqa: F401
    ALLOCATION_TIERS,
    CENT,
    CLASS_TO_TIER,
    allocate_budget,
)
from crm_core.segmentation.history import (  # noqa: F401
    DEMO_HISTORY_MONTHS,
    HISTORY_MONTHS,
    HISTORY_RULE,
    class_history,
    history_span,
    history_window,
    last_closed_month_end,
    load_demo,
    record_class_history,
)
from crm_core.segmentation.needs import (  # noqa: F401
    HIGH_RELATIVE_PRICE,
    LOW_RELATIVE_PRICE,
    NEED_TYPES,
    PRICE_DISCOUNT_SHARE,
    VALUE_DISCOUNT_SHARE,
    infer_need_type,
    need_features_sql,
)
from crm_core.segmentation.rfm import (  # noqa: F401
    RFM_SEGMENT_RULES,
    RFM_SEGMENTS,
    quintile_score,
    quintile_sql,
    rfm_scores,
    rfm_table_sql,
    segment_sql,
    segment_summary,
)
from crm_core.segmentation.value import (  # noqa: F401
    DEFAULT_NONMONETARY_WEIGHTS,
    NEUTRAL_SCORE,
    NONMONETARY_FACTORS,
    TOP_GRADES,
    VALUE_TIERS,
    ValueGrid,
    customer_features_sql,
    months_in_period,
    nonmonetary_scores,
    percentile_score,
    top_n_graded,
    value_grid,
)
from crm_core.segmentation.views import (  # noqa: F401
    LIST_COLUMNS,
    MOVEMENT_COLUMNS,
    AbcOverview,
    Movement,
    SegmentQuery,
    ValueView,
    abc_overview,
    abc_overview_and_page,
    allocation_plan,
    class_customers,
    class_explanation,
    class_movement,
    class_movement_and_page,
    classified_frame,
    default_period,
    effort_by_class,
    extra_features_sql,
    movement_customers,
    need_members,
    need_summary,
    need_view,
    previous_period,
    rfm_members,
    rfm_summary,
    rfm_view,
    survey_answers_linked,
    top_customers,
    value_view,
    with_customer_names,
)
