-- 021 on PostgreSQL (crm_core/team/schema.py): the body of ../021_churn_activity.sql, which says what
-- each table is for, with the change PostgreSQL needs:
-- UBIGINT → NUMERIC(20, 0) checked to 0 .. 2^64 - 1: PostgreSQL has no unsigned
-- 64-bit integer, and a BIGINT would turn a mask with bit 63 set negative
CREATE TABLE fit_churn_activity (
    fit_id            BIGINT NOT NULL,
    customer_id       BIGINT NOT NULL,
    month_mask        NUMERIC(20, 0) CHECK (month_mask BETWEEN 0 AND 18446744073709551615),
    quarter_mask      NUMERIC(20, 0) CHECK (quarter_mask BETWEEN 0 AND 18446744073709551615),
    year_mask         NUMERIC(20, 0) CHECK (year_mask BETWEEN 0 AND 18446744073709551615),
    purchased_before  BOOLEAN NOT NULL,  -- a purchase in the previous 12 months (the churn base)
    purchased_recent  BOOLEAN NOT NULL,  -- a purchase in the last 12 months
    base_abc          VARCHAR,           -- ABC class over the previous 12 months (NULL: not classed)
    base_spend        DECIMAL(18, 2),    -- spend over the previous 12 months (abc_classify_sql's, in cents)
    bought_twice      BOOLEAN NOT NULL,  -- transactions on two or more days (the funnel's repeat)
    active_recent     BOOLEAN NOT NULL,  -- any transaction in the last 12 months (the funnel's loyal)
    active_before     BOOLEAN NOT NULL,  -- any transaction in the previous 12 months
    customer_known    BOOLEAN NOT NULL   -- in customers when fitted (the funnel's whole-store tally)
);
