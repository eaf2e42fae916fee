"""Display helpers for promises: durations, policy names, labels from the catalog (no streamlit)."""

from __future__ import annotations

import math
from decimal import Decimal

from crm_core.i18n import CATALOG, format_money, t


def format_duration(seconds, lang: str, days: bool = True) -> str:
    """A duration the way a manager reads it: ``45 s``, ``12 min 30 s``, ``3 h 05 min``,
    ``2 d 4 h`` (``45秒``, ``12分30秒``, ``3小时05分``, ``2天4小时``); ``—`` when missing.
    ``days=False`` keeps hours (``50 h 05 min``): business-hours durations, where a "day" of 24
    open hours would mislead. Negative durations are shown by magnitude (the caller says "overdue")."""
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "—"
    total = round(abs(float(seconds)))
    whole_days, rest = divmod(total, 86_400) if days else (0, total)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if whole_days:
        return t("promises.dur.days_hours", lang, d=whole_days, h=hours)
    if hours:
        return t("promises.dur.hours_minutes", lang, h=hours, m=f"{minutes:02d}")
    if minutes:
        return t("promises.dur.minutes_seconds", lang, m=minutes, s=f"{secs:02d}")
    return t("promises.dur.seconds", lang, s=secs)


def policy_label(policy_id: str, lang: str) -> str:
    """The shipped policy's name, or the id itself for a policy a user created."""
    key = f"promises.policy.{policy_id}"
    return t(key, lang) if key in CATALOG else policy_id


def label(prefix: str, value, lang: str) -> str:
    """``promises.<prefix>.<value>`` from the catalog; the value itself when unknown, — when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    key = f"promises.{prefix}.{value}"
    return t(key, lang) if key in CATALOG else str(value)


def remedy_cost_text(rung, bill, lang: str) -> str:
    """What a ladder rung (``policy.Remedy``) is worth: its money value when it is fixed or the bill
    is known (20 % of a ¥500 bill → ``¥100``), else the share of the order it is — ``20% of the
    order`` / ``订单金额的20%`` (with the fixed part in front when there is one) — never a made-up ¥0."""
    known = bill is not None and not (isinstance(bill, float) and math.isnan(bill))
    if not rung.cost_bill_fraction or known:
        return format_money(rung.cost_for(Decimal(str(bill)) if known else None), lang)
    pct = format((Decimal(rung.cost_bill_fraction) * 100).normalize(), "f")
    share = t("promises.remedy.share_of_order", lang, pct=pct)
    return t("promises.remedy.fixed_plus_share", lang, fixed=format_money(rung.cost_fixed, lang), share=share) \
        if rung.cost_fixed else share


def policy_summary(definition: str, lang: str) -> dict[str, str]:
    """A stored policy version (its JSON definition) as the texts a manager reads: promise type,
    time limit, clock, warning points and the compensation ladder (never the JSON itself)."""
    from crm_core.promises.policy import PromisePolicy  # here: policy imports this module's neighbours

    policy = PromisePolicy.model_validate_json(definition)
    rungs = []
    for r in policy.ladder:
        when = (t("table.policy.at_once", lang) if not r.over
                else t("table.policy.after", lang, after=format_duration(r.over.total_seconds(), lang)))
        remedy, cost = label("remedy", r.key, lang), remedy_cost_text(r, None, lang)
        # a call or a visit has no money value; a remedy's name may say its value already
        costs = bool(r.cost_fixed or r.cost_bill_fraction) and cost not in remedy
        rungs.append(t("table.policy.rung" if costs else "table.policy.rung_free", lang, when=when,
                       remedy=remedy, cost=cost))
    return {
        "promise_type": label("type", policy.promise_type, lang),
        "target": format_duration(policy.target.total_seconds(), lang, days=policy.clock != "business"),
        "clock": label("clock", policy.clock, lang),
        "warnings": " / ".join(f"{100 * w:.0f}%" for w in policy.warnings),
        "ladder": t("table.policy.rung_separator", lang).join(rungs),
    }
