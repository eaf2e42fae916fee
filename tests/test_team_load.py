"""The team-mode load test (bench/team_load.py, issue 19) at a small size in the suite: two app
processes behind nginx, two browser sessions each (one Chinese, one English) reading, editing and
importing for 20 s. Every write a session saw succeed must be in PostgreSQL and shown by both
processes, and no page may show an exception or an error. The full size (10 sessions per process,
60 s) is run by ``python -m bench.team_load`` and reported in bench/README.md."""
from __future__ import annotations

import pytest

from bench import team_load

pytestmark = pytest.mark.browser


def test_sessions_on_two_processes_lose_nothing_and_see_no_error(tmp_path):
    result = team_load.measure(tmp_path, sessions=2, seconds=20, customers=300)
    assert result["errors_shown"] == []
    # the first action goes by the session's number (read, edit, import, read): each kind happened
    assert {"start", "read", "edit", "import"} <= set(result["actions"])
    assert result["actions"]["start"]["count"] == 4
    postgres = result["postgres"]
    assert postgres["edits_confirmed"] >= 1 and postgres["imported_rows_confirmed"] >= team_load.IMPORT_ROWS
    assert postgres["edits_lost"] == [] and postgres["imported_rows_missing"] == 0
    assert len(result["processes"]) == 2
    for seen in result["processes"].values():  # each process shows every edited and imported customer
        assert seen["looked_up"] == postgres["customers_edited"] + postgres["imported_rows_confirmed"] // team_load.IMPORT_ROWS
        assert seen["not_shown"] == []
    assert result["refresh_lag"]["refreshes"] >= 1  # the other process's writes reached each copy
