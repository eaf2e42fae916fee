"""Which file column feeds which field: guessed from header synonyms, editable, remembered per layout.

A mapping is ``{column index: field name}`` (columns the user ignores are absent). A layout is the
kind plus the file's header row, compared after folding case, width and spaces, so the same export
from the same system is recognised next time.
"""
from __future__ import annotations

import hashlib
import json
import re

from crm_core.ingest.kinds import Kind
from crm_core.ingest.values import fold
from crm_core.store import Store
from crm_core.users import Actor


def header_key(header: str) -> str:
    """A header compared loosely: folded, lower case, without spaces, underscores or punctuation."""
    text = (fold(header) or "").lower()
    return re.sub(r"[\s_\-./()（）:：*]+", "", text)


def layout_signature(kind: Kind, headers: list[str]) -> str:
    joined = "\x1f".join(header_key(h) for h in headers)
    return hashlib.sha256(f"{kind.name}\x1e{joined}".encode()).hexdigest()


def guess_mapping(kind: Kind, headers: list[str]) -> dict[int, str]:
    """Each header matched to the first field whose synonyms contain it; a field is used once.

    Fields are tried in declaration order, so an ambiguous header ("日期") goes to the kind's main
    field of that meaning.
    """
    mapping: dict[int, str] = {}
    used: set[str] = set()
    keys = [header_key(h) for h in headers]
    for spec in kind.fields:
        wanted = {header_key(s) for s in kind.synonyms(spec)}
        for index, key in enumerate(keys):
            if index not in mapping and key and key in wanted and spec.name not in used:
                mapping[index] = spec.name
                used.add(spec.name)
                break
    return mapping


def remembered_mapping(store: Store, kind: Kind, headers: list[str]) -> dict[int, str] | None:
    row = store.query_one("SELECT mapping FROM import_mappings WHERE kind = ? AND signature = ?",
                          [kind.name, layout_signature(kind, headers)])
    if row is None:
        return None
    stored = {int(k): v for k, v in json.loads(row[0]).items()}
    return {i: f for i, f in stored.items() if i < len(headers) and f in kind.field_names}


def suggested_mapping(store: Store, kind: Kind, headers: list[str]) -> tuple[dict[int, str], bool]:
    """The remembered mapping for this layout if there is one (True), else the guess (False)."""
    remembered = remembered_mapping(store, kind, headers)
    return (remembered, True) if remembered is not None else (guess_mapping(kind, headers), False)


def remember_mapping(store: Store, actor: Actor, kind: Kind, headers: list[str], mapping: dict[int, str]) -> None:
    payload = json.dumps({str(i): f for i, f in sorted(mapping.items())}, ensure_ascii=False)
    with store.transaction() as cur:
        cur.execute(
            "INSERT OR REPLACE INTO import_mappings (kind, signature, headers, mapping, actor, updated_at)"
            " VALUES (?, ?, ?, ?, ?, current_timestamp)",
            [kind.name, layout_signature(kind, headers), json.dumps(headers, ensure_ascii=False), payload,
             actor.name])


def mapping_from_file(kind: Kind, headers: list[str], text: str) -> dict[int, str]:
    """A mapping given as JSON ``{"file header": "field"}`` (the CLI's ``--mapping FILE``).

    Raises ValueError naming an unknown header or field.
    """
    given = json.loads(text)
    by_key = {header_key(h): i for i, h in enumerate(headers)}
    mapping = {}
    for header, field_name in given.items():
        if field_name not in kind.field_names:
            raise ValueError(f"unknown field {field_name!r} for {kind.name}; fields: {', '.join(kind.field_names)}")
        index = by_key.get(header_key(header))
        if index is None:
            raise ValueError(f"no column headed {header!r} in the file; headers: {', '.join(headers)}")
        mapping[index] = field_name
    return mapping
