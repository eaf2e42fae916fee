-- 023: each customer's RFM figures, need signals and value features over the Segmentation page's
-- default period (the 12 months up to an analysis date), kept by the segmentation fit job (issue 18;
-- crm_core/segmentation/fits.py), so the big-customer, RFM and need tabs read one row per customer
-- instead of every transaction. One row per customer with a transaction in the period; only what
-- the transactions give (need_type and influence are joined from customers when read).
CREATE TABLE fit_segments (
    fit_id          BIGINT NOT NULL,
    customer_id     BIGINT NOT NULL,
    recency_days    BIGINT,            -- days from the last purchase to as_of (NULL: no purchase)
    frequency       BIGINT NOT NULL,   -- days with a purchase
    monetary        DOUBLE,            -- net amount of the period's transactions
    discount_share  DOUBLE,
    relative_price  DOUBLE,
    tenure_days     BIGINT,
    repeat_rate     DOUBLE NOT NULL,
    spend_cv        DOUBLE
);
