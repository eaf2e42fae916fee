"""The scheduler's two places in the app (crm_core.scheduler holds the logic):

- ``server_lifespan``: Home.py's ``st.App`` starts the process's one runner thread with the server
  and stops it at shutdown. It never runs in a page script (an AppTest run executes Home.py as
  ``__main__``, without the ``st.App``), and the runner works only on a store this process has
  already opened (``crm_core.store.already_open``): it never creates the file or fills it with
  demo data, and never holds a file a test still means to open.
- ``render_scheduler``: the Admin page's "Scheduled jobs" section (admins): each job's last run,
  next run, failures in a row and last error, and "run now".
"""
from __future__ import annotations

from contextlib import asynccontextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from crm_core import scheduler
from crm_core.config import configure_logging, load_settings
from crm_core.i18n import format_number, t
from crm_core.store import Store, already_open
from crm_core.tables import Column
from crm_core.users import Actor
from ui.common import lang, tr
from ui.tables import frame_grid


def _app_store_if_open() -> Store | None:
    return already_open(load_settings().location)


@asynccontextmanager
async def server_lifespan(app):
    """The server's start and stop: the runner (unless ``CRM_SCHEDULER=off``) lives as long as it."""
    configure_logging()
    scheduler.start_runner(_app_store_if_open)
    try:
        yield None
    finally:
        scheduler.stop_runner()


def job_title(name: str, language: str) -> str:
    text = t(f"scheduler.job.{name}", language)
    return name if text == f"scheduler.job.{name}" else text


def result_words(counts: dict, language: str) -> str:
    """A run's counts in words ("2 ended sessions removed · 1 old failed sign-in removed"): a number
    through ``scheduler.result.<name>``, a word or yes/no through ``scheduler.result.<name>.<value>``
    ("skipped": "sent_this_week" → "skipped: already sent this week"); "name: value" for one the
    catalog does not know."""
    if not counts:
        return t("scheduler.result.nothing", language)
    parts = []
    for name, value in counts.items():
        is_count = isinstance(value, int | float) and not isinstance(value, bool)
        shown = format_number(value, language) if is_count else str(value)
        key = f"scheduler.result.{name}" if is_count else f"scheduler.result.{name}.{value}"
        text = t(key, language, count=shown)
        parts.append(t("scheduler.result.other", language, name=name, count=shown) if text == key else text)
    return " · ".join(parts)


def _outcome(row, language: str) -> str:
    if isinstance(row["lease_owner"], str):
        return t("scheduler.outcome.running", language)
    if pd.isna(row["last_ok"]):
        return t("scheduler.outcome.never", language)
    return t("scheduler.outcome.ok" if row["last_ok"] else "scheduler.outcome.failed", language)


def jobs_frame(states: pd.DataFrame, language: str) -> pd.DataFrame:
    """The Admin page's table of ``crm_core.scheduler.job_states``, its words in ``language``."""
    return pd.DataFrame({  # what one looks for first on the left: the outcome, when it ran and runs next
        "job": [job_title(name, language) for name in states["job"]],
        "outcome": [_outcome(row, language) for _, row in states.iterrows()],
        "last_run": states["last_started_at"],
        "next_run": states["next_run_at"],
        "failures": states["failures"].astype(int),
        "result": [result_words(counts, language) if pd.notna(ok) and bool(ok) else ""
                   for counts, ok in zip(states["last_result"], states["last_ok"])],
        "seconds": states["last_seconds"].astype(float),
        "last_error": states["last_error"].where(states["last_error"].notna(), None),
    })


def render_scheduler(db: Store, user: Actor) -> None:
    """The Admin page's section (admins only; crm_core refuses anyone else)."""
    language = lang()
    st.subheader(tr("scheduler.title"))
    running = scheduler.current_runner() is not None
    st.caption(tr("scheduler.runner_on" if running else "scheduler.runner_off",
                  seconds=int(scheduler.TICK_SECONDS), zone=db.timezone))
    states = scheduler.job_states(db, user)
    if states.empty:
        st.info(tr("scheduler.none"))
        return
    failing = int((states["failures"] > 0).sum())
    if failing:
        st.warning(tr("scheduler.failing", count=failing), icon=":material/error:")
    frame_grid(jobs_frame(states, language), title="scheduler.table", key="adm_jobs", header_prefix="scheduler.col",
               kinds={"last_run": "datetime", "next_run": "datetime", "failures": "count",
                      "seconds": Column("seconds", "scheduler.col.seconds", "number", decimals=2),
                      "job": "text", "outcome": "text", "result": "text", "last_error": "text"})
    for name, error in zip(states["job"], states["last_error"]):
        if isinstance(error, str):  # the whole text, as plain text (an exception's message is not Markdown)
            st.caption(job_title(name, language))
            st.code(error, language=None, wrap_lines=True)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    chosen = left.selectbox(tr("scheduler.pick"), list(states["job"]), key="adm_job_pick",
                            format_func=lambda name: job_title(name, language))
    if right.button(tr("scheduler.run_now"), key="adm_job_run", width="stretch"):
        scheduler.run_now(db, user, chosen, datetime.now(ZoneInfo(db.timezone)))
        runner = scheduler.current_runner()
        if runner is not None:
            runner.wake()
        st.success(tr("scheduler.run_now_done" if runner else "scheduler.run_now_queued",
                      job=job_title(chosen, language)))
