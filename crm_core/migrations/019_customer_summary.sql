-- 019: per-customer summaries of transactions, kept in step with every write (issue 18;
-- crm_core/summaries.py says what each column means and how each write keeps it exact).
--
-- One row per customer with at least one transaction. Money as DECIMAL(18, 2), like an amount:
-- no customer's lifetime total nears 10^16, and 64-bit sums merge ~2× faster than 128-bit ones.
-- No primary key: an ART index over 10M
-- customers costs memory and import time, and every write finds its rows by a hash join.
-- Filled by crm_core.summaries when the store is opened (Store.migrate): the aggregate is written
-- once, in Python, so the migration cannot hold a second copy of it.
CREATE TABLE customer_summary (
    customer_id     BIGINT NOT NULL,
    txns            BIGINT NOT NULL,          -- transactions of any amount
    revenue         DECIMAL(18, 2) NOT NULL,  -- net: purchases and refunds (crm_core.definitions)
    purchases       BIGINT NOT NULL,          -- transactions with amount > 0
    refunds         BIGINT NOT NULL,          -- transactions with amount < 0
    refund_amount   DECIMAL(18, 2) NOT NULL,  -- their sum (≤ 0)
    first_purchase  DATE,                     -- NULL: never a purchase (refunds only)
    last_purchase   DATE,
    first_txn       DATE NOT NULL,
    last_txn        DATE NOT NULL
);

-- What the summaries were computed on: the transactions' row count, largest txn_id and data
-- version (crm_core.data_version). One row once built; a store whose transactions were changed
-- behind the app's back (a fingerprint that differs) is rebuilt before it is read.
CREATE TABLE summary_state (
    txn_count     BIGINT NOT NULL,
    max_txn_id    BIGINT,
    data_version  BIGINT NOT NULL,
    built_at      TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
