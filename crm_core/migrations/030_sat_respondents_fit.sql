-- 030: what the satisfaction fit job (issue 18; crm_core/satisfaction/fits.py) keeps besides 027's
-- spend, so the quadrant and non-response tabs read kept rows instead of every answer and customer.
--
-- fit_sat_respondents (model 'sat_respondents', the default analysis date): one row per customer
-- with a 1-5 answer, as report.respondents_12m counts them live: the latest answer's satisfaction
-- and repurchase intent, its day, the transactions and spend of the 12 months up to the date (0
-- without any; spend read as DOUBLE like the live sum), and the customer's columns the member lists
-- show (on_file false, the rest NULL, for an answer of a customer no longer on file); written in a
-- member list's order within the quadrants of the default thresholds. The params hold everyone's
-- quadrant cells and versions of the answers and customers read from their rows: the quadrants
-- come from here while the answers are the same, the lists' customer columns while the customers are.
CREATE TABLE fit_sat_respondents (
    fit_id       BIGINT NOT NULL,
    customer_id  BIGINT NOT NULL,
    sat          SMALLINT NOT NULL,
    intent       BOOLEAN,
    answered_on  DATE NOT NULL,
    purchases    BIGINT NOT NULL,
    spend        DOUBLE NOT NULL,
    on_file      BOOLEAN NOT NULL,
    code         VARCHAR,
    name         VARCHAR,
    region       VARCHAR,
    sales_rep    VARCHAR
);

-- fit_sat_nonresponse (model 'sat_nonresponse', the start of the latest wave): the non-response
-- table of that wave for the whole base as report.nonresponse returns it, row_no its row (from 0).
-- Kept while the transactions, the answers and the customers are those it was made from (params:
-- the wave and the versions of the answers and customers).
CREATE TABLE fit_sat_nonresponse (
    fit_id           BIGINT NOT NULL,
    row_no           INTEGER NOT NULL,
    variable         VARCHAR NOT NULL,
    level            VARCHAR NOT NULL,
    respondents      DOUBLE,
    non_respondents  DOUBLE,
    p_value          DOUBLE,
    measure          VARCHAR NOT NULL,
    difference       DOUBLE,
    p_holm           DOUBLE,
    significant      BOOLEAN NOT NULL
);
