"""The capability registry: the one place that says which capabilities the app has and what each adds.

Modelled on datasette's ``DEFAULT_PLUGINS`` list plus hook specs: the base layer (the import center
``crm_core.ingest``, the Home page's ``crm_core.overview``) never imports a capability package; it
asks this registry. Each capability declares what it adds in one ``Capability`` object, the
``CAPABILITY`` of the module named in ``CAPABILITIES``; the list's order is the order of the import
kinds in the Data page and in ``python -m crm_core import``.

Adding a capability: write ``crm_core/<name>/capability.py`` with ``CAPABILITY = Capability(...)``
and add its module to ``CAPABILITIES``. Nothing else in the base layer changes.

Hook specs (the fields of ``Capability``):

- ``import_kinds``: ``crm_core.ingest.kinds.Kind`` objects this capability can import, in order.
- ``overview_figures``: ``overview_figures(cur, now) -> {figure: value}`` over a user's cursor
  (rows already limited to what the user may see): the Home page cards it fills, named by the
  fields of ``crm_core.overview.RelationshipKpis`` (``None`` while its data does not exist).
- ``dated_overview_figures``: ``dated_overview_figures(cur, as_of) -> {figure: value}``, the same for
  figures measured over a window that ends on the app's analysis date ``as_of`` (a ``date``), not at
  the clock's ``now``.
- ``commands``: ``commands(subparsers)`` adds this capability's ``python -m crm_core`` subcommands
  (each sets its ``run`` default, as ``crm_core.__main__`` does).
- ``customer_classes``: ``customer_classes(actor, as_of, cur=None) -> Fragment``, a query of
  ``(customer_id, abc)``: each customer's class over the window ending on ``as_of`` as ``actor`` may
  see it (the Customers list shows and sorts by it; customers without a class are absent); ``cur``,
  when given, is the cursor the query will run on, inside a transaction (for reading kept rows).
- ``jobs``: ``crm_core.scheduler.Job`` objects this capability runs on a schedule (a name, a rule
  ``next_run(after) -> datetime`` such as ``every(timedelta(minutes=1))`` or ``weekly(0, time(8))``,
  and ``run(store, now) -> {count: number}``); the app's one runner runs them and the Admin page
  shows their state (crm_core.scheduler).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: the registry imports no crm_core module when loaded
    import duckdb

    from crm_core.ingest.kinds import Kind
    from crm_core.scheduler import Job
    from crm_core.sql import Fragment
    from crm_core.users import Actor

OverviewFigures = Callable[["duckdb.DuckDBPyConnection", datetime], Mapping[str, Any]]
DatedOverviewFigures = Callable[["duckdb.DuckDBPyConnection", date], Mapping[str, Any]]
CustomerClasses = Callable[..., "Fragment"]  # (actor, as_of, cur=None)


@dataclass(frozen=True)
class Capability:
    """What one capability adds to the app (each hook empty when it adds nothing there)."""

    name: str
    import_kinds: tuple[Kind, ...] = ()
    overview_figures: OverviewFigures | None = None
    dated_overview_figures: DatedOverviewFigures | None = None
    commands: Callable[[Any], None] | None = None
    customer_classes: CustomerClasses | None = None
    jobs: tuple[Job, ...] = ()


# The capabilities, in order; each module defines CAPABILITY. The core (customers, transactions,
# interactions) comes first: its kinds lead the import list.
CAPABILITIES: tuple[str, ...] = (
    "crm_core.ingest.kinds",
    "crm_core.segmentation.capability",
    "crm_core.churn.capability",
    "crm_core.promises.capability",
    "crm_core.satisfaction.capability",
    "crm_core.care.capability",
    "crm_core.report.capability",
    "crm_core.alerts.capability",
)


@cache
def capabilities() -> tuple[Capability, ...]:
    """The declared capabilities, in ``CAPABILITIES`` order (loaded on first use)."""
    loaded = tuple(importlib.import_module(module).CAPABILITY for module in CAPABILITIES)
    names = [c.name for c in loaded]
    if len(set(names)) != len(names):
        raise ValueError(f"capability declared twice: {names}")
    return loaded


def import_kinds() -> dict[str, Kind]:
    """Every import kind by name, in registry order."""
    kinds: dict[str, Kind] = {}
    for capability in capabilities():
        for kind in capability.import_kinds:
            if kind.name in kinds:
                raise ValueError(f"import kind {kind.name!r} declared twice")
            kinds[kind.name] = kind
    return kinds


def jobs() -> tuple[Job, ...]:
    """Every scheduled job, in registry order (a name declared twice is an error)."""
    found: dict[str, Job] = {}
    for capability in capabilities():
        for job in capability.jobs:
            if job.name in found:
                raise ValueError(f"scheduled job {job.name!r} declared twice")
            found[job.name] = job
    return tuple(found.values())


def overview_figures(cur: duckdb.DuckDBPyConnection, now: datetime, as_of: date | None = None) -> dict[str, Any]:
    """Every capability's overview figures at ``now`` (windows ending on ``as_of``, by default
    ``now``'s day) through the user's cursor ``cur``."""
    as_of = now.date() if as_of is None else as_of
    figures: dict[str, Any] = {}
    for capability in capabilities():
        if capability.overview_figures is not None:
            figures.update(capability.overview_figures(cur, now))
        if capability.dated_overview_figures is not None:
            figures.update(capability.dated_overview_figures(cur, as_of))
    return figures


def add_commands(subparsers) -> None:
    """Every capability's command-line subcommands, added to ``python -m crm_core``'s ``subparsers``."""
    for capability in capabilities():
        if capability.commands is not None:
            capability.commands(subparsers)


def customer_classes(actor: Actor, as_of: date, cur=None) -> Fragment | None:
    """The query of each customer's class (the first capability that declares one), or None; ``cur``:
    the cursor it will run on, inside a transaction (the hook may read kept rows there)."""
    for capability in capabilities():
        if capability.customer_classes is not None:
            return capability.customer_classes(actor, as_of, cur=cur)
    return None
