-- 002: what the import center needs beyond the `imports` register of 001.
--
-- import_customer_backups: the old values of every customer an import updated (one row per
--   customer per import), so undo restores them. Same columns as `customers` (no constraints).
-- import_mappings: the column mapping a user confirmed, per kind and header layout.
-- import_rejects: rows an import left out (--skip-invalid), with the reason, to fix and re-import.

ALTER TABLE imports ADD COLUMN encoding VARCHAR;
ALTER TABLE imports ADD COLUMN rows_read BIGINT;
ALTER TABLE imports ADD COLUMN file_bytes BIGINT;
ALTER TABLE imports ADD COLUMN undone_by VARCHAR;

CREATE TABLE import_customer_backups AS
    SELECT CAST(NULL AS BIGINT) AS backup_import_id, * FROM customers LIMIT 0;

CREATE TABLE import_mappings (
    kind        VARCHAR NOT NULL,
    signature   VARCHAR NOT NULL,
    headers     VARCHAR NOT NULL,
    mapping     VARCHAR NOT NULL,
    actor       VARCHAR,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (kind, signature)
);

CREATE TABLE import_rejects (
    import_id    BIGINT NOT NULL,
    row_number   BIGINT NOT NULL,
    column_name  VARCHAR,
    field        VARCHAR,
    value        VARCHAR,
    message_key  VARCHAR NOT NULL,
    param        VARCHAR
);
