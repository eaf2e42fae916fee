"""Scheduled jobs (issue 20): what runs by itself — alerts, the weekly report, clean-ups — and when.

- A ``Job`` is a name, a rule ``next_run(after) -> datetime`` (``every(timedelta)``,
  ``daily(time)``, ``weekly(weekday, time)`` or any function of that shape) and ``run(store, now)
  -> {count: number}``, the counts to record ("sessions": 3). Capabilities declare their jobs in
  ``Capability.jobs`` (crm_core.capabilities); ``registered_jobs()`` reads them.
- Each job's state is a row of ``scheduler_jobs`` (migration 017): when it runs next, how its last
  run went (times, duration, ok, the counts, the error text), consecutive failures, and a lease.
- ``run_due(store, now, owner)`` runs every job whose ``next_run_at`` has come, one at a time.
  Before running one it takes the job's lease in one statement (``UPDATE … WHERE the job is due
  and nobody holds a live lease … RETURNING``), so two runners — two threads here, two processes
  of a future team mode over one database — never run a job twice. After the run it records the
  outcome, sets ``next_run_at`` from the rule *at now* (a job whose time passed while the app was
  down runs once, not once per missed interval; a "run now" made during the run is kept) and
  releases the lease. A failing job is recorded
  (exception text kept, truncated) and retried at its next time; it never stops the others. A
  runner that dies mid-run leaves its lease, which expires after the job's ``lease``.
- The clock is injected (``now``); only ``Runner``, the one background thread of the server process
  (started by the app's ``st.App`` lifespan, ui.scheduler), reads the wall clock. ``CRM_SCHEDULER=off``
  keeps it from starting (e.g. every process but one in a team deployment).
"""
from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time as monotonic_clock
import uuid
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from crm_core.audit import write_audit
from crm_core.store import Store
from crm_core.users import Actor

log = logging.getLogger(__name__)

Rule = Callable[[datetime], datetime]
JobRun = Callable[[Store, datetime], Mapping[str, object]]

DEFAULT_LEASE = timedelta(minutes=10)  # longer than any job should take; a dead runner's lease expires
MAX_ERROR = 2000  # characters of an exception's text kept
TICK_SECONDS = 30.0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Job:
    """A scheduled job: ``name`` (its row in scheduler_jobs, catalog text ``scheduler.job.<name>``),
    ``next_run(after)`` the first time strictly after ``after`` it should run, ``run(store, now)``
    the work, returning the counts to record."""

    name: str
    next_run: Rule
    run: JobRun
    lease: timedelta = field(default=DEFAULT_LEASE)


# -- rules ------------------------------------------------------------------------------------------

def every(interval: timedelta) -> Rule:
    """Every ``interval``, on a grid counted from the Unix epoch (every minute: at :00 seconds;
    every hour: on the hour), so the times do not drift with the runner's ticks."""
    if interval <= timedelta(0):
        raise ValueError("a job's interval must be positive")

    def next_run(after: datetime) -> datetime:
        return after + (interval - (after - _EPOCH) % interval)

    return next_run


def daily(at: time) -> Rule:
    """Every day at ``at`` on the clock of ``after``'s zone (the store's)."""
    return weekly(None, at)


def weekly(weekday: int | None, at: time) -> Rule:
    """Every week on ``weekday`` (0 = Monday; None: every day) at ``at``, in ``after``'s zone."""

    def next_run(after: datetime) -> datetime:
        day = after.date()
        while True:
            moment = datetime.combine(day, at, tzinfo=after.tzinfo)
            if moment > after and (weekday is None or day.weekday() == weekday):
                return moment
            day += timedelta(days=1)

    return next_run


# -- state ------------------------------------------------------------------------------------------

def registered_jobs() -> tuple[Job, ...]:
    from crm_core.capabilities import jobs  # the registry loads capabilities on use

    return jobs()


def _bookkeeping(store: Store):
    """Scheduler rows are not data any cached page result depends on: the data version stays."""
    return store.transaction(changes_data=False)


