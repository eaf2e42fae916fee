"""Saved views (issue 17): each user saves, lists and deletes only their own; names are checked;
saving and deleting are audited; the query string comes back as the page's query params."""
import pytest

from crm_core import audit, saved_views
from crm_core.users import Actor

BOTH_ENGINES = True  # the embedded file and team mode (conftest)

BOSS = Actor("boss", "manager")
REP = Actor("rep1", "rep", rep_codes=("rep1",))


def test_a_saved_view_comes_back_to_its_owner_only(store):
    saved_views.save(store, BOSS, "  A customers by profit ", "pages/segmentation.py",
                     "seg_measure=%E5%88%A9%E6%B6%A6%E8%B4%A1%E7%8C%AE&seg_tab=RFM")
    (view,) = saved_views.my_views(store, BOSS)
    assert (view.name, view.page) == ("A customers by profit", "pages/segmentation.py")
    assert view.query_params() == {"seg_measure": "利润贡献", "seg_tab": "RFM"}
    assert saved_views.my_views(store, REP) == []
    assert saved_views.delete(store, REP, view.view_id) is False  # another user's view stays
    assert len(saved_views.my_views(store, BOSS)) == 1


def test_a_repeated_parameter_such_as_a_period_is_kept_whole(store):
    query = saved_views.query_string({"seg_period": ["2025-07-01", "2026-06-30"], "as_of": ["2026-06-30"]})
    assert query == "seg_period=2025-07-01&seg_period=2026-06-30&as_of=2026-06-30"
    saved_views.save(store, BOSS, "Year", "pages/segmentation.py", query)
    (view,) = saved_views.my_views(store, BOSS)
    assert view.query_params() == {"seg_period": ["2025-07-01", "2026-06-30"], "as_of": "2026-06-30"}


def test_saving_a_name_again_replaces_the_view_and_two_users_may_share_a_name(store):
    saved_views.save(store, BOSS, "Mine", "pages/churn.py", "churn_tab=Churn+rate")
    saved_views.save(store, BOSS, "Mine", "pages/churn.py", "churn_tab=Retention+list")
    saved_views.save(store, REP, "Mine", "pages/care.py", "")
    assert [v.query for v in saved_views.my_views(store, BOSS)] == ["churn_tab=Retention+list"]
    assert [v.page for v in saved_views.my_views(store, REP)] == ["pages/care.py"]


@pytest.mark.parametrize(("name", "key"), [("", "views.err.name_empty"), ("   ", "views.err.name_empty"),
                                           ("x" * 61, "views.err.name_long"), ("a\nb", "views.err.name_unprintable")])
def test_a_bad_name_is_refused_and_nothing_is_saved(store, name, key):
    with pytest.raises(saved_views.ViewProblem) as problem:
        saved_views.save(store, BOSS, name, "pages/overview.py", "")
    assert problem.value.key == key
    assert saved_views.my_views(store, BOSS) == []


def test_sixty_characters_are_allowed_and_a_fifty_first_view_is_refused(store):
    saved_views.save(store, BOSS, "名" * 60, "pages/overview.py", "")
    for number in range(2, 51):
        saved_views.save(store, BOSS, f"view {number}", "pages/overview.py", "")
    with pytest.raises(saved_views.ViewProblem) as problem:
        saved_views.save(store, BOSS, "one too many", "pages/overview.py", "")
    assert (problem.value.key, problem.value.params) == ("views.err.too_many", {"max": 50})
    assert len(saved_views.my_views(store, BOSS)) == 50


def test_saving_replacing_and_deleting_are_audited(store):
    saved_views.save(store, BOSS, "Board", "pages/promises.py", "prom_tab=Performance")
    saved_views.save(store, BOSS, "Board", "pages/promises.py", "")
    (view,) = saved_views.my_views(store, BOSS)
    assert saved_views.delete(store, BOSS, view.view_id) is True
    log, _ = audit.audit_entries(store, BOSS, who="boss")
    rows = log[log["entity"] == "saved_view"][["action", "field", "new_value"]].fillna("").values.tolist()
    assert rows == [["view_delete", "Board", ""], ["view_replace", "Board", "pages/promises.py"],
                    ["view_save", "Board", "pages/promises.py?prom_tab=Performance"]]
