"""Survey answers and mystery-shopper visits entered by form (the import kind uses the same models).

Answers are read the way people type them (crm_core.satisfaction.labels): the 5-point question
as 高度满意…极不满意, the English labels or 1–5; yes/no as 是/否/yes/no/1/0. A wrong answer raises a
field error whose message (catalog key ``err.survey_*``) names the accepted forms. The customer is
given by code and may be left blank: anonymous answers are allowed.
"""
from __future__ import annotations

import json
import math
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from crm_core.audit import write_audit
from crm_core.satisfaction.labels import parse_satisfaction, parse_yes_no
from crm_core.satisfaction.servqual import DIMENSIONS
from crm_core.store import Store
from crm_core.users import Actor, PermissionDenied

SERVQUAL_FIELDS = tuple(f"{kind}_{d}" for d in DIMENSIONS for kind in ("exp", "perc"))


def _blank(value):
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    return None if missing or (isinstance(value, str) and not value.strip()) else value


class SurveyResponseIn(BaseModel):
    """One survey answer (docs/domain.md §4). ``satisfaction`` 1..5, ``recommend`` 0..10, SERVQUAL 1..7."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    wave_id: int
    responded_on: date
    customer_code: str | None = Field(default=None, max_length=40)
    region: str | None = Field(default=None, max_length=40)
    channel: str | None = Field(default=None, max_length=40)
    satisfaction: int | None = None
    repurchase_intent: bool | None = None
    recommend: int | None = Field(default=None, ge=0, le=10)
    recommend_yes: bool | None = None
    comment: str | None = Field(default=None, max_length=2000)
    exp_tangibles: int | None = Field(default=None, ge=1, le=7)
    perc_tangibles: int | None = Field(default=None, ge=1, le=7)
    exp_reliability: int | None = Field(default=None, ge=1, le=7)
    perc_reliability: int | None = Field(default=None, ge=1, le=7)
    exp_responsiveness: int | None = Field(default=None, ge=1, le=7)
    perc_responsiveness: int | None = Field(default=None, ge=1, le=7)
    exp_assurance: int | None = Field(default=None, ge=1, le=7)
    perc_assurance: int | None = Field(default=None, ge=1, le=7)
    exp_empathy: int | None = Field(default=None, ge=1, le=7)
    perc_empathy: int | None = Field(default=None, ge=1, le=7)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_missing(cls, value):
        return _blank(value)

    @field_validator("satisfaction", mode="before")
    @classmethod
    def _satisfaction_label(cls, value):
        if value is None:
            return None
        try:
            return parse_satisfaction(value)
        except ValueError:
            raise PydanticCustomError("err.survey_satisfaction", "satisfaction", {"value": str(value)}) from None

    @field_validator("repurchase_intent", "recommend_yes", mode="before")
    @classmethod
    def _yes_no(cls, value):
        if value is None:
            return None
        try:
            return parse_yes_no(value)
        except ValueError:
            raise PydanticCustomError("err.survey_yes_no", "yes/no", {"value": str(value)}) from None

    @model_validator(mode="after")
    def _something_answered(self):
        answered = [self.satisfaction, self.recommend, self.recommend_yes, self.repurchase_intent,
                    self.comment, *(getattr(self, f) for f in SERVQUAL_FIELDS)]
        if all(a is None for a in answered):
            raise PydanticCustomError("err.survey_empty", "empty answer", {})
        return self


class MysteryVisitIn(BaseModel):
    """One mystery-shopper visit: location, date, score 0..100 and an optional checklist."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    location: str = Field(min_length=1, max_length=200)
    visited_on: date
    score: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2)
    checklist: dict[str, bool] = Field(default_factory=dict)


def _customer_id(cur, actor: Actor, code: str | None) -> int | None:
    if code is None:
        return None
    row = cur.execute("SELECT customer_id, sales_rep FROM customers WHERE code = ?", [code]).fetchone()
    if row is None or not actor.owns(row[1]):
        raise PermissionDenied("err.customer_not_found")
    return int(row[0])


def create_wave(store: Store, actor: Actor, name: str, started_on: date, invited: int | None = None,
                asks_servqual: bool = True) -> int:
    """A new survey wave; ``invited`` (customers invited, for the response rate) may be unknown;
    ``asks_servqual``: whether its survey links ask the SERVQUAL block (crm_core.satisfaction.links)."""
    actor.require_write()
    if not name.strip():
        raise ValueError("a wave needs a name")
    if invited is not None and invited < 0:
        raise ValueError("invited cannot be negative")
    with store.transaction() as cur:
        (wave_id,) = cur.execute("INSERT INTO survey_waves (name, started_on, invited, asks_servqual) "
                                 "VALUES (?, ?, ?, ?) RETURNING wave_id",
                                 [name.strip(), started_on, invited, asks_servqual]).fetchone()
        write_audit(cur, actor, "create", "survey_wave", wave_id, "name", None, name.strip())
    return int(wave_id)


def record_response(store: Store, actor: Actor, answer: SurveyResponseIn) -> int:
    """Save one answer; the customer code must name a customer the user may see (or be blank).
    Raises PermissionDenied (err.customer_not_found / no write permission) or ValueError for an
    unknown wave. Returns the response_id.
    """
    actor.require_write()
    with store.transaction() as cur:
        if cur.execute("SELECT 1 FROM survey_waves WHERE wave_id = ?", [answer.wave_id]).fetchone() is None:
            raise ValueError(f"no survey wave {answer.wave_id}")
        response_id = insert_response(cur, actor, answer, _customer_id(cur, actor, answer.customer_code))
    return int(response_id)


def insert_response(cur, actor: Actor, answer: SurveyResponseIn, customer_id: int | None) -> int:
    """Write one validated answer inside the caller's transaction (the form above, a survey link),
    with its audit row; the caller has checked the wave and who the customer is."""
    values = answer.model_dump(exclude={"customer_code"}) | {"customer_id": customer_id}
    (response_id,) = cur.execute(
        f"INSERT INTO survey_responses ({', '.join(values)}) VALUES ({', '.join('?' * len(values))}) "
        "RETURNING response_id", list(values.values())).fetchone()
    write_audit(cur, actor, "create", "survey_response", response_id, "customer_id", None, customer_id)
    return int(response_id)


def record_visit(store: Store, actor: Actor, visit: MysteryVisitIn) -> int:
    """Save one mystery-shopper visit; returns its visit_id."""
    actor.require_write()
    with store.transaction() as cur:
        (visit_id,) = cur.execute(
            "INSERT INTO mystery_visits (location, visited_on, score, checklist) VALUES (?, ?, ?, ?) "
            "RETURNING visit_id", [visit.location, visit.visited_on, visit.score,
                                   json.dumps(visit.checklist, ensure_ascii=False) if visit.checklist else None],
        ).fetchone()
        write_audit(cur, actor, "create", "mystery_visit", visit_id, "score", None, visit.score)
    return int(visit_id)
