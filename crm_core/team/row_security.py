"""The app's access rules enforced by PostgreSQL too (issue 19, "Roles enforced in PostgreSQL as
well"): a colleague given direct SQL access to the shared database reads what the app would show
them, and nothing else.

Everything comes from ``crm_core.access.RULES``, the one table of visibility; nothing here restates
a rule.

- **Group roles.** There is one per app role (``GROUP_ROLES``: ``kehu_rep``, ``kehu_viewer``, …),
  without login. A colleague's login role is named like their app account and is a member of the
  group of the account's role (``grant_sql_login``).
- **Privileges.** SELECT only. Tables hidden from a role (``Rule.hidden_from``: passwords,
  sessions, alert secrets) are not granted at all, so reading one fails with "permission denied"
  rather than returning no rows. Nothing is granted for writing: writes go through the app, which
  audits them.
- **Rows.** Row-level security is on for every table in the rules, with one SELECT policy per group
  role. The policy is the rule's own SQL: ``scoped_rows`` and, for reps, ``rep_rows``, with the
  rep's codes read by ``kehu_rep_codes()``. That function looks up the account named like the login
  (``session_user``) in ``accounts``, so a rep's codes are always the account's current ones. A
  disabled or missing account has no codes and sees no rows.
- **Masked columns.** Viewers may select every column except the masked ones (column privileges).
  The masked values are in ``kehu_masked.<table>``: views with the app's mask expression
  (``access.mask_expression``) and the viewer's row condition.
- **The app itself** connects as the tables' owner. Row-level security does not apply to an owner
  without FORCE, so the app and its analytic copy read everything, as in the embedded mode.
"""
from __future__ import annotations

import psycopg
from psycopg import sql

from crm_core.access import RULES, SCOPED_ROLES, mask_expression, masked_columns
from crm_core.sql import quote_identifier
from crm_core.team.schema import MIGRATION_LOCK_KEY
from crm_core.users import ROLES, Actor

GROUP_ROLES = {role: f"kehu_{role}" for role in ROLES}
MASKED_SCHEMA = "kehu_masked"
POLICY_PREFIX = "kehu_read_"
REP_CODES_FUNCTION = """
CREATE OR REPLACE FUNCTION kehu_rep_codes() RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT CASE WHEN cardinality(rep_codes) > 0 THEN rep_codes::text[] ELSE ARRAY[name]::text[] END
    FROM accounts WHERE name = session_user AND enabled AND role = 'rep'
$$"""
REPS = "(SELECT unnest(kehu_rep_codes()))"


def install_row_security(url: str) -> None:
    """Roles, grants, policies and masked views on the migrated database at ``url``; idempotent
    (run at every start: a new table or rule is covered). Holds the migration lock."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_KEY])
        try:
            with conn.transaction():
                _install(conn)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_KEY])


def grant_sql_login(url: str, name: str, password: str) -> str:
    """Give app account ``name`` a PostgreSQL login of the same name, member of its role's group
    (made again with the account's current role each time); returns the group. Raises ValueError
    for an account that does not exist or is disabled."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT role FROM accounts WHERE name = %s AND enabled", [name]).fetchone()
        if row is None:
            raise ValueError(f"no enabled account {name!r}: add it on the Admin page first")
        group = GROUP_ROLES[row[0]]
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name]).fetchone()
        # ROLE … PASSWORD takes no parameter: psycopg's sql module quotes the name and the literal.
        conn.execute(sql.SQL("{} ROLE {} LOGIN PASSWORD {}").format(
            sql.SQL("ALTER" if exists else "CREATE"), sql.Identifier(name), sql.Literal(password)))
        for other in GROUP_ROLES.values():
            if other != group:
                conn.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(other), sql.Identifier(name)))
        conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(name)))
        return group


def _install(conn: psycopg.Connection) -> None:
    for group in GROUP_ROLES.values():
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [group]).fetchone():
            conn.execute(f"CREATE ROLE {quote_identifier(group)} NOLOGIN")
    conn.execute(REP_CODES_FUNCTION)
    conn.execute(f"CREATE SCHEMA IF NOT EXISTS {MASKED_SCHEMA}")
    groups = ", ".join(quote_identifier(g) for g in GROUP_ROLES.values())
    conn.execute("REVOKE ALL ON FUNCTION kehu_rep_codes() FROM PUBLIC")
    conn.execute(f"GRANT EXECUTE ON FUNCTION kehu_rep_codes() TO {groups}")
    conn.execute(f"GRANT USAGE ON SCHEMA public, {MASKED_SCHEMA} TO {groups}")
    tables = {name for (name,) in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()}
    for table in sorted(tables & set(RULES)):
        _secure_table(conn, table)


def _secure_table(conn: psycopg.Connection, table: str) -> None:
    name = quote_identifier(table)
    conn.execute(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY")
    columns = [c for (c,) in conn.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped"
        " ORDER BY attnum", [name]).fetchall()]
    for role, group in GROUP_ROLES.items():
        grantee = quote_identifier(group)
        conn.execute(f"REVOKE ALL ON {name} FROM {grantee}")
        conn.execute(f"DROP POLICY IF EXISTS {quote_identifier(POLICY_PREFIX + role)} ON {name}")
        condition = _condition(table, role)
        if condition is None:  # hidden from the role: no privilege at all
            continue
        masked = set(masked_columns(Actor("policy", role), table)) & set(columns)
        readable = ", ".join(quote_identifier(c) for c in columns if c not in masked)
        conn.execute(f"GRANT SELECT ({readable}) ON {name} TO {grantee}")
        conn.execute(f"CREATE POLICY {quote_identifier(POLICY_PREFIX + role)} ON {name} FOR SELECT TO {grantee}"
                     f" USING ({condition})")
        if masked:
            _masked_view(conn, table, columns, masked, condition, grantee)


def _condition(table: str, role: str) -> str | None:
    """The rows ``role`` reads of ``table`` as SQL over the table's own columns (None: hidden)."""
    rule = RULES[table]
    if role in rule.hidden_from:
        return None
    parts = []
    if role in SCOPED_ROLES and rule.scoped_rows is not None:
        parts.append(rule.scoped_rows.format(a=""))
    if role == "rep" and rule.rep_rows is not None:
        parts.append(rule.rep_rows.format(a="", reps=REPS, customers="public.customers", promises="public.promises"))
    return " AND ".join(f"({part})" for part in parts) or "true"


def _masked_view(conn: psycopg.Connection, table: str, columns: list[str], masked: set[str], condition: str,
                 grantee: str) -> None:
    """``kehu_masked.<table>``: every column, the masked ones masked, on the rows of ``condition``.
    Owned by the tables' owner, so it reads the base table whatever the viewer may select; the
    condition in its WHERE (security_barrier: evaluated before anything the reader adds) does
    what the viewer's policy does."""
    rule = RULES[table]
    where = rule.masked_where.format(a="") if rule.masked_where else None
    select = ", ".join(mask_expression(c, where) if c in masked else quote_identifier(c) for c in columns)
    view = f"{MASKED_SCHEMA}.{quote_identifier(table)}"
    conn.execute(f"DROP VIEW IF EXISTS {view}")
    conn.execute(f"CREATE VIEW {view} WITH (security_barrier) AS SELECT {select} FROM public.{quote_identifier(table)}"
                 f" WHERE {condition}")
    conn.execute(f"GRANT SELECT ON {view} TO {grantee}")
