"""ABC classes + Pareto figures written the way a polars user would write them, for the benchmark's
side-by-side ratios (``bench/computations.py abc``). polars is a benchmark-only peer, like
lifetimes: installed into the ``--deps`` directory (see bench/README.md), never a product dependency.

Both polars sides are one lazy query run by the streaming engine (``collect(engine="streaming")``),
computing what ``segmentation.abc_overview`` computes in DuckDB — period filter, spend per
customer, ranks (spend descending, id ascending), A/B/C cut-offs at ceil(5 %·n) and ceil(20 %·n),
top-20 % share, Gini weights and the 200-bucket Pareto curve — so that only a ~200-row result
leaves the engine:

- ``scan``: ``pl.scan_parquet`` of the transactions written once to Parquet (polars' own columnar
  file on disk, as the DuckDB file is Kehu's); the export is timed apart;
- ``memory``: the same query over an Arrow table already in memory (fetched from DuckDB with
  ``to_arrow_table()``, timed apart), as the pandas side gets its frame.
"""
from __future__ import annotations

from pathlib import Path

POINTS = 200


def available() -> bool:
    try:
        import polars  # noqa: F401
    except ImportError:
        return False
    return True


def export_parquet(con, path: Path) -> None:
    """The columns the ABC needs, amounts as DOUBLE (as the pandas side fetches them)."""
    con.execute(f"COPY (SELECT customer_id, txn_date, CAST(amount AS DOUBLE) AS amount FROM transactions) "
                f"TO '{path}' (FORMAT parquet)")  # path made by the benchmark, not user text


def fetch_arrow(con):
    return con.sql("SELECT customer_id, txn_date, CAST(amount AS DOUBLE) AS amount FROM transactions").to_arrow_table()


def _groups(frame, start, end):
    """The lazy query: one row per (class, curve bucket), like abc_overview's aggregate."""
    import polars as pl

    rank, n, spend = pl.col("rank"), pl.col("n"), pl.col("spend")
    top = (rank - 1) * 5 < n  # ceil(20 % · n) highest ranks, in integers
    return (frame.filter(pl.col("txn_date").is_between(start, end))
            .group_by("customer_id").agg(spend=pl.col("amount").sum())
            .filter(spend > 0)
            .sort(["spend", "customer_id"], descending=[True, False])
            .with_row_index("rank", offset=1)
            .with_columns(rank=pl.col("rank").cast(pl.Int64), n=pl.len().cast(pl.Int64))
            .with_columns(abc=pl.when((rank - 1) * 20 < n).then(pl.lit("A")).when(top).then(pl.lit("B"))
                          .otherwise(pl.lit("C")),
                          bucket=(rank - 1) * POINTS // n)
            .group_by("abc", "bucket")
            .agg(customers=pl.len(), spend=spend.sum(), first_rank=rank.min(), last_rank=rank.max(), n=n.max(),
                 weighted=((n - rank + 1).cast(pl.Float64) * spend).sum(),
                 top_spend=pl.when(top).then(spend).otherwise(0.0).sum())
            .sort("first_rank"))


def overview(groups, customers: int) -> dict:
    """The figures the benchmark compares (class counts and spends, top-20 % share, Gini, curve)."""
    rows = groups.to_dicts()
    n = max((row["n"] for row in rows), default=0)
    total = sum(row["spend"] for row in rows)
    classes = {c: {"count": sum(r["customers"] for r in rows if r["abc"] == c),
                   "spend": sum(r["spend"] for r in rows if r["abc"] == c)} for c in "ABC"}
    curve, running = [(0.0, 0.0)], 0.0
    for row in rows:
        running += row["spend"]
        curve.append((row["last_rank"] / n, running / total))
    return {"customers": customers, "classified": n, "classes": classes,
            "top_spend_share": sum(r["top_spend"] for r in rows) / total if n else None,
            "gini": 2.0 * sum(r["weighted"] for r in rows) / (n * total) - (n + 1) / n if n else None,
            "curve_points": len(curve)}


def polars_scan(path: Path, customers: int, start, end) -> dict:
    import polars as pl

    return overview(_groups(pl.scan_parquet(path), start, end).collect(engine="streaming"), customers)


def polars_memory(table, customers: int, start, end) -> dict:
    import polars as pl

    return overview(_groups(pl.from_arrow(table).lazy(), start, end).collect(engine="streaming"), customers)
