"""The ``survey_responses`` import kind for the import center (crm_core.ingest).

Declared in this capability's ``Capability`` (``crm_core/satisfaction/capability.py``), which the import
center reads through the registry (``crm_core.capabilities``).

Answers are read as people type them, with the same tables as the form (crm_core.satisfaction.labels):
the 5-point question as 高度满意 … 极不满意, the English labels or 1–5; yes/no as 是/否/yes/no/1/0;
recommend 0–10; SERVQUAL items 1–7, any subset of the five dimensions.

Two things the generic framework does not yet express (see ``NEEDS``):
- the customer code is optional (anonymous answers): the pipeline's customer_ref rule rejects every
  row without a known customer, blank ones included;
- the wave: rows carry a wave *name*; ``survey_responses.wave_id`` must be looked up (or the wave
  created) from ``survey_waves``. Until then the file must carry the numeric wave_id.
"""
from __future__ import annotations

from crm_core.ingest import values as V
from crm_core.ingest.kinds import CODE_RULE, DATE, FieldSpec, Kind, int_normaliser, text_normaliser
from crm_core.satisfaction.labels import SATISFACTION_LABELS, YES_NO_LABELS
from crm_core.satisfaction.servqual import DIMENSIONS

NEEDS = (
    ("optional customer_ref: a blank code means an anonymous answer (customer_id NULL); only a non-blank "
     "unknown code is an error"),
    ("a lookup field: wave name → survey_waves.wave_id (create the wave when the user allows it), "
     "or the wave chosen once for the whole file in the import screen"),
)

_SATISFACTION = V.choice_normaliser({label: str(score) for label, score in SATISFACTION_LABELS.items()})
_YES_NO = V.choice_normaliser({label: "true" if answer else "false" for label, answer in YES_NO_LABELS.items()})
_DIM_ZH = {"tangibles": "有形度", "reliability": "信赖度", "responsiveness": "反应度", "assurance": "保证度",
           "empathy": "同理度"}


def _servqual_fields() -> tuple[FieldSpec, ...]:
    fields = []
    for d in DIMENSIONS:
        for kind, zh, en in (("exp", "期望", "expectation"), ("perc", "感知", "perception")):
            fields.append(FieldSpec(f"{kind}_{d}", int_normaliser(ge=1, le=7),
                                    synonyms=(f"{_DIM_ZH[d]}{zh}", f"{_DIM_ZH[d]}-{zh}", f"{d} {en}", f"{kind} {d}")))
    return tuple(fields)


SURVEY_RESPONSES = Kind(
    name="survey_responses", table="survey_responses", customer_ref="customer_code",
    fields=(
        FieldSpec("customer_code", CODE_RULE, synonyms=("客户编号", "客户代码", "编号", "customer code", "customer", "code")),
        FieldSpec("wave_id", int_normaliser(ge=1), required=True,
                  synonyms=("批次", "调查批次", "批次号", "wave", "wave id", "survey wave")),
        FieldSpec("responded_on", DATE, required=True,
                  synonyms=("日期", "答卷日期", "调查日期", "date", "answered on", "response date")),
        FieldSpec("region", V.REGION_RULE, synonyms=("区域", "地区", "大区", "region", "area")),
        FieldSpec("channel", text_normaliser(40), synonyms=("渠道", "调查方式", "channel", "mode")),
        FieldSpec("satisfaction", _SATISFACTION,
                  synonyms=("满意度", "总体满意度", "总体评价", "satisfaction", "overall satisfaction", "csat")),
        FieldSpec("repurchase_intent", _YES_NO,
                  synonyms=("是否再购买", "再次购买", "再购意向", "repurchase", "repurchase intent", "buy again")),
        FieldSpec("recommend", int_normaliser(ge=0, le=10),
                  synonyms=("推荐可能性", "推荐分", "推荐意愿", "nps", "recommend", "likelihood to recommend")),
        FieldSpec("recommend_yes", _YES_NO, synonyms=("是否推荐", "会推荐", "would recommend", "recommend yes/no")),
        FieldSpec("comment", text_normaliser(2000), synonyms=("意见", "建议", "评论", "留言", "comment", "comments",
                                                               "feedback")),
        *_servqual_fields(),
    ),
)
