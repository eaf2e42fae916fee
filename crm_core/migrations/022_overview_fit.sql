-- 022: the Home page's figures kept per customer for an analysis date (issue 18; crm_core/overview.py),
-- fitted in the background like the models of 020 (crm_core.model_fits, model 'overview'), so the
-- page sums one row per customer instead of 24-36 months of transactions. One row per customer
-- with a transaction in the 36 calendar months up to as_of (as_of's month and the 35 before it):
-- recent / prior: net revenue in (as_of - 12 months, as_of] / (as_of - 24 months, as_of - 12 months]
-- (NULL: no transaction there); bought_recent: a purchase in the first (an active customer);
-- months: bit k set when the customer made a purchase in the k-th calendar month before as_of's (k = 0: as_of's own, up to
-- as_of); m0..m35: net revenue of those months (NULL: no transaction).
CREATE TABLE fit_overview (
    fit_id         BIGINT NOT NULL,
    customer_id    BIGINT NOT NULL,
    recent         DECIMAL(18, 2),
    prior          DECIMAL(18, 2),
    bought_recent  BOOLEAN NOT NULL,
    months         UBIGINT NOT NULL,
    m0  DECIMAL(18, 2),
    m1  DECIMAL(18, 2),
    m2  DECIMAL(18, 2),
    m3  DECIMAL(18, 2),
    m4  DECIMAL(18, 2),
    m5  DECIMAL(18, 2),
    m6  DECIMAL(18, 2),
    m7  DECIMAL(18, 2),
    m8  DECIMAL(18, 2),
    m9  DECIMAL(18, 2),
    m10 DECIMAL(18, 2),
    m11 DECIMAL(18, 2),
    m12 DECIMAL(18, 2),
    m13 DECIMAL(18, 2),
    m14 DECIMAL(18, 2),
    m15 DECIMAL(18, 2),
    m16 DECIMAL(18, 2),
    m17 DECIMAL(18, 2),
    m18 DECIMAL(18, 2),
    m19 DECIMAL(18, 2),
    m20 DECIMAL(18, 2),
    m21 DECIMAL(18, 2),
    m22 DECIMAL(18, 2),
    m23 DECIMAL(18, 2),
    m24 DECIMAL(18, 2),
    m25 DECIMAL(18, 2),
    m26 DECIMAL(18, 2),
    m27 DECIMAL(18, 2),
    m28 DECIMAL(18, 2),
    m29 DECIMAL(18, 2),
    m30 DECIMAL(18, 2),
    m31 DECIMAL(18, 2),
    m32 DECIMAL(18, 2),
    m33 DECIMAL(18, 2),
    m34 DECIMAL(18, 2),
    m35 DECIMAL(18, 2)
);
