"""Gold vs silver: the dashboard queries through the CLI before and after ``quotepipe compact``.

Lake (``bench.gold_lake``): SYMBOLS x 390 minutes x DAYS closed days plus today, the same
size, left in silver. Set ``GOLD_BENCH_SYMBOLS`` / ``GOLD_BENCH_DAYS`` (default 500 x 30:
5.85M closed rows + 195,000 today). Each query runs as a new ``quotepipe query`` process
with the dashboard's own parameters (``infra.dashboard.data.parameters``); after
compaction each one meets a cold cache (``LAKE/.cache`` removed before it). Baselines of
the same run: CLI start-up on a one-row lake, and DuckDB on the gold Parquet directly.
Bytes Athena would scan: ``bench.gold_scan``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from bench.gold_lake import write_lake
from bench.gold_scan import scanned_mb
from infra.dashboard.data import parameters

CLI = [str(Path(sys.executable).with_name("quotepipe"))]
DASHBOARDS = ("latest_prices", "intraday_ohlc", "top_movers", "daily_30d", "freshness",
              "coverage_worst", "pipeline_health")  # fmt: skip
TARGET_OVER_STARTUP_S = 1.0


def _cli(lake: Path, sql: str, params: list[str], cold: bool = False) -> float:
    if cold:
        shutil.rmtree(lake / ".cache", ignore_errors=True)
    args = [*CLI, "query", "--lake", str(lake), "--format", "csv", sql]
    for p in params:
        args += ["--param", p]
    started = time.monotonic()
    subprocess.run(args, check=True, capture_output=True)
    return round(time.monotonic() - started, 3)


def queries(first: str, today: str) -> dict[str, tuple[str, list[str]]]:
    """The dashboard's queries and parameters, plus coverage over every day."""
    given = parameters(today, datetime.now(UTC))
    given["intraday_ohlc"] = ["'SYM0001'", f"'{today}'"]
    found = {
        n: (Path("sql/dashboards", f"{n}.sql").read_text("utf-8"), given[n]) for n in DASHBOARDS
    }
    found["coverage_30d"] = (
        "SELECT count(*) FROM coverage WHERE dt BETWEEN ? AND ?",
        [f"'{first}'", f"'{today}'"],
    )
    return found


def main() -> dict[str, Any]:
    symbols = int(os.environ.get("GOLD_BENCH_SYMBOLS", "500"))
    days = int(os.environ.get("GOLD_BENCH_DAYS", "30"))
    today = datetime.now(UTC).date()
    all_days = [today - timedelta(days=n) for n in range(days, -1, -1)]
    work = Path(tempfile.mkdtemp(prefix="bench-gold-"))
    lake, tiny = work / "lake", work / "tiny"
    started = time.monotonic()
    write_lake(lake, all_days, symbols)
    write_lake(tiny, [today], 1)
    figures: dict[str, Any] = {
        "symbols": symbols, "closed_days": days, "rows": symbols * 390 * (days + 1),
        "silver_mb": round(sum(f.stat().st_size for f in lake.rglob("*.csv")) / 1e6, 1),
        "generate_s": round(time.monotonic() - started, 1),
        "startup_s": statistics.median(_cli(tiny, "SELECT 1", []) for _ in range(5)),
    }  # fmt: skip
    print(f"lake written: {figures}", flush=True)
    work_queries = queries(all_days[0].isoformat(), today.isoformat())
    figures["first_query_before_s"] = _cli(lake, "SELECT * FROM silver_quotes LIMIT 1", [])
    figures["before_s"] = {n: _cli(lake, q, p) for n, (q, p) in work_queries.items()}
    figures.update(_compaction(lake, all_days[0].isoformat(), work))
    figures["after_cold_s"] = {n: _cli(lake, q, p, cold=True) for n, (q, p) in work_queries.items()}
    figures["after_over_startup_s"] = {
        n: round(s - figures["startup_s"], 3) for n, s in figures["after_cold_s"].items()
    }
    figures["within_1s_of_startup"] = {
        n: s <= TARGET_OVER_STARTUP_S for n, s in figures["after_over_startup_s"].items()
    }
    figures["duckdb_parquet_daily_s"] = _duckdb_daily(lake)
    figures["scan_mb"] = scanned_mb(lake, all_days, work_queries)
    shutil.rmtree(work)
    return figures


def _compaction(lake: Path, first: str, work: Path) -> dict[str, Any]:
    """``quotepipe compact`` with a cold cache against DuckDB compacting one day."""
    shutil.rmtree(lake / ".cache", ignore_errors=True)
    started = time.monotonic()
    subprocess.run([*CLI, "compact", "--lake", str(lake)], check=True, capture_output=True)
    seconds = time.monotonic() - started
    closed_rows = sum(
        int(n) for n in duckdb.connect().execute(
            f"SELECT count(*) FROM read_parquet('{lake}/gold/quotes/*/*.parquet')"
        ).fetchone() or (0,)
    )  # fmt: skip
    day_s = _duckdb_compact_day(lake, first, work)
    day_rows = closed_rows // max(1, len(list((lake / "gold" / "quotes").glob("dt=*"))))
    ours, theirs = closed_rows / seconds, day_rows / day_s
    return {
        "compact_cold_s": round(seconds, 2),
        "compact_rows_per_s": round(ours),
        "duckdb_compact_day_s": round(day_s, 3),
        "duckdb_rows_per_s": round(theirs),
        "compact_vs_duckdb": round(ours / theirs, 2),
    }


def _duckdb_daily(lake: Path) -> float:
    """DuckDB straight on the gold Parquet: the daily summary of every closed day."""
    started = time.monotonic()
    duckdb.connect().execute(
        "SELECT symbol, dt, arg_min(price_usd, trade_time), max(price_usd), min(price_usd), "
        "arg_max(price_usd, trade_time), count(*) "
        f"FROM read_parquet('{lake}/gold/quotes/*/*.parquet', hive_partitioning = true) "
        "GROUP BY ALL"
    ).fetchall()
    return round(time.monotonic() - started, 3)


def _duckdb_compact_day(lake: Path, day: str, work: Path) -> float:
    """DuckDB alone: the same cast, de-duplication and sort of one day into Parquet."""
    started = time.monotonic()
    duckdb.connect().execute(
        "COPY (SELECT * EXCLUDE (r) FROM (SELECT symbol, name, exchange, currency, "
        "TRY_CAST(price AS DOUBLE) price, TRY_CAST(price_usd AS DOUBLE) price_usd, "
        "TRY_CAST(price_cad AS DOUBLE) price_cad, TRY_CAST(fx_usd_cad AS DOUBLE) fx_usd_cad, "
        "TRY_CAST(change_pct AS DOUBLE) change_pct, TRY_CAST(volume AS BIGINT) volume, "
        "market_state, strptime(trade_time, '%Y-%m-%dT%H:%M:%SZ') trade_time, "
        "strptime(fetched_at, '%Y-%m-%dT%H:%M:%SZ') fetched_at, source_key, source, "
        "row_number() OVER (PARTITION BY symbol, trade_time ORDER BY fetched_at DESC) r "
        f"FROM read_csv('{lake}/silver/quotes/dt={day}/*.csv', all_varchar = true, "
        "escape = '\\')) WHERE r = 1 ORDER BY symbol, trade_time) "
        f"TO '{work}/day.parquet' (FORMAT parquet, COMPRESSION zstd)"
    ).fetchall()
    return time.monotonic() - started
