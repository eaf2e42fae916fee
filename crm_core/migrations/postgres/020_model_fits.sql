-- 020 on PostgreSQL (crm_core/team/schema.py): the body of ../020_model_fits.sql, which says what
-- each table is for, with the change PostgreSQL needs:
-- DOUBLE → DOUBLE PRECISION (the same 8-byte IEEE double)
CREATE SEQUENCE model_fit_id_seq;
CREATE TABLE model_fits (
    fit_id        BIGINT PRIMARY KEY,
    model         VARCHAR NOT NULL,
    as_of         DATE NOT NULL,
    data_version  BIGINT NOT NULL,
    data_through  DATE,
    fitted_at     TIMESTAMPTZ NOT NULL,
    seconds       DOUBLE PRECISION NOT NULL,
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
    recency             DOUBLE PRECISION,
    "T"                 DOUBLE PRECISION,
    monetary_value      DOUBLE PRECISION,
    p_alive             DOUBLE PRECISION,
    spend_per_purchase  DOUBLE PRECISION,
    purchases_if_alive  DOUBLE PRECISION,
    value_if_alive      DOUBLE PRECISION,
    clv                 DOUBLE PRECISION,
    expected_loss       DOUBLE PRECISION,
    value_6             DOUBLE PRECISION,  -- value_if_alive over the page's other horizons (6, 24, 36 months):
    value_24            DOUBLE PRECISION,  -- the Churn page's tables and retention list are then one query
    value_36            DOUBLE PRECISION   -- at any horizon it offers, never a million rows in pandas
);
-- Every buyer's purchase rhythm (crm_core.churn.lapsed.purchase_rhythm_sql).
CREATE TABLE fit_purchase_rhythm (
    fit_id           BIGINT NOT NULL,
    customer_id      BIGINT NOT NULL,
    purchases        BIGINT NOT NULL,
    last_purchase    DATE NOT NULL,
    days_since_last  BIGINT NOT NULL,
    median_gap_days  DOUBLE PRECISION,
    gap_source       VARCHAR NOT NULL,
    revenue_at_risk  DOUBLE PRECISION
);
-- The replenishment forecast of every customer-product (crm_core.care.replenishment), by the
-- method the back-test chose (the choice and the back-test are in model_fits.params).
CREATE TABLE fit_replenishment (
    fit_id         BIGINT NOT NULL,
    customer_id    BIGINT NOT NULL,
    product        VARCHAR NOT NULL,
    purchases      BIGINT NOT NULL,
    last_purchase  DATE NOT NULL,
    last_quantity  DOUBLE PRECISION,
    rate_per_day   DOUBLE PRECISION,
    method         VARCHAR NOT NULL,
    days_left      DOUBLE PRECISION,
    run_out        DATE NOT NULL
);
