"""Where the table sits in a file: the header row below titles, totals at the end, space-aligned text.

Office files rarely start with the header in row 1: a title (often merged over the table's width), a
subtitle ("制表：销售部  2024-03"), an instruction line, then the headers — sometimes wrapped with
Alt+Enter — then the rows and a ``合计`` row at the bottom. These functions work on rows of cell
texts (the first rows of a CSV, a sheet, a space-aligned text), so every file type is read the same way:

- ``choose_header``: the row whose cells best match the kind's known headers; without a match, the
  first row of two or more cells; a first row with no letter at all is data (the file has no header).
- ``is_total_row``: 合计 / 总计 / 小计 / Total / Sum / Grand total in one of the first columns.
- ``aligned_width`` / ``aligned_cells``: text whose columns are separated by runs of spaces, as old
  systems and Excel's "Formatted Text (Space delimited)" write it (CDNOW_master.txt).
- ``column_letter``, ``clean_header``, ``unique_names``, ``duplicate_notices``: naming columns the
  way Excel does, for messages and the preview.

Notices are ``(catalog key, params)`` pairs (``crm_core/locales/ingest_files.py``).
"""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence

from crm_core.ingest.values import fold

HEADER_SCAN_ROWS = 30      # non-empty rows looked at for the header (and offered in the chooser)
TOTAL_COLUMNS = 3          # a total row's label sits in one of the first columns
TITLE_TEXT_CHARS = 80      # a skipped title is quoted in the notice up to this length
TOTAL_WORDS = frozenset({"合计", "总计", "小计", "总合计", "合计金额", "total", "sum", "grandtotal", "subtotal",
                         "totals"})

Row = tuple[int, list[str]]  # (row number as Excel or the editor shows it, cell texts)


