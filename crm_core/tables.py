"""One description of a shown table, used by the screen AND by its downloads.

A ``Table`` lists the columns a user sees: where each comes from (``source``), its header (a
catalog key) and its ``kind``, which says how a value is shown:

=========  ====================================================  ===================
kind       shown value (``Table.shown``)                          XLSX number format
=========  ====================================================  ===================
text       the text; a blank stays blank                          (text)
label      a stored key as catalog text: ``individual`` → 个人客户  (text)
money      a number rounded to cents                             ``"¥"#,##0.00``
count      a whole number                                         ``#,##0``
number     a number rounded to ``decimals``                       ``#,##0.0…``
percent    a fraction (0.0188); the grid and Excel show 1.9%      ``0.0%``
date       a date                                                 ``yyyy-mm-dd``
datetime   local wall-clock time to the minute                    ``yyyy-mm-dd hh:mm``
=========  ====================================================  ===================

``Table.shown`` keeps numbers numeric (the grid sorts them, Excel sums them); the grid
(ui/tables.py) and the XLSX writer (crm_core.exporting.export_table) apply the format of the kind.
Blanks are None/NaN: the grid draws them empty, the files leave the cell empty — never "None",
"nan" or "NaT". A column a frame does not have is skipped, so one Table serves a list whose
columns vary a little (e.g. with or without a rep column).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import pandas as pd

from crm_core.i18n import t
from crm_core.sql import Fragment, run

KINDS = ("text", "label", "money", "count", "number", "percent", "date", "datetime")
NUMERIC_KINDS = ("money", "count", "number", "percent")
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    source: str
    header: str  # catalog key of the column header
    kind: str = "text"
    prefix: str = ""  # label: the catalog prefix, value shown as t(f"{prefix}.{value}")
    decimals: int = 0  # number: digits after the point
    params: tuple = ()  # header parameters, e.g. (("months", 12),)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column kind must be one of {KINDS}, got {self.kind!r}")
        if self.kind == "label" and not self.prefix:
            raise ValueError(f"label column {self.source!r} needs a catalog prefix")

    def title(self, lang: str) -> str:
        return t(self.header, lang, **dict(self.params))


def text(source: str, header: str) -> Column:
    return Column(source, header, "text")


def label(source: str, header: str, prefix: str) -> Column:
    return Column(source, header, "label", prefix=prefix)


def money(source: str, header: str) -> Column:
    return Column(source, header, "money")


def count(source: str, header: str) -> Column:
    return Column(source, header, "count")


def number(source: str, header: str, decimals: int = 1) -> Column:
    return Column(source, header, "number", decimals=decimals)


def percent(source: str, header: str) -> Column:
    return Column(source, header, "percent")


def day(source: str, header: str) -> Column:
    return Column(source, header, "date")


def moment(source: str, header: str) -> Column:
    return Column(source, header, "datetime")


@dataclass(frozen=True)
class Table:
    """``title`` is a catalog key: the XLSX sheet's name (and what the list is about)."""

    title: str
    columns: tuple[Column, ...]
    title_params: tuple = field(default=())

    def present(self, frame: pd.DataFrame) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.source in frame.columns)

    def headers(self, lang: str, frame: pd.DataFrame | None = None) -> list[str]:
        columns = self.columns if frame is None else self.present(frame)
        return [c.title(lang) for c in columns]

    def sheet_name(self, lang: str) -> str:
        return sheet_name(t(self.title, lang, **dict(self.title_params)))

    def shown(self, frame: pd.DataFrame, lang: str) -> pd.DataFrame:
        """The frame as the user sees it: the spec's columns in order, headed in ``lang``, values
        label-mapped and typed by kind (numbers stay numbers); the index is kept (row selection)."""
        columns = self.present(frame)
        return pd.DataFrame({c.title(lang): shown_values(frame[c.source], c, lang) for c in columns},
                            index=frame.index)


def inferred(title: str, frame: pd.DataFrame, header_prefix: str | None = None,
             kinds: dict | None = None, hidden: tuple[str, ...] = ("customer_id",)) -> Table:
    """A Table for ``frame``'s columns in order, for a small list whose columns are not listed by
    hand: headers ``{header_prefix}.{column}`` (or the column name as it is, already shown text,
    without a prefix); kinds from ``kinds`` (column → kind, or a Column), else from the data —
    moments with a time of day as datetime, other timestamps as dates, whole numbers as counts,
    other numbers with two decimals, yes/no as 是/否. ``hidden`` columns are left out."""
    kinds = kinds or {}

    def column_for(name: str) -> Column:
        header = f"{header_prefix}.{name}" if header_prefix else str(name)
        given = kinds.get(name)
        if isinstance(given, Column):
            return given
        if given:
            return Column(name, header, given)
        series = frame[name]
        if isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(series):
            local = _local(series).dropna()
            midnight = local.empty or bool((local == local.dt.normalize()).all())
            return Column(name, header, "date" if midnight else "datetime")
        if pd.api.types.is_bool_dtype(series):
            return Column(name, header, "label", prefix="table.yes_no")
        if pd.api.types.is_integer_dtype(series):
            return Column(name, header, "count")
        if pd.api.types.is_float_dtype(series):
            return Column(name, header, "number", decimals=2)
        if series.dtype == object and len(series.dropna()) and all(
                isinstance(v, date) for v in series.dropna().head(20)):
            return Column(name, header, "date")
        return Column(name, header, "text")

    return Table(title, tuple(column_for(c) for c in frame.columns if c not in hidden))


