-- 018: a persistent version of the store's data (issue 18; crm_core/data_version.py).
--
-- One row per committed change of a kind of data ("transactions", ...), written in the same
-- transaction as the change. The version of a kind is its largest change_id: it survives restarts,
-- so a model fitted on version 41 is known to be stale once version 42 exists. An append-only log
-- rather than one counter row, so two writers never update the same row.
CREATE SEQUENCE data_change_id_seq;
CREATE TABLE data_changes (
    change_id   BIGINT PRIMARY KEY DEFAULT nextval('data_change_id_seq'),
    kind        VARCHAR NOT NULL,
    changed_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