def column_letter(index: int) -> str:
    """The Excel letters of a 0-based column: 0 → A, 25 → Z, 26 → AA, 701 → ZZ, 702 → AAA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def clean_header(text: str) -> str:
    """A header as shown: a line break typed in the cell (Alt+Enter, CRLF inside quotes) is one space."""
    return re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", text or "").strip()


def is_blank(cells: Sequence[str]) -> bool:
    return not any(c.strip() for c in cells)


def filled(cells: Sequence[str]) -> int:
    return sum(1 for c in cells if c.strip())


def _has_letter(cells: Sequence[str]) -> bool:
    return any(ch.isalpha() for c in cells for ch in c)


def trim_right(cells: list[str]) -> list[str]:
    end = len(cells)
    while end and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


# -- the header row ---------------------------------------------------------------------------------
def choose_header(rows: list[Row], is_known: Callable[[str], bool] | None) -> int:
    """The row number of the header among the first non-empty ``rows``, or 0 when the file has none.

    The row with most cells that are known headers of the kind wins (the first on a tie). Without any
    match: a first row of two or more cells without a single letter is data (numbers and dates only:
    no header); otherwise the first row of two or more cells — titles and instructions above a table
    fill one cell (often merged across it), and nothing more is guessed without the kind's headers.
    """
    rows = [(n, cells) for n, cells in rows if not is_blank(cells)]
    if not rows:
        return 0
    if is_known is not None:
        scores = [sum(1 for c in cells if c.strip() and is_known(c)) for _, cells in rows]
        best = max(scores)
        if best:
            return rows[scores.index(best)][0]
    first_number, first = rows[0]
    if filled(first) >= 2 and not _has_letter(first):
        return 0
    return next((n for n, cells in rows if filled(cells) >= 2), first_number)


def header_notices(rows: list[Row], header_row: int, forced: bool) -> list[tuple[str, dict]]:
    """What choosing ``header_row`` did: which row holds the headers, which rows above it were passed over."""
    notices: list[tuple[str, dict]] = []
    above = [(n, cells) for n, cells in rows if n < header_row and not is_blank(cells)]
    if header_row == 0:
        return [("ingest.notice_no_header", {})]
    if above or forced or header_row != 1:
        notices.append(("ingest.notice_header_row", {"row": header_row}))
    if above:
        text = " | ".join(" ".join(c.split()) for _, cells in above for c in cells if c.strip())
        if len(text) > TITLE_TEXT_CHARS:
            text = text[:TITLE_TEXT_CHARS - 1] + "…"
        notices.append(("ingest.notice_rows_skipped", {"rows": number_list([n for n, _ in above]), "text": text}))
    return notices


def number_list(numbers: Sequence[int]) -> str:
    """Row numbers as people write them: ``1–3, 7``."""
    parts, start = [], None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            parts.append(str(n) if n == start else f"{start}–{n}")
            start = None
    return ", ".join(parts)


# -- totals at the end ------------------------------------------------------------------------------
def _total_key(text: str) -> str:
    return re.sub(r"[\s:：_\-]+", "", (fold(text) or "").lower())


_TOTAL_FIRST = frozenset(w[0] for w in TOTAL_WORDS) | frozenset(w[0].upper() for w in TOTAL_WORDS) | frozenset(
    chr(ord(w[0]) + 0xFEE0) for w in TOTAL_WORDS if w.isascii()) | frozenset(
    chr(ord(w[0].upper()) + 0xFEE0) for w in TOTAL_WORDS if w.isascii())  # full-width Ｔ too


def is_total_row(cells: Sequence[str]) -> bool:
    """A 合计 / 总计 / 小计 / Total / Sum row: the word alone in one of the first cells."""
    for cell in cells[:TOTAL_COLUMNS]:
        text = cell.lstrip()
        # the first letter rules out nearly every data cell cheaply (this runs on every row of a sheet)
        if text and text[0] in _TOTAL_FIRST and len(text) <= 24 and _total_key(text) in TOTAL_WORDS:
            return True
    return False


def trailing_totals(records: Sequence[Sequence[str]]) -> int:
    """How many of the last ``records`` are total rows, or blank rows between and after them (0 when
    the last non-blank record is data)."""
    count, seen_total = 0, False
    for cells in reversed(records):
        if is_blank(cells):
            count += 1
        elif is_total_row(cells):
            count += 1
            seen_total = True
        else:
            break
    return count if seen_total else 0


# -- duplicate headers ------------------------------------------------------------------------------
def unique_names(names: Sequence[str], letters: Sequence[str]) -> list[str]:
    """Column names for a table: a name used twice gets its Excel letter (``备注 (B)``, ``备注 (F)``)."""
    counts: dict[str, int] = defaultdict(int)
    for name in names:
        counts[name] += 1
    return [f"{name} ({letter})" if counts[name] > 1 else name for name, letter in zip(names, letters)]


def duplicate_notices(headers: Sequence[str], hidden: frozenset[int], letters: Sequence[str],
                      key: Callable[[str], str]) -> list[tuple[str, dict]]:
    """One notice per header used by more than one column: a hidden twin is ignored, else the first is used."""
    groups: dict[str, list[int]] = defaultdict(list)
    for index, header in enumerate(headers):
        if key(header):
            groups[key(header)].append(index)
    notices = []
    for indexes in groups.values():
        if len(indexes) < 2:
            continue
        header = headers[indexes[0]]
        visible = [i for i in indexes if i not in hidden]
        hidden_ones = [i for i in indexes if i in hidden]
        if visible and hidden_ones:
            notices.append(("ingest.notice_hidden_duplicate", {
                "header": header, "visible": letters[visible[0]],
                "hidden": ", ".join(letters[i] for i in hidden_ones)}))
        if len(visible) > 1:
            notices.append(("ingest.notice_duplicate_header", {
                "header": header, "first": letters[visible[0]],
                "others": ", ".join(letters[i] for i in visible[1:])}))
    return notices


# -- space-aligned text -----------------------------------------------------------------------------
_WIDE_GAP = re.compile(r"\s{2,}")


def aligned_width(lines: Sequence[str]) -> int:
    """The number of columns of text aligned with spaces (no delimiter), or 0 when it is not such text.

    Most non-blank lines must split at runs of whitespace into the same number (≥ 2) of cells.
    """
    widths = [len(line.split()) for line in lines if line.strip()]
    if len(widths) < 2:
        return 0
    width = max(set(widths), key=widths.count)
    same = widths.count(width)
    return width if width >= 2 and same >= 0.9 * len(widths) else 0


def aligned_cells(line: str, width: int) -> list[str]:
    """One line's cells: split at whitespace runs; a line with more cells than the table (a header with
    spaces inside a name, "Customer ID  Date") is split at runs of two or more spaces instead."""
    cells = line.split()
    if len(cells) > width:
        wide = _WIDE_GAP.split(line.strip())
        if len(wide) == width:
            return wide
    return cells
