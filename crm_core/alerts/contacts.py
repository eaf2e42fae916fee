"""Who gets which alert: a person as ``promises.owner`` writes them (the sales-rep code), their
e-mail address, the mobile a group robot @-mentions, their manager (who gets the escalations) and
their language. Edited by an admin on the Admin page; every change audited field by field.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import pandas as pd

from crm_core.alerts.config import EMAIL, AlertError
from crm_core.audit import write_audit
from crm_core.i18n import LANGUAGES
from crm_core.store import Store
from crm_core.users import Actor

MOBILE = re.compile(r"^\+?\d{6,15}$")
MAX_PERSON = 64
COLUMNS = ("person", "email", "mobile", "manager", "language")


@dataclass(frozen=True)
class Contact:
    person: str
    email: str | None = None
    mobile: str | None = None
    manager: str | None = None
    language: str = "zh"


def _blank(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def checked(contact: Contact) -> Contact:
    """The contact with blanks as None, validated; AlertError names the first problem."""
    person = _blank(contact.person)
    if person is None or len(person) > MAX_PERSON:
        raise AlertError("alerts.err.person", max=MAX_PERSON)
    email, mobile, manager = _blank(contact.email), _blank(contact.mobile), _blank(contact.manager)
    if email is not None and not EMAIL.match(email):
        raise AlertError("alerts.err.email", address=email)
    if mobile is not None:
        mobile = re.sub(r"[\s-]", "", mobile)
        if not MOBILE.match(mobile):
            raise AlertError("alerts.err.mobile", mobile=mobile)
    if manager == person:
        raise AlertError("alerts.err.own_manager", person=person)
    language = _blank(contact.language) or "zh"
    if language not in LANGUAGES:
        raise AlertError("alerts.err.language")
    return Contact(person, email, mobile, manager, language)


def all_contacts(store: Store) -> dict[str, Contact]:
    frame = store.query_df(f"SELECT {', '.join(COLUMNS)} FROM alert_contacts ORDER BY person")
    return {row["person"]: Contact(**{c: _blank(row[c]) for c in COLUMNS}) for row in frame.to_dict("records")}


def uncovered_owners(store: Store) -> tuple[list[str], list[str]]:
    """Owners of open promises whose alerts would go nowhere: (no contact on file, a contact but no
    manager — so no escalation, and a complaint reaches the owner only). Sorted names."""
    owners = set(store.query_df("SELECT DISTINCT owner FROM promises WHERE status = 'open'")["owner"])
    people = all_contacts(store)
    return sorted(owners - people.keys()), sorted(o for o in owners & people.keys() if not people[o].manager)


def contacts_frame(store: Store) -> pd.DataFrame:
    """The contacts as a table (one row a person, the columns of ``COLUMNS``) for the page's editor."""
    return pd.DataFrame([asdict(c) for c in all_contacts(store).values()], columns=list(COLUMNS))


def save_contacts(store: Store, actor: Actor, wanted: list[Contact]) -> int:
    """Make the contacts table ``wanted``: add, change and remove rows, each change audited (entity
    ``alert_contact``, field by field). Admins only. Returns the number of rows changed. Validates
    everything before writing anything; AlertError on the first problem (a duplicate person too)."""
    actor.require_account_admin()
    clean = [checked(c) for c in wanted]
    people = [c.person for c in clean]
    duplicate = next((p for p in people if people.count(p) > 1), None)
    if duplicate is not None:
        raise AlertError("alerts.err.duplicate_person", person=duplicate)
    old, new = all_contacts(store), {c.person: c for c in clean}
    changed = 0
    with store.transaction(changes_data=False) as cur:
        for person in old.keys() - new.keys():
            cur.execute("DELETE FROM alert_contacts WHERE person = ?", [person])
            write_audit(cur, actor, "delete", "alert_contact", None, "person", person, None)
            changed += 1
        for person, contact in new.items():
            before = old.get(person)
            if before == contact:
                continue
            cur.execute("INSERT INTO alert_contacts (person, email, mobile, manager, language) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (person) DO UPDATE SET email = excluded.email, mobile = excluded.mobile, "
                        "manager = excluded.manager, language = excluded.language, updated_at = get_current_timestamp()",
                        [contact.person, contact.email, contact.mobile, contact.manager, contact.language])
            for field in COLUMNS[1:]:
                was = getattr(before, field) if before else None
                if was != getattr(contact, field) or before is None:
                    write_audit(cur, actor, "update" if before else "create", "alert_contact", None,
                                f"{person}.{field}", was, getattr(contact, field))
            changed += 1
    return changed
