"""Import kinds for the import center: ``promises`` and ``promise_events`` (CSV/XLSX, both languages).

The import center validates and writes rows into staging tables (migration 008); promises cannot be
inserted directly because their due time and warning points come from the business calendar and
every change is an event. ``apply_import(store, actor, import_id)`` turns the staged rows into
promises (``bulk.make_promises_bulk``, vectorised) and events (``ledger.record_event``, in time
order, so remedies are granted as if recorded live). Call it right after ``ingest.commit`` for
these two kinds.

Both kinds are declared in this capability's ``Capability`` (``crm_core/promises/capability.py``).
"""

from __future__ import annotations

import pandas as pd

from crm_core.ingest.kinds import CODE_RULE, MONEY, TEXT, FieldSpec, Kind, choice_spellings
from crm_core.ingest.values import DATETIME, choice_normaliser, text_normaliser
from crm_core.promises import ledger
from crm_core.promises.actions import USER_EVENTS, PromiseError
from crm_core.promises.bulk import make_promises_bulk
from crm_core.promises.queries import calendar_for
from crm_core.store import Store
from crm_core.users import Actor

_CODE_REF = ("客户编号", "客户代码", "编号", "客户号", "customer code", "customer", "code", "customer id", "cust code")
_EVENT_SPELLINGS = choice_spellings("promises.event", USER_EVENTS, {
    "完成": "fulfilled", "兑现": "fulfilled", "已兑现": "fulfilled", "done": "fulfilled", "kept": "fulfilled",
    "暂停": "paused", "恢复": "resumed", "取消": "cancelled", "升级": "escalated", "投诉": "complained",
})

PROMISES = Kind(
    name="promises", table="promise_import_rows", customer_ref="customer_code",
    local_time_fields=("made_at", "due_at"),
    after_commit=lambda store, actor, import_id: apply_import(store, actor, import_id),
    fields=(
        FieldSpec("customer_code", CODE_RULE, required=True, synonyms=_CODE_REF),
        FieldSpec("policy_id", text_normaliser(max_length=80, no_spaces=True), required=True,
                  synonyms=("承诺政策", "政策", "承诺类型代号", "policy", "policy id", "promise policy")),
        FieldSpec("owner", TEXT, required=True,
                  synonyms=("承诺人", "业务员", "负责人", "owner", "rep", "sales rep", "promised by")),
        FieldSpec("made_at", DATETIME, required=True,
                  synonyms=("承诺时间", "作出时间", "时间", "made at", "promised at", "made", "date")),
        FieldSpec("due_at", DATETIME, synonyms=("约定到期时间", "到期时间", "due", "due at", "agreed due")),
        FieldSpec("description", TEXT, synonyms=("承诺内容", "说明", "内容", "description", "promise", "details")),
        FieldSpec("customer_class", choice_normaliser({"a": "A", "b": "B", "c": "C"}),
                  synonyms=("客户等级", "等级", "class", "customer class", "abc")),
        FieldSpec("bill_amount", MONEY, synonyms=("账单金额", "消费金额", "金额", "bill", "bill amount")),
        FieldSpec("external_ref", TEXT, synonyms=("原编号", "原系统编号", "外部编号", "ref", "external id",
                                                  "source id", "promise no")),
    ),
)

PROMISE_EVENTS = Kind(
    name="promise_events", table="promise_event_import_rows",
    local_time_fields=("occurred_at",),
    after_commit=lambda store, actor, import_id: apply_import(store, actor, import_id),
    fields=(
        FieldSpec("promise_ref", text_normaliser(max_length=80), required=True,
                  synonyms=("承诺编号", "原编号", "外部编号", "promise", "promise no", "promise id", "ref")),
        FieldSpec("event_kind", choice_normaliser(_EVENT_SPELLINGS), required=True,
                  synonyms=("事件", "进展", "类型", "event", "kind", "what happened")),
        FieldSpec("occurred_at", DATETIME, required=True,
                  synonyms=("时间", "发生时间", "日期", "when", "at", "time", "occurred at")),
        FieldSpec("actor", TEXT, synonyms=("记录人", "经办人", "业务员", "actor", "by", "recorded by")),
    ),
)


