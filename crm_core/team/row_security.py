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

import hashlib

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
    """Create the group roles (cluster-wide) where missing, then run ``statements`` unless the
    database already has exactly these (their digest is the masked schema's comment): opening a
    store costs one catalog read instead of ~1,000 statements."""
    for group in GROUP_ROLES.values():
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [group]).fetchone():
            conn.execute(f"CREATE ROLE {quote_identifier(group)} NOLOGIN")
    wanted = statements(conn)
    digest = "kehu row security " + hashlib.sha256("\n".join(wanted).encode()).hexdigest()
    installed = conn.execute("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s",
                             [MASKED_SCHEMA]).fetchone()
    if installed and installed[0] == digest:
        return
    for statement in wanted:
        conn.execute(statement)
    conn.execute(sql.SQL("COMMENT ON SCHEMA {} IS {}").format(sql.Identifier(MASKED_SCHEMA), sql.Literal(digest)))


def statements(conn: psycopg.Connection) -> list[str]:
    """Every statement that puts ``RULES`` into the database at ``conn`` (its tables as they are)."""
    groups = ", ".join(quote_identifier(g) for g in GROUP_ROLES.values())
    out = [REP_CODES_FUNCTION, f"CREATE SCHEMA IF NOT EXISTS {MASKED_SCHEMA}",
           "REVOKE ALL ON FUNCTION kehu_rep_codes() FROM PUBLIC",
           f"GRANT EXECUTE ON FUNCTION kehu_rep_codes() TO {groups}",
           f"GRANT USAGE ON SCHEMA public, {MASKED_SCHEMA} TO {groups}"]
    columns: dict[str, list[str]] = {}
    for table, column in conn.execute(
            "SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
            " AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum").fetchall():
        columns.setdefault(table, []).append(column)
    for table in sorted(set(columns) & set(RULES)):
        out += _table_statements(table, columns[table])
    return out


def _table_statements(table: str, columns: list[str]) -> list[str]:
    name = quote_identifier(table)
    out = [f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY"]
    for role, group in GROUP_ROLES.items():
        grantee = quote_identifier(group)
        policy = quote_identifier(POLICY_PREFIX + role)
        out += [f"REVOKE ALL ON {name} FROM {grantee}", f"DROP POLICY IF EXISTS {policy} ON {name}"]
        condition = _condition(table, role)
        if condition is None:  # hidden from the role: no privilege at all
            continue
        masked = set(masked_columns(Actor("policy", role), table)) & set(columns)
        readable = ", ".join(quote_identifier(c) for c in columns if c not in masked)
        out += [f"GRANT SELECT ({readable}) ON {name} TO {grantee}",
                f"CREATE POLICY {policy} ON {name} FOR SELECT TO {grantee} USING ({condition})"]
        if masked:
            out += _masked_view(table, columns, masked, condition, grantee)
    return out


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


def _masked_view(table: str, columns: list[str], masked: set[str], condition: str, grantee: str) -> list[str]:
    """``kehu_masked.<table>``: every column, the masked ones masked, on the rows of ``condition``.
    Owned by the tables' owner, so it reads the base table whatever the viewer may select; the
    condition in its WHERE (security_barrier: evaluated before anything the reader adds) does
    what the viewer's policy does."""
    rule = RULES[table]
    where = rule.masked_where.format(a="") if rule.masked_where else None
    select = ", ".join(mask_expression(c, where) if c in masked else quote_identifier(c) for c in columns)
    view = f"{MASKED_SCHEMA}.{quote_identifier(table)}"
    return [f"DROP VIEW IF EXISTS {view}",
            f"CREATE VIEW {view} WITH (security_barrier) AS SELECT {select} FROM public.{quote_identifier(table)}"
            f" WHERE {condition}",
            f"GRANT SELECT ON {view} TO {grantee}"]