def ensure_jobs(store: Store, jobs: Sequence[Job], now: datetime) -> None:
    """A state row for every job that has none yet, first due at its rule's next time after ``now``."""
    known = set(store.query_df("SELECT job FROM scheduler_jobs")["job"])
    missing = [job for job in jobs if job.name not in known]
    if missing:
        with _bookkeeping(store) as cur:
            for job in missing:
                cur.execute("INSERT INTO scheduler_jobs (job, next_run_at) VALUES (?, ?) ON CONFLICT DO NOTHING",
                            [job.name, _first_run(job, now)])


def _first_run(job: Job, now: datetime) -> datetime:
    try:
        return job.next_run(now)
    except Exception:  # a broken rule: due now, so its run records the error on the Admin page
        log.exception("scheduled job %s: its rule failed", job.name)
        return now


def _take_lease(store: Store, job: Job, now: datetime, owner: str) -> bool:
    """Whether this runner now holds ``job``'s lease: the job was due and nobody held a live one."""
    with _bookkeeping(store) as cur:
        taken = cur.execute(
            "UPDATE scheduler_jobs SET lease_owner = ?, lease_until = ?"
            " WHERE job = ? AND next_run_at <= ? AND (lease_until IS NULL OR lease_until < ?) RETURNING job",
            [owner, now + job.lease, job.name, now, now]).fetchall()
    return bool(taken)


