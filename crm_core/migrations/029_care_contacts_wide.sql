-- 029: the care fit's rows (025, crm_core/care/contacts.py, model 'care_contacts') carry what the Care
-- page otherwise joins from ten million customers and twenty-five million interactions at each page
-- open (issue 18): each customer's sales_rep and created_day (created_at as a day in the store's zone,
-- the zone in the fit's params) as they were at the fit, with a digest of every rep's customers
-- (params.customers: rep, count, sum of hashes of id, rep and created_at) — while the customers digest
-- the same, the stay-in-touch list reads the kept rows alone (no join), otherwise it joins customers
-- as before and the fit job refits; and each customer's last gift (when; what: products provided,
-- else the note, of the latest gift that says, and when that one was) and last concession (when, how
-- much) over the interactions the fit counted, for the cards of the rows a page shows (the
-- interactions logged since are added by the reader, as for the last contact). A customer on file has created_day set; rows without it are interactions or classes
-- of ids no longer on file.
-- The fits kept before this migration have none of these: dropped, so the fit job fits again.
DELETE FROM model_fits WHERE model = 'care_contacts';
DELETE FROM fit_care_contacts;
ALTER TABLE fit_care_contacts ADD COLUMN sales_rep VARCHAR;
ALTER TABLE fit_care_contacts ADD COLUMN created_day DATE;
ALTER TABLE fit_care_contacts ADD COLUMN last_gift_at TIMESTAMPTZ;
ALTER TABLE fit_care_contacts ADD COLUMN last_gift VARCHAR;
ALTER TABLE fit_care_contacts ADD COLUMN last_gift_what_at TIMESTAMPTZ;
ALTER TABLE fit_care_contacts ADD COLUMN last_concession_at TIMESTAMPTZ;
ALTER TABLE fit_care_contacts ADD COLUMN last_concession DECIMAL(18, 2);
