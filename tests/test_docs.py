"""docs/domain.md stays true: every "domain.md §N" cited in the code names a section it has, and
every worked-example test it names exists (datasette's tests/test_docs.py, for our domain page)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ROOT / "docs" / "domain.md"
DOMAIN_TEXT = DOMAIN.read_text(encoding="utf-8")
SECTIONS = set(re.findall(r"^## §(\d+) ", DOMAIN_TEXT, flags=re.MULTILINE))
CITATION = re.compile(r"domain\.md §(\d+)")
NAMED_TEST = re.compile(r"`(tests/test_[a-z0-9_]+\.py)::(test_[A-Za-z0-9_]+)`")


def _python_files() -> list[Path]:
    """The repository's own .py files (git's view when there is one; generated data left out)."""
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
                                cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
        return [ROOT / name for name in listed if (ROOT / name).is_file()]
    except (OSError, subprocess.CalledProcessError):
        return [p for p in ROOT.rglob("*.py") if not {".git", ".venv", "data"} & set(p.relative_to(ROOT).parts)]


def _citations() -> list[tuple[str, int, str]]:
    found = []
    for path in _python_files():
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            found += [(f"{path.relative_to(ROOT)}:{number}", number, section) for section in CITATION.findall(line)]
    return found


def test_domain_md_has_sections_one_to_five_in_order():
    numbers = [int(n) for n in re.findall(r"^## §(\d+) ", DOMAIN_TEXT, flags=re.MULTILINE)]
    assert numbers == [1, 2, 3, 4, 5]


def test_the_code_cites_domain_md_sections():
    assert len(_citations()) >= 20  # the check below must have something to check


def test_every_domain_md_citation_names_an_existing_section():
    missing = [(where, f"§{section}") for where, _, section in _citations() if section not in SECTIONS]
    assert missing == []


def _named_tests() -> list[tuple[str, str]]:
    return NAMED_TEST.findall(DOMAIN_TEXT)


def test_each_section_names_the_tests_that_reproduce_its_worked_examples():
    bodies = re.split(r"^## §\d+ ", DOMAIN_TEXT, flags=re.MULTILINE)[1:]
    assert len(bodies) == 5
    for number, body in enumerate(bodies, 1):
        assert NAMED_TEST.search(body), f"§{number} names no test"


@pytest.mark.parametrize("path, name", _named_tests(), ids=[f"{p}::{n}" for p, n in _named_tests()])
def test_every_named_worked_example_test_exists(path, name):
    source = ROOT / path
    assert source.is_file(), path
    assert re.search(rf"^def {re.escape(name)}\(", source.read_text(encoding="utf-8"), flags=re.MULTILINE), (
        f"{path} has no test {name}")
