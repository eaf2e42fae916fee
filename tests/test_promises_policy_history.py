"""The policy editor's version history is cached until the next write: a rerun does not re-count
the promises of every version, and a saved version or a new promise shows at once."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from crm_core.i18n import t
from crm_core.promises import actions, ledger
from crm_core.store import open_store
from crm_core.users import Actor
from tests.app_pages import page_app

NOW = datetime(2026, 6, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
MANAGER = Actor("boss", "manager")


def _history(app):
    (frame,) = [d.value for d in app.dataframe if t("promises.col.promises", "en") in d.value.columns
                and t("promises.col.version", "en") in d.value.columns]
    return frame


def test_history_follows_saves_and_new_promises(demo_app):
    db = open_store(demo_app)  # the store the app shares: its writes move the cache's generation
    app = page_app("promises.py", "en", promises_now=NOW, prom_tab=t("promises.tab.policies", "en"),
                   prom_pol_pick="hotel_check_in")
    assert not app.exception, [e.value for e in app.exception]
    before = _history(app)
    versions = len(before)
    made = db.query_one("SELECT count(*) FROM promises WHERE policy_id = 'hotel_check_in'")[0]
    assert before[t("promises.col.promises", "en")].sum() == made  # the promises column counts every promise of the policy
    actions.make_promise(db, MANAGER, 1, "hotel_check_in", NOW, owner="boss")
    app.run()
    assert _history(app)[t("promises.col.promises", "en")].sum() == made + 1
    base = ledger.load_policy(db.cursor(), "hotel_check_in")
    actions.save_policy_version(db, MANAGER, base, {"target": base.target + timedelta(minutes=1)})
    app.run()
    after = _history(app)
    assert len(after) == versions + 1 and after[t("promises.col.version", "en")].iloc[0] == base.version + 1  # newest first
