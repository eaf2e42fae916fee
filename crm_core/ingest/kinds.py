"""What can be imported: a *kind* declares its fields, header synonyms, rules, key and target table.

The pipeline (``crm_core.ingest.pipeline``) turns a kind into DuckDB SQL; nothing here touches data.
Capabilities add kinds by declaring them in their ``Capability`` (``crm_core.capabilities``), e.g.
promises, in ``crm_core/promises/capability.py``::

    PROMISES = Kind(
        name="promises", table="promises", customer_ref="customer_code",
        fields=(
            FieldSpec("customer_code", CODE_RULE, required=True, synonyms=("客户编号", "customer code", "code")),
            FieldSpec("promised_at", DATETIME, required=True, synonyms=("承诺时间", "promised at")),
            FieldSpec("promise", text_normaliser(500), required=True, synonyms=("承诺内容", "promise")),
        ),
    )
    CAPABILITY = Capability("promises", import_kinds=(PROMISES,))

This module declares the core kinds (customers, transactions, interactions) as the ``core``
capability; ``kinds()`` / ``get_kind`` read the registry, in its order.

``customer_ref`` names the field whose customer code is looked up and stored as ``customer_id``
(unknown codes are rejected, or created as skeleton customers if the user asks). ``key`` names the
field that identifies an existing row for update/upsert (customers: the code). Extra rules that need
more than one field (a phone checked against the country) are ``Check``s.

Rules every kind gets without saying so: a field named like a code, ID, account or order number
(``models.is_code_field``: code, *_code, *_id, *_ref, *_no, *account) refuses Excel's scientific
notation; a money field (``decimal_normaliser(..., money=True)``) keeps the currency the cell or the
column header names, checked against the kind's ``currency_field`` or the store's currency; customer
codes (``key`` of customers, ``customer_ref``) that match only once Excel's lost leading zeros are
restored are reported as such (``ImportJob.pad_codes`` restores them).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crm_core.capabilities import Capability, import_kinds
from crm_core.i18n import CATALOG
from crm_core.ingest import values as V
from crm_core.ingest.values import (
    DATE,
    DATETIME,
    Normaliser,
    choice_normaliser,
    decimal_normaliser,
    int_normaliser,
    text_normaliser,
)
from crm_core.models import CHANNELS, CUSTOMER_TYPES, NEED_TYPES, TENURE_STAGES, is_code_field
from crm_core.sessions import SESSIONS_CLEANUP

MODES = ("create", "upsert", "update")


@dataclass(frozen=True)
class FieldSpec:
    """One importable field. ``default`` is a SQL literal used when a created row leaves it blank."""

    name: str
    rule: Normaliser
    required: bool = False
    synonyms: tuple[str, ...] = ()
    default: str | None = None
    blank_error: str | None = None   # a blank cell is this error (a choice the form never leaves empty)
    typed_column: str | None = None  # the column that keeps the cell as typed when it differs from the value

    def __post_init__(self):
        # Every kind's codes, IDs, accounts and order numbers refuse Excel's 1.1E+17 (models.is_code_field).
        if is_code_field(self.name):
            object.__setattr__(self, "rule", V.excel_guarded(self.rule))

    @property
    def label_key(self) -> str:
        return f"field.{self.name}"

    @property
    def is_money(self) -> bool:
        return self.rule.currency_sql is not None


@dataclass(frozen=True)
class Check:
    """A rule over normalised values: ``sql(ctx)`` is a CASE yielding an error key for ``field``."""

    field: str
    sql: Callable[[CheckContext], str]
    needs: tuple[str, ...] = ()


class CheckContext:
    """Gives checks the SQL of a field's normalised value (or its default/current value if unmapped)."""

    def __init__(self, kind: Kind, mapped: set[str], has_existing: bool):
        self.kind, self.mapped, self.has_existing = kind, mapped, has_existing

    def value(self, name: str) -> str:
        return f'"v__{name}"' if name in self.mapped else "NULL"

    def current(self, name: str) -> str:
        """The stored value of the existing row (NULL when the row is new or the kind has no key)."""
        return f'"x__{name}"' if self.has_existing else "NULL"


@dataclass(frozen=True)
class Kind:
    name: str
    table: str
    fields: tuple[FieldSpec, ...]
    key: str | None = None
    customer_ref: str | None = None
    modes: tuple[str, ...] = ("create",)
    checks: tuple[Check, ...] = ()
    stage_always: bool = False
    local_time_fields: tuple[str, ...] = ()
    existing_columns: tuple[str, ...] = ()
    # Work a kind does once its rows are committed, e.g. promises computing due times from the
    # business calendar: after_commit(store, actor, import_id).
    after_commit: Callable[..., object] | None = None
    # The field holding each row's currency (customers.currency). Without one, every amount of the
    # kind is in the store's currency (config.store_currency) and another currency is refused.
    currency_field: str | None = None

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def synonyms(self, spec: FieldSpec) -> tuple[str, ...]:
        """Every header that means ``spec``: its own synonyms, its name and its catalog labels."""
        labels = tuple(CATALOG.get(spec.label_key, {}).values())
        return (spec.name, *spec.synonyms, *labels)


