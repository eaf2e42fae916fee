-- 021: each customer's activity at an analysis date, kept by the churn fit job (issue 18;
-- crm_core/churn/activity.py), so the Churn page's churn rates, churn per segment and funnel read
-- one row per customer instead of every transaction. One row per customer with a transaction up
-- to as_of. The masks: bit k = a transaction in period (first + k) of the fit's parameters, NULL
-- when the data spans more than 64 such periods (the page then counts from the transactions).
CREATE TABLE fit_churn_activity (
    fit_id            BIGINT NOT NULL,
    customer_id       BIGINT NOT NULL,
    month_mask        UBIGINT,
    quarter_mask      UBIGINT,
    year_mask         UBIGINT,
    purchased_before  BOOLEAN NOT NULL,  -- a purchase in the previous 12 months (the churn base)
    purchased_recent  BOOLEAN NOT NULL,  -- a purchase in the last 12 months
    base_abc          VARCHAR,           -- ABC class over the previous 12 months (NULL: not classed)
    base_spend        DECIMAL(18, 2),    -- spend over the previous 12 months (abc_classify_sql's, in cents)
    bought_twice      BOOLEAN NOT NULL,  -- transactions on two or more days (the funnel's repeat)
    active_recent     BOOLEAN NOT NULL,  -- any transaction in the last 12 months (the funnel's loyal)
    active_before     BOOLEAN NOT NULL,  -- any transaction in the previous 12 months
    customer_known    BOOLEAN NOT NULL   -- in customers when fitted (the funnel's whole-store tally)
);
