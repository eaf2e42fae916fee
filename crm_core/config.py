"""Settings read from the environment, with defaults that need no configuration."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "crm.duckdb"
DEFAULT_TZ = "Asia/Shanghai"
DEFAULT_CURRENCY = "CNY"


@dataclass(frozen=True)
class Settings:
    db_path: Path
    timezone: str
    demo_customers: int
    store_currency: str = DEFAULT_CURRENCY

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@lru_cache(maxsize=16)
def _known_timezone(name: str) -> bool:
    # available_timezones() walks the tz database (~3 ms): pages call load_settings() per value
    return name in available_timezones()


def store_currency() -> str:
    """``CRM_CURRENCY``: the ISO code of the currency the store keeps amounts in (default CNY).
    Imported amounts in another currency are refused, never stored as if they were in this one."""
    code = os.environ.get("CRM_CURRENCY", DEFAULT_CURRENCY).strip().upper()
    if not (len(code) == 3 and code.isascii() and code.isalpha()):
        raise ValueError(f"CRM_CURRENCY={code!r} is not a three-letter ISO currency code such as 'CNY'")
    return code


def load_settings() -> Settings:
    """``CRM_DB`` (DuckDB file), ``CRM_TZ`` (IANA zone), ``CRM_DEMO_CUSTOMERS`` (first-start demo size),
    ``CRM_CURRENCY`` (the store's currency)."""
    timezone = os.environ.get("CRM_TZ", DEFAULT_TZ)
    if not _known_timezone(timezone):
        raise ValueError(f"CRM_TZ={timezone!r} is not an IANA time zone such as 'Asia/Shanghai'")
    return Settings(
        db_path=Path(os.environ.get("CRM_DB", DEFAULT_DB)),
        timezone=timezone,
        demo_customers=int(os.environ.get("CRM_DEMO_CUSTOMERS", "2000")),
        store_currency=store_currency(),
    )
