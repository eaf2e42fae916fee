-- 010: a customer's phone as it was typed, beside the one normalised form the app stores.
--
-- customers.phone holds the normalised form (13800138000, 021-12345678-8001, 4008208820; the rule
-- is in crm_core/models.py above MOBILE_CN); phone_typed keeps what the file or the form said
-- (+86 138-0013-8000, （021）1234-5678 转8001) when it differs, NULL when it does not. The import
-- backups carry it too, so undoing an import restores both.

ALTER TABLE customers ADD COLUMN phone_typed VARCHAR;
ALTER TABLE import_customer_backups ADD COLUMN phone_typed VARCHAR;
