"""What the Promises page's performance tab keeps of the closed promises (crm_core.model_fits,
migration 032), so that opening the tab does not read a year of promises (ten million at the
largest stores) five times over.

A closed promise (met, breached, cancelled) and a granted remedy change only through a new
promise event: every write of the ledger appends one (``ledger.record_event``, ``make_promise``,
imports, the demo), and events are never changed or deleted. So a fit records the events it was
made on (``ledger_version``: how many, and the latest id) and the store's time zone; while both
are the same, its rows are the closed promises and remedies as they are, whatever the
transactions do. Four models, each its own table and each read only when it matches:

- ``promise_outcomes``: closed promises counted per day closed (the store's zone), type, rep,
  customer class and status: attainment by type, rep, class and month;
- ``promise_remedies``: remedies per day granted and remedy, owed and delivered (counts, exact
  cost sums): compensation by month and by remedy;
- ``promise_overruns`` and ``promise_clocks``: one row per promise closed late, and per
  business-hours promise compared on both clocks (percentiles and medians are not sums of days).

A window [start, end) is read as its whole days from the kept counts plus its first and last
part-days counted live (``KeptDays``); the row tables are filtered on the moment closed. Open
promises are judged live at the page's moment. A rep's tables (their part of the promises) are
computed live. The job (``FITS_JOB``) refits a model within a minute of a promise write.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from crm_core import model_fits
from crm_core.model_fits import FIT_CHUNK_ROWS, FIT_LEASE, Fit, Fitter, refit_job
from crm_core.promises import reports
from crm_core.promises.ledger import CLOSED_STATUSES
from crm_core.scheduler import Job, every
from crm_core.sql import TRUE, Fragment, compose, relation

OUTCOMES, REMEDIES, OVERRUNS, CLOCKS = "promise_outcomes", "promise_remedies", "promise_overruns", "promise_clocks"

# The closed promises counted per day and key, and every open promise as it is (judged when read).
_OUTCOME_DAYS = f"""SELECT CAST(closed_at AS DATE) AS day, promise_type, owner, customer_class, status,
                           NULL::TIMESTAMPTZ AS due_at, NULL::TIMESTAMPTZ AS paused_at, count(*) AS n
                    FROM promises WHERE status IN {CLOSED_STATUSES} AND closed_at IS NOT NULL
                    GROUP BY day, promise_type, owner, customer_class, status
                    UNION ALL
                    SELECT NULL, promise_type, owner, customer_class, status, due_at, paused_at, 1
                    FROM promises WHERE status = 'open'
                    ORDER BY day NULLS FIRST, promise_type, owner, customer_class, status"""
_REMEDY_DAYS = f"""SELECT CAST(r.granted_at AS DATE) AS day, r.key, {reports.REMEDY_FIGURES}
                   FROM {reports.REMEDIES} GROUP BY ALL ORDER BY ALL"""


def ledger_version(cur) -> list[int]:
    """[how many promise events, the latest event id] as ``cur`` sees them: equal for two reads,
    no promise or remedy changed in between (the ledger only grows, an event with every write)."""
    count, latest = cur.execute("SELECT count(*), coalesce(max(event_id), 0) FROM promise_events").fetchall()[0]
    return [int(count), int(latest)]


def _zone(cur) -> str:
    """The cursor's time zone: the kept days are days in it."""
    return cur.execute("SELECT current_setting('TimeZone')").fetchall()[0][0]


def _made_on(cur) -> dict:
    return {"ledger": ledger_version(cur), "timezone": _zone(cur)}


def _stream(cur, sql: str):
    return relation(cur, Fragment(sql)).to_arrow_reader(FIT_CHUNK_ROWS)


def _fit_outcomes(cur, as_of: date):
    return _made_on(cur), _stream(cur, _OUTCOME_DAYS)


def _fit_remedies(cur, as_of: date):
    return _made_on(cur), _stream(cur, _REMEDY_DAYS)


def _fit_overruns(cur, as_of: date):
    rows = compose(reports.OVERRUN_ROWS, visible=TRUE)
    return _made_on(cur), _stream(cur, f"SELECT * FROM ({rows.sql}) ORDER BY closed_at")


def _fit_clocks(cur, as_of: date):
    where = Fragment("p.closed_at IS NOT NULL")
    params = _made_on(cur)
    if not reports.clock_targets(cur, where):  # registered on the fit's cursor while its rows stream
        return params, None
    return params, _stream(cur, f"SELECT * FROM ({compose(reports.CLOCK_ROWS, where=where).sql}) ORDER BY closed_at")


