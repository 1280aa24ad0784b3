"""The gold benchmark's lake: silver CSV in the contract's format, written directly.

SYMBOLS symbols x 390 market minutes (from 14:30 UTC) per day, one object per 10 minutes
of a day (39 objects), every field quoted as the processor writes it, each with the
stats object the processor writes beside it (``silver/stats/``, for pipeline_health).
Writing the CSV directly takes ~12 s for 500 x 390 x 31 days (6M rows, 1.3 GB), so it is not cached.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

HEADER = ("symbol,name,exchange,currency,price,price_usd,price_cad,fx_usd_cad,change_pct,"
          "volume,market_state,trade_time,fetched_at,source_key,source")  # fmt: skip
STATS_HEADER = ("source_key,lines_in,rows_written,rows_rejected,rejected_not_written,"
                "duplicates,blank_lines")  # fmt: skip
MINUTES_PER_OBJECT = 10
SESSION_MINUTES = 390


def write_day(lake: Path, day: date, symbols: int) -> None:
    """One day of silver: 39 objects, each with ten minutes of every symbol."""
    folder = lake / "silver" / "quotes" / f"dt={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    header = ",".join(f'"{c}"' for c in HEADER.split(",")) + "\n"
    opening = datetime(day.year, day.month, day.day, 14, 30, tzinfo=UTC)
    for block in range(SESSION_MINUTES // MINUTES_PER_OBJECT):
        key = f"quotes/dt={day}/quotepipe-bronze-1-{day}-{14 + block // 6:02d}-{block % 6}0-00-x"
        lines = [header]
        for minute in range(block * MINUTES_PER_OBJECT, (block + 1) * MINUTES_PER_OBJECT):
            stamp = (opening + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")
            lines += [_line(s, minute, stamp, key) for s in range(symbols)]
        (folder / f"{block:02d}.csv").write_text("".join(lines), encoding="utf-8")
        _write_stats(lake, day, f"{block:02d}.csv", key, len(lines) - 1)


def _write_stats(lake: Path, day: date, name: str, key: str, rows: int) -> None:
    """The processor's stats object of one bronze object (arrival date = its day)."""
    folder = lake / "silver" / "stats" / f"dt={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    fields = (key, str(rows), str(rows), "0", "0", "0", "0")
    header = ",".join(f'"{c}"' for c in STATS_HEADER.split(","))
    (folder / name).write_text(header + "\n" + ",".join(f'"{f}"' for f in fields) + "\n")


def _line(symbol: int, minute: int, stamp: str, key: str) -> str:
    price = 100 + symbol % 50 + minute / 100
    return (
        f'"SYM{symbol:04d}","Company {symbol}, Inc.","NMS","USD","{price:.2f}","{price:.2f}",'
        f'"{price * 1.4:.4f}","1.4","0.5","{1000 + minute}","REGULAR",'
        f'"{stamp}","{stamp}","{key}","quote"\n'
    )


def write_lake(lake: Path, days: list[date], symbols: int) -> None:
    """Every day given."""
    for day in days:
        write_day(lake, day, symbols)
