"""The fitted model behind a page (crm_core.model_fits), shown without ever fitting one here.

``fitted(db, model, as_of)`` returns the newest kept fit for the analysis date and writes a
caption with its age and the last purchase day it saw. When newer data exists it says a refit is
under way; when there is no fit yet (a new store, another analysis date) it says the model is
being fitted and since when, and returns None. In both cases it asks for the fit: the request is
kept, the fit job is made due and this process's scheduler runner (if it has one) is woken. While
the page waits, a small fragment looks again every few seconds and reruns the page once the fit
is there.
"""
from __future__ import annotations

from contextlib import closing
from datetime import date, datetime

import streamlit as st

from crm_core import model_fits, scheduler
from crm_core.i18n import format_date, format_number
from crm_core.model_fits import Fit
from crm_core.store import Store
from ui.common import lang, tr
from ui.promises.common import now_instant

POLL_SECONDS = 3


def _ask(db: Store, model: str, as_of: date, now: datetime) -> datetime:
    """Keep the request, make the fit job due and wake this process's runner; when it was first asked."""
    asked = model_fits.request(db, model, as_of, now)
    job = model_fits.job_name_of(model)
    if job is not None:
        scheduler.request_run(db, job, now)
    runner = scheduler.current_runner()
    if runner is not None:
        runner.wake()
    return asked


def _clock(moment: datetime, now: datetime) -> str:
    """HH:MM on the same day as ``now`` (the store's zone), else the date and time."""
    moment = moment.astimezone(now.tzinfo)
    return moment.strftime("%H:%M") if moment.date() == now.date() else format_date(moment, lang())


def age_text(fit: Fit, now: datetime) -> str:
    """"Model fitted 3 min ago on data up to 2026-06-30." in the user's language."""
    day = format_date(fit.data_through or fit.as_of, lang())
    minutes = max(0, int((now - fit.fitted_at).total_seconds() // 60))
    if minutes < 1:
        return tr("fits.age.now", day=day)
    if minutes < 60:
        return tr("fits.age.minutes", n=minutes, day=day)
    if minutes < 48 * 60:
        return tr("fits.age.hours", n=minutes // 60, day=day)
    return tr("fits.age.days", n=minutes // (24 * 60), day=day)


@st.fragment(run_every=POLL_SECONDS)
def _wait_for(db: Store, model: str, as_of: date) -> None:
    with closing(db.cursor()) as cur:
        ready = model_fits.latest_fit(cur, model, as_of) is not None
    if ready:
        st.rerun()


def current_fit(db: Store, model: str, as_of: date) -> Fit | None:
    """The fit of ``model`` for ``as_of`` made on the data as it is now, or None, silently: for
    results a page can also compute itself with the same answers (slower), so it shows no age and
    never waits. Without a current fit one is asked for, as ``fitted`` does."""
    with closing(db.cursor()) as cur:  # fit headers only: company-wide, no customer rows
        found = model_fits.state(cur, model, as_of)
    if found.current is not None:
        return found.current
    if found.requested_at is None:
        _ask(db, model, as_of, now_instant(db))
    return None


def fitted(db: Store, model: str, as_of: date) -> Fit | None:
    """The newest fit of ``model`` for ``as_of`` with its age shown, or None (and a message) while
    the first one is being fitted. See the module docstring."""
    now = now_instant(db)
    with closing(db.cursor()) as cur:  # fit headers only: company-wide, no customer rows
        found = model_fits.state(cur, model, as_of)
    asked = found.requested_at
    if (found.fit is None or found.stale) and asked is None:
        asked = _ask(db, model, as_of, now)
    if found.fit is None:
        st.info(tr("fits.pending", day=format_date(as_of, lang()), time=_clock(asked, now)))
        if scheduler.current_runner() is None and not scheduler.scheduler_enabled():
            st.caption(tr("fits.no_runner"))
        _wait_for(db, model, as_of)
        return None
    st.caption(age_text(found.fit, now),
               help=tr("fits.age.help", seconds=format_number(found.fit.seconds, lang(), 1)))
    if found.stale:
        st.caption(tr("fits.stale", time=_clock(asked, now)))
    return found.fit
