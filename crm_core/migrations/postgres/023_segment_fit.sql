-- 023 on PostgreSQL (crm_core/team/schema.py): the body of ../023_segment_fit.sql, which says what
-- each table is for, with the change PostgreSQL needs:
-- DOUBLE → DOUBLE PRECISION (the same 8-byte IEEE double)
CREATE TABLE fit_segments (
    fit_id          BIGINT NOT NULL,
    customer_id     BIGINT NOT NULL,
    recency_days    BIGINT,            -- days from the last purchase to as_of (NULL: no purchase)
    frequency       BIGINT NOT NULL,   -- days with a purchase
    monetary        DOUBLE PRECISION,  -- net amount of the period's transactions
    discount_share  DOUBLE PRECISION,
    relative_price  DOUBLE PRECISION,
    tenure_days     BIGINT,
    repeat_rate     DOUBLE PRECISION NOT NULL,
    spend_cv        DOUBLE PRECISION
);
