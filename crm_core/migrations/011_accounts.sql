-- 011: the people who sign in, their sessions, and failed sign-ins (issue 16).
--
-- accounts: one row per login. rep_codes are the customers.sales_rep values (业务员) whose customers a
-- rep owns (empty: the login name itself). managed_by says where the account is kept: 'file' for
-- one read from users.toml (CRM_USERS; the file wins while it lists the account), 'admin' for one
-- made or changed on the Admin page. A disabled account cannot sign in and its sessions end.
-- Passwords are stored only as argon2id hashes.
CREATE TABLE accounts (
    name           VARCHAR PRIMARY KEY,
    display_name   VARCHAR NOT NULL DEFAULT '',
    role           VARCHAR NOT NULL CHECK (role IN ('admin', 'manager', 'analyst', 'rep', 'viewer')),
    rep_codes      VARCHAR[] NOT NULL DEFAULT [],
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