def apply_import(store: Store, actor: Actor, import_id: int) -> dict:
    """Make the promises / record the events an import staged; returns counts
    {"promises": n} or {"events": n, "skipped": n}. Rows already applied are left alone, so calling
    it twice does nothing more. Unknown policies raise PromiseError (nothing applied); an event
    whose promise is unknown, or that the log refuses, is skipped with its reason in ``problem``."""
    actor.require_import()
    import_id = int(import_id)
    with store.transaction() as cur:
        (kind,) = cur.execute("SELECT kind FROM imports WHERE import_id = ?", [import_id]).fetchone() or (None,)
        if kind == "promises":
            return {"promises": _apply_promises(cur, store, actor, import_id)}
        if kind == "promise_events":
            return _apply_events(cur, store, actor, import_id)
    raise PromiseError("promises.err.not_a_promise_import", import_id=import_id)


def _apply_promises(cur, store: Store, actor: Actor, import_id: int) -> int:
    rows = cur.execute(
        "SELECT rowid AS staged, customer_id, policy_id, owner, made_at, due_at, description, customer_class, "
        "bill_amount FROM promise_import_rows WHERE import_id = ? AND promise_id IS NULL ORDER BY made_at, rowid",
        [import_id],
    ).df()
    if rows.empty:
        return 0
    for policy_id in rows["policy_id"].unique():
        try:
            ledger.load_policy(cur, policy_id)
        except KeyError:
            raise PromiseError("promises.err.no_such_policy", policy_id=policy_id) from None
    ids = make_promises_bulk(cur, rows.assign(source="import"), calendar_for(store), actor.name)
    cur.register("applied_promises", pd.DataFrame({"staged": rows["staged"], "promise_id": ids}))
    cur.execute("UPDATE promise_import_rows SET promise_id = a.promise_id FROM applied_promises a "
                "WHERE promise_import_rows.rowid = a.staged")
    cur.unregister("applied_promises")
    return len(ids)


def _apply_events(cur, store: Store, actor: Actor, import_id: int) -> dict:
    rows = cur.execute(
        """SELECT e.rowid AS staged, e.event_kind, e.occurred_at, coalesce(e.actor, ?) AS actor,
                  coalesce((SELECT max(r.promise_id) FROM promise_import_rows r WHERE r.external_ref = e.promise_ref),
                           (SELECT p.promise_id FROM promises p
                            WHERE p.promise_id = TRY_CAST(e.promise_ref AS BIGINT))) AS promise_id
           FROM promise_event_import_rows e WHERE e.import_id = ? AND e.event_id IS NULL AND e.problem IS NULL
           ORDER BY e.occurred_at, e.rowid""",
        [actor.name, import_id],
    ).fetchall()
    applied = skipped = 0
    calendar = calendar_for(store)  # one read of the holiday notices for the whole import
    for staged, kind, occurred_at, who, promise_id in rows:
        problem, event_id = None, None
        if promise_id is None:
            problem = "promises.err.import_unknown_promise"
        else:
            made = cur.execute("SELECT made_at FROM promises WHERE promise_id = ?", [promise_id]).fetchone()[0]
            if occurred_at < made:
                problem = "promises.err.before_made"
            else:
                event_id = ledger.record_event(cur, int(promise_id), kind, occurred_at, who, calendar)
        cur.execute("UPDATE promise_event_import_rows SET event_id = ?, problem = ? WHERE rowid = ?",
                    [event_id, problem, staged])
        applied, skipped = applied + (problem is None), skipped + (problem is not None)
    return {"events": applied, "skipped": skipped}
