-- 003 on PostgreSQL (crm_core/team/schema.py): the body of ../003_promises.sql, which says what
-- each table is for, with the change PostgreSQL needs:
-- DOUBLE → DOUBLE PRECISION (the same 8-byte IEEE double; PostgreSQL has no type named DOUBLE)

CREATE SEQUENCE promise_id_seq START 1;
CREATE SEQUENCE promise_event_id_seq START 1;
CREATE SEQUENCE complaint_id_seq START 1;
CREATE SEQUENCE remedy_id_seq START 1;

CREATE TABLE promise_policies (
    policy_id     VARCHAR NOT NULL,
    version       INTEGER NOT NULL CHECK (version >= 1),
    promise_type  VARCHAR NOT NULL,
    definition    JSON NOT NULL,          -- PromisePolicy.model_dump_json(): targets, clock, ladder
    created_at    TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    created_by    VARCHAR NOT NULL,
    PRIMARY KEY (policy_id, version)
);

CREATE TABLE promises (
    promise_id        BIGINT PRIMARY KEY DEFAULT nextval('promise_id_seq'),
    customer_id       BIGINT NOT NULL,
    owner             VARCHAR NOT NULL,
    promise_type      VARCHAR NOT NULL
                      CHECK (promise_type IN ('response', 'delivery', 'service', 'waiting', 'reservation',
                                              'correction', 'check_in', 'complaint_handling', 'custom')),
    policy_id         VARCHAR NOT NULL,
    policy_version    INTEGER NOT NULL,
    clock             VARCHAR NOT NULL CHECK (clock IN ('business', 'calendar')),
    customer_class    VARCHAR CHECK (customer_class IS NULL OR customer_class IN ('A', 'B', 'C')),
    priority          VARCHAR,
    made_at           TIMESTAMPTZ NOT NULL,
    due_at            TIMESTAMPTZ NOT NULL,
    negotiated_due    BOOLEAN NOT NULL DEFAULT false,
    description       VARCHAR NOT NULL DEFAULT '',
    source            VARCHAR NOT NULL DEFAULT 'form' CHECK (source IN ('form', 'complaint', 'import')),
    complaint_id      BIGINT,
    parent_promise_id BIGINT,
    bill_amount       DECIMAL(18, 2) CHECK (bill_amount IS NULL OR bill_amount >= 0),
    -- cache, kept by the ledger (see the header)
    warn1_at          TIMESTAMPTZ NOT NULL,
    warn2_at          TIMESTAMPTZ NOT NULL,
    paused_at         TIMESTAMPTZ,
    status            VARCHAR NOT NULL DEFAULT 'open'
                      CHECK (status IN ('open', 'met', 'breached', 'cancelled')),
    closed_at         TIMESTAMPTZ,
    overrun_seconds   DOUBLE PRECISION       -- on the policy's clock, set when closed late
);

-- No primary-key index: 5M rows, read by promise_id ranges (zone maps suffice), never updated.
CREATE TABLE promise_events (
    event_id     BIGINT NOT NULL DEFAULT nextval('promise_event_id_seq'),
    promise_id   BIGINT NOT NULL,
    kind         VARCHAR NOT NULL
                 CHECK (kind IN ('made', 'paused', 'resumed', 'fulfilled', 'cancelled', 'escalated',
                                 'complained', 'remedy_granted', 'remedy_delivered', 'recomputed')),
    "at"         TIMESTAMPTZ NOT NULL,    -- quoted: AT is a keyword after an expression
    actor        VARCHAR NOT NULL,
    detail       VARCHAR NOT NULL DEFAULT '{}',   -- JSON text
    recorded_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE TABLE complaints (
    complaint_id  BIGINT PRIMARY KEY DEFAULT nextval('complaint_id_seq'),
    customer_id   BIGINT NOT NULL,
    received_at   TIMESTAMPTZ NOT NULL,
    channel       VARCHAR NOT NULL,
    description   VARCHAR NOT NULL DEFAULT '',
    owner         VARCHAR NOT NULL
);

CREATE TABLE remedies (
    remedy_id         BIGINT PRIMARY KEY DEFAULT nextval('remedy_id_seq'),
    promise_id        BIGINT NOT NULL,
    key               VARCHAR NOT NULL,
    cost              DECIMAL(18, 2) NOT NULL CHECK (cost >= 0),
    granted_at        TIMESTAMPTZ NOT NULL,
    delivered_at      TIMESTAMPTZ,
    child_promise_id  BIGINT
);
