-- 025: what the Care page's stay-in-touch list needs of each customer at an analysis date, kept by
-- the care fit job (issue 18; crm_core/care/contacts.py, model 'care_contacts'), so the list reads one
-- row per customer instead of grouping every interaction and joining a year's ABC ranking. One row per
-- customer with a class or an interaction whose id is at most the fit's params.max_interaction_id:
-- abc is the customer's class over the 12 months up to as_of (crm_core.care.board.customer_classes;
-- NULL: none), last_contact the day (in the store's zone) of the latest of those interactions on or
-- before as_of (NULL: none by then), interactions how many there are (any day) — the reader checks
-- these counts against the interactions table, so an interaction deleted since (an import undone)
-- sends the page back to the live query, and adds the interactions logged since (id above the fit's).
CREATE TABLE fit_care_contacts (
    fit_id        BIGINT NOT NULL,
    customer_id   BIGINT NOT NULL,
    abc           VARCHAR,
    last_contact  DATE,
    interactions  BIGINT NOT NULL
);
