"""No input breaks the import: a corpus of 100+ malformed files, each refused or imported with a clear
message and never a traceback, and the store intact after every one of them.

The corpus is generated here (deterministically) rather than committed as 100 binary files; each case
names what it is, so a failure says which file did it.
"""
from __future__ import annotations

import codecs
import random
import string

import pytest

from crm_core.i18n import CATALOG
from crm_core.ingest import ImportProblem, problem_text, run_import
from crm_core.models import CustomerIn
from crm_core.store import Store
from crm_core.users import Actor

ANALYST = Actor("ana", "analyst")
HEADER = "客户编号,客户名称,联系电话,信用额度,生日\n"
GOOD_ROW = "C1,王永庆米店,13812345678,5000,1980-01-01\n"
HOSTILE_NAMES = ["<script>alert(1)</script>", '=HYPERLINK("http://x")', "+SUM(A1)", "@cmd", "-2+3",
                 "'; DROP TABLE customers; --", "Robert'); DELETE FROM transactions;--", "\u202eRTL override",
                 "مرحبا بالعالم", "שלום", "😀🎉客户", "\u0000nul", "a\tb", "line\nbreak", "x" * 10_000]
BAD_DATES = ["2023-02-30", "2023-13-01", "2023/00/10", "99999999", "2023年2月30日", "yesterday", "0000-00-00",
             "-1", "1e9", "2023-02-29"]
BAD_AMOUNTS = ["1,2,3", "¥-", "万", "1.5亿万", "NaN", "inf", "--5", "1e400", "１２３ａ", "5000000000000000000000"]


def _case(name: str, data: bytes, kind: str = "customers") -> tuple[str, bytes, str]:
    return name, data, kind


def corpus() -> list[tuple[str, bytes, str]]:
    rng = random.Random(20240305)
    good = (HEADER + GOOD_ROW).encode("utf-8")
    cases = [
        _case("empty", b""),
        _case("only BOM", codecs.BOM_UTF8),
        _case("only newline", b"\n\n\n"),
        _case("header only", HEADER.encode()),
        _case("binary zeros", bytes(2048)),
        _case("random bytes", bytes(rng.getrandbits(8) for _ in range(4096))),
        _case("png header", b"\x89PNG\r\n\x1a\n" + bytes(100)),
        _case("zip header (not xlsx)", b"PK\x03\x04" + bytes(200)),
        _case("utf-16 without BOM", HEADER.encode("utf-16-le")),
        _case("utf-32", (HEADER + GOOD_ROW).encode("utf-32")),
        _case("latin-1 accents", "code,name\nC1,Café Müller\n".encode("latin-1")),
        _case("mixed encodings", HEADER.encode() + GOOD_ROW.encode("gbk")),
        _case("big5", (HEADER + GOOD_ROW).encode("big5", errors="replace")),
        _case("10,000 columns", (",".join(f"c{i}" for i in range(10_000)) + "\n" + ",".join("1" * 10_000)).encode()),
        _case("huge field", (HEADER + "C1," + "长" * 200_000 + ",13812345678,1,1980-01-01\n").encode()),
        _case("unclosed quote", (HEADER + 'C1,"王永庆米店,13812345678,5000,1980-01-01\n').encode()),
        _case("ragged rows", (HEADER + "C1,a\nC2,b,13812345678,1,1980-01-01,extra,extra\n").encode()),
        _case("duplicate headers", b"code,code,name\nC1,C2,x\n"),
        _case("no code column", b"name,phone\nx,13812345678\n"),
        _case("blank header", b",,,\n1,2,3\n"),
        _case("truncated utf-8", good[: len(good) - 3] + "客".encode()[:2]),
        _case("truncated mid-row", good + b"C2,\xe7\x8e"),
        _case("CR only line ends", (HEADER + GOOD_ROW).replace("\n", "\r").encode()),
        _case("NUL in cell", (HEADER + "C1,王\x00永庆,13812345678,1,1980-01-01\n").encode()),
        _case("formula in code", (HEADER + "=1+1,x,13812345678,1,1980-01-01\n").encode()),
        _case("html in header", b"<b>code</b>,<i>name</i>\nC1,x\n"),
        _case("sql in header", b"code; DROP TABLE customers,name\nC1,x\n"),
        _case("transactions unknown codes", b"customer code,amount,date\nNOPE,1,2024-01-01\n", "transactions"),
        _case("transactions empty", b"customer code,amount,date\n", "transactions"),
        _case("interactions bad channel", b"customer code,channel,when\nC1,telepathy,2024-01-01 10:00\n",
              "interactions"),
        _case("survey bad scale", "客户编号,调查批次,日期,满意度\nC1,1,2024-01-01,超级满意\n".encode(),
              "survey_responses"),
        _case("churn unknown reason", "客户编号,流失日期,原因\nC1,2024-01-01,外星人\n".encode(), "churn_events"),
        _case("promise unknown policy", "客户编号,承诺政策,承诺人,承诺时间\nC1,nope,王芳,2024-01-01 09:00\n".encode(),
              "promises"),
    ]
    for i, name in enumerate(HOSTILE_NAMES):
        cases.append(_case(f"hostile name {i}", (HEADER + f'H{i},"{name}",13812345678,1,1980-01-01\n').encode()))
    for i, day in enumerate(BAD_DATES):
        cases.append(_case(f"bad birthday {day}", (HEADER + f"D{i},x,13812345678,1,{day}\n").encode()))
        cases.append(_case(f"bad txn date {day}", f"customer code,amount,date\nC1,1,{day}\n".encode(), "transactions"))
    for i, amount in enumerate(BAD_AMOUNTS):
        cases.append(_case(f"bad credit {amount}", (HEADER + f'A{i},x,13812345678,"{amount}",1980-01-01\n').encode()))
        cases.append(_case(f"bad amount {amount}", f'customer code,amount,date\nC1,"{amount}",2024-01-01\n'.encode(),
                           "transactions"))
    for i in range(20):  # random printable noise in every cell
        cells = ["".join(rng.choice(string.printable + "客户，。；") for _ in range(rng.randint(0, 30)))
                 for _ in range(5)]
        row = ",".join('"' + c.replace('"', '""') + '"' for c in cells)
        cases.append(_case(f"noise row {i}", (HEADER + row + "\n").encode("utf-8")))
    return cases