def _error_text(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= MAX_ERROR else text[: MAX_ERROR - 1] + "…"


@dataclass(frozen=True)
class Outcome:
    """One run of a job: whether it went well, its counts or its error, how long it took."""

    job: str
    ok: bool
    result: dict
    error: str | None
    seconds: float
    next_run_at: datetime


def _run_one(store: Store, job: Job, now: datetime, owner: str) -> Outcome:
    started = monotonic_clock.monotonic()
    try:
        result, error = {str(k): v for k, v in dict(job.run(store, now) or {}).items()}, None
    except Exception as failure:  # a failing job is recorded, never stops the others
        log.exception("scheduled job %s failed", job.name)
        result, error = {}, _error_text(failure)
    seconds = monotonic_clock.monotonic() - started
    try:
        next_run_at = job.next_run(now)
    except Exception as failure:  # a broken rule: try again in an hour, say why
        log.exception("scheduled job %s: its rule failed", job.name)
        next_run_at, error = now + timedelta(hours=1), error or _error_text(failure)
    ok = error is None
    with _bookkeeping(store) as cur:
        cur.execute(
            """UPDATE scheduler_jobs SET last_started_at = ?, last_finished_at = ?, last_seconds = ?,
                   last_ok = ?, last_result = ?, last_error = ?,
                   failures = CASE WHEN ? THEN 0 ELSE failures + 1 END, runs = runs + 1,
                   next_run_at = CASE WHEN next_run_at > ? THEN least(next_run_at, ?) ELSE ? END,
                   lease_owner = NULL, lease_until = NULL
               WHERE job = ? AND lease_owner = ?""",
            [now, now + timedelta(seconds=seconds), seconds, ok, json.dumps(result, default=str, ensure_ascii=False),
             error, ok, now, next_run_at, next_run_at, job.name, owner])
    return Outcome(job.name, ok, result, error, seconds, next_run_at)


def run_due(store: Store, now: datetime, owner: str, jobs: Sequence[Job] | None = None) -> list[Outcome]:
    """Run each of ``jobs`` (default: every registered job) that is due at ``now``, one at a time,
    as runner ``owner``; returns what ran. See the module docstring for the lease and the rules."""
    jobs = registered_jobs() if jobs is None else tuple(jobs)
    ensure_jobs(store, jobs, now)
    return [_run_one(store, job, now, owner) for job in jobs if _take_lease(store, job, now, owner)]


def _make_due(cur, job: str, now: datetime) -> None:
    cur.execute("INSERT INTO scheduler_jobs (job, next_run_at) VALUES (?, ?)"
                " ON CONFLICT (job) DO UPDATE SET next_run_at = excluded.next_run_at", [job, now])


def run_now(store: Store, actor: Actor, job: str, now: datetime) -> None:
    """Make ``job`` due at ``now`` (the runner takes it at its next tick); admins only, audited."""
    actor.require_account_admin()
    with _bookkeeping(store) as cur:
        _make_due(cur, job, now)
        write_audit(cur, actor, "scheduler_run_now", "scheduler_job", field=job)


def request_run(store: Store, job: str, now: datetime) -> None:
    """Make ``job`` due at ``now`` on the system's behalf (a page waiting for a model fit): no user
    right needed and nothing audited, since it only moves a job that runs anyway a little earlier."""
    with _bookkeeping(store) as cur:
        _make_due(cur, job, now)


STATE_COLUMNS = ("job", "next_run_at", "last_started_at", "last_finished_at", "last_seconds", "last_ok",
                 "last_result", "last_error", "failures", "runs", "lease_owner", "lease_until")


def job_states(store: Store, actor: Actor, jobs: Sequence[Job] | None = None) -> pd.DataFrame:
    """One row per registered job, in registry order, with its state (``STATE_COLUMNS``; the counts
    of ``last_result`` as a dict; blank for a job no runner has seen yet). Admins only."""
    actor.require_account_admin()
    names = [job.name for job in (registered_jobs() if jobs is None else jobs)]
    with closing(store.cursor(actor)) as cur:
        rows = cur.execute(f"SELECT {', '.join(STATE_COLUMNS)} FROM scheduler_jobs"
                           " WHERE job IN (SELECT unnest(?::VARCHAR[]))", [names]).df()
    frame = pd.DataFrame({"job": names}).merge(rows, on="job", how="left")
    frame["last_result"] = [json.loads(text) if isinstance(text, str) else {} for text in frame["last_result"]]
    frame["failures"] = frame["failures"].fillna(0).astype(int)
    frame["runs"] = frame["runs"].fillna(0).astype(int)
    return frame


# -- the runner (the only place that reads the wall clock) ----------------------------------------------

def scheduler_enabled() -> bool:
    """``CRM_SCHEDULER`` is not ``off`` (also ``0``, ``false``, ``no``)."""
    return os.environ.get("CRM_SCHEDULER", "on").strip().lower() not in ("off", "0", "false", "no")


def runner_name() -> str:
    """A name no other runner has: host, process, and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Runner:
    """The background thread: every ``tick`` seconds (or when woken), ``run_due`` on the store
    ``find_store()`` gives (None: nothing to do yet), at the wall clock in the store's zone.
    Never raises: a failing tick is logged and the next one comes."""

    def __init__(self, find_store: Callable[[], Store | None], tick: float = TICK_SECONDS):
        self.find_store, self.tick, self.name = find_store, tick, runner_name()
        self._wake, self._stopping = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._loop, name="kehu-scheduler", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def wake(self) -> None:
        """Tick now (after "run now")."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._wake.set()
        self.thread.join(timeout)

    def tick_once(self) -> list[Outcome]:
        store = self.find_store()
        if store is None:
            return []
        return run_due(store, datetime.now(ZoneInfo(store.timezone)), self.name)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                for outcome in self.tick_once():
                    log.info("scheduled job %s: %s", outcome.job, "ok" if outcome.ok else outcome.error)
            except Exception:  # the thread must live on (a restore in flight, a locked file)
                log.exception("scheduler tick failed")
            self._wake.wait(self.tick)
            self._wake.clear()


_runner: Runner | None = None
_runner_lock = threading.Lock()


def start_runner(find_store: Callable[[], Store | None], tick: float = TICK_SECONDS) -> Runner | None:
    """The process's one runner, started on the first call (later calls return it); None when
    ``CRM_SCHEDULER=off``."""
    global _runner
    if not scheduler_enabled():
        return None
    with _runner_lock:
        if _runner is None:
            _runner = Runner(find_store, tick)
            _runner.start()
        return _runner


def current_runner() -> Runner | None:
    """The runner of this process, if one was started."""
    return _runner


def stop_runner() -> None:
    global _runner
    with _runner_lock:
        runner, _runner = _runner, None
    if runner is not None:
        runner.stop()