def sheet_name(title: str) -> str:
    """An Excel sheet name: no ``[]:*?/\\``, at most 31 characters, never empty."""
    cleaned = SHEET_FORBIDDEN.sub(" ", str(title)).strip().strip("'")
    return cleaned[:31].strip() or "Sheet1"


def is_blank(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and value != value:
        return True
    return isinstance(value, str) and value.strip().lower() in ("", "none", "nan", "nat", "<na>")


def blank_to_none(value):
    """THE blank rule: None, NaN, NaT, pd.NA and the texts "None"/"nan"/"NaT" are no value."""
    return None if is_blank(value) else value


def label_text(value, prefix: str, lang: str) -> str | None:
    """A stored key as catalog text; a value without a catalog entry (a region a user typed) as is."""
    if is_blank(value):
        return None
    key = f"{prefix}.{value}"
    shown = t(key, lang)
    return str(value) if shown == key else shown


def _to_float(value):
    if is_blank(value):
        return None
    return float(value) if isinstance(value, (Decimal, int, float)) else float(str(value))


def _numeric(series: pd.Series) -> pd.Series:
    if series.dtype == object:
        series = series.map(_to_float)
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _local(series: pd.Series) -> pd.Series:
    """Timestamps as naive local wall-clock time (Excel has no time zones; the zone is the store's)."""
    if not (isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(series)):
        series = pd.to_datetime(series.map(blank_to_none), errors="coerce")
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_localize(None)
    return series


def _day(value):
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


BLANK_TEXTS = ("", "none", "nan", "nat", "<na>")


def _texts(series: pd.Series) -> pd.Series:
    """Text values with every blank (``is_blank``) as None; vectorised: a million rows in well under a second."""
    values = series.astype("string")
    blank = (values.isna() | values.str.strip().str.lower().isin(BLANK_TEXTS)).to_numpy(dtype=bool)
    out = values.to_numpy(dtype=object, na_value=None)
    out[blank] = None
    return pd.Series(out, index=series.index, dtype=object)


def shown_values(series: pd.Series, column: Column, lang: str) -> pd.Series:
    kind = column.kind
    if kind == "text":
        return _texts(series)
    if kind == "label":
        texts = _texts(series if series.dtype != bool else series.map(str))
        labels = {value: label_text(value, column.prefix, lang) for value in texts.dropna().unique()}
        return pd.Series([labels.get(v) if v is not None else None for v in texts], index=series.index,
                         dtype=object) if len(labels) else texts
    if kind == "money":
        return _numeric(series).round(2)
    if kind == "count":
        return _numeric(series).round(0).astype("Int64")
    if kind == "number":
        return _numeric(series).round(column.decimals)
    if kind == "percent":
        return _numeric(series)
    if kind == "date":
        return series.map(_day).astype(object)
    return _local(series).dt.floor("min")  # datetime


def display_width(value: str) -> int:
    """Columns a text takes in Excel: CJK (and other wide) characters count double."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in value)


# A source of rows for a download: a frame, or a function returning a frame or frames (chunks),
# called only when the user asks for the file.
Rows = pd.DataFrame | Callable[[], pd.DataFrame | Iterable[pd.DataFrame]]


def chunks_of(rows: Rows, size: int = 50_000) -> Iterator[pd.DataFrame]:
    """The rows as frames of at most ``size`` rows (a big frame in memory is sliced, a generator passed through)."""
    made = rows() if callable(rows) else rows
    frames = [made] if isinstance(made, pd.DataFrame) else made
    for frame in frames:
        for start in range(0, max(len(frame), 1), size):
            part = frame.iloc[start:start + size]
            if len(part) or start == 0:
                yield part


def query_chunks(cursor, fragment: Fragment, size: int = 50_000) -> Iterator[pd.DataFrame]:
    """A query's result as frames of ``size`` rows, read from DuckDB as they are needed (a list of a
    million customers never sits in memory whole). ``cursor`` must stay open while iterating."""
    result = run(cursor, fragment)
    vectors = max(1, size // 2048)  # DuckDB hands results over in vectors of 2,048 rows
    while True:
        chunk = result.fetch_df_chunk(vectors)
        if chunk.empty:
            return
        yield chunk


# ---------------------------------------------------------------------------------------------
# The shown tables. Headers are the catalog keys the pages already used; each list's downloads
# come from the same Table, so screen and file cannot disagree.

# Who, how valuable, how much first: at 390 px only the first columns fit a phone screen.
CUSTOMERS = Table("table.customers", (
    text("name", "field.name"), text("abc", "find.col.abc"), money("revenue_12m", "find.col.revenue_12m"),
    day("last_purchase", "find.col.last_purchase"), text("sales_rep", "field.sales_rep"), text("code", "field.code"),
    label("customer_type", "field.customer_type", "ctype"), label("tenure_stage", "field.tenure_stage", "tenure"),
    label("region", "field.region", "region"), text("city", "field.city"), text("phone", "field.phone"),
    money("credit_limit", "field.credit_limit"),
))

# Segmentation's customer lists (ABC class, movement, top 50, RFM, need type, value scores, tiers):
# one Table, the columns a list has are shown.
SEGMENT_CUSTOMERS = Table("table.segment_customers", (
    text("code", "seg.col.code"), text("name", "seg.col.name"),
    label("abc", "seg.col.abc", "seg.class"), label("top_grade", "seg.col.top_grade", "seg.top_grade"),
    count("rank", "seg.col.rank"), money("spend", "seg.col.spend"),
    percent("share", "seg.col.share"), percent("cum_share", "seg.col.cum_share"),
    label("prev_abc", "seg.col.prev_abc", "seg.class"), label("curr_abc", "seg.col.curr_abc", "seg.class"),
    count("prev_rank", "seg.col.prev_rank"), money("prev_spend", "seg.col.prev_spend"),
    count("curr_rank", "seg.col.curr_rank"), money("curr_spend", "seg.col.curr_spend"),
    number("score", "seg.col.score", 1), label("tier", "seg.col.tier", "seg.value_tier"),
    number("loyalty", "seg.col.loyalty", 1), number("stability", "seg.col.stability", 1),
    number("tolerance", "seg.col.tolerance", 1), number("feedback", "seg.col.feedback", 1),
    number("referrals", "seg.col.referrals", 1), number("credit", "seg.col.credit", 1),
    number("influence", "seg.col.influence", 1),
    count("recency_days", "seg.col.recency_days"), count("frequency", "seg.col.frequency"),
    money("monetary", "seg.col.monetary"),
    count("r_score", "seg.col.r_score"), count("f_score", "seg.col.f_score"), count("m_score", "seg.col.m_score"),
    label("segment", "seg.col.segment", "seg.rfm"), label("need_type", "seg.col.need_type", "seg.need"),
    label("need_source", "seg.col.need_source", "seg.need_source"),
    percent("discount_share", "seg.col.discount_share"), number("relative_price", "seg.col.relative_price", 2),
))

SEGMENT_SUMMARY = Table("table.segment_summary", (
    label("segment", "seg.col.segment", "seg.rfm"), label("need_type", "seg.col.need_type", "seg.need"),
    label("need_source", "seg.col.need_source", "seg.need_source"),
    count("customers", "seg.col.customers"), money("revenue", "seg.col.revenue"),
    percent("revenue_share", "seg.col.revenue_share"),
))


def churn_retention(months: int) -> Table:
    """The Churn page's retention list; the value column says its horizon (12 months …)."""
    return Table("table.churn_retention", (
        text("code", "churn.col.code"), text("name", "churn.col.name"), text("sales_rep", "churn.col.sales_rep"),
        label("abc", "churn.col.abc", "table.churn_abc"), percent("p_alive", "churn.col.p_alive"),
        Column("value_if_alive", "churn.col.value_horizon", "money", params=(("months", months),)),
        money("expected_loss", "churn.col.expected_loss"), day("last_purchase", "churn.col.last_purchase"),
        moment("last_contact", "churn.col.last_contact"),
        label("last_contact_channel", "churn.col.last_contact_channel", "channel"),
    ))