def matches(cur, fit: Fit) -> bool:
    """Whether ``fit`` was made on the promise ledger ``cur`` sees, with its days in ``cur``'s zone."""
    return not fit.empty and fit.params == _made_on(cur)


def _fresh(store, cur, fit: Fit) -> bool:  # Fitter.fresh: the job refits a fit the ledger has moved past
    return matches(cur, fit)


# Kept for the default analysis date only and never fitted ahead: their rows do not depend on the
# date (the job's date is its key); each is refitted when the ledger moves past it.
FITTERS = tuple(Fitter(model, table, compute, kept_dates=1, fresh=_fresh, dated=False)
                for model, table, compute in ((OUTCOMES, "fit_promise_outcomes", _fit_outcomes),
                                              (REMEDIES, "fit_promise_remedies", _fit_remedies),
                                              (OVERRUNS, "fit_promise_overruns", _fit_overruns),
                                              (CLOCKS, "fit_promise_clocks", _fit_clocks)))
FITS_JOB = Job("promise_fits", every(timedelta(minutes=1)), refit_job(FITTERS), lease=FIT_LEASE)


def kept_fits(cur, models: tuple[str, ...] | None = None) -> dict[str, Fit]:
    """{model: its newest fit} for the ``models`` (None: all four) whose newest fit was made on the
    ledger ``cur`` sees (``matches``), of whatever analysis date. Call inside a transaction on
    ``cur`` and read the rows there (a refit prunes the older fit's rows)."""
    wanted = [fitter.model for fitter in FITTERS if models is None or fitter.model in models]
    newest = cur.execute("SELECT model, max(fit_id) FROM model_fits WHERE list_contains($models, model)"
                         " GROUP BY model", {"models": wanted}).fetchall()
    made_on = _made_on(cur)  # read once for all
    fits = (model_fits.fit_by_id(cur, fit_id) for _, fit_id in newest)
    return {fit.model: fit for fit in fits if fit is not None and not fit.empty and fit.params == made_on}


@dataclass(frozen=True)
class KeptDays:
    """A window [start, end) split for a fit kept per day: its whole days ``first`` ≤ day < ``stop``
    (in the store's zone) read from ``fit``'s rows, and the moments before the first (from
    ``start``) and from the day ``stop`` on (to ``end``), counted live (``ranges``)."""

    fit: Fit
    first: date
    stop: date
    first_at: datetime  # midnight of ``first``
    stop_at: datetime  # midnight of ``stop``
    live: tuple[tuple[datetime, datetime], ...]  # the moments counted live: [from, to) each, none empty

    def days(self, column: str) -> Fragment:
        """The kept rows of the whole days (``column``: their day)."""
        return Fragment(f"{column} >= $kept_first AND {column} < $kept_stop",
                        {"kept_first": self.first, "kept_stop": self.stop})

    def moments(self) -> tuple[datetime, datetime]:
        """When the whole days begin and end: [midnight of ``first``, midnight of ``stop``)."""
        return self.first_at, self.stop_at

    def ranges(self, column: str) -> list[Fragment]:
        """A condition on the moment ``column`` per range counted live: a range each, so a scan
        skips the parts of the table outside it (an OR of two ranges is read whole)."""
        return [Fragment(f"{column} >= $live_from_{i} AND {column} < $live_to_{i}",
                         {f"live_from_{i}": low, f"live_to_{i}": high}) for i, (low, high) in enumerate(self.live)]


def kept_days(cur, fit: Fit, start: datetime, end: datetime) -> KeptDays | None:
    """The whole days of [start, end) in ``cur``'s zone (``fit``'s: ``matches``) and the moments
    around them, or None when the window holds no whole day (it is all counted live)."""
    first, stop, first_at, stop_at = cur.execute(
        """SELECT first, stop, first::TIMESTAMPTZ, stop::TIMESTAMPTZ FROM (
             SELECT CASE WHEN CAST(s AS DATE)::TIMESTAMPTZ = s THEN CAST(s AS DATE) ELSE CAST(s AS DATE) + 1 END
                        AS first, CAST(e AS DATE) AS stop
             FROM (SELECT $start::TIMESTAMPTZ AS s, $end::TIMESTAMPTZ AS e))""",
        {"start": start, "end": end}).fetchall()[0]
    if first >= stop:
        return None
    live = tuple((low, high) for low, high in ((start, first_at), (stop_at, end)) if low < high)
    return KeptDays(fit, first, stop, first_at, stop_at, live)
