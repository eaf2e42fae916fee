"""A realistic year of demo promises, generated in bulk (numpy + DuckDB INSERT … SELECT).

What it makes, up to the start of ``as_of`` (local midnight, the demo's "now"):
- the shipped policies plus four business-hours policies a B2B team uses (call-back, quote
  correction, reservation confirmation, follow-up with a negotiated date), one of them edited
  mid-year (version 2 tightens the class targets) — promises keep the version they were made under;
- about 3 promises per customer (× ``scale``), more for A-class and corporate customers, owned by
  the customer's rep and sometimes by a colleague; a few customers were promised things by three
  different reps (the manager's "what did each of them promise?");
- fulfilments drawn per rep (some reps keep promises better), cancellations, pauses waiting on the
  customer (``pause_cycles`` on average per business-hours promise, up to 3), escalations of late
  promises, promises still open at the end — some overdue, some due in the coming hours and days;
- restaurant first-dish promises with bills, their compensation ladder (fruit plate, 20 % off,
  and — when the guest complained while 10+ minutes late — double compensation brought by the
  manager as a 5-minute child promise), most remedies delivered, recent ones still owed;
- the B2B policies' ladder (``b2b_ladder``: apology call, service credit of 5 % of the order,
  account manager visit) granted to late B2B promises (``_b2b_remedies``);
- complaints, each opening the two green-channel promises.

The cache columns (due, warning points, paused_at, status, closed_at, overrun) are computed with
the same rules as ``state.stored_plan`` using the calendar's vectorised ``add_micros`` /
``elapsed_micros``; remedies are granted at the event that earned them, as ``ledger.record_event``
does, so recomputing any demo promise from its event log gives the stored columns back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from crm_core.promises import ledger
from crm_core.promises.calendar import BusinessCalendar
from crm_core.promises.policy import PRESETS, PromisePolicy, Remedy
from crm_core.promises.queries import calendar_from
from crm_core.promises.vectors import NAT, US, add_micros, elapsed_micros, insert_frame, next_ids, to_timestamps
from crm_core.segmentation import abc_classify

HOUR = 3600 * US
REPS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴霞", "Emily Chen", "David Wang"]

def b2b_ladder(credit_after: timedelta, visit_after: timedelta) -> tuple[Remedy, ...]:
    """The B2B compensation ladder (docs/domain.md §3), on business hours: any lateness earns an
    apology call (no cost); more than ``credit_after`` late adds a service credit of 5 % of the
    order (its money is known only with the order value); more than ``visit_after`` late adds a
    visit by the account manager (no cash cost)."""
    return (
        Remedy(key="apology_call", over=timedelta(0)),
        Remedy(key="service_credit", over=credit_after, cost_bill_fraction=Decimal("0.05")),
        Remedy(key="account_manager_visit", over=visit_after),
    )


DAY = timedelta(hours=9)  # one business day (09:00–18:00)
DEMO_POLICIES = (
    PromisePolicy(policy_id="sales_callback", promise_type="response", target=timedelta(hours=4),
                  clock="business", class_targets={"A": timedelta(hours=2)}, ladder=b2b_ladder(DAY, 3 * DAY)),
    PromisePolicy(policy_id="quote_correction", promise_type="correction", target=timedelta(hours=16),
                  clock="business", ladder=b2b_ladder(DAY, 3 * DAY)),
    PromisePolicy(policy_id="reservation_confirmation", promise_type="reservation", target=timedelta(hours=2),
                  clock="business", ladder=b2b_ladder(timedelta(hours=4), 2 * DAY)),
    PromisePolicy(policy_id="custom_follow_up", promise_type="custom", target=timedelta(hours=27),
                  clock="business", ladder=b2b_ladder(DAY, 3 * DAY)),
)
# Version 2 of the call-back policy, in force for the last 120 days of the demo year.
CALLBACK_V2 = {"class_targets": {"A": timedelta(hours=1), "B": timedelta(hours=2)}, "warnings": (0.5, 0.75)}
CALLBACK_V2_DAYS = 120

# Policy mix per customer type, and the local hours promises of each policy are made in.
MIX = {
    "individual": {"restaurant_first_dish": 0.28, "hotel_check_in": 0.14, "hotel_check_out": 0.09,
                   "hotel_room_call": 0.09, "phone_order_delivery": 0.16, "sales_callback": 0.12,
                   "reservation_confirmation": 0.12},
    "business": {"sales_callback": 0.30, "quote_correction": 0.15, "reservation_confirmation": 0.09,
                 "custom_follow_up": 0.12, "phone_order_delivery": 0.13, "hotel_check_in": 0.05,
                 "hotel_check_out": 0.04, "hotel_room_call": 0.04, "restaurant_first_dish": 0.08},
}
HOURS = {"restaurant_first_dish": (11.0, 20.5), "hotel_check_in": (12.0, 23.0), "hotel_check_out": (7.0, 12.5),
         "hotel_room_call": (7.0, 23.5), "phone_order_delivery": (8.0, 22.0)}
BUSINESS_HOURS = (8.5, 18.5)  # made slightly outside opening hours too: the clock starts at opening
COMPLAINT_TEXTS = ["房间空调不制冷，等了很久没人来修", "送货晚了两天，也没有提前通知", "发票开错了三次",
                   "上菜太慢，服务员态度冷淡", "报价单与合同金额不一致", "客服电话一直占线",
                   "Delivery arrived damaged", "Nobody called back as promised", "退房排队二十分钟"]
CHANNELS = ["hotline", "wechat", "email", "visit", "letter", "online"]


@dataclass
class _Plan:
    """Planned promises before they meet the cut-off: one entry per promise, numpy arrays."""

    cust: list = field(default_factory=list)
    owner: list = field(default_factory=list)
    policy: list = field(default_factory=list)  # index into the policy table
    cclass: list = field(default_factory=list)
    made: list = field(default_factory=list)  # µs
    close_run: list = field(default_factory=list)  # µs of running clock time made → completion (or -1)
    close_wall: list = field(default_factory=list)  # µs instant for negotiated promises (or NAT)
    neg_due: list = field(default_factory=list)  # µs, NAT unless negotiated
    kind: list = field(default_factory=list)  # 0 never closed, 1 fulfilled, 2 cancelled
    source: list = field(default_factory=list)
    description: list = field(default_factory=list)
    complaint: list = field(default_factory=list)  # complaint row or -1
    parent: list = field(default_factory=list)  # parent promise row or -1
    bill: list = field(default_factory=list)  # yuan, NaN without a bill

    def add(self, **columns) -> None:
        for name, values in columns.items():
            getattr(self, name).append(np.asarray(values))

    def arrays(self) -> dict:
        return {name: np.concatenate(values) for name, values in self.__dict__.items()}


def _local_micros(days: np.ndarray, seconds: np.ndarray, tz: str) -> np.ndarray:
    """Local calendar days (datetime64[D]) plus seconds after midnight → UTC µs."""
    naive = days.astype("datetime64[us]") + (np.asarray(seconds, dtype=np.int64) * US).astype("timedelta64[us]")
    local = pd.DatetimeIndex(naive).tz_localize(tz, ambiguous=False, nonexistent="shift_forward")
    return local.tz_convert("UTC").tz_localize(None).values.astype("datetime64[us]").astype(np.int64)


def _install_policies(cur, cutoff: int) -> list[tuple[PromisePolicy, int]]:
    """Store presets, demo policies and the call-back's version 2 (back-dated); returns the table of
    (policy version, in force from µs) the generator draws from."""
    start = pd.Timestamp(cutoff - 400 * 24 * HOUR, unit="us", tz="UTC")
    v2_from = cutoff - CALLBACK_V2_DAYS * 24 * HOUR
    first = [*PRESETS.values(), *DEMO_POLICIES]
    second = DEMO_POLICIES[0].edited(**CALLBACK_V2)
    stored = set(cur.execute("SELECT policy_id, version FROM promise_policies").fetchall())
    for policy, created in [(p, start) for p in first] + [(second, pd.Timestamp(v2_from, unit="us", tz="UTC"))]:
        if (policy.policy_id, policy.version) not in stored:
            cur.execute(
                "INSERT INTO promise_policies (policy_id, version, promise_type, definition, created_at, created_by) "
                "VALUES (?, ?, ?, ?, ?, 'demo')",
                [policy.policy_id, policy.version, policy.promise_type, policy.model_dump_json(), created],
            ).fetchall()
    table = [(ledger.load_policy(cur, p.policy_id, p.version), cutoff - 400 * 24 * HOUR) for p in first]
    table.append((ledger.load_policy(cur, second.policy_id, second.version), v2_from))
    return table


def _classes(customers: pd.DataFrame, transactions: pd.DataFrame, as_of: date) -> np.ndarray:
    """ABC class by revenue over the last 12 months (segmentation's rules); None without revenue."""
    days = pd.to_datetime(transactions["txn_date"])
    recent = transactions[(days > pd.Timestamp(as_of) - pd.Timedelta(days=365)) & (days <= pd.Timestamp(as_of))]
    spend = recent.groupby("customer_id", as_index=False)["amount"].sum().rename(columns={"amount": "spend"})
    classes = abc_classify(spend).set_index("customer_id")["abc"]
    return customers["customer_id"].map(classes).astype(object).where(lambda s: s.notna(), None).to_numpy()


def _rep_skill(rng: np.random.Generator) -> dict[str, float]:
    """Per rep, the mean log of (time taken ÷ time promised): −0.8 keeps nearly all, −0.15 many late."""
    return dict(zip(REPS, rng.uniform(-0.8, -0.15, len(REPS))))


def load_demo(
    cur,
    customers: pd.DataFrame,
    transactions: pd.DataFrame,
    as_of: date,
    seed: int = 20240305,
    scale: float = 1.0,
    pause_cycles: float = 0.5,
    rep_seed: int | None = None,
) -> int:
    """Fill the promise tables with a year of demo promises up to local midnight of ``as_of``
    (see the module docstring). ``scale`` multiplies the number of promises and complaints (1.0 ≈
    3 promises per customer); ``pause_cycles`` is the mean number of pause/resume cycles of a
    business-hours promise (0–3). Runs inside the caller's transaction; returns the number of
    promises made. Deterministic for a given input and seed. ``rep_seed``: the seed the reps'
    skills come from when it is not ``seed`` — every chunk of a big demo (crm_core.demo) passes the
    demo's own seed, so a rep keeps promises as well in every chunk as in the first."""
    ((tz,),) = cur.execute("SELECT current_setting('TimeZone')").fetchall()
    calendar = calendar_from(cur, tz)
    cutoff = int(_local_micros(np.array([np.datetime64(as_of, "D")]), np.array([0]), tz)[0])
    rng = np.random.default_rng(seed + 5)
    policies = _install_policies(cur, cutoff)
    table = _policy_table(policies)
    classes = _classes(customers, transactions, as_of)
    plan = _Plan()
    skill = _rep_skill(rng)  # drawn in any case: the rest of the stream stays as it always was
    if rep_seed is not None and rep_seed != seed:
        skill = _rep_skill(np.random.default_rng(rep_seed + 5))  # the first chunk's draw (the same rng)
    _regular(rng, plan, customers, classes, table, skill, cutoff, tz, scale)
    complaints = _green_channel(rng, plan, customers, table, cutoff, tz, scale)
    promises = plan.arrays()
    children = _restaurant_children(rng, promises, table, cutoff)
    if children is not None:
        promises = {k: np.concatenate([promises[k], children[k]]) for k in promises}
    settled = _settle(rng, promises, table, calendar, cutoff, pause_cycles)
    remedies = _remedies(rng, promises, settled, table, cutoff)
    settled.update(_escalations(rng, promises, settled, table, cutoff))
    remedies = pd.concat([remedies, _b2b_remedies(promises, settled, table, calendar, cutoff)], ignore_index=True)
    return _write(cur, promises, settled, remedies, complaints, table, skill, cutoff, rng)


# -- the policy table ----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Policies:
    versions: list  # PromisePolicy per row
    ids: np.ndarray
    since: np.ndarray  # µs from which a version is the one new promises get
    business: np.ndarray
    warn: np.ndarray  # (rows, 2)
    ladder: np.ndarray  # the policy has a compensation ladder
    restaurant: np.ndarray  # the restaurant's first-dish ladder (complaints, double compensation)

    def row(self, policy_id: str, made: np.ndarray) -> np.ndarray:
        """The table row of the version in force at each ``made`` instant."""
        rows = np.flatnonzero(self.ids == policy_id)
        rows = rows[np.argsort(self.since[rows])]
        pick = np.searchsorted(self.since[rows], made, side="right") - 1
        return rows[np.clip(pick, 0, None)]

    def targets(self, rows: np.ndarray, cclass: np.ndarray) -> np.ndarray:
        """Target µs per promise: the tightest of the default and the class's (``target_for``)."""
        out = np.empty(len(rows), dtype=np.int64)
        for r in np.unique(rows):
            policy = self.versions[r]
            for klass in (None, "A", "B", "C"):
                mask = (rows == r) & (cclass == klass) if klass else (rows == r) & pd.isna(cclass)
                out[mask] = int(policy.target_for(klass).total_seconds()) * US
        return out


def _policy_table(policies) -> _Policies:
    versions = [p for p, _ in policies]
    return _Policies(
        versions=versions,
        ids=np.array([p.policy_id for p in versions], dtype=object),
        since=np.array([s for _, s in policies], dtype=np.int64),
        business=np.array([p.clock == "business" for p in versions]),
        warn=np.array([p.warnings for p in versions], dtype=float),
        ladder=np.array([bool(p.ladder) for p in versions]),
        restaurant=np.array([p.policy_id == "restaurant_first_dish" for p in versions]),
    )


# -- planned promises --------------------------------------------------------------------------------
def _owners(rng, customers: pd.DataFrame, cust_rows: np.ndarray, trio_customers: np.ndarray) -> np.ndarray:
    reps = np.asarray(REPS, dtype=object)
    own = customers["sales_rep"].to_numpy(dtype=object)[cust_rows]
    colleague = reps[rng.integers(0, len(reps), len(cust_rows))]
    owner = np.where(rng.random(len(cust_rows)) < 0.82, own, colleague)
    # Three reps for the same customer: the owner and the next two reps in the list, in turn.
    trio = np.isin(cust_rows, trio_customers)
    base = pd.Index(reps).get_indexer(own[trio])
    base = np.where(base < 0, 0, base)
    owner[trio] = reps[(base + rng.integers(0, 3, trio.sum())) % len(reps)]
    return owner


def _made_times(rng, policy_ids: np.ndarray, cutoff: int, tz: str, n: int) -> np.ndarray:
    """Uniform over the year before the cut-off, with a burst in the last 4 days so the Now board has
    promises coming due; the time of day follows each policy's trading hours."""
    cut_day = np.datetime64(pd.Timestamp(cutoff, unit="us", tz="UTC").tz_convert(tz).date(), "D")
    back = rng.integers(1, 366, n)
    back = np.where(rng.random(n) < 0.02, rng.integers(1, 5, n), back)
    lo = np.array([HOURS.get(p, BUSINESS_HOURS)[0] for p in policy_ids])
    hi = np.array([HOURS.get(p, BUSINESS_HOURS)[1] for p in policy_ids])
    seconds = (lo * 3600 + rng.random(n) * (hi - lo) * 3600).astype(np.int64)
    return _local_micros(cut_day - back, seconds, tz)


def _regular(rng, plan: _Plan, customers, classes, table: _Policies, skill, cutoff, tz, scale) -> None:
    n_cust = len(customers)
    ctype = customers["customer_type"].to_numpy(dtype=object)
    weight = pd.Series(classes).map({"A": 4.0, "B": 2.0, "C": 1.0}).fillna(0.6).to_numpy(copy=True)
    weight *= pd.Series(ctype).map({"corporate": 1.6, "channel": 1.3}).fillna(1.0).to_numpy()
    n = round(3 * n_cust * scale)
    cust_rows = rng.choice(n_cust, size=n, p=weight / weight.sum())
    trio_customers = rng.choice(n_cust, size=max(3, n_cust // 100), replace=False, p=weight / weight.sum())
    cust_rows = np.concatenate([cust_rows, np.repeat(trio_customers, 6)])  # ≥ 6 promises each
    n = len(cust_rows)
    policy_ids = np.empty(n, dtype=object)
    individual = ctype[cust_rows] == "individual"
    for group, mask in (("individual", individual), ("business", ~individual)):
        names, p = zip(*MIX[group].items())
        policy_ids[mask] = np.asarray(names, dtype=object)[rng.choice(len(names), size=mask.sum(), p=p)]
    made = _made_times(rng, policy_ids, cutoff, tz, n)
    rows = np.empty(n, dtype=np.int64)
    for pid in np.unique(policy_ids):
        mask = policy_ids == pid
        rows[mask] = table.row(pid, made[mask])
    cclass = classes[cust_rows]
    owner = _owners(rng, customers, cust_rows, trio_customers)
    mu = pd.Series(owner).map(skill).fillna(-0.5).to_numpy()
    factor = np.exp(rng.normal(mu, 0.45))
    restaurant = policy_ids == "restaurant_first_dish"
    # First dish: usually 5–9 minutes; a jammed kitchen (8 %) takes 15–25.
    jam = rng.random(n) < 0.08
    factor = np.where(restaurant, np.exp(rng.normal(np.where(jam, np.log(1.9), np.log(0.75)), 0.3)), factor)
    target = table.targets(rows, cclass)
    close_run = np.maximum(np.round(target / US * factor).astype(np.int64), 1) * US
    negotiated = (policy_ids == "custom_follow_up") & (rng.random(n) < 0.5)
    made_day = pd.DatetimeIndex(pd.to_datetime(made, unit="us", utc=True)).tz_convert(tz).normalize().tz_localize(None)
    due_day = made_day.values.astype("datetime64[D]") + rng.integers(2, 11, n)
    neg_due = np.where(negotiated, _local_micros(due_day, np.full(n, 17 * 3600), tz), NAT)
    span = np.where(negotiated, neg_due, made) - made
    close_wall = np.where(negotiated, made + (span * np.exp(rng.normal(mu + 0.1, 0.3))).astype(np.int64) // US * US, NAT)
    kind = np.ones(n, dtype=np.int64)
    cancellable = ~table.restaurant[rows]
    kind[cancellable & (rng.random(n) < 0.03)] = 2
    recent = made > cutoff - 60 * 24 * HOUR
    slow = table.business[rows] | (policy_ids == "phone_order_delivery")
    kind[cancellable & slow & recent & (rng.random(n) < 0.01)] = 0  # forgotten: open and overdue
    bill = np.where(restaurant, rng.integers(80, 1500, n).astype(float), np.nan)
    plan.add(cust=customers["customer_id"].to_numpy()[cust_rows], owner=owner, policy=rows, cclass=cclass,
             made=made, close_run=close_run, close_wall=close_wall, neg_due=neg_due, kind=kind,
             source=np.full(n, "form", dtype=object), description=np.full(n, "", dtype=object),
             complaint=np.full(n, -1), parent=np.full(n, -1), bill=bill)


def _green_channel(rng, plan: _Plan, customers, table: _Policies, cutoff, tz, scale) -> pd.DataFrame:
    """Complaints (5 % of customers a year × scale, plus a few in the last 12 hours) and their
    two green-channel promises; returns the complaints frame (row order = complaint rows)."""
    n_cust = len(customers)
    n = max(round(n_cust * 0.05 * scale), 4)
    fresh = max(3, n // 30)
    cut_day = np.datetime64(pd.Timestamp(cutoff, unit="us", tz="UTC").tz_convert(tz).date(), "D")
    received = _local_micros(cut_day - rng.integers(1, 366, n), rng.integers(8 * 3600, 22 * 3600, n), tz)
    received[:fresh] = cutoff - rng.integers(3600, 12 * 3600, fresh) * US
    cust_rows = rng.integers(0, n_cust, n)
    owner = customers["sales_rep"].to_numpy(dtype=object)[cust_rows]
    text = np.asarray(COMPLAINT_TEXTS, dtype=object)[rng.integers(0, len(COMPLAINT_TEXTS), n)]
    frame = pd.DataFrame({"customer_id": customers["customer_id"].to_numpy()[cust_rows], "received_at": received,
                          "channel": np.asarray(CHANNELS, dtype=object)[rng.integers(0, len(CHANNELS), n)],
                          "description": text, "owner": owner})
    for policy_id, median_h in (("complaint_to_gm", 5.0), ("complaint_reply", 12.0)):
        hours = np.exp(rng.normal(np.log(median_h), 0.6, n))
        plan.add(cust=frame["customer_id"].to_numpy(), owner=owner, policy=table.row(policy_id, received),
                 cclass=np.full(n, None, dtype=object), made=received,
                 close_run=np.maximum((hours * 3600).astype(np.int64), 60) * US, close_wall=np.full(n, NAT),
                 neg_due=np.full(n, NAT), kind=np.ones(n, dtype=np.int64),
                 source=np.full(n, "complaint", dtype=object), description=text, complaint=np.arange(n),
                 parent=np.full(n, -1), bill=np.full(n, np.nan))
    return frame


def _restaurant_complaints(rng, promises: dict, table: _Policies, cutoff: int) -> np.ndarray:
    """The instant a late restaurant guest complained (µs), NAT where they did not: only when the
    first dish was more than 12 minutes late, at 20–80 % of the way from 10 minutes late to served."""
    rows = promises["policy"]
    late = promises["close_run"] - np.array([int(p.target.total_seconds()) for p in table.versions])[rows] * US
    said = table.restaurant[rows] & (late > 720 * US) & (rng.random(len(rows)) < 0.55)
    due = promises["made"] + (promises["close_run"] - late)
    at = due + 600 * US + ((late - 600 * US) / US * rng.uniform(0.2, 0.8, len(rows))).astype(np.int64) * US
    return np.where(said & (at <= cutoff), at, NAT)


def _restaurant_children(rng, promises: dict, table: _Policies, cutoff: int) -> dict | None:
    """The manager's 5-minute double-compensation promise each in-time complaint opens."""
    complained = _restaurant_complaints(rng, promises, table, cutoff)
    promises["complained_at"] = complained
    parents = np.flatnonzero(complained != NAT)
    n = len(parents)
    if n == 0:
        promises["complained_at"] = complained
        return None
    child_row = table.row("restaurant_manager_compensation", complained[parents])
    child = {
        "cust": promises["cust"][parents], "owner": promises["owner"][parents], "policy": child_row,
        "cclass": np.full(n, None, dtype=object), "made": complained[parents],
        "close_run": rng.integers(120, 540, n) * US, "close_wall": np.full(n, NAT), "neg_due": np.full(n, NAT),
        "kind": np.ones(n, dtype=np.int64), "source": promises["source"][parents],
        "description": np.full(n, "double_compensation", dtype=object),
        "complaint": promises["complaint"][parents], "parent": parents, "bill": np.full(n, np.nan),
        "complained_at": np.full(n, NAT),
    }
    return child


# -- settling: what the event log up to the cut-off says ---------------------------------------------
def _settle(rng, p: dict, table: _Policies, calendar: BusinessCalendar, cutoff: int, pause_cycles: float) -> dict:
    """Event instants and the stored cache columns, as ``state.stored_plan`` computes them."""
    rows, made, n = p["policy"], p["made"], len(p["made"])
    business = table.business[rows]
    negotiated = p["neg_due"] != NAT
    target = table.targets(rows, p["cclass"])
    # Pause cycles (waiting on the customer): business-hours promises with room for them.
    can_pause = business & ~negotiated & (p["close_run"] > 10 * US) & (p["parent"] < 0)
    cycles = np.where(can_pause, rng.binomial(3, min(max(pause_cycles, 0.0), 3.0) / 3, n), 0)
    pauses = []
    paused_so_far = np.zeros(n, dtype=np.int64)
    for j in range(3):
        present = cycles > j
        run = 1 * US + ((p["close_run"] - 2 * US) * (j + rng.uniform(0.05, 0.95, n)) / 3).astype(np.int64) // US * US
        length = rng.integers(1800, 16 * 3600, n) * US
        start = add_micros(calendar, business & present, made, np.where(present, run + paused_so_far, 0))
        end = add_micros(calendar, business & present, made, np.where(present, run + paused_so_far + length, 0))
        pauses.append((present, start, end, length))
        paused_so_far = paused_so_far + np.where(present, length, 0)
    close_at = np.where(negotiated, p["close_wall"], add_micros(calendar, business, made, p["close_run"] + paused_so_far))
    closed = (p["kind"] > 0) & (close_at <= cutoff)
    done = np.zeros(n, dtype=np.int64)
    paused_at = np.full(n, NAT)
    for present, start, end, length in pauses:
        began, ended = present & (start <= cutoff), present & (end <= cutoff)
        done += np.where(ended, length, 0)
        paused_at = np.where(began & ~ended, start, paused_at)
    due = np.where(negotiated, p["neg_due"], add_micros(calendar, business, made, target + done))
    budget = np.where(negotiated, elapsed_micros(calendar, business, made, due), target)
    warn = [add_micros(calendar, business, made, np.rint(budget * table.warn[rows, k]).astype(np.int64) + done)
            for k in (0, 1)]
    late = elapsed_micros(calendar, business, due, np.where(closed, close_at, due))
    status = np.where(~closed, "open", np.where(p["kind"] == 2, "cancelled",
                                                np.where(close_at <= due, "met", "breached")))
    return {"pauses": pauses, "close_at": close_at, "closed": closed, "due": due, "warn1": warn[0],
            "warn2": warn[1], "paused_at": paused_at, "status": status.astype(object),
            "overrun": np.where(closed, np.maximum(late, 0) / US, np.nan), "business": business,
            "ladder": table.ladder[rows]}


def _remedies(rng, p: dict, s: dict, table: _Policies, cutoff: int) -> pd.DataFrame:
    """Remedies the ladder earned, granted at the event that earned them (the complaint, else the
    fulfilment), with cost from the bill and, for most, a delivery time."""
    rows, n = p["policy"], len(p["made"])
    ladder = table.restaurant[rows]
    complained = p["complained_at"] != NAT
    late = (s["close_at"] - s["due"]) // US  # calendar clock: wall seconds
    fulfilled_late = ladder & ~complained & s["closed"] & (late > 0)
    frames = []
    child_of = pd.Series(np.arange(n)[p["parent"] >= 0], index=p["parent"][p["parent"] >= 0])
    for rung_index, (key, over, fixed, fraction, needs_complaint) in enumerate(
        [(r.key, r.over.total_seconds(), r.cost_fixed, r.cost_bill_fraction, r.requires_complaint)
         for r in PRESETS["restaurant_first_dish"].ladder]
    ):
        by_complaint = complained
        by_fulfilment = fulfilled_late & (late > over) & (not needs_complaint)
        who = np.flatnonzero(by_complaint | by_fulfilment)
        granted = np.where(by_complaint[who], p["complained_at"][who], s["close_at"][who])
        cents = (int(fixed * 100) + np.round(p["bill"][who] * float(fraction) * 100)).astype(np.int64)
        child = child_of.reindex(who).fillna(-1).to_numpy(dtype=np.int64) if needs_complaint else np.full(len(who), -1)
        recent = granted > cutoff - 30 * 24 * HOUR
        delivered = granted + rng.integers(60, 1800, len(who)) * US
        if needs_complaint:  # the manager brings it when the child promise is fulfilled
            delivered = np.where(child >= 0, s["close_at"][np.maximum(child, 0)], NAT)
            delivered = np.where((child >= 0) & s["closed"][np.maximum(child, 0)], delivered, NAT)
        keep = rng.random(len(who)) < np.where(recent, 0.6, 0.93)
        delivered = np.where(keep & (delivered != NAT) & (delivered <= cutoff), delivered, NAT)
        frames.append(pd.DataFrame({"row": who, "rung": rung_index, "key": key, "cents": cents,
                                    "granted": granted, "delivered": delivered, "child": child}))
    return pd.concat(frames, ignore_index=True)


def _b2b_earning(p: dict, s: dict, table: _Policies) -> np.ndarray:
    """B2B (business-hours ladder) promises that can earn remedies: not cancelled."""
    rows = p["policy"]
    return table.ladder[rows] & ~table.restaurant[rows] & ~(s["closed"] & (p["kind"] == 2))


def _escalations(rng, p: dict, s: dict, table: _Policies, cutoff: int) -> dict:
    """Late promises escalated 10–60 minutes after their due time, 60 % of them, while open and not
    paused at the cut-off. Not restaurant ones (an event while late would grant remedies early); a
    B2B one only after all its pauses (its lateness then is plain: now − the stored due) and not
    when it is later cancelled. Draws from ``rng`` in the order the demo always has."""
    n = len(p["made"])
    end_or_cut = np.where(s["closed"], s["close_at"], cutoff)
    escalate_at = s["due"] + rng.integers(600, 3600, n) * US
    after_pauses = np.ones(n, dtype=bool)
    for present, _start, end, _length in s["pauses"]:
        after_pauses &= ~present | (end <= escalate_at)
    b2b = _b2b_earning(p, s, table)
    allowed = ~s["ladder"] | (b2b & after_pauses)
    escalate = allowed & (escalate_at < end_or_cut) & (s["paused_at"] == NAT) & (rng.random(n) < 0.6)
    return {"escalate": escalate, "escalate_at": escalate_at}


def _b2b_remedies(p: dict, s: dict, table: _Policies, calendar: BusinessCalendar, cutoff: int) -> pd.DataFrame:
    """Remedies of the business-hours (B2B) ladders, granted at the first event at which the
    promise was late by more than the rung's threshold — a pause begun after the due time (lateness
    on the business clock at that moment), else the escalation (``_escalations``), else the
    fulfilment — as ``ledger.record_event`` grants them; cancelled ones earn nothing. The service credit's cost is 5 % of a bill the demo does
    not know (¥0 stored, shown as "5% of the order"); remedies are delivered after the promise is
    closed (recent ones often still owed), never while it is open — a delivery would be an event
    that grants more. Uses its own random generator, so the rest of the demo is unchanged."""
    rows, n = p["policy"], len(p["made"])
    b2b = _b2b_earning(p, s, table)
    if not b2b.any():
        return pd.DataFrame(columns=["row", "rung", "key", "cents", "granted", "delivered", "child"])
    business = s["business"]
    target = table.targets(rows, p["cclass"])
    before = np.zeros(n, dtype=np.int64)
    pause_late = []  # (start, lateness µs) per pause cycle; lateness −1 where the pause did not count
    for present, start, _end, length in s["pauses"]:
        due_then = add_micros(calendar, business, p["made"], target + before)
        counted = b2b & present & (start <= cutoff) & (start > due_then)
        late = elapsed_micros(calendar, business, np.where(counted, due_then, start), start)
        pause_late.append((start, np.where(counted, late, -1)))
        before = before + np.where(present, length, 0)
    escalated = b2b & s["escalate"]  # after every pause, so the due is the stored one
    escalation_late = np.where(escalated, elapsed_micros(calendar, business, s["due"], s["escalate_at"]), -1)
    closed_late = b2b & s["closed"] & (p["kind"] == 1)
    overrun = np.where(closed_late, np.nan_to_num(s["overrun"], nan=0.0) * US, -1).astype(np.int64)
    gen = np.random.default_rng(n)  # deterministic, and leaves the main generator's draws alone
    frames = []
    for r in np.flatnonzero(table.ladder & ~table.restaurant):
        mine = b2b & (rows == r)
        for rung_index, rung in enumerate(table.versions[r].ladder):
            over = int(rung.over.total_seconds()) * US
            granted = np.full(n, NAT)
            for start, late in reversed(pause_late):  # the earliest qualifying event wins
                granted = np.where(mine & (late > over), start, granted)
            granted = np.where(mine & (granted == NAT) & (escalation_late > over), s["escalate_at"], granted)
            granted = np.where(mine & (granted == NAT) & (overrun > over), s["close_at"], granted)
            who = np.flatnonzero(granted != NAT)
            cents = np.full(len(who), int(rung.cost_fixed * 100), dtype=np.int64)  # no bill: fixed part
            after_close = s["close_at"][who] + gen.integers(600, 2 * 86_400, len(who)) * US
            recent = granted[who] > cutoff - 30 * 24 * HOUR
            keep = s["closed"][who] & (gen.random(len(who)) < np.where(recent, 0.5, 0.9)) & (after_close <= cutoff)
            frames.append(pd.DataFrame({"row": who, "rung": rung_index, "key": rung.key, "cents": cents,
                                        "granted": granted[who], "delivered": np.where(keep, after_close, NAT),
                                        "child": np.full(len(who), -1)}))
    return pd.concat(frames, ignore_index=True)


# -- writing -------------------------------------------------------------------------------------
def _write(cur, p: dict, s: dict, remedies: pd.DataFrame, complaints: pd.DataFrame, table: _Policies,
           skill, cutoff: int, rng) -> int:
    n = len(p["made"])
    order = np.argsort(p["made"], kind="stable")
    ids = np.empty(n, dtype=np.int64)
    ids[order] = next_ids(cur, "promise_id_seq", n) + np.arange(n)
    c_order = np.argsort(complaints["received_at"].to_numpy(), kind="stable")
    c_ids = np.empty(len(complaints), dtype=np.int64)
    c_ids[c_order] = next_ids(cur, "complaint_id_seq", len(complaints)) + np.arange(len(complaints))
    remedies = remedies.sort_values(["granted", "row", "rung"], kind="stable").reset_index(drop=True)
    remedies["remedy_id"] = next_ids(cur, "remedy_id_seq", len(remedies)) + np.arange(len(remedies))
    rows = p["policy"]
    insert_frame(cur, "complaints", complaints.assign(complaint_id=c_ids, received_at=to_timestamps(complaints["received_at"])))
    promises = pd.DataFrame({
        "promise_id": ids, "customer_id": p["cust"].astype(np.int64), "owner": p["owner"],
        "promise_type": np.array([v.promise_type for v in table.versions], dtype=object)[rows],
        "policy_id": table.ids[rows], "policy_version": np.array([v.version for v in table.versions])[rows],
        "clock": np.where(table.business[rows], "business", "calendar"), "customer_class": p["cclass"],
        "made_at": to_timestamps(p["made"]), "due_at": to_timestamps(s["due"]), "negotiated_due": p["neg_due"] != NAT,
        "description": p["description"], "source": p["source"],
        "complaint_id": _nullable(c_ids, p["complaint"]),
        "parent_promise_id": _nullable(ids, p["parent"]),
        "bill_amount": p["bill"], "warn1_at": to_timestamps(s["warn1"]), "warn2_at": to_timestamps(s["warn2"]),
        "paused_at": to_timestamps(s["paused_at"]), "status": s["status"],
        "closed_at": to_timestamps(np.where(s["closed"], s["close_at"], NAT)), "overrun_seconds": s["overrun"],
    })
    insert_frame(cur, "promises", promises, {"bill_amount": 'CAST("bill_amount" AS DECIMAL(18, 2))'})
    child_ids = np.where(remedies["child"].to_numpy() >= 0, ids[np.maximum(remedies["child"].to_numpy(), 0)], -1)
    insert_frame(cur, "remedies", pd.DataFrame({
        "remedy_id": remedies["remedy_id"], "promise_id": ids[remedies["row"].to_numpy()], "key": remedies["key"],
        "cost": remedies["cents"] / 100, "granted_at": to_timestamps(remedies["granted"]),
        "delivered_at": to_timestamps(remedies["delivered"]),
        "child_promise_id": pd.Series(child_ids, dtype="Int64").where(child_ids >= 0, pd.NA),
    }), {"cost": 'CAST("cost" AS DECIMAL(18, 2))'})
    events = _events(p, s, remedies, ids, child_ids, cutoff)
    events.insert(0, "event_id", next_ids(cur, "promise_event_id_seq", len(events)) + np.arange(len(events)))
    insert_frame(cur, "promise_events", events)
    return n


# Within one instant, events are logged in this order (as the ledger appends them).
_SEQ = {"made": 0, "paused": 1, "resumed": 1, "escalated": 2, "complained": 3, "remedy_granted": 4,
        "fulfilled": 8, "cancelled": 8, "remedy_delivered": 9}


def _events(p: dict, s: dict, remedies: pd.DataFrame, ids: np.ndarray, child_ids: np.ndarray,
            cutoff: int) -> pd.DataFrame:
    n = len(ids)
    parts = [("made", np.arange(n), p["made"], None)]
    for present, start, end, _ in s["pauses"]:
        began, ended = present & (start <= cutoff), present & (end <= cutoff)
        parts += [("paused", np.flatnonzero(began), start[began], None),
                  ("resumed", np.flatnonzero(ended), end[ended], None)]
    escalate, escalate_at = s["escalate"], s["escalate_at"]  # _escalations
    parts.append(("escalated", np.flatnonzero(escalate), escalate_at[escalate], None))
    said = p["complained_at"] != NAT
    parts.append(("complained", np.flatnonzero(said), p["complained_at"][said], None))
    closed = s["closed"]
    for kind, code in (("fulfilled", 1), ("cancelled", 2)):
        mask = closed & (p["kind"] == code)
        parts.append((kind, np.flatnonzero(mask), s["close_at"][mask], None))
    r_ids = remedies["remedy_id"].astype(str)
    cost = (remedies["cents"] // 100).astype(str) + "." + (remedies["cents"] % 100).astype(str).str.zfill(2)
    child = pd.Series(np.where(child_ids >= 0, child_ids.astype(str), "null"))
    granted_detail = ('{"key": "' + remedies["key"] + '", "remedy_id": ' + r_ids + ', "cost": "' + cost
                      + '", "child_promise_id": ' + child + "}")
    parts.append(("remedy_granted", remedies["row"].to_numpy(), remedies["granted"].to_numpy(),
                  granted_detail.to_numpy(dtype=object), remedies["rung"].to_numpy()))
    delivered = remedies["delivered"].to_numpy() != NAT
    delivered_detail = '{"remedy_id": ' + r_ids + ', "key": "' + remedies["key"] + '"}'
    parts.append(("remedy_delivered", remedies["row"].to_numpy()[delivered], remedies["delivered"].to_numpy()[delivered],
                  delivered_detail.to_numpy(dtype=object)[delivered], remedies["rung"].to_numpy()[delivered]))
    frames = []
    for part in parts:
        kind, who, at, detail = part[:4]
        sub = part[4] if len(part) > 4 else np.zeros(len(who), dtype=np.int64)
        frames.append(pd.DataFrame({"row": who, "kind": kind, "at": at, "seq": _SEQ[kind] * 10 + sub,
                                    "detail": "{}" if detail is None else detail}))
    events = pd.concat(frames, ignore_index=True)
    events = events.sort_values(["at", "row", "seq"], kind="stable").reset_index(drop=True)
    at = to_timestamps(events["at"].to_numpy())
    return pd.DataFrame({"promise_id": ids[events["row"].to_numpy()], "kind": events["kind"], "at": at,
                         "actor": p["owner"][events["row"].to_numpy()], "detail": events["detail"],
                         "recorded_at": at})


def _nullable(ids: np.ndarray, rows: np.ndarray) -> pd.Series:
    """``ids[rows]`` as a nullable integer column, NULL where ``rows`` is −1."""
    picked = ids[np.maximum(rows, 0)] if len(ids) else np.zeros(len(rows), dtype=np.int64)
    return pd.Series(picked, dtype="Int64").where(rows >= 0, pd.NA)
