-- 008: staging tables for importing promises and promise events through the import center.
--
-- The import center writes validated rows here (kinds "promises" and "promise_events" in
-- crm_core/promises/import_kind.py); crm_core.promises.import_kind.apply_import then makes the
-- promises through the ledger's rules (bulk: due times on the business calendar) and records the
-- events one by one, in time order, stamping the ids it created. Promises themselves are
-- append-only, so an applied import is never undone by deleting rows.

CREATE TABLE promise_import_rows (
    import_id       BIGINT NOT NULL,
    customer_id     BIGINT NOT NULL,
    external_ref    VARCHAR,               -- the source system's id, for events imported later
    policy_id       VARCHAR NOT NULL,
    owner           VARCHAR NOT NULL,
    made_at         TIMESTAMPTZ NOT NULL,
    due_at          TIMESTAMPTZ,           -- a negotiated date; NULL = the policy's time limit
    description     VARCHAR,
    customer_class  VARCHAR,
    bill_amount     DECIMAL(18, 2),
    promise_id      BIGINT                 -- set when applied
);

CREATE TABLE promise_event_import_rows (
    import_id    BIGINT NOT NULL,
    promise_ref  VARCHAR NOT NULL,         -- an imported promise's external_ref, or a Kehu promise number
    event_kind   VARCHAR NOT NULL,
    occurred_at  TIMESTAMPTZ NOT NULL,
    actor        VARCHAR,
    event_id     BIGINT,                   -- set when applied
    problem      VARCHAR                   -- catalog key when the event could not be applied
);
