-- 032: what the Promises page's performance tab reads of the promises, kept by the promise fit job
-- (issue 18; crm_core/promises/fits.py). A promise or a remedy changes only with a new promise event
-- (the ledger only grows), so each fit records the events it saw (how many, the latest id) and the
-- time zone of its days: while both are the same, its rows are the promises as they are. The tab's
-- window [start, end) is read as the whole days (in the store's time zone) kept here and the
-- promises closed in its first and last part-days, counted live. Company-wide: a rep's tab is live.
--
-- Closed promises (met, breached, cancelled) counted per day closed, type, rep, customer class and
-- status, and every open promise, one row each with its due and pause (n = 1; day NULL), judged
-- at the page's moment: attainment by type, rep, class and month (model 'promise_outcomes').
CREATE TABLE fit_promise_outcomes (
    fit_id          BIGINT NOT NULL,
    day             DATE,
    promise_type    VARCHAR NOT NULL,
    owner           VARCHAR NOT NULL,
    customer_class  VARCHAR,
    status          VARCHAR NOT NULL,
    due_at          TIMESTAMPTZ,
    paused_at       TIMESTAMPTZ,
    n               BIGINT NOT NULL
);
-- Remedies per day granted and remedy: owed and delivered, counts and exact cost sums
-- (compensation by month and by remedy; model 'promise_remedies').
CREATE TABLE fit_promise_remedies (
    fit_id           BIGINT NOT NULL,
    day              DATE NOT NULL,
    key              VARCHAR NOT NULL,
    owed_count       BIGINT NOT NULL,
    owed_cost        DECIMAL(38, 2) NOT NULL,
    delivered_count  BIGINT NOT NULL,
    delivered_cost   DECIMAL(38, 2) NOT NULL
);
-- Every promise closed late, one row each with when it closed (overrun percentiles are not sums of
-- days: the window's rows are read; model 'promise_overruns'). Seconds as the live query reads them.
CREATE TABLE fit_promise_overruns (
    fit_id           BIGINT NOT NULL,
    closed_at        TIMESTAMPTZ NOT NULL,
    policy_id        VARCHAR NOT NULL,
    promise_type     VARCHAR NOT NULL,
    clock            VARCHAR NOT NULL,
    overrun_seconds  DOUBLE,
    wall_seconds     DOUBLE NOT NULL
);
-- Every business-hours promise with a policy's time limit closed met or breached, one row each:
-- met as promised, met had the limit run in calendar time, and its lead time in seconds
-- (business hours vs calendar time; model 'promise_clocks').
CREATE TABLE fit_promise_clocks (
    fit_id          BIGINT NOT NULL,
    closed_at       TIMESTAMPTZ NOT NULL,
    promise_type    VARCHAR NOT NULL,
    met             BOOLEAN NOT NULL,
    calendar_met    BOOLEAN NOT NULL,
    lead_seconds    DOUBLE NOT NULL
);
