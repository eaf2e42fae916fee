-- 005: per-customer contact frequency overrides for "stay in touch" (crm_core.care.contacts).
-- A customer without a row here is contacted at the default interval of its ABC class.
-- No FOREIGN KEY: see 001 (the crm_core writers keep customer_id valid).

CREATE TABLE contact_frequency (
    customer_id  BIGINT PRIMARY KEY,
    every_days   INTEGER NOT NULL CHECK (every_days > 0),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
