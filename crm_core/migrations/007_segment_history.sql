-- 007: class history (客户分类变动记录) for the Segmentation page and the customer 360 view.
--
-- One snapshot per closed month: the standard ABC classes (revenue, A = top 5%, B = top 20%
-- minus A) over the 12 calendar months ending at month_end. Only changes are stored: a row in
-- segment_class_changes says that at month_end the customer's class differed from the month
-- before ('none' = no net purchase in that window), so a million customers cost a few rows each.
-- Derived data, written only by crm_core.segmentation (record_class_history, load_demo).
-- No FOREIGN KEY clauses, for the reasons given in 001.

CREATE TABLE segment_snapshots (
    month_end    DATE PRIMARY KEY,
    period_start DATE NOT NULL,
    measure      VARCHAR NOT NULL,
    a_share      VARCHAR NOT NULL,
    b_share      VARCHAR NOT NULL,
    customers    BIGINT NOT NULL,          -- classified customers in that window
    recorded_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);

CREATE TABLE segment_class_changes (
    month_end    DATE NOT NULL,
    customer_id  BIGINT NOT NULL,
    prev_abc     VARCHAR NOT NULL CHECK (prev_abc IN ('A', 'B', 'C', 'none')),
    abc          VARCHAR NOT NULL CHECK (abc IN ('A', 'B', 'C', 'none')),
    rank         BIGINT,                   -- in the new class's window; NULL for 'none'
    spend        DECIMAL(38, 2)
);
