"""Which file column feeds which field: guessed from header synonyms, editable, remembered per layout.

A mapping is ``{column index: field name}`` (columns the user ignores are absent). A layout is the
kind plus the file's header row, compared after folding case, width and spaces, so the same export
from the same system is recognised next time.
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection

from crm_core.ingest.kinds import Kind
from crm_core.ingest.units import split_unit
from crm_core.ingest.values import fold
from crm_core.store import Store
from crm_core.users import Actor


def header_key(header: str) -> str:
    """A header compared loosely: folded, lower case, without spaces, underscores or punctuation."""
    text = (fold(header) or "").lower()
    return re.sub(r"[\s_\-./()（）:：*]+", "", text)


def header_keys(header: str) -> tuple[str, ...]:
    """The keys a header is matched by: the whole header, and without a trailing unit in brackets
    (``金额（元）`` matches the synonym 金额 as well as a synonym written with its unit)."""
    base, unit = split_unit(header)
    whole = header_key(header)
    return (whole,) if unit is None else (whole, header_key(base))


def known_header_keys(kind: Kind) -> frozenset[str]:
    """Every synonym of every field of ``kind``, as header keys."""
    return frozenset(header_key(s) for spec in kind.fields for s in kind.synonyms(spec)) - {""}


def layout_signature(kind: Kind, headers: list[str]) -> str:
    joined = "\x1f".join(header_key(h) for h in headers)
    return hashlib.sha256(f"{kind.name}\x1e{joined}".encode()).hexdigest()


def guess_mapping(kind: Kind, headers: list[str], hidden: Collection[int] = ()) -> dict[int, str]:
    """Each header matched to the first field whose synonyms contain it; a field is used once.

    Fields are tried in declaration order, so an ambiguous header ("日期") goes to the kind's main
    field of that meaning. Of two columns with the same header the first visible one is taken: a
    hidden column (``hidden``, 0-based) only when no visible column matches.
    """
    mapping: dict[int, str] = {}
    keys = [header_keys(h) for h in headers]
    order = [i for i in range(len(headers)) if i not in hidden] + [i for i in range(len(headers)) if i in hidden]
    for spec in kind.fields:
        wanted = {header_key(s) for s in kind.synonyms(spec)} - {""}
        index = next((i for i in order if i not in mapping and not wanted.isdisjoint(keys[i])), None)
        if index is not None:
            mapping[index] = spec.name
    return mapping


def remembered_mapping(store: Store, kind: Kind, headers: list[str]) -> dict[int, str] | None:
    row = store.query_one("SELECT mapping FROM import_mappings WHERE kind = ? AND signature = ?",
                          [kind.name, layout_signature(kind, headers)])
    if row is None:
        return None
    stored = {int(k): v for k, v in json.loads(row[0]).items()}
    return {i: f for i, f in stored.items() if i < len(headers) and f in kind.field_names}


def suggested_mapping(store: Store, kind: Kind, headers: list[str],
                      hidden: Collection[int] = ()) -> tuple[dict[int, str], bool]:
    """The remembered mapping for this layout if there is one (True), else the guess (False)."""
    remembered = remembered_mapping(store, kind, headers)
    return (remembered, True) if remembered is not None else (guess_mapping(kind, headers, hidden), False)


def remember_mapping(store: Store, actor: Actor, kind: Kind, headers: list[str], mapping: dict[int, str]) -> None:
    payload = json.dumps({str(i): f for i, f in sorted(mapping.items())}, ensure_ascii=False)
    with store.transaction() as cur:
        cur.execute(
            "INSERT OR REPLACE INTO import_mappings (kind, signature, headers, mapping, actor, updated_at)"
            " VALUES (?, ?, ?, ?, ?, current_timestamp)",
            [kind.name, layout_signature(kind, headers), json.dumps(headers, ensure_ascii=False), payload,
             actor.name])


def mapping_from_file(kind: Kind, headers: list[str], text: str) -> dict[int, str]:
    """A mapping given as JSON ``{"file header": "field"}`` (the CLI's ``--mapping FILE``); a column
    may also be named by its position, ``"#3"`` (a file without a header row, or one of two columns with
    the same header; a header itself names the first such column).

    Raises ValueError naming an unknown header or field.
    """
    given = json.loads(text)
    by_key: dict[str, int] = {}
    for i, h in enumerate(headers):
        by_key.setdefault(header_key(h), i)  # the first of two columns with the same header
    mapping = {}
    for header, field_name in given.items():
        if field_name not in kind.field_names:
            raise ValueError(f"unknown field {field_name!r} for {kind.name}; fields: {', '.join(kind.field_names)}")
        index = _column_by_position(header, len(headers))
        if index is None:
            index = by_key.get(header_key(header))
        if index is None:
            raise ValueError(f"no column headed {header!r} in the file; headers: {', '.join(headers)}")
        mapping[index] = field_name
    return mapping


def _column_by_position(reference: str, width: int) -> int | None:
    """``#3`` → 2: a column named by its 1-based position."""
    match = re.fullmatch(r"\s*#(\d+)\s*", reference)
    if match and 1 <= int(match.group(1)) <= width:
        return int(match.group(1)) - 1
    return None
