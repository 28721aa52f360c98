#!/usr/bin/env python3
"""Polars and DuckDB baselines of Weir's bounded group-by benchmark.

    SELECT auction, COUNT(*), SUM(price), MAX(price) FROM bids GROUP BY auction

over a headerless CSV ``auction,bidder,price,ts_ms``. Each engine runs the query ``--runs``
times; a run is timed from the start of the scan to a materialised result (a Polars DataFrame,
a DuckDB temporary table), excluding interpreter start-up and imports. Prints JSON:

    {"polars": {"median_s": ..., "runs": [...]}, "duckdb": {...},
     "groups": ..., "checksum": "<16 hex digits>", "versions": {...}}

``groups``/``checksum`` describe the result rows; the checksum is the wrapping (mod 2**64) sum
of ``row_hash`` over rows, the same function as ``AuctionStats::hash`` in
``benches/src/auction_stats.rs``, so answers of all systems can be compared. The script exits
with an error if the engines disagree.

Run it with the virtualenv of ``setup_venv.sh``:

    $(benches/scripts/setup_venv.sh) benches/scripts/groupby_baselines.py bids.csv --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable

MASK = (1 << 64) - 1
COLUMNS = ["auction", "bidder", "price", "ts_ms"]


def mix64(z: int) -> int:
    """The SplitMix64 finalizer, on 64-bit unsigned integers."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def row_hash(auction: int, count: int, total: int, max_price: int) -> int:
    """Hash of one result row; values taken as two's-complement 64-bit integers."""
    h = mix64(auction & MASK)
    h = mix64(h ^ (count & MASK))
    h = mix64(h ^ (total & MASK))
    return mix64(h ^ (max_price & MASK))


def summarize(rows: Iterable[tuple[int, int, int, int]]) -> tuple[int, str]:
    """(number of rows, checksum as 16 hex digits) of result rows."""
    groups, checksum = 0, 0
    for auction, count, total, max_price in rows:
        groups += 1
        checksum = (checksum + row_hash(int(auction), int(count), int(total), int(max_price))) & MASK
    return groups, f"{checksum:016x}"


def polars_engine(path: str, threads: int | None) -> tuple[Callable[[], object], Callable[[object], list]]:
    """The Polars query and a reader of its result rows."""
    if threads:
        os.environ["POLARS_MAX_THREADS"] = str(threads)  # read once, at import
    import polars as pl

    def query():
        return (
            pl.scan_csv(path, has_header=False, new_columns=COLUMNS)
            .group_by("auction")
            .agg(
                pl.len().alias("bids"),
                pl.col("price").sum().alias("total"),
                pl.col("price").max().alias("max_price"),
            )
            .collect()
        )

    return query, lambda df: list(df.select("auction", "bids", "total", "max_price").iter_rows())


def duckdb_engine(path: str, threads: int | None) -> tuple[Callable[[], object], Callable[[object], list]]:
    """The DuckDB query (materialised into a temp table) and a reader of its result rows."""
    import duckdb

    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads TO {int(threads)}")
    columns = "{" + ", ".join(f"'{c}': 'BIGINT'" for c in COLUMNS) + "}"
    sql = (
        "CREATE OR REPLACE TEMP TABLE result AS "
        "SELECT auction, count(*) AS bids, sum(price) AS total, max(price) AS max_price "
        f"FROM read_csv(?, header = false, columns = {columns}) GROUP BY auction"
    )

    def query():
        con.execute(sql, [path])
        return con

    return query, lambda c: c.execute("SELECT * FROM result").fetchall()


ENGINES = {"polars": polars_engine, "duckdb": duckdb_engine}


def versions(engines: list[str]) -> dict[str, str]:
    """Versions of Python and of the engines that ran."""
    out = {"python": sys.version.split()[0]}
    for name in engines:
        out[name] = __import__(name).__version__
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", help="headerless CSV auction,bidder,price,ts_ms")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per engine (default 5)")
    parser.add_argument("--engine", choices=["polars", "duckdb", "both"], default="both")
    parser.add_argument("--threads", type=int, default=None, help="worker threads (default: engine's own)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not os.path.isfile(args.csv):
        parser.error(f"{args.csv}: no such file (generate one with weir-bench-data)")
    path = os.path.abspath(args.csv)
    names = ["polars", "duckdb"] if args.engine == "both" else [args.engine]

    result: dict[str, object] = {}
    answers: dict[str, tuple[int, str]] = {}
    for name in names:
        query, read_rows = ENGINES[name](path, args.threads)
        runs = []
        for _ in range(args.runs):
            start = time.perf_counter()
            out = query()
            runs.append(time.perf_counter() - start)
        answers[name] = summarize(read_rows(out))
        result[name] = {"median_s": statistics.median(runs), "runs": runs}
    distinct = set(answers.values())
    groups, checksum = answers[names[0]]
    result.update(groups=groups, checksum=checksum, versions=versions(names))
    json.dump(result, sys.stdout)
    print()
    if len(distinct) > 1:
        print(f"engines disagree: {answers}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
