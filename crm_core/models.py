"""Domain objects with field-level validation whose messages a manager can read, in both languages.

Each rule raises ``PydanticCustomError`` whose *type* is a catalog key (``err.<rule>``);
``field_errors`` turns a ValidationError into {field: message} in the UI language. The import
center applies the same rules (``crm_core.ingest``), so a row rejected by a file import and a
form rejected on screen say the same thing.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from crm_core.i18n import CATALOG, t

CUSTOMER_TYPES = ("corporate", "channel", "individual")
TENURE_STAGES = ("new", "old", "potential")
NEED_TYPES = ("price", "value", "composite")
CHANNELS = ("visit", "phone", "wechat", "email", "event", "gift")
REGIONS = ("华东", "华北", "华南", "华中", "西部", "东北", "港澳台", "海外")

# The master file as the text groups it (docs/domain.md §1): the form and the 360 view follow this.
ORIGINAL_RECORD_GROUPS = {
    "identity": ("code", "name", "customer_type", "tenure_stage", "need_type"),
    "location": ("region", "country", "province", "city", "address", "postal_code"),
    "contact": ("contact_person", "phone", "email"),
    "finance": ("bank_account", "currency", "payment_terms", "discount_terms", "tax_category",
                "credit_limit", "open_balance"),
    "sales": ("sales_rep", "commission_code", "delivery_address", "invoice_address"),
    "profile": ("capital_strength", "business_scope", "stock_on_hand", "household_size", "payday", "influence"),
    "personal": ("birthday", "preferences", "notes"),
}
ANALYSIS_FIELDS = ("attitude", "contract_fulfilment", "frictions", "credit_standing", "competitor_dealings",
                   "needs_potential")

# -- phones -----------------------------------------------------------------------------------------
# One place for the phone rule; the import's DuckDB twin (crm_core.ingest.values) runs the same
# patterns with RE2, so only syntax both engines read alike is used ([0-9], not \d; no look-arounds).
#
# Accepted as typed (after full-width folding), stored in ONE normalised form:
#   mobile      +86 138-0013-8000, 0086 13800138000, 86 13800138000, (138) 0013 8000 → 13800138000
#   landline    (021)12345678, （021）1234-5678, 021 12345678, +86 21 1234 5678, +86 (0)21 …
#               → 021-12345678; 0755-1234567 → 0755-1234567 (area codes 010 and 02x have three
#               digits, every other one 0 + three digits, so digits alone say where the area ends)
#   extension   …转8001, …分机8001, … ext. 12, …x12, …#12, or -8001 after a complete landline
#               → 021-12345678-8001
#   400 / 800   400-820-8820 → 4008208820
#   service     95588, 95533, 96777 (five digits, 95xxx / 96xxx) → 95588
# Separators are spaces, dashes, dots and brackets. A number that is none of these keeps its digits,
# dashes, brackets and + (spaces and dots removed, a +86 prefix dropped); it passes only where the
# country is not CN (PHONE_OTHER). What was typed is kept beside the normalised form when the two
# differ (customers.phone_typed; see ``phone_typed``).
MOBILE_CN = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE_CN = re.compile(r"^0(?:10|2[0-9]|[3-9][0-9]{2})-[0-9]{7,8}(?:-[0-9]{1,6})?$")
SERVICE_CN = re.compile(r"^(?:[48]00[0-9]{7}|9[56][0-9]{3})$")
PHONE_OTHER = re.compile(r"^\+?[\d\-() ]{5,20}$")
PHONE_SEPARATORS = r"[ \t\-.()\[\]]+"
PHONE_EXTENSION_MARK = r"(?i)-?(?:转|分机|ext|x|#)-?"
# Over the text with separators made single dashes and extension marks made '#':
# groups mobile, area, local, extension, toll-free (400/800), service (95xxx/96xxx). The local number
# takes seven digits when what follows can be an extension (lazy {6,7}?), so every normalised form
# reads back as itself: 0755-1234567-8 stays so, 021-12345678-8001 too.
PHONE_CN_INPUT = (r"(?:(?:\+|00)?86-?)?(1[3-9](?:-?[0-9]){9})"
                  r"|(?:(?:\+|00)86-?(?:0-?)?|0)(10|2[0-9]|[3-9][0-9]{2})-?([0-9](?:-?[0-9]){6,7}?)(?:[-#]([0-9]{1,6}))?"
                  r"|([48]00(?:-?[0-9]){7})"
                  r"|(9[56][0-9]{3})")

# -- Excel's damage --------------------------------------------------------------------------------
# A number Excel shows in scientific notation (General format, more than 11 digits, or more than 15:
# Excel keeps only 15 significant digits). Excel always writes the exponent's sign, so a code such
# as 1E5 typed as text is not taken for it.
EXCEL_SCIENTIFIC = r"[+-]?[0-9]+(?:\.[0-9]+)?[eE]\+[0-9]+"
_CODE_FIELD = re.compile(r"^(?:code|.+_code|.+_id|.+_ref|.+_no|.*account)$")


def is_code_field(name: str) -> bool:
    """Codes, IDs, account and order numbers (by field name, for every import kind): a value in
    scientific notation there means Excel already lost digits (err.excel_digits_lost)."""
    return bool(_CODE_FIELD.match(name))
POSTAL_CN = re.compile(r"^\d{6}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# Full-width forms (U+FF01–FF5E, ￥￠￡, ideographic and no-break spaces) to their ASCII twins. Only
# codes, phones and numbers are folded: free text keeps what people wrote — Chinese uses the
# full-width punctuation itself (，：（）！) — so a form save and an import store the same text.
FOLD_TABLE = str.maketrans("".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000\u00a0\uffe5\uffe0\uffe1",
                           "".join(chr(c) for c in range(0x21, 0x7F)) + "  \u00a5\u00a2\u00a3")
IDENTIFIER_FIELDS = ("code", "phone", "postal_code", "email", "credit_limit", "open_balance", "household_size",
                     "payday", "influence", "country", "currency")


def fold_text(value: str) -> str:
    """Free text as written, outer spaces (the full-width one too) trimmed."""
    return value.strip()


def fold_identifier(value: str) -> str:
    """Codes, phones and numbers: every full-width ASCII form (＋, －, ．, ＠ too) to half-width."""
    return value.translate(FOLD_TABLE).strip()


def phone_marked(text: str) -> str:
    """Folded phone text with separators made single dashes and extension marks made '#'."""
    return re.sub(PHONE_EXTENSION_MARK, "#", re.sub(PHONE_SEPARATORS, "-", text).strip("-"))


def mainland_phone(text: str) -> str | None:
    """The normalised form of a mainland-China number (folded text), or None when it is not one."""
    match = re.fullmatch(PHONE_CN_INPUT, phone_marked(text))
    if match is None:
        return None
    mobile, area, local, extension, toll_free, service = match.groups()
    if mobile:
        return mobile.replace("-", "")
    if area:
        return f"0{area}-{local.replace('-', '')}" + (f"-{extension}" if extension else "")
    return (toll_free or service).replace("-", "")


def phone_as_written(text: str) -> str:
    """A number that is not a mainland one: spaces and dots removed, a +86 / 0086 prefix dropped."""
    phone = text.replace(" ", "").replace(".", "")
    for prefix in ("+86", "0086"):
        if phone.startswith(prefix):
            phone = phone[len(prefix):].lstrip("-")
    return phone


def normalise_phone(value: str) -> str:
    """The stored form of a phone as typed (see the rule above ``MOBILE_CN``)."""
    text = fold_identifier(value)
    return mainland_phone(text) or phone_as_written(text)


def is_mainland_phone(phone: str) -> bool:
    """Whether a stored phone is one of the normalised mainland forms."""
    return bool(MOBILE_CN.match(phone) or LANDLINE_CN.match(phone) or SERVICE_CN.match(phone))


def phone_typed(raw: str | None, phone: str | None) -> str | None:
    """What was typed (outer spaces trimmed), kept only when it differs from the stored form."""
    typed = fold_text(raw) if isinstance(raw, str) else None
    return typed if typed and phone is not None and typed != phone else None


def _error(key: str, **params) -> PydanticCustomError:
    return PydanticCustomError(f"err.{key}", key, params)


class CustomerIn(BaseModel):
    """One customer as entered in the form or a row of an import (docs/domain.md §1)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    # original record (客户原始记录)
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    customer_type: Literal["corporate", "channel", "individual"] = "individual"
    tenure_stage: Literal["new", "old", "potential"] = "new"
    region: str | None = None
    country: str | None = "CN"  # a blank cell means the default, not an error
    province: str | None = None
    city: str | None = None
    address: str | None = None
    postal_code: str | None = None
    contact_person: str | None = None
    phone: str | None = None
    email: str | None = None
    bank_account: str | None = None
    currency: str | None = "CNY"
    payment_terms: str | None = None
    discount_terms: str | None = None
    tax_category: str | None = None
    credit_limit: Decimal | None = Field(default=None, max_digits=18, decimal_places=2)
    open_balance: Decimal | None = Field(default=None, max_digits=18, decimal_places=2)
    sales_rep: str | None = None
    commission_code: str | None = None
    delivery_address: str | None = None
    invoice_address: str | None = None
    capital_strength: str | None = None
    business_scope: str | None = None
    stock_on_hand: str | None = None
    need_type: Literal["price", "value", "composite"] | None = None
    birthday: date | None = None
    preferences: str | None = None
    notes: str | None = None
    household_size: int | None = Field(default=None, gt=0, le=100)
    payday: int | None = Field(default=None, ge=1, le=31)
    influence: int | None = Field(default=None, ge=1, le=5)
    # analysis data (统计分析资料)
    attitude: str | None = None
    contract_fulfilment: str | None = None
    frictions: str | None = None
    credit_standing: str | None = None
    competitor_dealings: str | None = None
    needs_potential: str | None = None
    _phone_typed: str | None = PrivateAttr(default=None)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_missing(cls, value, info: ValidationInfo):
        if isinstance(value, str):
            value = fold_identifier(value) if info.field_name in IDENTIFIER_FIELDS else fold_text(value)
            return value or None
        return value

    @field_validator(*(name for name in ("code", "postal_code", "bank_account", "commission_code")
                       if is_code_field(name)))
    @classmethod
    def _excel_kept_the_digits(cls, value: str | None) -> str | None:
        if value is not None and re.fullmatch(EXCEL_SCIENTIFIC, value):
            raise _error("excel_digits_lost", code=value)
        return value

    @field_validator("code")
    @classmethod
    def _code_chars(cls, value: str) -> str:
        if any(ch.isspace() for ch in value):
            raise _error("code_spaces")
        return value

    @field_validator("email")
    @classmethod
    def _email_format(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL.match(value):
            raise _error("email_format")
        return value

    @field_validator("credit_limit")
    @classmethod
    def _credit_not_negative(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and value < 0:
            raise _error("credit_negative")
        return value

    @field_validator("birthday")
    @classmethod
    def _birthday_past(cls, value: date | None) -> date | None:
        if value is not None and value > date.today():
            raise _error("birthday_future")
        if value is not None and value.year < 1900:
            raise _error("birthday_too_old")
        return value

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str | None) -> str | None:
        return canonical_region(value) if value is not None else None

    @field_validator("country")
    @classmethod
    def _country_code(cls, value: str | None) -> str:
        return (value or "CN").upper()

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, value: str | None) -> str:
        return (value or "CNY").upper()

    @field_validator("phone")
    @classmethod
    def _phone_for_country(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        if re.fullmatch(EXCEL_SCIENTIFIC, value):
            raise _error("phone_excel_scientific", code=value)
        phone = normalise_phone(value)
        if info.data.get("country", "CN") == "CN":
            if not is_mainland_phone(phone):
                raise _error("phone_format_cn")
        elif not PHONE_OTHER.match(phone):
            raise _error("phone_format")
        return phone

    @model_validator(mode="wrap")
    @classmethod
    def _keep_typed_phone(cls, data, handler):
        customer = handler(data)
        raw = data.get("phone") if isinstance(data, dict) else None
        customer._phone_typed = phone_typed(raw, customer.phone)
        return customer

    @property
    def phone_typed(self) -> str | None:
        """The phone as typed, when it differs from the stored form (customers.phone_typed)."""
        return self._phone_typed

    @field_validator("postal_code")
    @classmethod
    def _postal_for_country(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("country", "CN") == "CN" and not POSTAL_CN.match(value):
            raise _error("postal_format")
        return value


REGION_SYNONYMS = {
    "east china": "华东", "east": "华东", "north china": "华北", "north": "华北",
    "south china": "华南", "south": "华南", "central china": "华中", "central": "华中",
    "west": "西部", "western china": "西部", "西南": "西部", "西北": "西部",
    "northeast": "东北", "northeast china": "东北", "hk/macao/taiwan": "港澳台", "overseas": "海外",
}


def canonical_region(value: str) -> str:
    """Known regions stored by their Chinese name; English names mapped; anything else kept as typed."""
    return REGION_SYNONYMS.get(value.strip().lower(), value.strip())


class InteractionIn(BaseModel):
    """One contact in the investment record (企业投入记录)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    customer_id: int
    occurred_at: datetime
    channel: Literal["visit", "phone", "wechat", "email", "event", "gift"]
    place: str | None = None
    rep: str | None = None
    cost: Decimal = Field(default=Decimal("0"), ge=0, max_digits=18, decimal_places=2)
    concession: Decimal = Field(default=Decimal("0"), ge=0, max_digits=18, decimal_places=2)
    products_provided: str | None = None
    note: str | None = None

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise _error("naive_datetime")
        return value


class TransactionIn(BaseModel):
    """One purchase recorded by form."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    customer_id: int
    txn_date: date
    amount: Decimal = Field(max_digits=18, decimal_places=2)
    order_id: str | None = None
    product: str | None = None
    quantity: Decimal | None = Field(default=None, gt=0, max_digits=18, decimal_places=3)
    gross_margin: Decimal | None = Field(default=None, max_digits=18, decimal_places=2)
    discount: Decimal | None = Field(default=None, ge=0, max_digits=18, decimal_places=2)

    @field_validator("txn_date")
    @classmethod
    def _not_future(cls, value: date) -> date:
        if value > date.today():
            raise _error("date_future")
        return value


class KeyDateIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    customer_id: int
    kind: Literal["founding", "anniversary", "custom"]
    label: str | None = None
    day: date


def field_errors(error: ValidationError, lang: str) -> dict[str, str]:
    """{field name: message in ``lang``} for every problem pydantic found (first one per field)."""
    messages: dict[str, str] = {}
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        messages.setdefault(field, error_message(problem, lang))
    return messages


def error_message(problem: dict, lang: str) -> str:
    """One pydantic problem as a sentence with its fix; our own rules carry catalog keys as types."""
    kind = problem["type"]
    if kind.startswith("err."):
        return t(kind, lang, **problem.get("ctx", {}))
    ctx = problem.get("ctx") or {}
    if problem.get("input") is None and kind.endswith("_type"):
        return t("err.required", lang)  # a blank cell, folded to None by _blank_is_missing
    generic = {
        "missing": "err.required", "string_too_short": "err.required", "string_too_long": "err.too_long",
        "literal_error": "err.choice", "date_from_datetime_parsing": "err.date_format",
        "date_parsing": "err.date_format", "date_type": "err.date_format", "decimal_parsing": "err.number_format",
        "decimal_type": "err.number_format", "int_parsing": "err.whole_number", "int_type": "err.whole_number",
        "greater_than": "err.greater_than", "greater_than_equal": "err.at_least", "less_than_equal": "err.at_most",
        "decimal_max_places": "err.decimal_places", "decimal_max_digits": "err.too_large",
        "extra_forbidden": "err.unknown_field", "datetime_parsing": "err.datetime_format",
        "datetime_type": "err.datetime_format", "int_from_float": "err.whole_number",
    }
    key = generic.get(kind, "err.invalid")
    params = {k: v for k, v in ctx.items() if isinstance(v, (int, float, str, Decimal))}
    if kind == "literal_error" and "expected" in params:
        field = str(problem["loc"][-1]) if problem.get("loc") else ""
        params["expected"] = choices_text(stored_choices(params["expected"]), lang, CHOICE_PREFIXES.get(field))
    return t(key, lang, **params)


# The catalog prefix of each stored choice's label (集团客户 for 'corporate'), as the form shows them.
CHOICE_PREFIXES = {"customer_type": "ctype", "tenure_stage": "tenure", "need_type": "need"}


def choices_text(values: list[str], lang: str, prefix: str | None = None) -> str:
    """Allowed values as the user sees them, never as stored codes: 集团客户、渠道客户或个人客户 /
    Corporate (group), Channel (dealer) or Individual / household. A value's label is
    ``<prefix>.<value>``, else ``choice.<value>`` (是 / 否 for true / false), else the value itself."""
    def label(value: str) -> str:
        for key in (f"{prefix}.{value}" if prefix else None, f"choice.{value}"):
            if key and key in CATALOG:
                return t(key, lang)
        return value

    labels = [label(value) for value in values]
    if len(labels) < 2:
        return "".join(labels)
    if lang == "zh":
        return "、".join(labels[:-1]) + "或" + labels[-1]
    return ", ".join(labels[:-1]) + " or " + labels[-1]


def stored_choices(expected: str) -> list[str]:
    """The stored keys in a choice rule's ``expected`` text (pydantic's and the import's: "'a', 'b' or 'c'")."""
    return re.findall(r"'([^']*)'", str(expected))