CHURN_LAPSED = Table("table.churn_lapsed", (
    text("code", "churn.col.code"), text("name", "churn.col.name"),
    label("customer_type", "churn.col.customer_type", "ctype"), text("sales_rep", "churn.col.sales_rep"),
    count("purchases", "churn.col.purchases"), day("last_purchase", "churn.col.last_purchase"),
    count("days_since_last", "churn.col.days_since_last"), count("median_gap_days", "churn.col.median_gap_days"),
    label("gap_source", "churn.col.gap_source", "churn.gap_source"),
    money("revenue_at_risk", "churn.col.revenue_at_risk"),
))

CHURN_EVENTS = Table("table.churn_events", (
    text("code", "churn.col.code"), text("name", "churn.col.name"), text("sales_rep", "churn.col.sales_rep"),
    day("churned_on", "churn.col.churned_on"), label("reason", "churn.col.reason", "churn.reason"),
    label("controllable", "churn.col.controllable", "table.yes_no"), text("note", "churn.col.note"),
))

POLICY_VERSIONS = Table("table.policy_versions", (
    count("version", "promises.col.version"), moment("created_at", "promises.col.created_at"),
    text("created_by", "promises.col.created_by"), count("promises", "promises.col.promises"),
    text("promise_type", "promises.pol.type"), text("target", "table.policy.target"),
    text("clock", "promises.pol.clock"), text("warnings", "table.policy.warnings"),
    text("ladder", "promises.pol.ladder"),
))
