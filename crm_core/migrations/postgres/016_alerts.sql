-- 016 on PostgreSQL (crm_core/team/schema.py): the body of ../016_alerts.sql, which says what
-- each table is for, with the change PostgreSQL needs:
-- BLOB → BYTEA (PostgreSQL's byte string)
CREATE SEQUENCE alert_channel_id_seq START 1;
CREATE TABLE alert_channels (
    channel_id  BIGINT PRIMARY KEY DEFAULT nextval('alert_channel_id_seq'),
    kind        VARCHAR NOT NULL CHECK (kind IN ('email', 'wecom', 'dingtalk', 'feishu')),
    name        VARCHAR NOT NULL UNIQUE,
    config      VARCHAR NOT NULL DEFAULT '{}',   -- JSON text
    enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

-- alert_contacts: a person as promises.owner writes them (the sales-rep code, customers.sales_rep /
-- accounts.rep_codes), where to reach them, who their manager is (escalations), their language.
CREATE TABLE alert_contacts (
    person      VARCHAR PRIMARY KEY,
    email       VARCHAR,
    mobile      VARCHAR,                          -- for @-mentions in group-robot messages
    manager     VARCHAR,                          -- another person of this table
    language    VARCHAR NOT NULL DEFAULT 'zh' CHECK (language IN ('zh', 'en')),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

-- alert_outbox: one row per message to one recipient through one channel. dedupe_key is UNIQUE and
-- rows are inserted with ON CONFLICT DO NOTHING, so a scan run twice, or after a restart, queues
-- nothing twice. The text is rendered when queued (the recipient's language), so a retry sends
-- exactly what the first attempt tried. not_before: quiet hours (the next business opening);
-- next_attempt_at: the back-off after a failure.
CREATE SEQUENCE alert_id_seq START 1;
CREATE TABLE alert_outbox (
    alert_id         BIGINT PRIMARY KEY DEFAULT nextval('alert_id_seq'),
    dedupe_key       VARCHAR NOT NULL UNIQUE,
    kind             VARCHAR NOT NULL,            -- warning_1, warning_2, breach, escalation, complaint,
                                                  -- compensation_due, weekly_report, test
    promise_id       BIGINT,
    recipient        VARCHAR NOT NULL,            -- the person, or the address of a report recipient
    channel_id       BIGINT NOT NULL,
    address          VARCHAR,                     -- e-mail address, or the mobile to @-mention
    subject          VARCHAR NOT NULL,
    body             VARCHAR NOT NULL,
    html             VARCHAR,
    attachment       BYTEA,
    attachment_name  VARCHAR,
    created_at       TIMESTAMPTZ NOT NULL,
    not_before       TIMESTAMPTZ NOT NULL,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    status           VARCHAR NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    sent_at          TIMESTAMPTZ,
    last_error       VARCHAR
);

-- alert_settings: small admin settings by key (the weekly report's addresses and language), JSON text.
CREATE TABLE alert_settings (
    key         VARCHAR PRIMARY KEY,
    value       VARCHAR NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
