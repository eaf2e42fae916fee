"""Command line: ``python -m crm_core <command> ...`` (see ``--help``)."""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date

from crm_core import demo
from crm_core.config import load_settings
from crm_core.store import Store


def _store(path: str | None) -> Store:
    settings = load_settings()
    return Store(path or settings.db_path, settings.timezone)


def _cmd_demo(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    store = _store(args.db)
    as_of = date.fromisoformat(args.as_of) if args.as_of else None
    try:
        size = demo.load_demo(store, customers=args.customers, seed=args.seed, as_of=as_of)
    except ValueError as error:
        print(f"error: {error} ({store.path})", file=sys.stderr)
        return 2
    print(f"{store.path}: {size.customers:,} customers, {size.transactions:,} transactions, "
          f"{size.interactions:,} interactions, {size.key_dates:,} key dates "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    store = _store(args.db)
    print(f"{store.path}: schema version {store.schema_version()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m crm_core", description="Kehu (客户) CRM command line")
    commands = parser.add_subparsers(dest="command", required=True)

    demo_cmd = commands.add_parser("demo", help="fill an empty store with deterministic demo data")
    demo_cmd.add_argument("--customers", type=int, default=2000)
    demo_cmd.add_argument("--seed", type=int, default=20240305)
    demo_cmd.add_argument("--as-of", help="last day of the demo history (YYYY-MM-DD; default today)")
    demo_cmd.add_argument("--db", help="DuckDB file (default $CRM_DB or data/crm.duckdb)")
    demo_cmd.set_defaults(run=_cmd_demo)

    migrate_cmd = commands.add_parser("migrate", help="bring a store's schema up to date")
    migrate_cmd.add_argument("--db")
    migrate_cmd.set_defaults(run=_cmd_migrate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
