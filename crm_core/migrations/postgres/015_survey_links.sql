-- 015 on PostgreSQL (crm_core/team/schema.py): the body of ../015_survey_links.sql, which says what
-- each table is for, with the change PostgreSQL needs:
-- BLOB → BYTEA (PostgreSQL's byte string)

-- Which questions a wave asks: the SERVQUAL block (expectation and perception, five dimensions) or not.
ALTER TABLE survey_waves ADD COLUMN asks_servqual BOOLEAN NOT NULL DEFAULT TRUE;

CREATE SEQUENCE survey_invitation_id_seq START 1;
CREATE TABLE survey_invitations (
    invitation_id BIGINT PRIMARY KEY DEFAULT nextval('survey_invitation_id_seq'),
    wave_id       BIGINT NOT NULL,
    customer_id   BIGINT NOT NULL,
    channel       VARCHAR NOT NULL CHECK (channel IN ('sms', 'email', 'wechat', 'other')),
    created_at    TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    used_at       TIMESTAMPTZ,
    response_id   BIGINT,
    created_by    VARCHAR NOT NULL,
    CHECK (expires_at > created_at)
);

-- The server's signing secret: one row, 32 random bytes made by Python's secrets module on first
-- use (crm_core.satisfaction.links.signing_secret). Readable by the system only (crm_core.access).
CREATE TABLE survey_link_secret (
    id         SMALLINT PRIMARY KEY CHECK (id = 1),
    secret     BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
