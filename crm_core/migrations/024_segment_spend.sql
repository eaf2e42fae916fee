-- 024: each customer's totals over the Segmentation page's default period (the 12 months up to an
-- analysis date) and over the period before it (``previous_period``), with their ranks over the
-- whole store, kept by the segmentation fit job (issue 18; crm_core/segmentation/fits.py, model
-- 'segment_spend'), so the ABC, movement and resources tabs, a customer's class and the Customers
-- list's class read one row per customer instead of ranking every transaction of the period.
-- One row per customer with a transaction in either period. Money as DECIMAL(18, 2), as the live
-- reads rank it: the exact sums (NULL: no transaction, or no margin recorded, in that period).
-- A rank is the customer's place among those whose total is > 0 (total descending, then
-- customer_id; NULL for the others): the classes of a user who sees every customer.
CREATE TABLE fit_segment_spend (
    fit_id              BIGINT NOT NULL,
    customer_id         BIGINT NOT NULL,
    revenue             DECIMAL(18, 2),
    margin              DECIMAL(18, 2),
    revenue_rank        BIGINT,
    margin_rank         BIGINT,
    prior_revenue       DECIMAL(18, 2),
    prior_margin        DECIMAL(18, 2),
    prior_revenue_rank  BIGINT,
    prior_margin_rank   BIGINT
);
