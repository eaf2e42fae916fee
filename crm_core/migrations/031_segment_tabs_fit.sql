-- 031: results of the Segmentation page kept by the segmentation fit job (issue 18;
-- crm_core/segmentation/fits.py) for the page's default period (the 12 months up to an analysis date),
-- so the ABC, movement, RFM, need-type and resources tabs of a user who sees every customer read a
-- few rows instead of a row per customer (joined to every customer or every interaction of the period).
--
-- fit_need_summary (model 'need_summary'): the need tab's summary of the whole store, as
-- views.need_summary counts it: customers and their revenue in the period (the exact sum of the
-- cents) per need type ('unknown': none known) and source ('none'). It reads customers.need_type,
-- which carries no data version: the fit's params.sources fingerprints it, and the reader and the job
-- treat the fit as stale when it changed.
CREATE TABLE fit_need_summary (
    fit_id       BIGINT NOT NULL,
    need_type    VARCHAR NOT NULL,
    need_source  VARCHAR NOT NULL,
    customers    BIGINT NOT NULL,
    revenue      DECIMAL(38, 2) NOT NULL
);

-- fit_segment_effort (model 'segment_effort'): each customer on file with an interaction in the period
-- whose id is at most the fit's params.max_interaction_id: how many (interactions) and what they cost
-- (cost + concession, the exact sum), with the customer's ranks of the period's revenue and margin over
-- the whole store (fit_segment_spend's; NULL: not ranked). The resources tab sums them by class (a
-- class is a range of ranks); the reader adds the interactions logged since and goes back to the live
-- query when one the fit counted is gone or a customer on file then is not now.
CREATE TABLE fit_segment_effort (
    fit_id        BIGINT NOT NULL,
    customer_id   BIGINT NOT NULL,
    revenue_rank  BIGINT,
    margin_rank   BIGINT,
    interactions  BIGINT NOT NULL,
    cost          DECIMAL(18, 2) NOT NULL
);

-- fit_segment_overview (model 'segment_overview'): the ABC tab's figures of the whole store for the
-- default classification (A the top 5 % of ranks, B the top 20 %; the 80/20 point at 20 %, the curve
-- in 200 rank buckets), per measure ('revenue', 'margin'): views.abc_overview's groups as its query
-- makes them from fit_segment_spend (doubles as that query rounds them), n the customers ranked,
-- buying the period's buyers (margin only; NULL for revenue) and total the exact sum of the measure
-- over those ranked (the same on every row of a measure; also the total of any shares' lists).
CREATE TABLE fit_segment_overview (
    fit_id      BIGINT NOT NULL,
    measure     VARCHAR NOT NULL,
    abc         VARCHAR NOT NULL,
    bucket      BIGINT NOT NULL,
    customers   BIGINT NOT NULL,
    spend       DOUBLE NOT NULL,
    first_rank  BIGINT NOT NULL,
    last_rank   BIGINT NOT NULL,
    n           BIGINT NOT NULL,
    weighted    DOUBLE NOT NULL,
    top_spend   DOUBLE NOT NULL,
    buying      BIGINT,
    total       DECIMAL(38, 2) NOT NULL
);

-- fit_segment_movement (model 'segment_movement'): the movement tab's matrix of the whole store for the
-- default classification, per measure: customers per (class in the period before, class in the
-- period; 'none': not classified), as views.class_movement counts them from fit_segment_spend.
CREATE TABLE fit_segment_movement (
    fit_id     BIGINT NOT NULL,
    measure    VARCHAR NOT NULL,
    prev_abc   VARCHAR NOT NULL,
    curr_abc   VARCHAR NOT NULL,
    customers  BIGINT NOT NULL
);

-- fit_rfm_cells (model 'rfm_cells'): the RFM tab's buyers of the whole store per (recency, frequency)
-- cell (the cells its R and F scores and segments are made from), as views.rfm_summary counts them
-- from fit_segments: how many and their revenue (the exact sum of the cents).
CREATE TABLE fit_rfm_cells (
    fit_id        BIGINT NOT NULL,
    recency_days  BIGINT NOT NULL,
    frequency     BIGINT NOT NULL,
    customers     BIGINT NOT NULL,
    revenue       DECIMAL(38, 2) NOT NULL
);
