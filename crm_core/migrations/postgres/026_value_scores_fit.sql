-- 026 on PostgreSQL (crm_core/team/schema.py): the body of ../026_value_scores_fit.sql, which says what
-- each table is for, with the change PostgreSQL needs:
-- DOUBLE → DOUBLE PRECISION (the same 8-byte IEEE double) and TINYINT → SMALLINT
-- checked to -128 .. 127 (PostgreSQL has no 1-byte integer)
CREATE TABLE fit_value_scores (
    fit_id       BIGINT NOT NULL,
    customer_id  BIGINT NOT NULL,
    rank         BIGINT NOT NULL,
    spend        DOUBLE PRECISION NOT NULL,
    loyalty      DOUBLE PRECISION,
    stability    DOUBLE PRECISION,
    tolerance    DOUBLE PRECISION,
    feedback     DOUBLE PRECISION,
    referrals    DOUBLE PRECISION,
    credit       DOUBLE PRECISION,
    influence    DOUBLE PRECISION,
    score        DOUBLE PRECISION NOT NULL,
    tier         SMALLINT NOT NULL CHECK (tier BETWEEN -128 AND 127)
);
