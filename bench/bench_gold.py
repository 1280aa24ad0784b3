# ruff: noqa: E501 - long SQL strings read better unbroken in a benchmark
"""Gold vs silver: dashboard queries through the CLI before and after ``quotepipe compact``.

Lake: SYMBOLS symbols x 390 market minutes x DAYS closed days, plus today (same size,
left in silver), in the silver contract's format, one object per 10 minutes of a day.
Set ``GOLD_BENCH_SYMBOLS`` / ``GOLD_BENCH_DAYS`` (default 500 x 30: 5.85M rows + today).
Bytes "Athena would scan" are the objects of the days each query reads: silver CSV
objects, or the whole gold file of a day (an upper bound: Athena reads only the column
chunks it needs), each query at least 10 MB as Athena bills.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

CLI = [sys.executable, "-m", "infra.cli.main"]
MIN_BILLED = 10 * 1024 * 1024
HEADER = ("symbol,name,exchange,currency,price,price_usd,price_cad,fx_usd_cad,change_pct,"
          "volume,market_state,trade_time,fetched_at,source_key,source")  # fmt: skip


def _write_day(lake: Path, day: date, symbols: int) -> None:
    folder = lake / "silver" / "quotes" / f"dt={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    header = ",".join(f'"{c}"' for c in HEADER.split(",")) + "\n"
    for block in range(39):  # 10 minutes per object, from 14:30 UTC
        key = f"quotes/dt={day}/quotepipe-bronze-1-{day}-{block:02d}-00-00-x"
        lines = [header]
        for minute in range(block * 10, block * 10 + 10):
            at = datetime(day.year, day.month, day.day, 14, 30, tzinfo=UTC) + timedelta(
                minutes=minute
            )
            stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
            for s in range(symbols):
                price = f"{100 + s % 50 + minute / 100:.2f}"
                lines.append(
                    f'"SYM{s:04d}","Company {s}, Inc.","NMS","USD","{price}","{price}",'
                    f'"{float(price) * 1.4:.4f}","1.4","0.5","{1000 + minute}","REGULAR",'
                    f'"{stamp}","{stamp}","{key}","quote"\n'
                )
        (folder / f"{block:02d}.csv").write_text("".join(lines), encoding="utf-8")


def _cli(lake: Path, sql: str, *params: str) -> float:
    started = time.monotonic()
    args = [*CLI, "query", "--lake", str(lake), "--format", "csv", sql]
    for p in params:
        args += ["--param", p]
    subprocess.run(args, check=True, capture_output=True)
    return round(time.monotonic() - started, 3)


def _queries(first: str, today: str) -> dict[str, tuple[str, list[str]]]:
    def read(name: str) -> str:
        return Path("sql/dashboards", f"{name}.sql").read_text(encoding="utf-8")

    return {
        "latest_prices": (read("latest_prices"), [f"'{today}'"]),
        "intraday_ohlc": (read("intraday_ohlc"), ["'SYM0001'", f"'{today}'"]),
        "top_movers": (read("top_movers"), [f"'{today}'"]),
        "daily_30d": (read("daily_30d"), [f"'{first}'", f"'{today}'"]),
        "coverage_30d": (
            "SELECT count(*) FROM coverage WHERE dt BETWEEN ? AND ?",
            [f"'{first}'", f"'{today}'"],
        ),
    }


def _bytes(lake: Path, layer: str, days: list[str]) -> int:
    folder = lake / layer / "quotes"
    return sum(f.stat().st_size for d in days for f in (folder / f"dt={d}").glob("[!_.]*"))


def main() -> dict[str, Any]:
    symbols = int(os.environ.get("GOLD_BENCH_SYMBOLS", "500"))
    days = int(os.environ.get("GOLD_BENCH_DAYS", "30"))
    today = datetime.now(UTC).date()
    all_days = [today - timedelta(days=n) for n in range(days, -1, -1)]
    work = Path(tempfile.mkdtemp(prefix="bench-gold-"))
    lake, tiny = work / "lake", work / "tiny"
    started = time.monotonic()
    for day in all_days:
        _write_day(lake, day, symbols)
    _write_day(tiny, today, 1)
    figures: dict[str, Any] = {
        "symbols": symbols, "closed_days": days, "rows": symbols * 390 * (days + 1),
        "silver_mb": round(sum(f.stat().st_size for f in (lake / "silver").rglob("*.csv")) / 1e6, 1),
        "generate_s": round(time.monotonic() - started, 1),
        "startup_s": _cli(tiny, "SELECT 1"),
    }  # fmt: skip
    queries = _queries(all_days[0].isoformat(), today.isoformat())
    figures["first_query_before_s"] = _cli(lake, "SELECT 1")  # parses every object once
    figures["before_s"] = {n: _cli(lake, q, *p) for n, (q, p) in queries.items()}
    started = time.monotonic()
    subprocess.run([*CLI, "compact", "--lake", str(lake)], check=True, capture_output=True)
    figures["compact_s"] = round(time.monotonic() - started, 2)
    shutil.rmtree(lake / ".cache")  # the first queries after compaction: cold cache
    figures["after_cold_s"] = {n: _cli(lake, q, *p) for n, (q, p) in queries.items()}
    figures["duckdb_parquet_daily_s"] = _duckdb_daily(lake)
    figures["duckdb_compact_day_s"] = _duckdb_compact_day(lake, all_days[0].isoformat(), work)
    closed = [d.isoformat() for d in all_days[:-1]]
    figures["scan_mb_daily_30d"] = {
        "silver_only": round(max(MIN_BILLED, _bytes(lake, "silver", [*closed, today.isoformat()])) / 1e6, 1),
        "gold_plus_silver": round(max(MIN_BILLED, _bytes(lake, "gold", closed) + _bytes(lake, "silver", [today.isoformat()])) / 1e6, 1),
    }  # fmt: skip
    shutil.rmtree(work)
    return figures


def _duckdb_daily(lake: Path) -> float:
    """DuckDB straight on the gold Parquet: the daily summary of every closed day."""
    started = time.monotonic()
    duckdb.connect().execute(
        f"SELECT symbol, dt, arg_min(price_usd, trade_time), max(price_usd), min(price_usd), "
        f"arg_max(price_usd, trade_time), count(*) FROM read_parquet('{lake}/gold/quotes/*/*.parquet', "
        "hive_partitioning = true) GROUP BY ALL"
    ).fetchall()
    return round(time.monotonic() - started, 3)


def _duckdb_compact_day(lake: Path, day: str, work: Path) -> float:
    """DuckDB alone: the same cast, de-duplication and sort of one day into Parquet."""
    started = time.monotonic()
    duckdb.connect().execute(
        f"COPY (SELECT * EXCLUDE (r) FROM (SELECT symbol, name, exchange, currency, "
        "TRY_CAST(price AS DOUBLE) price, TRY_CAST(price_usd AS DOUBLE) price_usd, "
        "TRY_CAST(price_cad AS DOUBLE) price_cad, TRY_CAST(fx_usd_cad AS DOUBLE) fx_usd_cad, "
        "TRY_CAST(change_pct AS DOUBLE) change_pct, TRY_CAST(volume AS BIGINT) volume, market_state, "
        "strptime(trade_time, '%Y-%m-%dT%H:%M:%SZ') trade_time, strptime(fetched_at, '%Y-%m-%dT%H:%M:%SZ') fetched_at, "
        "source_key, source, row_number() OVER (PARTITION BY symbol, trade_time ORDER BY fetched_at DESC) r "
        f"FROM read_csv('{lake}/silver/quotes/dt={day}/*.csv', all_varchar = true, escape = '\\')) "
        f"WHERE r = 1 ORDER BY symbol, trade_time) TO '{work}/day.parquet' (FORMAT parquet, COMPRESSION zstd)"
    ).fetchall()
    return round(time.monotonic() - started, 3)
