-- Team mode's change log (issue 19, "Analytics stay DuckDB-fast"): which keys of which tables
-- changed, and by which transaction. crm_core.team.replica explains the design; this file is run by
-- install_change_log after migrate_postgres, every time (it is idempotent), and the per-table
-- triggers are created there from the catalog.

CREATE SEQUENCE IF NOT EXISTS row_change_seq;

-- One row per (table, key): the latest change only, so the log grows with the keys ever changed,
-- not with the number of writes.
CREATE TABLE IF NOT EXISTS row_changes (
    table_name text   NOT NULL,
    row_key    jsonb  NOT NULL,  -- the replica key's values as a JSON array in key order; [] = the whole table
    change_no  bigint NOT NULL DEFAULT nextval('row_change_seq'),  -- global order of the changes
    xid        xid8   NOT NULL DEFAULT pg_current_xact_id(),  -- the writing transaction: what readers filter on
    PRIMARY KEY (table_name, row_key)
);
-- When the change was made (the statement's time, before its commit): a refresh reports how long
-- the oldest change it copied waited, on PostgreSQL's clock (no clock skew between machines).
ALTER TABLE row_changes ADD COLUMN IF NOT EXISTS changed_at timestamptz NOT NULL DEFAULT clock_timestamp();
CREATE INDEX IF NOT EXISTS row_changes_by_xid ON row_changes (xid);

-- The statement-level trigger of every replicated table (INSERT, UPDATE, DELETE through transition
-- tables; TRUNCATE by reading the keys before they go). TG_ARGV[0] is the key expression over one
-- row, e.g. jsonb_build_array("txn_id"), made from the catalog by install_change_log.
CREATE OR REPLACE FUNCTION record_row_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    key_sql text := TG_ARGV[0];
    source  text;
BEGIN
    source := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT %s AS k FROM new_rows', key_sql)
        WHEN 'DELETE' THEN format('SELECT %s AS k FROM old_rows', key_sql)
        -- an UPDATE may move a row to another key: both keys changed
        WHEN 'UPDATE' THEN format('SELECT %1$s AS k FROM old_rows UNION SELECT %1$s FROM new_rows', key_sql)
        ELSE format('SELECT %s AS k FROM %I.%I', key_sql, TG_TABLE_SCHEMA, TG_TABLE_NAME)  -- TRUNCATE
    END;
    -- DISTINCT: ON CONFLICT DO UPDATE may not touch one row twice in a statement.
    EXECUTE format('INSERT INTO row_changes (table_name, row_key) SELECT DISTINCT %L, k FROM (%s) AS s '
                   'ON CONFLICT (table_name, row_key) DO UPDATE '
                   'SET change_no = EXCLUDED.change_no, xid = EXCLUDED.xid, changed_at = EXCLUDED.changed_at', TG_TABLE_NAME, source);
    RETURN NULL;
END
$$;

-- The data version of the whole team (TeamStore): a write that changes data (Store.transaction's
-- changes_data) adds one in its transaction, and a process whose refresh finds another number ends
-- its cached reads; bookkeeping writes (sessions, the scheduler's leases) leave it, as in the
-- embedded mode. Not replicated: each refresh reads it in its snapshot.
CREATE TABLE IF NOT EXISTS team_generation (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    generation bigint  NOT NULL DEFAULT 0
);
INSERT INTO team_generation DEFAULT VALUES ON CONFLICT DO NOTHING;
-- Which restore the data comes from (crm_core.team.backup.restore sets a new value after each one):
-- a process whose copy was filled at another value refills it from scratch, since the restored rows
-- carry the dump's change log and xids, which an incremental refresh cannot see. The dump brings its
-- own value back, so the restore sets it after pg_restore, above every value seen before.
ALTER TABLE team_generation ADD COLUMN IF NOT EXISTS restore_no bigint NOT NULL DEFAULT 0;
