"""The acting user, passed to every read and write in crm_core.

Roles are enforced where data is read or written (not by hiding pages): a rep sees only the
customers they own — those whose sales rep (业务员) is one of the account's rep codes; a viewer sees
phone numbers and bank accounts masked and cannot write.
"""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("admin", "manager", "analyst", "rep", "viewer")
WRITE_ROLES = frozenset({"admin", "manager", "rep"})
IMPORT_ROLES = frozenset({"admin", "manager", "analyst"})
MANAGER_ROLES = frozenset({"admin", "manager"})  # policies, holiday notices, recomputing a promise
ACCOUNT_ADMINS = frozenset({"admin"})


class PermissionDenied(PermissionError):
    """Raised when the acting user may not do what was asked; ``key`` is a catalog key."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Actor:
    """Who acts: the login ``name`` (what the audit log records), the ``role``, the name people
    know them by, and for a rep the sales-rep codes (``customers.sales_rep`` values) they own."""

    name: str = "local"
    role: str = "manager"
    display_name: str = ""
    rep_codes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How the UI names this user: the display name, else the login."""
        return self.display_name or self.name

    @property
    def rep_scope(self) -> tuple[str, ...] | None:
        """The sales-rep codes whose customers this user is limited to (a rep: their codes, or
        their login name when none are set), or None for all customers."""
        if self.role != "rep":
            return None
        return self.rep_codes or (self.name,)

    def owns(self, sales_rep: str | None) -> bool:
        """Whether this user may act on a customer whose sales rep is ``sales_rep``."""
        scope = self.rep_scope
        return scope is None or sales_rep in scope

    def acting_rep(self, asked: str | None = None) -> str | None:
        """The sales-rep code to record on what this user makes (a promise's owner): for a rep,
        ``asked`` when it is one of their codes, else their first; for anyone else ``asked``."""
        scope = self.rep_scope
        if scope is None:
            return asked
        return asked if asked in scope else scope[0]

    # The one rule of who may do what: the require_* checks raise on it, pages ask it to shape
    # their buttons (ui.common.denied_reason), so what a page offers is what crm_core accepts.
    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES

    @property
    def can_import(self) -> bool:
        return self.role in IMPORT_ROLES

    @property
    def can_manage(self) -> bool:
        """Change what applies to everyone: promise policies, holiday notices, recomputes."""
        return self.role in MANAGER_ROLES

    def require_write(self) -> None:
        if not self.can_write:
            raise PermissionDenied("err.no_write_permission")

    def require_import(self) -> None:
        if not self.can_import:
            raise PermissionDenied("err.no_import_permission")

    def require_account_admin(self) -> None:
        if self.role not in ACCOUNT_ADMINS:
            raise PermissionDenied("err.admin_only")


LOCAL_USER = Actor()
