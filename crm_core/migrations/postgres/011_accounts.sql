-- 011 on PostgreSQL (crm_core/team/schema.py): the body of ../011_accounts.sql, which says what
-- each table is for, with the change PostgreSQL needs:
-- VARCHAR[] DEFAULT [] → TEXT[] DEFAULT '{}' (PostgreSQL has no [] list literal; an
-- unbounded VARCHAR and TEXT are the same type there)
CREATE TABLE accounts (
    name           VARCHAR PRIMARY KEY,
    display_name   VARCHAR NOT NULL DEFAULT '',
    role           VARCHAR NOT NULL CHECK (role IN ('admin', 'manager', 'analyst', 'rep', 'viewer')),
    rep_codes      TEXT[]    NOT NULL DEFAULT '{}',
    password_hash  VARCHAR NOT NULL,
    enabled        BOOLEAN NOT NULL DEFAULT TRUE,
    managed_by     VARCHAR NOT NULL DEFAULT 'admin' CHECK (managed_by IN ('file', 'admin')),
    created_at     TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

-- sessions: one row per signed-in browser. The cookie carries a random token; only its SHA-256 is
-- kept here, so this table (or a backup of it) cannot be turned back into a working cookie.
-- A session ends at expires_at (absolute), after the idle limit since last_seen_at, or when its row
-- is deleted (sign-out, password change, account disabled).
CREATE TABLE sessions (
    token_hash    VARCHAR PRIMARY KEY,
    account       VARCHAR NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL,
    address       VARCHAR
);
CREATE INDEX sessions_account ON sessions (account);

-- sign_in_failures: recent failed sign-ins by the name typed (at most 64 characters) and the
-- client's address, for the attempt limits (crm_core/sessions.py). Rows older than a day are pruned.
CREATE TABLE sign_in_failures (
    name       VARCHAR NOT NULL,
    address    VARCHAR,
    failed_at  TIMESTAMPTZ NOT NULL
);
