-- 027: each customer's transactions and spend over the 12 months up to a date (last_12_months: the
-- satisfaction page's window), kept by the satisfaction fit job (issue 18; crm_core/satisfaction/fits.py,
-- model 'sat_spend') for the default analysis date (the quadrant tab's loyalty measures) and for the
-- start of the latest survey wave (the non-response tab's spend), so those tabs join one kept row per
-- customer instead of grouping a year of transactions. One row per customer with a transaction in
-- the window: purchases = how many (every row, refunds included, as the live count), spend = their
-- exact sum (DECIMAL(18, 2), as an amount; read as DOUBLE like the live sum).
CREATE TABLE fit_sat_spend (
    fit_id       BIGINT NOT NULL,
    customer_id  BIGINT NOT NULL,
    purchases    BIGINT NOT NULL,
    spend        DECIMAL(18, 2) NOT NULL
);
