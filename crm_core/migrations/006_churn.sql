-- 006: churn events (客户流失记录) — who left, when, why, and whether the reason was within our
-- control (domain.md §5). Entered by form on the Churn page or imported; the Pareto of reasons
-- and the controllable share are computed from this table.
--
-- No FOREIGN KEY clauses, for the reasons given in 001; crm_core.churn.events is the only writer
-- and keeps customer_id valid. `reason` is a key of crm_core.churn.reasons.REASONS. `controllable` is
-- stored so a manager may judge a case differently from the reason's category; NULL (an imported file
-- without that column) means "as the reason's category says" and is read through
-- crm_core.churn.events.CONTROLLABLE_SQL.

CREATE SEQUENCE churn_event_id_seq START 1;

CREATE TABLE churn_events (
    event_id      BIGINT PRIMARY KEY DEFAULT nextval('churn_event_id_seq'),
    customer_id   BIGINT NOT NULL,
    churned_on    DATE NOT NULL,
    reason        VARCHAR NOT NULL CHECK (reason IN (
                      'moved', 'changed_trade', 'bankrupt', 'better_product', 'poor_service',
                      'poor_product', 'price_too_high', 'rep_left', 'cross_territory_dumping', 'other')),
    controllable  BOOLEAN,
    note          VARCHAR,
    recorded_at   TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    recorded_by   VARCHAR,
    import_id     BIGINT
);
