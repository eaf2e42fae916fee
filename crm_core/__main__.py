"""Command line: ``python -m crm_core <command> ...`` (see ``--help``)."""
from __future__ import annotations

import argparse
import getpass
import logging
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

from crm_core import accounts, backup, demo
from crm_core.capabilities import add_commands
from crm_core.config import TEAM_DIR, is_database_url, load_settings, without_password
from crm_core.i18n import t
from crm_core.store import Store, new_store
from crm_core.users import ROLES, Actor


def cli_actor() -> Actor:
    """Who the command line acts as: the signed-in OS user, as an admin (the command line is run by
    whoever administers the machine the store lives on). Recorded in the audit log."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        name = ""
    return Actor(name or "cli", "admin")


def _store(location: str | None) -> Store:
    """The store of ``--db`` (a DuckDB file or a PostgreSQL URL), else the configured one."""
    settings = load_settings()
    return new_store(location or settings.location, settings.timezone)


def _cmd_demo(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    logging.basicConfig(level=logging.INFO, format="%(message)s")  # a big demo reports each chunk
    settings = load_settings()
    location = args.db or settings.location
    path = Path(location)
    as_of = date.fromisoformat(args.as_of) if args.as_of else None
    try:
        if is_database_url(location):  # team mode: built as a file, copied into PostgreSQL
            from crm_core.team.bulk_load import load_demo
            size = load_demo(location, args.customers, args.seed, as_of, timezone=settings.timezone)
            path = without_password(location)
        elif path.exists():  # an existing (empty) store: filled in place
            size = demo.load_demo(_store(args.db), customers=args.customers, seed=args.seed, as_of=as_of)
        else:  # a new file: built beside it and renamed only once complete
            size = demo.build_demo_file(path, args.customers, args.seed, as_of, timezone=settings.timezone)
    except ValueError as error:
        print(f"error: {error} ({path})", file=sys.stderr)
        return 2
    extras = "".join(f", {count:,} {name}" for name, count in size.extras.items())
    print(f"{path}: {size.customers:,} customers, {size.transactions:,} transactions, "
          f"{size.interactions:,} interactions, {size.key_dates:,} key dates{extras} "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    store = _store(args.db)
    print(f"{store.path}: schema version {store.schema_version()}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    """Recompute the customer summaries and compare (crm_core.summaries.check): 0 when they match."""
    from contextlib import closing

    from crm_core import summaries
    store = _store(args.db)
    with closing(store.system_cursor()) as cur:
        result = summaries.check(cur)
    for line in summaries.check_lines(result):
        print(line, file=sys.stdout if result.ok else sys.stderr)
    differences = store.differences_from_postgres() if hasattr(store, "differences_from_postgres") else []
    for table in differences:
        print(f"{table}: the analytic copy differs from PostgreSQL", file=sys.stderr)
    return 0 if result.ok and not differences else 1


def _cmd_backup(args: argparse.Namespace) -> int:
    try:
        store = _store(args.db)
    except duckdb.IOException as error:
        print(f"error: {error}\nThe app has the store open: use the Backup button on its Admin page, "
              "or stop the app and run this again.", file=sys.stderr)
        return 3
    try:
        target = backup.backup(store, cli_actor(), args.path)
    except FileExistsError as error:  # a backup never overwrites a file: one line, no traceback
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"backed up {store.path} to {target}")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    location = args.db or load_settings().location
    try:  # team mode: pg_restore while the app runs; the embedded file: the app stopped
        version = backup.restore_file_offline(location, args.path, cli_actor())  # checks, migrates, audits
    except (ValueError, duckdb.IOException) as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    print(f"restored {without_password(location)} from {args.path} (schema version {version} at backup time)")
    return 0


def _cmd_user_add(args: argparse.Namespace) -> int:
    password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    try:
        account = accounts.add_account(args.name, args.role, password, args.display_name or "",
                                       rep_codes=args.rep_code or ())
    except accounts.AccountError as error:
        print(f"error: {t(error.key, 'en', **error.params)}", file=sys.stderr)
        return 2
    except accounts.AccountsFileError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"saved user {account.name} ({account.role}) in {accounts.users_file()}; "
          "a running app applies it on its next page load")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from crm_core.ingest.cli import run_cli
    return run_cli(args, _store(args.db))


def _cmd_team(args: argparse.Namespace) -> int:
    from crm_core.team import local_team
    directory = Path(args.dir)
    if args.action == "up":
        print(f"team mode is up: {local_team.up(directory, args.port, args.customers)}"
              f" (PostgreSQL, {local_team.APP_PROCESSES} app processes, nginx; stop: python -m crm_core team down)")
    elif local_team.down(directory):
        print("team mode is down (the database stays for the next 'team up')")
    else:
        print(f"nothing was up in {directory}")
    return 0


def _cmd_sql_login(args: argparse.Namespace) -> int:
    """Team mode: a PostgreSQL login for an app account, reading what its role may read."""
    from crm_core.team.row_security import grant_sql_login

    url = args.db or load_settings().database_url
    if not is_database_url(url):
        print("error: sql-login is for team mode: set CRM_DATABASE_URL or pass --db postgresql://…", file=sys.stderr)
        return 2
    password = getpass.getpass("Password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    try:
        group = grant_sql_login(url, args.name, password)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{args.name} may now sign in to {without_password(url)} and reads what the role {group} may read")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m crm_core", description="Kehu (客户) CRM command line")
    commands = parser.add_subparsers(dest="command", required=True)

    demo_cmd = commands.add_parser("demo", help="fill an empty store with deterministic demo data")
    demo_cmd.add_argument("--customers", type=int, default=2000)
    demo_cmd.add_argument("--seed", type=int, default=20240305)
    demo_cmd.add_argument("--as-of", help="last day of the demo history (YYYY-MM-DD; default today)")
    demo_cmd.add_argument("--db", help="DuckDB file or PostgreSQL URL (default $CRM_DATABASE_URL, $CRM_DB "
                                       "or data/crm.duckdb)")
    demo_cmd.set_defaults(run=_cmd_demo)

    migrate_cmd = commands.add_parser("migrate", help="bring a store's schema up to date")
    migrate_cmd.add_argument("--db")
    migrate_cmd.set_defaults(run=_cmd_migrate)

    check_cmd = commands.add_parser("check", help="recompute the customer summaries and compare with the stored ones")
    check_cmd.add_argument("--db")
    check_cmd.set_defaults(run=_cmd_check)

    from crm_core.ingest.cli import add_import_arguments
    import_cmd = commands.add_parser("import", help="import customers, transactions or interactions from CSV/XLSX")
    add_import_arguments(import_cmd)
    import_cmd.set_defaults(run=_cmd_import)
    backup_cmd = commands.add_parser("backup", help="write a consistent copy of the store to a new file")
    backup_cmd.add_argument("path")
    backup_cmd.add_argument("--db")
    backup_cmd.set_defaults(run=_cmd_backup)

    restore_cmd = commands.add_parser("restore", help="replace the store with a backup (the embedded file: app stopped; team mode: app may run)")
    restore_cmd.add_argument("path")
    restore_cmd.add_argument("--db")
    restore_cmd.set_defaults(run=_cmd_restore)

    user_cmd = commands.add_parser("user", help="manage sign-in accounts ($CRM_USERS, default data/users.toml)")
    user_commands = user_cmd.add_subparsers(dest="user_command", required=True)
    user_add = user_commands.add_parser("add", help="create or replace an account; password from the terminal")
    user_add.add_argument("name")
    user_add.add_argument("--role", required=True, choices=ROLES)
    user_add.add_argument("--display-name")
    user_add.add_argument("--rep-code", action="append",
                          help="for a rep: a 业务员 value whose customers they own (repeat for several)")
    user_add.set_defaults(run=_cmd_user_add)
    team_cmd = commands.add_parser("team", help="try team mode here: PostgreSQL, two app processes and nginx")
    team_cmd.add_argument("action", choices=("up", "down"))
    team_cmd.add_argument("--dir", default=str(TEAM_DIR), help="where the cluster, logs and state live")
    team_cmd.add_argument("--port", type=int, default=8500, help="nginx's port on 127.0.0.1 (up)")
    team_cmd.add_argument("--customers", type=int, default=2000, help="demo size of a new database (up)")
    team_cmd.set_defaults(run=_cmd_team)
    login_cmd = commands.add_parser("sql-login", help="team mode: a PostgreSQL login for an app account, "
                                    "limited by the database to what the account may read")
    login_cmd.add_argument("name")
    login_cmd.add_argument("--db", help="PostgreSQL URL (default $CRM_DATABASE_URL)")
    login_cmd.set_defaults(run=_cmd_sql_login)
    add_commands(commands)  # what capabilities add (the management report), through the registry
    from crm_core.model_fits import add_fit_command
    add_fit_command(commands)  # fit the background models now (issue 18)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
