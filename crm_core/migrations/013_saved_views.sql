-- 013: named views a user saved (issue 17): a page and its query string (filters, period, open tab),
-- opened later from the sidebar. Each user sees and deletes only their own (crm_core.saved_views);
-- a view holds no data, so opening it shows only what the reader may see.
CREATE SEQUENCE saved_view_id_seq START 1;
CREATE TABLE saved_views (
    view_id      BIGINT PRIMARY KEY DEFAULT nextval('saved_view_id_seq'),
    owner        VARCHAR NOT NULL,          -- the account name (Actor.name)
    name         VARCHAR NOT NULL,
    page         VARCHAR NOT NULL,          -- the page script, e.g. pages/segmentation.py
    query        VARCHAR NOT NULL DEFAULT '',  -- the URL's query string without '?'
    created_at   TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    UNIQUE (owner, name)
);
