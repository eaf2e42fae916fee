"""The Policies tab: every policy's versions, and an editor that saves a new version (closed
outcomes are never rewritten; moving a promise to the new version is an explicit recompute)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import streamlit as st

from crm_core.i18n import currency_symbol
from crm_core.promises import actions, notices, queries
from crm_core.promises.policy import PROMISE_TYPES, PromisePolicy
from crm_core.promises.text import label, policy_label, policy_summary
from crm_core.tables import POLICY_VERSIONS
from ui.common import denied_reason, lang, plain, tr
from ui.promises import common
from ui.tables import frame_grid, show_table
from ui.uploader import file_uploader

NEW = "__new__"
NOTICE_FILE_TYPES = (".csv", ".txt")  # a notice is text: CSV rows, or the same saved as .txt
LADDER_COLUMNS = ("key", "over_minutes", "cost_fixed", "cost_bill_fraction", "requires_complaint", "child_policy_id")


def _ladder_frame(policy: PromisePolicy | None) -> pd.DataFrame:
    rungs = policy.ladder if policy else ()
    return pd.DataFrame({
        "key": pd.Series([r.key for r in rungs], dtype=str),
        "over_minutes": pd.Series([r.over.total_seconds() / 60 for r in rungs], dtype=float),
        "cost_fixed": pd.Series([float(r.cost_fixed) for r in rungs], dtype=float),
        "cost_bill_fraction": pd.Series([float(r.cost_bill_fraction) for r in rungs], dtype=float),
        "requires_complaint": pd.Series([r.requires_complaint for r in rungs], dtype=bool),
        "child_policy_id": pd.Series([r.child_policy_id or "" for r in rungs], dtype=str),
    })


def _ladder_config() -> dict:
    """Headers, and formats for the numbers (as the grids show them: ¥1,000.00, 10%)."""
    config = {c: tr(f"promises.ladder.{c}") for c in LADDER_COLUMNS}
    number = st.column_config.NumberColumn
    return config | {
        "over_minutes": number(config["over_minutes"], format="%,.0f", min_value=0),
        "cost_fixed": number(config["cost_fixed"], format=f"{currency_symbol()}%,.2f", min_value=0),
        "cost_bill_fraction": number(config["cost_bill_fraction"], format="percent", min_value=0, max_value=1)}


def _ladder_rows(edited: pd.DataFrame) -> list[dict]:
    rows = []
    for rung in edited.dropna(subset=["key"]).to_dict("records"):
        if not str(rung["key"]).strip():
            continue
        rows.append({
            "key": str(rung["key"]).strip(),
            "over": timedelta(seconds=round(float(rung["over_minutes"] or 0) * 60)),
            "cost_fixed": Decimal(str(round(float(rung["cost_fixed"] or 0), 2))),
            "cost_bill_fraction": Decimal(str(float(rung["cost_bill_fraction"] or 0))),
            "requires_complaint": bool(rung["requires_complaint"]),
            "child_policy_id": (str(rung["child_policy_id"]).strip() or None) if rung["child_policy_id"] else None,
        })
    return rows


def _minutes(value: timedelta | None) -> float:
    return 0.0 if value is None else value.total_seconds() / 60


def policies_tab(db, user) -> None:
    _policy_editor(db, user)
    notice_section(db, user)


def _policy_editor(db, user) -> None:
    language = lang()
    latest = {p.policy_id: p for p in common.policies(db)}
    new_text = tr("promises.pol.new")  # fixed now: format_func may run outside the script
    choice = st.selectbox(tr("promises.pol.pick"), [*latest, NEW], key="prom_pol_pick",
                          format_func=lambda p: new_text if p == NEW
                          else f"{policy_label(p, language)} · {p} (v{latest[p].version})")
    base = latest.get(choice)
    message = st.session_state.pop("prom_pol_msg", None)
    if message:
        st.success(message)
    if base is not None:
        st.markdown(f"**{tr('promises.pol.history')}**")
        history = common.policy_history(db, base.policy_id)
        readable = pd.DataFrame([policy_summary(d, language) for d in history["definition"]], index=history.index)
        show_table(POLICY_VERSIONS, history.join(readable), key="prom_pol_history",
                   file_stem=f"policy_{base.policy_id}_versions")
    cannot_manage = denied_reason(user, "manage")
    if cannot_manage:  # the versions above are for everyone; the editor only for who may save it
        st.caption(cannot_manage)
        return
    key = f"prom_pol_{choice}_{base.version if base else 0}"
    st.caption(tr("promises.pol.note", version=base.version + 1 if base else 1))
    data = _editor(base, key, language)
    if st.button(tr("promises.pol.save"), key=f"{key}_save", type="primary"):
        done, saved = common.attempt(lambda: actions.save_policy_version(db, user, base, data))
        if not done:
            return
        st.session_state["prom_pol_msg"] = tr("promises.pol.saved", policy=plain(policy_label(saved.policy_id, language)),
                                              version=saved.version)
        st.session_state["prom_pol_pick"] = saved.policy_id
        st.rerun()


def _editor(base: PromisePolicy | None, key: str, language: str) -> dict:
    """The edit form; returns the fields as PromisePolicy data (validated on save)."""
    data: dict = {}
    left, right = st.columns(2)
    if base is None:
        data["policy_id"] = left.text_input(tr("promises.pol.id"), key=f"{key}_id").strip()
        data["promise_type"] = right.selectbox(tr("promises.pol.type"), PROMISE_TYPES, key=f"{key}_type",
                                               format_func=lambda p: label("type", p, language))
    target = left.number_input(tr("promises.pol.target"), min_value=0.0, step=1.0, key=f"{key}_target",
                               value=_minutes(base.target) if base else 60.0)
    data["target"] = timedelta(seconds=round(target * 60))
    clocks = ["business", "calendar"]
    data["clock"] = right.radio(tr("promises.pol.clock"), clocks, horizontal=True, key=f"{key}_clock",
                                index=clocks.index(base.clock) if base else 0,
                                format_func=lambda c: label("clock", c, language))
    w1, w2 = base.warnings if base else (0.5, 0.8)
    data["warnings"] = (
        left.number_input(tr("promises.pol.warn1"), 0.0, 1.0, float(w1), 0.05, key=f"{key}_w1"),
        right.number_input(tr("promises.pol.warn2"), 0.0, 1.0, float(w2), 0.05, key=f"{key}_w2"),
    )
    classes = st.columns(3)
    overrides = {}
    for column, klass in zip(classes, ("A", "B", "C")):
        current = base.class_targets.get(klass) if base else None
        minutes = column.number_input(tr("promises.pol.class_target", klass=klass), min_value=0.0, step=1.0,
                                      value=_minutes(current), key=f"{key}_class_{klass}")
        if minutes > 0:
            overrides[klass] = timedelta(seconds=round(minutes * 60))
    data["class_targets"] = overrides
    st.markdown(f"**{tr('promises.pol.ladder')}**")
    st.caption(tr("promises.pol.ladder_help"))
    edited = st.data_editor(_ladder_frame(base), num_rows="dynamic", hide_index=True, width="stretch",
                            key=f"{key}_ladder",
                            column_config=_ladder_config())
    data["ladder"] = _ladder_rows(edited)
    return data


def _notice_frame(rows: list) -> pd.DataFrame:
    return pd.DataFrame({
        tr("promises.notice.col.day"): [day for day, _, _ in rows],  # dates: the grid shows 2026-10-01
        tr("promises.notice.col.kind"): [tr(f"promises.notice.kind.{kind}") for _, kind, _ in rows],
        tr("promises.notice.col.name"): [name for _, _, name in rows],
    })


def notice_section(db, user) -> None:
    """Managers and admins: enter a year's State Council holiday notice (CSV upload or pasted rows),
    preview it, save it; open promises it moves are recomputed (crm_core.promises.notices)."""
    if denied_reason(user, "manage"):  # absent: the policy editor above already says why
        return
    st.divider()
    st.subheader(tr("promises.notice.title"))
    st.caption(tr("promises.notice.intro"))
    message = st.session_state.pop("prom_notice_msg", None)
    if message:
        st.success(message)
    this_year = date.today().year
    year = int(st.selectbox(tr("promises.notice.year"), list(range(this_year - 1, this_year + 4)),
                            index=2, key="prom_notice_year"))
    status = queries.calendar_for(db).year_status(year)
    st.caption(tr("promises.notice.status", year=year, status=tr(f"promises.notice.status.{status}")))
    entered = common.notice_days(db, year)
    if entered:
        with st.expander(tr("promises.notice.current", year=year)):
            frame_grid(_notice_frame(entered), title="promises.notice.title", key="prom_notice_current")
    upload = file_uploader(tr("promises.notice.upload"), types=[kind.lstrip(".") for kind in NOTICE_FILE_TYPES],
                           key="prom_notice_file")
    pasted = st.text_area(tr("promises.notice.paste"), key="prom_notice_text", help=tr("promises.notice.help"))
    if upload is not None and not upload.name.lower().endswith(NOTICE_FILE_TYPES):
        st.error(tr("promises.notice.not_text", file=plain(upload.name)))
        return
    text = upload.getvalue().decode("utf-8-sig", errors="replace") if upload is not None else pasted
    if not text.strip():
        return
    done, rows = common.attempt(lambda: notices.parse_notice_csv(text))
    if not done:
        return
    kinds = [kind for _, kind, _ in rows]
    st.caption(tr("promises.notice.preview", holidays=kinds.count("holiday"), workdays=kinds.count("workday")))
    frame_grid(_notice_frame(rows), title="promises.notice.title", key="prom_notice_preview")
    if st.button(tr("promises.notice.save"), key="prom_notice_save", type="primary"):
        done, count = common.attempt(lambda: notices.enter_notice(db, user, year, rows))
        if done:
            st.session_state["prom_notice_msg"] = tr("promises.notice.saved", year=year, count=count)
            st.rerun()
