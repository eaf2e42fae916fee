-- 012: finding a customer by the pinyin initials of the name (issue 17, "find anyone").
--
-- name_initials holds the first letter of each syllable of the name in lower case, ASCII letters
-- and digits kept as they are (南京金信商贸 → njjxsm, ABC酒店 → abcjd), so typing "njjx" finds the
-- customer with one scan of a short column instead of converting a million names on every search.
-- Written only by crm_core.customer_search (name_initials / refresh_name_initials) on every path
-- that writes a name: the customer form, imports (and their undo, through the backup copy below),
-- the demo generator. Rows of a store made before this migration are filled when the app opens it
-- (crm_core.app_state), once.

ALTER TABLE customers ADD COLUMN name_initials VARCHAR;
ALTER TABLE import_customer_backups ADD COLUMN name_initials VARCHAR;