def kinds() -> dict[str, Kind]:
    """Every import kind by name, in the order of the capability registry (crm_core.capabilities)."""
    return import_kinds()


def get_kind(name: str) -> Kind:
    known = kinds()
    try:
        return known[name]
    except KeyError:
        raise KeyError(f"unknown import kind {name!r}; known: {', '.join(known)}") from None


class Spellings(dict):
    """Accepted spelling → stored key, remembering the catalog prefix of the keys' labels."""

    prefix: str | None = None


def choice_spellings(prefix: str, keys: tuple[str, ...], extra: dict[str, str] | None = None) -> dict[str, str]:
    """Accepted spellings of a fixed choice: the key itself and its catalog labels in both languages."""
    spellings = Spellings()
    spellings.prefix = prefix
    for key in keys:
        spellings[key] = key
        for text in CATALOG.get(f"{prefix}.{key}", {}).values():
            spellings[V.fold(text).lower()] = key
    spellings.update(extra or {})
    return spellings


CODE_RULE = text_normaliser(max_length=40, no_spaces=True)
NAME_RULE = text_normaliser(max_length=200, fold_width=False)
TEXT = text_normaliser(fold_width=False)
PHONE_RULE = V.PHONE_RULE
MONEY = decimal_normaliser(18, 2, money=True)

_CUSTOMER_SYNONYMS = {
    "code": ("客户编号", "客户代码", "编号", "客户号", "customer code", "customer id", "customer no", "code", "id",
             "cust code", "account", "账号"),
    "name": ("客户名称", "名称", "公司名称", "客户", "姓名", "name", "customer name", "company", "company name"),
    "customer_type": ("客户类型", "类型", "type", "customer type"),
    "tenure_stage": ("新老客户", "客户阶段", "tenure", "stage"),
    "need_type": ("需求类型", "need type"),
    "region": ("区域", "地区", "大区", "region", "area"),
    "country": ("国家", "国家/地区", "country"),
    "province": ("省份", "省", "province", "state"),
    "city": ("城市", "市", "city"),
    "address": ("地址", "详细地址", "address"),
    "postal_code": ("邮编", "邮政编码", "postal code", "zip", "postcode", "zip code"),
    "contact_person": ("联系人", "contact", "contact person"),
    "phone": ("联系电话", "电话", "手机", "手机号", "电话号码", "phone", "mobile", "tel", "telephone"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "email", "e-mail", "mail"),
    "bank_account": ("银行账号", "开户行账号", "bank account"),
    "currency": ("币种", "货币", "currency"),
    "payment_terms": ("付款条件", "付款方式", "payment terms"),
    "discount_terms": ("折扣条件", "discount terms"),
    "tax_category": ("税务类别", "纳税人类型", "tax category"),
    "credit_limit": ("信用额度", "授信额度", "credit limit", "credit"),
    "open_balance": ("未结余额", "应收余额", "欠款", "open balance", "balance"),
    "sales_rep": ("业务员", "销售代表", "负责人", "sales rep", "rep", "owner", "salesperson"),
    "commission_code": ("佣金代码", "commission code"),
    "delivery_address": ("送货地址", "收货地址", "delivery address"),
    "invoice_address": ("发票地址", "开票地址", "invoice address"),
    "capital_strength": ("资金实力", "capital strength"),
    "business_scope": ("经营范围", "business scope"),
    "stock_on_hand": ("库存情况", "库存", "stock on hand"),
    "household_size": ("家庭人口", "家庭人数", "household size"),
    "payday": ("发薪日", "payday"),
    "influence": ("影响力", "influence"),
    "birthday": ("生日", "出生日期", "出生年月日", "birthday", "date of birth", "dob", "birth date"),
    "preferences": ("偏好", "喜好", "preferences"),
    "notes": ("备注", "notes", "remark", "remarks"),
}


