"""The acting user, passed to every read and write in crm_core.

Roles are enforced where data is read or written (not by hiding pages): a rep sees only the
customers they own; a viewer sees phone numbers and bank accounts masked and cannot write.
"""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("admin", "manager", "analyst", "rep", "viewer")
WRITE_ROLES = frozenset({"admin", "manager", "rep"})
IMPORT_ROLES = frozenset({"admin", "manager", "analyst"})


class PermissionDenied(PermissionError):
    """Raised when the acting user may not do what was asked; ``key`` is a catalog key."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Actor:
    name: str = "local"
    role: str = "manager"

    @property
    def rep_scope(self) -> str | None:
        """The sales rep whose customers this user is limited to, or None for all customers."""
        return self.name if self.role == "rep" else None

    @property
    def masks_contact_details(self) -> bool:
        return self.role == "viewer"

    def require_write(self) -> None:
        if self.role not in WRITE_ROLES:
            raise PermissionDenied("err.no_write_permission")

    def require_import(self) -> None:
        if self.role not in IMPORT_ROLES:
            raise PermissionDenied("err.no_import_permission")


LOCAL_USER = Actor()
