"""The ``churn_events`` import kind for the import center (crm_core.ingest).

Declared in this capability's ``Capability`` (``crm_core/churn/capability.py``), which the import
center reads through the registry (``crm_core.capabilities``).

A file has one row per lost customer: customer code, the day she was lost, the reason (the taxonomy
key, or its label in either language — 服务差, "Price too high" — or a common synonym), optionally
whether it was within our control (是/否, yes/no, 可控/不可控, 1/0) and a note. Without the
controllable column the reason's category decides (the column stays NULL; see
``crm_core.churn.events.CONTROLLABLE_SQL``). Rows are created only; undo removes them by import_id.

What the generic framework does not yet express (see ``NEEDS``).
"""
from __future__ import annotations

from crm_core.churn.reasons import REASONS
from crm_core.ingest import values as V
from crm_core.ingest.kinds import CODE_RULE, DATE, Check, FieldSpec, Kind, choice_spellings, text_normaliser

NEEDS = (
    ("a field default computed from another field (controllable from the reason's category) when the "
    "column is not in the file; until then the column is NULL and the reads resolve it"),
    ("field labels under the area's own catalog prefix: FieldSpec.label_key is always field.<name>, "
    "while crm_core/locales/churn.py may only hold churn.* keys (the labels are churn.field.<name>)"),
)

_REASON_SYNONYMS = {
    "搬迁": "moved", "迁离": "moved", "搬走": "moved", "relocated": "moved",
    "改行": "changed_trade", "转行": "changed_trade", "changed business": "changed_trade",
    "破产": "bankrupt", "倒闭": "bankrupt", "停业": "bankrupt", "bankruptcy": "bankrupt",
    "更好的产品": "better_product", "竞品": "better_product", "competitor": "better_product",
    "服务差": "poor_service", "服务不好": "poor_service", "service": "poor_service",
    "质量差": "poor_product", "产品差": "poor_product", "quality": "poor_product",
    "价格高": "price_too_high", "太贵": "price_too_high", "价格": "price_too_high", "price": "price_too_high",
    "业务员离职": "rep_left", "业务员跳槽": "rep_left", "rep left": "rep_left",
    "窜货": "cross_territory_dumping", "dumping": "cross_territory_dumping",
    "其它": "other",
}
_YES_NO = {"是": "true", "否": "false", "可控": "true", "不可控": "false", "yes": "true", "no": "false",
           "y": "true", "n": "false", "true": "true", "false": "false", "1": "true", "0": "false",
           "controllable": "true", "uncontrollable": "false"}

CHURN_EVENTS = Kind(
    name="churn_events", table="churn_events", customer_ref="customer_code",
    fields=(
        FieldSpec("customer_code", CODE_RULE, required=True,
                  synonyms=("客户编号", "客户代码", "编号", "客户号", "customer code", "customer", "code")),
        FieldSpec("churned_on", DATE, required=True,
                  synonyms=("流失日期", "流失时间", "日期", "lost on", "churned on", "churn date", "date")),
        FieldSpec("reason", V.choice_normaliser(choice_spellings("churn.reason", tuple(REASONS), _REASON_SYNONYMS)),
                  required=True, synonyms=("流失原因", "原因", "reason", "churn reason", "why")),
        FieldSpec("controllable", V.choice_normaliser(_YES_NO),
                  synonyms=("是否可控", "可控", "controllable", "within our control")),
        FieldSpec("note", text_normaliser(500, fold_width=False), synonyms=("备注", "说明", "note", "notes", "remark")),
    ),
    checks=(Check("churned_on", lambda ctx: V.sql_not_future_check(ctx.value("churned_on"))),),
)