def _customer_fields() -> tuple[FieldSpec, ...]:
    rules = {
        "code": CODE_RULE, "name": NAME_RULE,
        "customer_type": choice_normaliser(choice_spellings("ctype", CUSTOMER_TYPES,
                                                            {"集团": "corporate", "渠道": "channel",
                                                             "个人": "individual"})),
        "tenure_stage": choice_normaliser(choice_spellings("tenure", TENURE_STAGES,
                                                          {"新": "new", "老": "old", "潜在": "potential"})),
        "need_type": choice_normaliser(choice_spellings("need", NEED_TYPES)),
        "region": V.REGION_RULE, "country": V.UPPER_RULE, "currency": V.UPPER_RULE,
        "phone": PHONE_RULE, "email": V.EMAIL_RULE, "postal_code": text_normaliser(),
        "bank_account": text_normaliser(),
        "credit_limit": decimal_normaliser(18, 2, negative_key="err.credit_negative", money=True),
        "open_balance": MONEY, "birthday": DATE,
        "household_size": int_normaliser(gt=0, le=100), "payday": int_normaliser(ge=1, le=31),
        "influence": int_normaliser(ge=1, le=5),
    }
    defaults = {"customer_type": "'individual'", "tenure_stage": "'new'", "country": "'CN'", "currency": "'CNY'"}
    from crm_core.models import CustomerIn
    return tuple(
        FieldSpec(name, rules.get(name, TEXT), required=name in ("code", "name"),
                  synonyms=_CUSTOMER_SYNONYMS.get(name, ()), default=defaults.get(name),
                  # CustomerIn has these as non-optional Literals: a blank is not one of the choices
                  blank_error="err.choice" if name in ("customer_type", "tenure_stage") else None,
                  typed_column="phone_typed" if name == "phone" else None)
        for name in CustomerIn.model_fields
    )


def _country(ctx: CheckContext) -> str:
    return f"coalesce({ctx.value('country')}, {ctx.current('country')}, 'CN')"


CUSTOMERS = Kind(
    name="customers", table="customers", key="code", modes=MODES, stage_always=True,
    fields=_customer_fields(),
    existing_columns=("country", "currency"),
    currency_field="currency",
    checks=(
        Check("phone", lambda ctx: V.sql_phone_check(ctx.value("phone"), _country(ctx))),
        Check("postal_code", lambda ctx: V.sql_postal_check(ctx.value("postal_code"), _country(ctx))),
        Check("birthday", lambda ctx: V.sql_birthday_check(ctx.value("birthday"))),
    ),
)

_CODE_REF = ("客户编号", "客户代码", "编号", "客户号", "customer code", "customer", "code", "customer id", "id", "cust code")

TRANSACTIONS = Kind(
    name="transactions", table="transactions", customer_ref="customer_code",
    fields=(
        FieldSpec("customer_code", CODE_RULE, required=True, synonyms=_CODE_REF),
        FieldSpec("txn_date", DATE, required=True,
                  synonyms=("日期", "交易日期", "下单日期", "订单日期", "销售日期", "date", "order date", "txn date",
                            "transaction date")),
        FieldSpec("amount", MONEY, required=True,
                  synonyms=("金额", "销售额", "交易金额", "订单金额", "实收金额", "amount", "sales", "revenue", "total")),
        FieldSpec("order_id", TEXT, synonyms=("订单号", "订单编号", "单号", "order id", "order no", "order")),
        FieldSpec("product", TEXT, synonyms=("产品", "商品", "品名", "产品名称", "product", "item", "sku")),
        FieldSpec("quantity", decimal_normaliser(18, 3, gt=0), synonyms=("数量", "件数", "quantity", "qty")),
        FieldSpec("gross_margin", MONEY, synonyms=("毛利", "毛利额", "gross margin", "margin")),
        FieldSpec("discount", decimal_normaliser(18, 2, ge=0, money=True), synonyms=("折扣", "折扣额", "优惠", "discount")),
    ),
    checks=(Check("txn_date", lambda ctx: V.sql_not_future_check(ctx.value("txn_date"))),),
)

INTERACTIONS = Kind(
    name="interactions", table="interactions", customer_ref="customer_code",
    local_time_fields=("occurred_at",),
    fields=(
        FieldSpec("customer_code", CODE_RULE, required=True, synonyms=_CODE_REF),
        FieldSpec("occurred_at", DATETIME, required=True,
                  synonyms=("时间", "日期", "接触时间", "拜访时间", "发生时间", "when", "date", "time", "occurred at")),
        FieldSpec("channel", choice_normaliser(choice_spellings("channel", CHANNELS,
                                                                {"走访": "visit", "来电": "phone",
                                                                 "邮箱": "email", "送礼": "gift"})),
                  required=True, synonyms=("方式", "渠道", "接触方式", "channel", "type")),
        FieldSpec("place", TEXT, synonyms=("地点", "场所", "place", "where", "location")),
        FieldSpec("rep", TEXT, synonyms=("业务员", "负责人", "rep", "sales rep", "owner")),
        FieldSpec("cost", decimal_normaliser(18, 2, ge=0, money=True), default="0", synonyms=("费用", "成本", "cost")),
        FieldSpec("concession", decimal_normaliser(18, 2, ge=0, money=True), default="0",
                  synonyms=("让利", "折让", "concession", "discount")),
        FieldSpec("products_provided", TEXT, synonyms=("提供的产品", "赠品", "products provided", "products")),
        FieldSpec("note", TEXT, synonyms=("备注", "说明", "note", "notes", "remark")),
    ),
)

CAPABILITY = Capability("core", import_kinds=(CUSTOMERS, TRANSACTIONS, INTERACTIONS),
                        jobs=(SESSIONS_CLEANUP,))  # nightly: ended sessions, old failed sign-ins
