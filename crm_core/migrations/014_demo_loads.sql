-- 014: the store remembers that it holds demo data, so the app can say so (issue 17, "Signals").
--
-- crm_core.demo.load_demo writes one row in the transaction that loads the demo, with the range of
-- customer ids it created (the demo uses explicit ids 1..n). The app shows its demo-data banner
-- while a customer in that range is still in the store (crm_core.demo.demo_customers_left).
CREATE TABLE demo_loads (
    loaded_at          TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    first_customer_id  BIGINT NOT NULL,
    last_customer_id   BIGINT NOT NULL,
    seed               BIGINT,
    as_of              DATE
);

-- Stores filled with demo data before this migration: the demo's customers are the ones whose
-- code is the generator's own rule ('C' + the id in seven digits) and that no import created.
INSERT INTO demo_loads (first_customer_id, last_customer_id)
SELECT min(customer_id), max(customer_id) FROM customers
WHERE import_id IS NULL AND code = 'C' || lpad(customer_id::VARCHAR, 7, '0')
HAVING count(*) > 0;
