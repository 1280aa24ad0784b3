"""Bytes Athena would scan for each dashboard query, silver-only vs gold + silver.

Silver is CSV: a scan reads every object of each day it reads. Gold is Parquet: a scan
reads only the column chunks of the columns it needs, summed from each file's footer
(``parquet_metadata``). A view that scans ``quotes`` twice (``coverage``: its listings
over every day, its minutes over the days asked) is billed for both scans. Every query
is billed at least 10 MB. Today (the last day) is in silver either way.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

MIN_BILLED = 10 * 1024 * 1024
ALL_QUOTE_COLUMNS = ("symbol", "name", "exchange", "currency", "price", "price_usd",
                     "price_cad", "change_pct", "volume", "market_state", "trade_time",
                     "fetched_at", "source_key")  # fmt: skip
# Per query, its scans of quotes: (first day, or "all" / "today", columns read).
SCANS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "latest_prices": [("param1", ALL_QUOTE_COLUMNS)],
    "intraday_ohlc": [("today", ("symbol", "price_usd", "trade_time"))],
    "top_movers": [("today", ("symbol", "change_pct", "price_usd", "trade_time"))],
    "daily_30d": [("param1", ("symbol", "price_usd", "trade_time"))],
    "freshness": [("param2", ("symbol", "trade_time", "fetched_at"))],
    "coverage_worst": [("all", ("symbol", "exchange", "trade_time")),
                       ("param1", ("symbol", "trade_time"))],
    "coverage_30d": [("all", ("symbol", "exchange", "trade_time")),
                     ("param1", ("symbol", "trade_time"))],
    "pipeline_health": [("stats", ())],  # silver_stats, from param1: no quotes either way
}  # fmt: skip


def _silver(lake: Path, day: str) -> int:
    return sum(f.stat().st_size for f in (lake / "silver" / "quotes" / f"dt={day}").glob("*.csv"))


def _stats(lake: Path, day: str) -> int:
    return sum(f.stat().st_size for f in (lake / "silver" / "stats" / f"dt={day}").glob("*.csv"))


def _gold(lake: Path, day: str, columns: tuple[str, ...]) -> int:
    files = sorted((lake / "gold" / "quotes" / f"dt={day}").glob("[!_.]*.parquet"))
    if not files:
        return 0
    listed = ", ".join(f"'{f}'" for f in files)
    wanted = ", ".join(f"'{c}'" for c in columns)
    row = (
        duckdb.connect()
        .execute(
            f"SELECT sum(total_compressed_size) FROM parquet_metadata([{listed}]) "
            f"WHERE path_in_schema IN ({wanted})"
        )
        .fetchone()
    )
    return int(row[0] or 0) if row else 0


def _first(where: str, params: list[str], days: list[str]) -> str:
    if where == "all":
        return days[0]
    if where == "stats":
        where = "param1"
    if where == "today":
        return days[-1]
    return params[int(where.removeprefix("param")) - 1].strip("'")


def scanned_mb(
    lake: Path, all_days: list[date], queries: dict[str, tuple[str, list[str]]]
) -> dict[str, dict[str, float]]:
    """Per query: MB billed silver-only and gold + silver, and their ratio."""
    days = [d.isoformat() for d in all_days]
    figures = {}
    for name, scans in SCANS.items():
        silver = gold = 0
        for where, columns in scans:
            first = _first(where, queries[name][1], days)
            for day in (d for d in days if d >= first):
                if where == "stats":
                    silver, gold = silver + _stats(lake, day), gold + _stats(lake, day)
                    continue
                silver += _silver(lake, day)
                in_gold = day != days[-1]
                gold += _gold(lake, day, columns) if in_gold else _silver(lake, day)
        billed = max(MIN_BILLED, silver), max(MIN_BILLED, gold)
        figures[name] = {
            "silver_only_mb": round(billed[0] / 1e6, 1),
            "gold_plus_silver_mb": round(billed[1] / 1e6, 1),
            "ratio": round(billed[0] / billed[1], 1),
        }
    return figures
