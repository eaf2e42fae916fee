-- 028: the purchase model's kept rows carry each customer's type as it was when the model was fitted
-- (issue 18; crm_core/churn/fits.py), with a digest of every customer's id and type in the fit's
-- params (customer_types): when the customers a reader sees digest the same now, no type has changed
-- since and the Churn page's loss by customer type groups the kept rows alone, instead of joining
-- millions of them to customers; otherwise (a customer edited, added or deleted since, or a rep's
-- part of them) it joins customers as before. The type never makes a fit stale.
-- The fits kept before this migration have no types: dropped, so the fit job fits the model again.
DELETE FROM model_fits WHERE model = 'purchase_model';
DELETE FROM fit_purchase_model;
ALTER TABLE fit_purchase_model ADD COLUMN customer_type VARCHAR;
