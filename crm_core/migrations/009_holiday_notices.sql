-- 009: a year's State Council holiday notice (放假安排), entered or imported by a manager.
--
-- One row per day the notice names: 'holiday' (closed) or 'workday' (a make-up working day, 调休).
-- A year with rows here is complete: the business calendar uses these days and the weekly hours for
-- that year, not the chinese-calendar package nor the statutory fallback (docs/domain.md §3).
-- Entering a notice replaces that year's rows (audited); open promises it moves get a
-- 'recomputed' event (crm_core/promises/notices.py).

CREATE TABLE holiday_notices (
    day         DATE PRIMARY KEY,
    kind        VARCHAR NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name        VARCHAR,
    year        INTEGER NOT NULL,
    entered_by  VARCHAR,
    entered_at  TIMESTAMPTZ
);
