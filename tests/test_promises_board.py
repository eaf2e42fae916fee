"""The Now board from candidates kept until the next write (queries.board_listing, judged at each
run's moment by queries.judge_board): the same rows as the board read straight from the promises,
at moments before, at and long after the latest promise made, for few and many rows, with the
owner and type filters and for a rep."""
from __future__ import annotations

from contextlib import closing
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from pandas.testing import assert_frame_equal

from crm_core.promises import ledger, queries
from crm_core.users import Actor

TZ = ZoneInfo("Asia/Shanghai")


def straight(db, actor, now, owner=None, promise_type=None, limit=200):
    """The board as it was read before: one query over the promises at ``now``."""
    with closing(db.system_cursor()) as cur:
        frame = ledger.board(cur, now, queries.calendar_for(db), owner=owner, limit=limit,
                             rep_scope=actor.rep_scope, promise_type=promise_type)
    return queries._with_customers(db, frame)


def test_kept_candidates_judged_at_any_moment_give_the_board(demo_store):
    (first, last) = demo_store.query_one("SELECT min(made_at), max(made_at) FROM promises WHERE status = 'open'")
    (paused,) = demo_store.query_one("SELECT count(*) FROM promises WHERE status = 'open' AND paused_at IS NOT NULL")
    assert paused > 0  # paused promises keep their time left while the others' runs down: the order changes
    rep = Actor(demo_store.query_one("SELECT min(owner) FROM promises WHERE status = 'open'")[0], "rep")
    owner, promise_type = demo_store.query_one("SELECT owner, promise_type FROM promises WHERE status = 'open' LIMIT 1")
    moments = [first - timedelta(hours=1), last - timedelta(minutes=1), last, last + timedelta(hours=5),
               last + timedelta(days=3, seconds=7), last + timedelta(days=60)]
    shown = 0
    for actor, filters in ((Actor("boss", "manager"), {}), (Actor("boss", "manager"), {"owner": owner}),
                           (Actor("boss", "manager"), {"promise_type": promise_type}), (rep, {})):
        for limit in (2, 5, 200):
            listing = queries.board_listing(demo_store, actor, limit=limit, **filters)  # read once, before any moment
            for now in moments:
                board = queries.judge_board(demo_store, listing, actor, now.astimezone(TZ))
                assert_frame_equal(board, straight(demo_store, actor, now.astimezone(TZ), limit=limit, **filters),
                                   check_exact=True, obj=f"{actor.role} {filters} {limit} {now}")
                shown += len(board)
    assert shown > 100


def test_a_listing_read_before_a_promise_was_made_is_read_again_for_a_moment_before_it(demo_store):
    manager = Actor("boss", "manager")
    listing = queries.board_listing(demo_store, manager)
    (last,) = demo_store.query_one("SELECT max(made_at) FROM promises WHERE status = 'open'")
    assert listing.made_until == last
    earlier = (last - timedelta(seconds=1)).astimezone(TZ)
    board = queries.judge_board(demo_store, listing, manager, earlier)
    assert board["made_at"].max() < last and len(board) == len(straight(demo_store, manager, earlier))


@pytest.mark.parametrize("limit", [1, 200])
def test_now_board_is_the_straight_board(demo_store, limit):
    manager = Actor("boss", "manager")
    (last,) = demo_store.query_one("SELECT max(due_at) FROM promises WHERE status = 'open'")
    now = last.astimezone(TZ)
    assert_frame_equal(queries.now_board(demo_store, manager, now, limit=limit),
                       straight(demo_store, manager, now, limit=limit), check_exact=True)
