"""jieba segmentation without loading jieba's whole dictionary for a few comments.

jieba's first cut in a process loads its prefix dictionary (~500,000 entries, ~1 s from its own
marshal cache), which was the whole cost of the comments tab's first opening: a wave's sample has
a few dozen to a few thousand distinct comments. The words jieba finds in a text depend only on
the dictionary entries that are substrings of that text (``Tokenizer.get_DAG`` looks up
``text[k:i]`` for growing ``i`` until a miss; ``calc`` and the HMM check look up pieces of the
same text) and on the dictionary's total. So a ``jieba.Tokenizer`` given exactly those entries and
the total cuts those texts exactly as the full one does.

The entries are looked up in an SQLite copy of jieba's prefix dictionary, made from
``jieba.dt.FREQ``, in the user's own cache directory (``$XDG_CACHE_HOME/kehu``, else
``~/.cache/kehu``, made readable by the owner only: not the shared temp directory, where another
local user could plant a copy first). Without the copy, with more text
than ``SUBSET_CHARS``, or once the full dictionary is in memory, the default tokenizer is used; a
process that finds no copy starts one child process to write it (~1-2 s on the other core, so no
page waits for it) and cuts with the full dictionary meanwhile.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

SUBSET_CHARS = 20_000  # beyond this many characters of distinct text, one full load is about as cheap
_SAVE_CODE = "import sys; from pathlib import Path; "\
             "from crm_core.satisfaction.segmenting import save_copy; save_copy(Path(sys.argv[1]))"
_saving: list[subprocess.Popen] = []  # the one child this process started to write the copy


def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # its dictionary-loading chatter is not for the app log
    return jieba


def cache_path() -> Path | None:
    """The copy's file: per jieba version and dictionary file (size and time), like jieba's own
    cache; None when the private cache directory cannot be made (then the full dictionary is used)."""
    jieba = _jieba()
    source = Path(jieba.__file__).with_name("dict.txt")
    stat = source.stat()
    folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kehu"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    return folder / f"jieba-{jieba.__version__}-{stat.st_size}-{int(stat.st_mtime)}.sqlite"


def _default_dictionary(jieba) -> bool:
    return jieba.dt.dictionary == jieba.DEFAULT_DICT and not jieba.dt.user_word_tag_tab


def save_copy(path: Path | None = None) -> None:
    """Write the copy from the loaded default dictionary (atomically: other processes may read)."""
    jieba = _jieba()
    jieba.dt.check_initialized()
    path = path or cache_path()
    if path is None:
        return
    fd, partial = tempfile.mkstemp(dir=path.parent, suffix=".partial")
    os.close(fd)
    try:
        with sqlite3.connect(partial) as con:
            con.execute("CREATE TABLE freq (word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
            con.executemany("INSERT INTO freq VALUES (?, ?)", jieba.dt.FREQ.items())
            con.execute("CREATE TABLE total (n INTEGER NOT NULL)")
            con.execute("INSERT INTO total VALUES (?)", (jieba.dt.total,))
        con.close()
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _entries(texts, lookup: Callable[[str], int | None], han_blocks) -> dict[str, int]:
    """The dictionary entries the cut of ``texts`` can look up: get_DAG's walk from every start
    of every block, each prefix until the first one that is not an entry (the dictionary holds
    every prefix of its words, so no longer piece from that start is one either)."""
    found: dict[str, int] = {}
    missing: set[str] = set()
    for text in texts:
        for block in han_blocks(text):
            for start in range(len(block)):
                for end in range(start + 1, len(block) + 1):
                    piece = block[start:end]
                    if piece in found:
                        continue
                    n = None if piece in missing else lookup(piece)
                    if n is None:
                        missing.add(piece)
                        break
                    found[piece] = n
    return found


def _subset_tokenizer(jieba, texts, path: Path):
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
        (total,) = con.execute("SELECT n FROM total").fetchone()

        def lookup(piece: str) -> int | None:
            row = con.execute("SELECT n FROM freq WHERE word = ?", (piece,)).fetchone()
            return None if row is None else row[0]

        entries = _entries(texts, lookup, jieba.re_han_default.findall)
    con.close()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ, tokenizer.total, tokenizer.initialized = entries, total, True
    return tokenizer


def segmenter(texts: list[str]) -> Callable[[str], list[str]]:
    """``lcut`` of a jieba tokenizer that cuts each of ``texts`` exactly as ``jieba.lcut`` does:
    the default one, or one holding only the entries these texts need (see the module docstring).
    Raises ImportError without jieba."""
    jieba = _jieba()
    if jieba.dt.initialized or not _default_dictionary(jieba) or sum(map(len, texts)) > SUBSET_CHARS:
        return _full(jieba)
    path = cache_path()
    if path is None:
        return _full(jieba)
    if path.exists():
        try:
            return _subset_tokenizer(jieba, texts, path).lcut
        except sqlite3.Error:  # a damaged copy: cut with the full dictionary (the next write replaces it)
            pass
    _start_saving(path)
    return _full(jieba)


def _full(jieba) -> Callable[[str], list[str]]:
    jieba.dt.check_initialized()
    return jieba.lcut


def _start_saving(path: Path) -> None:
    """Write the copy in a child process (once per process; the child is reaped by a thread)."""
    if _saving:
        return
    try:
        child = subprocess.Popen([sys.executable, "-c", _SAVE_CODE, str(path)], cwd=Path(__file__).parents[2],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError:
        logging.getLogger(__name__).warning("could not start writing the jieba dictionary copy %s", path)
        return
    _saving.append(child)
    threading.Thread(target=child.wait, daemon=True).start()
