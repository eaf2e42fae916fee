-- 001: the customer master file, its key dates, the interaction (investment) log,
-- transactions, the audit trail and the import register.
--
-- Why no FOREIGN KEY clauses: DuckDB rewrites a row whose indexed column changes as
-- delete + insert, so a customer with transactions could never have its code corrected,
-- and FK checks would slow a 10M-row import. Referential integrity is enforced by the
-- crm_core writers and verified by Store.integrity_problems().

CREATE SEQUENCE customer_id_seq START 1;
CREATE SEQUENCE interaction_id_seq START 1;
CREATE SEQUENCE txn_id_seq START 1;
CREATE SEQUENCE key_date_id_seq START 1;
CREATE SEQUENCE audit_id_seq START 1;
CREATE SEQUENCE import_id_seq START 1;

CREATE TABLE customers (
    customer_id      BIGINT PRIMARY KEY DEFAULT nextval('customer_id_seq'),
    code             VARCHAR NOT NULL UNIQUE,
    name             VARCHAR NOT NULL,
    customer_type    VARCHAR NOT NULL DEFAULT 'individual'
                     CHECK (customer_type IN ('corporate', 'channel', 'individual')),
    tenure_stage     VARCHAR NOT NULL DEFAULT 'new'
                     CHECK (tenure_stage IN ('new', 'old', 'potential')),
    region           VARCHAR,
    country          VARCHAR NOT NULL DEFAULT 'CN',
    province         VARCHAR,
    city             VARCHAR,
    address          VARCHAR,
    postal_code      VARCHAR,
    contact_person   VARCHAR,
    phone            VARCHAR,
    email            VARCHAR,
    bank_account     VARCHAR,
    currency         VARCHAR NOT NULL DEFAULT 'CNY',
    payment_terms    VARCHAR,
    discount_terms   VARCHAR,
    tax_category     VARCHAR,
    credit_limit     DECIMAL(18, 2) CHECK (credit_limit IS NULL OR credit_limit >= 0),
    open_balance     DECIMAL(18, 2),
    sales_rep        VARCHAR,
    commission_code  VARCHAR,
    delivery_address VARCHAR,
    invoice_address  VARCHAR,
    capital_strength VARCHAR,
    business_scope   VARCHAR,
    stock_on_hand    VARCHAR,
    need_type        VARCHAR CHECK (need_type IS NULL OR need_type IN ('price', 'value', 'composite')),
    birthday         DATE,
    preferences      VARCHAR,
    notes            VARCHAR,
    household_size   INTEGER CHECK (household_size IS NULL OR household_size > 0),
    payday           SMALLINT CHECK (payday IS NULL OR payday BETWEEN 1 AND 31),
    influence        SMALLINT CHECK (influence IS NULL OR influence BETWEEN 1 AND 5),
    -- analysis data (统计分析资料)
    attitude             VARCHAR,
    contract_fulfilment  VARCHAR,
    frictions            VARCHAR,
    credit_standing      VARCHAR,
    competitor_dealings  VARCHAR,
    needs_potential      VARCHAR,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    version          INTEGER NOT NULL DEFAULT 1,
    import_id        BIGINT
);

CREATE TABLE key_dates (
    key_date_id  BIGINT PRIMARY KEY DEFAULT nextval('key_date_id_seq'),
    customer_id  BIGINT NOT NULL,
    kind         VARCHAR NOT NULL CHECK (kind IN ('founding', 'anniversary', 'custom')),
    label        VARCHAR,
    day          DATE NOT NULL
);

CREATE TABLE interactions (
    interaction_id    BIGINT PRIMARY KEY DEFAULT nextval('interaction_id_seq'),
    customer_id       BIGINT NOT NULL,
    occurred_at       TIMESTAMPTZ NOT NULL,
    place             VARCHAR,
    channel           VARCHAR NOT NULL
                      CHECK (channel IN ('visit', 'phone', 'wechat', 'email', 'event', 'gift')),
    rep               VARCHAR,
    cost              DECIMAL(18, 2) NOT NULL DEFAULT 0 CHECK (cost >= 0),
    concession        DECIMAL(18, 2) NOT NULL DEFAULT 0 CHECK (concession >= 0),
    products_provided VARCHAR,
    note              VARCHAR,
    import_id         BIGINT
);

-- No primary-key index on transactions: an ART index over 10M rows costs memory and
-- import time, and nothing looks a transaction up by id except undo (by import_id).
CREATE TABLE transactions (
    txn_id        BIGINT NOT NULL DEFAULT nextval('txn_id_seq'),
    customer_id   BIGINT NOT NULL,
    txn_date      DATE NOT NULL,
    amount        DECIMAL(18, 2) NOT NULL,
    order_id      VARCHAR,
    product       VARCHAR,
    quantity      DECIMAL(18, 3),
    gross_margin  DECIMAL(18, 2),
    discount      DECIMAL(18, 2),
    import_id     BIGINT
);

CREATE TABLE audit_log (
    audit_id     BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
    logged_at    TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    actor        VARCHAR NOT NULL,
    action       VARCHAR NOT NULL,
    entity       VARCHAR NOT NULL,
    entity_id    BIGINT,
    field        VARCHAR,
    old_value    VARCHAR,
    new_value    VARCHAR
);

CREATE TABLE imports (
    import_id      BIGINT PRIMARY KEY DEFAULT nextval('import_id_seq'),
    imported_at    TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    actor          VARCHAR NOT NULL,
    file_name      VARCHAR NOT NULL,
    sha256         VARCHAR NOT NULL,
    kind           VARCHAR NOT NULL,
    mode           VARCHAR NOT NULL,
    rows_created   BIGINT NOT NULL DEFAULT 0,
    rows_updated   BIGINT NOT NULL DEFAULT 0,
    rows_rejected  BIGINT NOT NULL DEFAULT 0,
    undone_at      TIMESTAMPTZ
);
