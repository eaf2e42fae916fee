"""Settings read from the environment, with defaults that need no configuration."""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "crm.duckdb"
TEAM_DIR = PROJECT_ROOT / "data" / "team"  # ``python -m crm_core team up``: its cluster, logs and state
DEFAULT_TZ = "Asia/Shanghai"
DEFAULT_CURRENCY = "CNY"
# DuckDB's own default is 80 % of RAM per process: the app's server shares the machine with the
# Python heap, pandas frames and other processes, so the store gets a quarter of RAM, at most
# 1.5 GiB; above that, sorts, joins and aggregates spill to the temp directory instead of failing.
# The server's budget is 3 GiB at ten million customers (issue 18) and its fit job holds up to
# ~0.8 GB of frames there beside DuckDB: with a 2 GiB cap single fits peaked at 3.1–3.5 GiB.
DEFAULT_MEMORY_SHARE, DEFAULT_MEMORY_CAP = 0.25, 3 * 2**29
MIN_MEMORY = 128 * 2**20  # below this DuckDB cannot hold even one scan's buffers
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%|[KMGT]i?B)\s*$", re.IGNORECASE)
_UNIT = {"KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
         "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}


@dataclass(frozen=True)
class Settings:
    db_path: Path
    timezone: str
    demo_customers: int
    store_currency: str = DEFAULT_CURRENCY
    database_url: str = ""  # team mode (CRM_DATABASE_URL): PostgreSQL is the system of record

    @property
    def location(self) -> str:
        """Where the store is: the PostgreSQL URL in team mode, else the DuckDB file."""
        return self.database_url or str(self.db_path)

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


def is_database_url(location: str | Path) -> bool:
    """A PostgreSQL URL (team mode) rather than a DuckDB file path."""
    return str(location).startswith(("postgresql://", "postgres://"))


def without_password(url: str) -> str:
    """The URL to show and to key caches by: ``postgresql://user:secret@host/db`` → ``postgresql://user@host/db``."""
    head, sep, tail = url.rpartition("@")
    if not sep or "://" not in head:
        return url
    scheme, _, credentials = head.partition("://")
    return f"{scheme}://{credentials.split(':', 1)[0]}@{tail}"


def database_url() -> str:
    """``CRM_DATABASE_URL``: a PostgreSQL URL makes team mode (crm_core.team); unset, the embedded file."""
    url = os.environ.get("CRM_DATABASE_URL", "").strip()
    if url and not is_database_url(url):
        raise ValueError(f"CRM_DATABASE_URL must start with postgresql:// (got {url.split(':')[0]!r}:…)")
    return url


def configure_logging() -> None:
    """``CRM_LOG_LEVEL`` (e.g. ``INFO``): the app's own log lines (``crm_core.*``) on stderr at that
    level, once per process. Unset, Python's default stays: warnings and errors only. ``team up``
    sets INFO, so each process's log shows its refresh lag (crm_core.team.store)."""
    level = os.environ.get("CRM_LOG_LEVEL", "").strip().upper()
    logger = logging.getLogger("crm_core")
    if not level or logger.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)


def load_settings() -> Settings:
    """``CRM_DB`` (DuckDB file), ``CRM_TZ`` (IANA zone), ``CRM_DEMO_CUSTOMERS`` (first-start demo size),
    ``CRM_CURRENCY`` (the store's currency), ``CRM_DATABASE_URL`` (team mode)."""
    timezone = os.environ.get("CRM_TZ", DEFAULT_TZ)
    if not _known_timezone(timezone):
        raise ValueError(f"CRM_TZ={timezone!r} is not an IANA time zone such as 'Asia/Shanghai'")
    return Settings(
        db_path=Path(os.environ.get("CRM_DB", DEFAULT_DB)),
        timezone=timezone,
        demo_customers=int(os.environ.get("CRM_DEMO_CUSTOMERS", "2000")),
        store_currency=store_currency(),
        database_url=database_url(),
    )


def machine_memory() -> int:
    """Bytes of memory this process may use: the cgroup's limit when one is set (a container),
    else the machine's RAM."""
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
    except OSError:
        return ram
    return min(ram, int(limit)) if limit.isdigit() else ram


def memory_limit_bytes(value: str | None = None, memory: int | None = None) -> int:
    """``CRM_DUCKDB_MEMORY``: how much memory the store's DuckDB may hold — a size (``1.5GiB``,
    ``800MB``) or a share of memory (``25%``); default 25 % of memory, at most 1.5 GiB. A bad value
    is a ValueError that says what is expected."""
    memory = machine_memory() if memory is None else memory
    value = os.environ.get("CRM_DUCKDB_MEMORY", "") if value is None else value
    if not value.strip():
        return max(MIN_MEMORY, min(int(memory * DEFAULT_MEMORY_SHARE), DEFAULT_MEMORY_CAP))
    match = _SIZE.match(value)
    if not match:
        raise ValueError(f"CRM_DUCKDB_MEMORY={value!r} is not a size such as '2GiB', '800MB' or '25%'")
    number, unit = float(match.group(1)), match.group(2).upper()
    wanted = int(memory * number / 100) if unit == "%" else int(number * _UNIT[unit])
    if unit == "%" and not 0 < number <= 100:
        raise ValueError(f"CRM_DUCKDB_MEMORY={value!r}: a share of memory must be above 0 % and at most 100 %")
    if wanted < MIN_MEMORY:
        raise ValueError(f"CRM_DUCKDB_MEMORY={value!r} is below the 128MiB DuckDB needs to work")
    return wanted


def duckdb_config() -> dict[str, str]:
    """The settings every connection to the store opens with: ``memory_limit`` (above), and
    ``threads`` when ``CRM_DUCKDB_THREADS`` is set (default: DuckDB's, one per core). Spilling
    needs no setting: DuckDB writes to ``<store>.tmp`` beside the file (private, like the store)."""
    config = {"memory_limit": f"{memory_limit_bytes() // 2**20}MiB"}
    threads = os.environ.get("CRM_DUCKDB_THREADS", "").strip()
    if threads:
        if not (threads.isdigit() and int(threads) > 0):
            raise ValueError(f"CRM_DUCKDB_THREADS={threads!r} is not a whole number of threads such as '2'")
        config["threads"] = threads
    return config
