"""Sessions that last and end, and attempt limits that a reload does not reset (issue 16, findings 3, 7).

Each test names the finding it checks. Times are passed in (``now=``), never waited for."""
from datetime import UTC, datetime, timedelta

import pytest

from crm_core import accounts, sessions
from crm_core.store import Store
from crm_core.users import Actor

T0 = datetime(2026, 6, 30, 9, 0, tzinfo=UTC)
ADMIN = Actor("root", "admin")


@pytest.fixture
def db(store):
    accounts.create(store, Actor("setup", "admin"), "root", "admin", "root password")
    accounts.create(store, ADMIN, "boss", "manager", "boss password", "王经理")
    accounts.create(store, ADMIN, "wangfang", "rep", "rep password 1", "王芳", ["王芳"])
    return store


def _audit(db: Store, action: str) -> list[tuple]:
    cur = db.cursor()
    try:
        return cur.execute("SELECT actor, field, new_value FROM audit_log WHERE action = ? ORDER BY audit_id",
                           [action]).fetchall()
    finally:
        cur.close()


def test_a_sign_in_gives_a_token_whose_hash_alone_is_stored(db):
    outcome = sessions.sign_in(db, "wangfang", "rep password 1", "10.0.0.7", now=T0)
    assert outcome.error is None and len(outcome.token) >= 43  # 32 random bytes, base64
    stored = db.query_df("SELECT token_hash, account, expires_at FROM sessions")
    assert stored["token_hash"].tolist() == [sessions.token_hash(outcome.token)]
    assert outcome.token not in stored.to_string()
    assert stored["expires_at"][0] == T0 + timedelta(days=7)
    account = sessions.account_for(db, outcome.token, now=T0 + timedelta(minutes=1))
    assert (account.name, account.display_name, account.rep_codes) == ("wangfang", "王芳", ("王芳",))
    assert _audit(db, "sign_in") == [("wangfang", None, "10.0.0.7")]


def test_unknown_user_and_wrong_password_get_the_same_answer(db):
    unknown = sessions.sign_in(db, "nobody", "whatever123", "10.0.0.7", now=T0)
    wrong = sessions.sign_in(db, "wangfang", "whatever123", "10.0.0.7", now=T0)
    assert unknown == wrong == sessions.SignIn(error="auth.wrong_credentials")
    assert _audit(db, "sign_in_failed") == [("nobody", "wrong_credentials", "10.0.0.7"),
                                            ("wangfang", "wrong_credentials", "10.0.0.7")]


def test_five_failures_lock_the_account_for_15_minutes_from_any_address(db):
    for minute in range(5):  # one guess a minute, each from another address
        outcome = sessions.sign_in(db, "wangfang", "guess", f"10.0.1.{minute}", now=T0 + timedelta(minutes=minute))
    assert outcome.error == "auth.wrong_credentials"
    assert outcome.locked_until == T0 + timedelta(minutes=4 + 15)  # the message can say until when
    right = sessions.sign_in(db, "wangfang", "rep password 1", "10.0.9.9", now=T0 + timedelta(minutes=18))
    assert right == sessions.SignIn(error="auth.locked", locked_until=T0 + timedelta(minutes=19))
    assert sessions.sign_in(db, "boss", "boss password", "10.0.9.9", now=T0 + timedelta(minutes=18)).token
    # refused attempts are not recorded, so the lock ends 15 minutes after the fifth failure
    assert sessions.sign_in(db, "wangfang", "rep password 1", "10.0.9.9", now=T0 + timedelta(minutes=19)).token


def test_twenty_failures_from_one_address_lock_that_address_for_every_name(db):
    for n in range(20):
        sessions.sign_in(db, f"guess{n}", "guess", "203.0.113.5", now=T0 + timedelta(seconds=n))
    locked = sessions.sign_in(db, "boss", "boss password", "203.0.113.5", now=T0 + timedelta(minutes=1))
    assert locked.error == "auth.locked" and locked.locked_until == T0 + timedelta(seconds=19, minutes=15)
    assert sessions.sign_in(db, "boss", "boss password", "203.0.113.6", now=T0 + timedelta(minutes=1)).token


