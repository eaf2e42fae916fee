-- 017 on PostgreSQL (crm_core/team/schema.py): the body of ../017_scheduler.sql, which says what
-- each table is for, with the change PostgreSQL needs:
-- DOUBLE → DOUBLE PRECISION (the same 8-byte IEEE double)
CREATE TABLE scheduler_jobs (
    job               VARCHAR PRIMARY KEY,
    next_run_at       TIMESTAMPTZ NOT NULL,
    last_started_at   TIMESTAMPTZ,
    last_finished_at  TIMESTAMPTZ,
    last_seconds      DOUBLE PRECISION,
    last_ok           BOOLEAN,
    last_result       VARCHAR,
    last_error        VARCHAR,
    failures          INTEGER NOT NULL DEFAULT 0,
    runs              BIGINT NOT NULL DEFAULT 0,
    lease_owner       VARCHAR,
    lease_until       TIMESTAMPTZ
);
