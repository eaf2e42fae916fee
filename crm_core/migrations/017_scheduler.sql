-- 017: the state of the scheduled jobs (issue 20; crm_core/scheduler.py).
--
-- One row per job a capability declares (Capability.jobs), made the first time a runner sees it.
-- next_run_at: when it is due next (from its rule; "run now" on the Admin page sets it to now).
-- last_*: how the last run went: when it started and finished, how long it took, whether it
-- succeeded, the counts it returned (a JSON object, e.g. {"sessions": 3}) or the error text
-- (truncated). failures: consecutive failed runs (0 after a good one); runs: runs ever.
-- lease_owner / lease_until: the runner running it now. A runner takes the lease in one UPDATE that
-- also checks the job is due and no live lease exists, so two runners never run a job twice; a
-- lease left by a runner that died expires at lease_until.
CREATE TABLE scheduler_jobs (
    job               VARCHAR PRIMARY KEY,
    next_run_at       TIMESTAMPTZ NOT NULL,
    last_started_at   TIMESTAMPTZ,
    last_finished_at  TIMESTAMPTZ,
    last_seconds      DOUBLE,
    last_ok           BOOLEAN,
    last_result       VARCHAR,
    last_error        VARCHAR,
    failures          INTEGER NOT NULL DEFAULT 0,
    runs              BIGINT NOT NULL DEFAULT 0,
    lease_owner       VARCHAR,
    lease_until       TIMESTAMPTZ
);
