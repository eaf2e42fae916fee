"""The store's DuckDB memory bound (CRM_DUCKDB_MEMORY / CRM_DUCKDB_THREADS) and the benchmark's
growth table (bench/growth.py), issue 18."""
from __future__ import annotations

import json

import pytest

from bench import growth
from crm_core import config
from crm_core.store import Store

GIB, MIB = 2**30, 2**20


def _setting(store: Store, name: str):
    return store.query_one("SELECT current_setting(?)", [name])[0]


def test_the_memory_bound_is_applied_to_the_store_connection(monkeypatch, tmp_path):
    monkeypatch.setenv("CRM_DUCKDB_MEMORY", "300MiB")
    monkeypatch.setenv("CRM_DUCKDB_THREADS", "1")
    store = Store(tmp_path / "bounded.duckdb")
    try:
        assert _setting(store, "memory_limit") == "300.0 MiB"
        assert _setting(store, "threads") == 1
        # spilling goes beside the store file (private, like the store)
        assert _setting(store, "temp_directory") == str(tmp_path / "bounded.duckdb") + ".tmp"
    finally:
        store.close()


def test_the_import_command_holds_at_most_512_mib_unless_the_operator_chose(monkeypatch, tmp_path):
    from crm_core.ingest.cli import bound_import_memory

    monkeypatch.setenv("CRM_DUCKDB_MEMORY", "1GiB")
    store = Store(tmp_path / "import.duckdb")
    try:
        bound_import_memory(store)
        assert _setting(store, "memory_limit") == "1.0 GiB"  # the operator's choice stands
        monkeypatch.delenv("CRM_DUCKDB_MEMORY")
        bound_import_memory(store)
        assert _setting(store, "memory_limit") == "512.0 MiB"
    finally:
        store.close()


def test_the_default_is_a_quarter_of_memory_at_most_1_5_gib():
    assert config.memory_limit_bytes("", memory=24 * GIB) == 1536 * MIB  # capped
    assert config.memory_limit_bytes("", memory=4 * GIB) == 1 * GIB   # 25 %
    assert config.memory_limit_bytes("", memory=256 * MIB) == 128 * MIB  # never below the floor


@pytest.mark.parametrize("value, expected", [
    ("1.5GiB", 1_610_612_736), ("800MB", 800_000_000), ("512 mib", 512 * MIB), ("25%", 2 * GIB), ("100%", 8 * GIB),
])
def test_sizes_and_shares_are_read(value, expected):
    assert config.memory_limit_bytes(value, memory=8 * GIB) == expected


@pytest.mark.parametrize("value, message", [
    ("lots", "is not a size such as '2GiB', '800MB' or '25%'"),
    ("2 GiB of RAM", "is not a size such as"),
    ("0%", "above 0 % and at most 100 %"),
    ("150%", "above 0 % and at most 100 %"),
    ("64MiB", "below the 128MiB DuckDB needs"),
])
def test_bad_memory_values_say_what_is_expected(monkeypatch, tmp_path, value, message):
    monkeypatch.setenv("CRM_DUCKDB_MEMORY", value)
    with pytest.raises(ValueError, match="CRM_DUCKDB_MEMORY") as refused:
        Store(tmp_path / "never.duckdb")
    assert message in str(refused.value)


def test_bad_thread_counts_are_refused(monkeypatch):
    monkeypatch.setenv("CRM_DUCKDB_THREADS", "two")
    with pytest.raises(ValueError, match="CRM_DUCKDB_THREADS='two' is not a whole number"):
        config.duckdb_config()


def _run(customers, started, load, **sections):
    return {"started": started, "machine": {"load_average": [load, 1.0, 1.0]}, "load_average_after": [load + 1, 1, 1],
            "store": {"counts": {"customers": customers, "transactions": customers * 11}, "build_s": 5.5,
                      "file_mb": customers // 1000}, **sections}


def test_growth_table_from_two_runs_of_two_sizes(tmp_path, capsys):
    page = {"first": {"median_s": 0.31}, "warm": {"median_s": 0.03}}
    small = _run(100_000, "2026-12-04T10:00:00", 1.5,
                 pages={"pages": {"overview": page}},
                 server={"peak_rss_mib": 434.0, "pages": {"overview": {
                     "cold": {"ws_bytes": 13_931, "settle_s": 1.9}, "warm": {"ws_bytes": 12_000, "settle_s": 1.2}}}})
    big = _run(1_000_000, "2026-12-04T11:00:00", 2.0, pages={"pages": {"overview": {
        "first": {"median_s": 1.63}, "warm": {"median_s": 0.03}}}})
    big_later = _run(1_000_000, "2026-12-04T12:00:00", 3.0, pages={"pages": {"overview": {
        "first": {"median_s": 1.22}, "warm": None}}})
    files = []
    for i, result in enumerate((big_later, small, big)):  # order of the files does not matter
        path = tmp_path / f"{i}.json"
        path.write_text(json.dumps(result))
        files.append(str(path))
    (tmp_path / "latest.json").write_text(json.dumps(small))  # a copy of the newest run: skipped
    assert growth.main([*files, str(tmp_path / "latest.json")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| measure | 100k | 1M |"
    assert "| transactions | 1,100,000 | 11,000,000 |" in lines
    assert "| store file on disk, MB | 100 | 1,000 |" in lines
    assert "| store build time, s | 5.50 | 5.50 |" in lines
    assert "| server peak RSS, MiB | 434 | — |" in lines
    assert "| largest page view, bytes | 13,931 | — |" in lines
    # the later 1M run replaces the first render; its missing re-render keeps the earlier one
    assert "| page overview: first render, s | 0.31 | 1.22 |" in lines
    assert "| page overview: re-render, s | 0.03 | 0.03 |" in lines
    assert lines[-1] == "| load average before→after | 1.5→2.5 | 2.0→3.0, 3.0→4.0 |"
    assert growth.size_label(3_000_000) == "3M" and growth.size_label(2_500_000) == "2.5M"
    brief = growth.table(growth.merge([small, big]), brief=True)
    assert "| page overview: re-render, s | 0.03 | 0.03 |" in brief.splitlines()  # pages keep their re-render
