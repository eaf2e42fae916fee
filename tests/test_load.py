"""20 concurrent sessions reading and editing: no errors, no lost updates.

Each session does a fixed number of operations (not "as many as fit in N seconds"), and all 20 open
by saving the same record on the same version at once, so conflicts really happen however fast or
loaded the machine is; what the test checks never depends on its speed.

Reads go through the real pages (AppTest via Home.py); edits go through the same crm_core calls the
entry form makes, with its optimistic version check: a save on a stale version is refused and the
session retries on the fresh record, as a user would after seeing what changed. Everything runs
in this process against a temp file; nothing touches the network.

AppTest instances in one process share Streamlit's script-run globals (parallel ones report
duplicate widget ids that a real server, with a context per session, never sees), so page renders
take turns; the store itself is used by all 20 sessions at once, which is what can lose a write.
"""
import os
import random
import threading
from pathlib import Path

from streamlit.testing.v1 import AppTest

from crm_core import customers as cust
from crm_core.store import close_store, open_store
from crm_core.users import LOCAL_USER

ROOT = Path(__file__).resolve().parent.parent
SESSIONS = 20
OPERATIONS = int(os.environ.get("KEHU_LOAD_OPERATIONS", "6"))  # per session, after the opening collision
JOIN_TIMEOUT = 600  # a hang guard only: a thread still alive after this is a deadlock, not a slow machine
HOT_CUSTOMERS = range(1, 6)  # few customers, so sessions really collide
PAGES = ("overview.py", "customers.py", "customer_360.py")


APPTEST_TURN = threading.Lock()


def render(page: str, lang: str) -> list:
    with APPTEST_TURN:
        app = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
        app.session_state["lang"] = lang
        app.session_state["customer_id"] = 1
        app.switch_page(f"pages/{page}")
        app.run()
        return [e.value for e in app.exception]


def edit_with_retry(store, customer_id: int, token: str, all_read: threading.Barrier | None = None) -> int:
    """Append ``token`` to the customer's notes; returns how many stale saves were refused first.
    With ``all_read``, the first save waits until every session has read the record."""
    refused = 0
    while True:
        record = cust.get_customer(store, LOCAL_USER, customer_id)
        if all_read is not None:
            all_read.wait(timeout=JOIN_TIMEOUT)
            all_read = None
        current = cust.customer_from_record(record)
        notes = f"{current.notes or ''} {token}".strip()
        try:
            cust.update_customer(store, LOCAL_USER, customer_id, current.model_copy(update={"notes": notes}),
                                 expected_version=int(record["version"]))
            return refused
        except cust.StaleEdit:
            refused += 1


def record_edit(number: int, store, customer_id: int, results: dict, all_read=None) -> None:
    token = f"s{number}-{results['edits_by'][number]}"
    results["refused"] += edit_with_retry(store, customer_id, token, all_read)
    results["written"].append((customer_id, token))
    results["edits_by"][number] += 1


def session(number: int, store, all_read: threading.Barrier, results: dict) -> None:
    # All sessions read customer 1 at the same version, then save: one wins, the others are refused.
    record_edit(number, store, HOT_CUSTOMERS[0], results, all_read)
    rng = random.Random(number)
    for _ in range(OPERATIONS):
        if rng.random() < 0.3:
            results["errors"] += render(rng.choice(PAGES), rng.choice(("zh", "en")))
            results["reads"] += 1
        else:
            record_edit(number, store, rng.choice(HOT_CUSTOMERS), results)


def test_twenty_sessions_no_errors_no_lost_updates(demo_copy, monkeypatch):
    db = demo_copy
    monkeypatch.setenv("CRM_DB", str(db))
    store = open_store(db)  # the same process-wide store the pages use
    results = {"errors": [], "reads": 0, "refused": 0, "written": [], "edits_by": [0] * SESSIONS}
    crashes = []
    all_read = threading.Barrier(SESSIONS)

    def run(number):
        try:
            session(number, store, all_read, results)
        except Exception as error:
            crashes.append(repr(error))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(SESSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    assert crashes == [] and results["errors"] == []

    notes = dict(store.query_df("SELECT customer_id, coalesce(notes, '') AS notes FROM customers"
                                " WHERE customer_id <= 5").itertuples(index=False))
    for customer_id, token in results["written"]:
        assert token in notes[customer_id].split(), f"lost update {token} on customer {customer_id}"
    written_tokens = {token for _, token in results["written"]}
    present = {token for text in notes.values() for token in text.split() if token.startswith("s")}
    assert present == written_tokens  # nothing half-written, nothing extra
    (audited,) = store.query_one("SELECT count(*) FROM audit_log WHERE action = 'update' AND field = 'notes'")
    assert audited == len(results["written"])
    assert results["reads"] > 0 and len(results["written"]) > SESSIONS
    assert results["refused"] >= SESSIONS - 1  # the opening collision: all but one save were stale
    close_store(db)
