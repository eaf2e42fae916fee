-- 026: the big-customer tab's non-monetary value of every customer the default classification ranks
-- (revenue over the Segmentation page's default period, the 12 months up to an analysis date, > 0;
-- the whole store), kept by the segmentation fit job (issue 18; crm_core/segmentation/fits.py, model
-- 'value_scores'), so the tab of a user who sees every customer reads its grid and one page of its
-- lists instead of ranking every customer's features. Rows as views.value_base / scored_values make
-- them: rank and spend (the period's revenue, as a double) of the classification, each factor's
-- 0..100 score (NULL: the factor has no data), and the score and tier of the default weights (every
-- factor 1; tier 0 high, 1 medium, 2 low). The factors from customers.influence, complaints and
-- survey answers are read at fit time: the fit's params.sources fingerprints them, and the reader
-- and the job treat the fit as stale when they changed.
CREATE TABLE fit_value_scores (
    fit_id       BIGINT NOT NULL,
    customer_id  BIGINT NOT NULL,
    rank         BIGINT NOT NULL,
    spend        DOUBLE NOT NULL,
    loyalty      DOUBLE,
    stability    DOUBLE,
    tolerance    DOUBLE,
    feedback     DOUBLE,
    referrals    DOUBLE,
    credit       DOUBLE,
    influence    DOUBLE,
    score        DOUBLE NOT NULL,
    tier         TINYINT NOT NULL
);