CORPUS = corpus()


def test_the_corpus_has_over_a_hundred_files():
    assert len(CORPUS) >= 100
    assert len({name for name, _, _ in CORPUS}) == len(CORPUS)


@pytest.fixture(scope="module")
def shared_store(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("malformed") / "crm.duckdb")
    from crm_core import customers as cust
    cust.create_customer(store, Actor("m", "manager"), CustomerIn(code="C1", name="existing"))
    yield store
    store.close()


@pytest.mark.parametrize(("name", "data", "kind"), CORPUS, ids=[c[0][:40] for c in CORPUS])
def test_each_malformed_file_gets_a_clear_answer_and_the_store_survives(shared_store, tmp_path, name, data, kind):
    path = tmp_path / "upload.csv"
    path.write_bytes(data)
    (before,) = shared_store.query_one("SELECT count(*) FROM customers")
    try:
        outcome = run_import(shared_store, ANALYST, kind, str(path), lang="zh")
    except ImportProblem as problem:
        for lang in ("zh", "en"):
            message = problem_text(problem, lang)
            assert message and message != problem.key and "{" not in message, (name, message)
    else:
        if outcome.result is None:  # rejected rows: each named with row, column, value and reason
            assert outcome.lines, name
            assert all(line.strip() for line in outcome.lines)
            (after,) = shared_store.query_one("SELECT count(*) FROM customers")
            assert after == before, "a rejected file wrote nothing"
    assert shared_store.integrity_problems() == []
    assert shared_store.query_one("SELECT count(*) FROM customers WHERE code IS NULL OR name IS NULL") == (0,)


def test_every_message_key_the_import_can_raise_is_in_the_catalog():
    import re
    from pathlib import Path

    source = "".join(p.read_text(encoding="utf-8") for p in Path("crm_core/ingest").glob("*.py"))
    keys = set(re.findall(r'"(ingest\.err[a-z_]*)"', source))
    assert keys and keys <= set(CATALOG)
