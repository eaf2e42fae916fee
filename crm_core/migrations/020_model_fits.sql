-- 020: models fitted in the background (issue 18; crm_core/model_fits.py).
--
-- model_fits: one row per finished fit of a model ('purchase_model', 'purchase_rhythm',
-- 'replenishment') for an analysis date: the transactions' data version it was fitted on
-- (crm_core.data_version), the last purchase day it saw, when it finished and how long it took,
-- and its parameters as JSON (a handful of numbers, the method choice, the back-test rows). A
-- fit's per-customer results are rows of the fit_* tables with its fit_id, written before the
-- header row, so a reader never sees half a fit; rows whose header is missing (a fit that died)
-- are removed by the next run.
-- model_fit_requests: a fit someone is waiting for (a page asked for a date or a model that has
-- no current fit); requested_at is the first ask, shown as "started HH:MM".
CREATE SEQUENCE model_fit_id_seq;
CREATE TABLE model_fits (
    fit_id        BIGINT PRIMARY KEY,
    model         VARCHAR NOT NULL,
    as_of         DATE NOT NULL,
    data_version  BIGINT NOT NULL,
    data_through  DATE,
    fitted_at     TIMESTAMPTZ NOT NULL,
    seconds       DOUBLE NOT NULL,
    params        VARCHAR NOT NULL
);
CREATE TABLE model_fit_requests (
    model         VARCHAR NOT NULL,
    as_of         DATE NOT NULL,
    requested_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (model, as_of)
);
-- BG/NBD + Gamma-Gamma: one row per customer who bought up to as_of; value columns over the
-- default horizon (12 months, discounted 1 % a month); abc: the class over the 12 months to as_of.
-- The model's numbers may be NULL (NaN in the fit: too few buyers to say).
CREATE TABLE fit_purchase_model (
    fit_id              BIGINT NOT NULL,
    customer_id         BIGINT NOT NULL,
    abc                 VARCHAR NOT NULL,
    frequency           BIGINT NOT NULL,
    recency             DOUBLE,
    "T"                 DOUBLE,
    monetary_value      DOUBLE,
    p_alive             DOUBLE,
    spend_per_purchase  DOUBLE,
    purchases_if_alive  DOUBLE,
    value_if_alive      DOUBLE,
    clv                 DOUBLE,
    expected_loss       DOUBLE,
    value_6             DOUBLE,  -- value_if_alive over the page's other horizons (6, 24, 36 months):
    value_24            DOUBLE,  -- the Churn page's tables and retention list are then one query
    value_36            DOUBLE   -- at any horizon it offers, never a million rows in pandas
);
-- Every buyer's purchase rhythm (crm_core.churn.lapsed.purchase_rhythm_sql).
CREATE TABLE fit_purchase_rhythm (
    fit_id           BIGINT NOT NULL,
    customer_id      BIGINT NOT NULL,
    purchases        BIGINT NOT NULL,
    last_purchase    DATE NOT NULL,
    days_since_last  BIGINT NOT NULL,
    median_gap_days  DOUBLE,
    gap_source       VARCHAR NOT NULL,
    revenue_at_risk  DOUBLE
);
-- The replenishment forecast of every customer-product (crm_core.care.replenishment), by the
-- method the back-test chose (the choice and the back-test are in model_fits.params).
CREATE TABLE fit_replenishment (
    fit_id         BIGINT NOT NULL,
    customer_id    BIGINT NOT NULL,
    product        VARCHAR NOT NULL,
    purchases      BIGINT NOT NULL,
    last_purchase  DATE NOT NULL,
    last_quantity  DOUBLE,
    rate_per_day   DOUBLE,
    method         VARCHAR NOT NULL,
    days_left      DOUBLE,
    run_out        DATE NOT NULL
);