def test_the_limit_survives_a_new_connection_to_the_store(db, tmp_path):
    """A reload or a restart does not reset the count: it is rows in the store."""
    for minute in range(5):
        sessions.sign_in(db, "boss", "guess", "10.0.0.1", now=T0 + timedelta(minutes=minute))
    path = db.path
    db.close()
    reopened = Store(path)
    try:
        assert sessions.sign_in(reopened, "boss", "boss password", "10.0.0.2",
                                now=T0 + timedelta(minutes=10)).error == "auth.locked"
    finally:
        reopened.close()


def test_a_two_million_character_name_is_refused_before_anything_is_hashed_or_written(db):
    before = db.query_one("SELECT count(*) FROM audit_log")[0]
    outcome = sessions.sign_in(db, "x" * 2_000_000, "password", "10.0.0.7", now=T0)
    assert outcome == sessions.SignIn(error="auth.too_long")
    assert db.query_one("SELECT count(*) FROM audit_log")[0] == before
    assert db.query_one("SELECT count(*) FROM sign_in_failures")[0] == 0
    assert sessions.sign_in(db, "wangfang", "p" * 257, now=T0).error == "auth.too_long"
    assert db.query_one("SELECT max(length(actor)) FROM audit_log")[0] <= accounts.MAX_NAME


def test_a_session_ends_after_12_idle_hours_and_after_7_days_whatever_happens(db):
    token = sessions.sign_in(db, "boss", "boss password", now=T0).token
    assert sessions.account_for(db, token, now=T0 + timedelta(hours=11, minutes=59)) is not None
    assert sessions.account_for(db, token, now=T0 + timedelta(hours=23, minutes=58)) is not None  # used at 11:59
    assert sessions.account_for(db, token, now=T0 + timedelta(hours=36)) is None  # 12 h idle since
    busy = sessions.sign_in(db, "boss", "boss password", now=T0).token
    for hour in range(0, 24 * 7, 6):  # used every 6 hours for a week
        assert sessions.account_for(db, busy, now=T0 + timedelta(hours=hour)) is not None, hour
    assert sessions.account_for(db, busy, now=T0 + timedelta(days=7, minutes=1)) is None


def test_sign_out_ends_every_session_of_the_user(db):
    laptop = sessions.sign_in(db, "boss", "boss password", now=T0).token
    phone = sessions.sign_in(db, "boss", "boss password", now=T0).token
    other = sessions.sign_in(db, "wangfang", "rep password 1", now=T0).token
    assert sessions.sign_out(db, Actor("boss", "manager")) == 2
    assert [sessions.account_for(db, t, now=T0) for t in (laptop, phone)] == [None, None]
    assert sessions.account_for(db, other, now=T0).name == "wangfang"
    assert _audit(db, "sign_out") == [("boss", None, None)]


def test_every_check_reads_the_account_as_it_is_now(db):
    """Finding 3: a demoted or disabled account changes at once for sessions already open."""
    token = sessions.sign_in(db, "boss", "boss password", now=T0).token
    accounts.update(db, ADMIN, "boss", role="viewer", display_name="王经理", rep_codes=[])
    assert sessions.account_for(db, token, now=T0).role == "viewer"
    accounts.set_enabled(db, ADMIN, "boss", False)
    assert sessions.account_for(db, token, now=T0) is None
    assert db.query_one("SELECT count(*) FROM sessions WHERE account = 'boss'") == (0,)
    accounts.set_enabled(db, ADMIN, "boss", True)
    assert sessions.account_for(db, token, now=T0) is None  # enabling again does not revive a session


def test_a_password_change_ends_every_session(db):
    rep_token = sessions.sign_in(db, "wangfang", "rep password 1", now=T0).token
    accounts.reset_password(db, ADMIN, "wangfang", "a new password")
    assert sessions.account_for(db, rep_token, now=T0) is None
    boss_token = sessions.sign_in(db, "boss", "boss password", now=T0).token
    with pytest.raises(accounts.AccountError):
        accounts.change_own_password(db, Actor("boss", "manager"), "not it", "another password")
    accounts.change_own_password(db, Actor("boss", "manager"), "boss password", "another password")
    assert sessions.account_for(db, boss_token, now=T0) is None
    assert sessions.sign_in(db, "boss", "another password", now=T0).token
