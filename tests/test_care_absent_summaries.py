"""Long-absent customers from the customer summaries: when nobody bought after the date, the
transactions are not probed at all (absence._bought_later) — the same list as from the rows."""
from __future__ import annotations

from contextlib import closing
from datetime import date

from pandas.testing import assert_frame_equal

from crm_core import summaries
from crm_core.care import absence
from tests.conftest import DEMO_AS_OF


def test_the_list_from_the_summaries_is_the_list_from_the_rows(demo_store, monkeypatch):
    with closing(demo_store.system_cursor()) as cur:
        rep = cur.execute("SELECT sales_rep FROM customers WHERE sales_rep IS NOT NULL LIMIT 1").fetchone()[0]
        assert not absence._bought_later(cur, DEMO_AS_OF) and absence._bought_later(cur, date(2026, 1, 31))
        cases = [(day, months, who) for day in (DEMO_AS_OF, date(2026, 1, 31)) for months in (1, 6)
                 for who in (None, rep)]
        fast = [absence.long_absent_list(cur, day, months, 30, who) for day, months, who in cases]
        monkeypatch.setattr(summaries, "usable", lambda db: False)
        for (day, months, who), frame in zip(cases, fast):
            assert len(frame) > 0
            assert_frame_equal(frame, absence.long_absent_list(cur, day, months, 30, who))
