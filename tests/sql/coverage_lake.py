"""A silver lake with known gaps, for the `coverage` view.

Around Thanksgiving 2026 (UTC sessions from producer/sessions.csv): XNYS opens 14:30 to
21:00 on 2026-11-24/25, is closed on 2026-11-26 and closes early at 18:00 on 2026-11-27;
XTSE keeps 14:30 to 21:00 on all four days.

- FULL (NMS): every minute of 2026-11-25, one minute twice, plus rows outside the session.
- GAPPY (NYQ): 2026-11-25 without the 17 minutes from 15:00 to 15:16.
- MISSED (NMS): full on 2026-11-24, nothing on 2026-11-25, one row on 2026-11-27.
- EARLY (NGM): 2026-11-27 up to the early close, and half an hour after it.
- SHOP.TO (TOR): the first hour of 2026-11-26, a US holiday but a Toronto session.
- BTC-USD (CCC, unknown to the table): ten minutes after midnight on Saturday 2026-11-28
  and the day's last minute.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from tests.sql.golden_lake import bronze_key, quote, write_object

GAP_MINUTES = 17


def minutes(start: str, end: str) -> list[datetime]:
    """Every minute from ``start`` up to, not including, ``end`` (ISO, UTC)."""
    first, stop = datetime.fromisoformat(start), datetime.fromisoformat(end)
    return [first + timedelta(minutes=n) for n in range(int((stop - first).total_seconds() // 60))]


def rows(symbol: str, exchange: str, times: list[datetime], *, second: int = 5) -> list[list[str]]:
    """One silver row per moment, ``second`` seconds into its minute."""
    out: list[list[str]] = []
    for moment in times:
        at = (moment + timedelta(seconds=second)).strftime("%Y-%m-%dT%H:%M:%SZ")
        key = bronze_key(at[:10], at[11:19], len(out) + 1)
        out.append(quote(symbol, at, "10.0", "10.0", fetched=at, key=key, exchange=exchange))
    return out


def _full() -> list[list[str]]:
    outside = ["2026-11-25 03:00", "2026-11-25 14:29", "2026-11-25 21:00", "2026-11-25 21:30"]
    return [
        *rows("FULL", "NMS", minutes("2026-11-25 14:30", "2026-11-25 21:00")),
        *rows("FULL", "NMS", minutes("2026-11-25 14:30", "2026-11-25 14:31"), second=40),
        *rows("FULL", "NMS", [datetime.fromisoformat(t) for t in outside], second=59),
    ]


def _gappy() -> list[list[str]]:
    session = minutes("2026-11-25 14:30", "2026-11-25 21:00")
    gap = set(minutes("2026-11-25 15:00", "2026-11-25 15:17"))
    return rows("GAPPY", "NYQ", [m for m in session if m not in gap])


OBJECTS: dict[tuple[str, str], list[list[str]]] = {
    ("2026-11-24", "missed.csv"): rows(
        "MISSED", "NMS", minutes("2026-11-24 14:30", "2026-11-24 21:00")
    ),
    ("2026-11-25", "full.csv"): _full(),
    ("2026-11-25", "gappy.csv"): _gappy(),
    ("2026-11-26", "shop.csv"): rows(
        "SHOP.TO", "TOR", minutes("2026-11-26 14:30", "2026-11-26 15:30")
    ),
    ("2026-11-27", "early.csv"): [
        *rows("EARLY", "NGM", minutes("2026-11-27 14:30", "2026-11-27 18:30")),
        *rows("MISSED", "NMS", minutes("2026-11-27 16:00", "2026-11-27 16:01")),
    ],
    ("2026-11-28", "btc.csv"): rows(
        "BTC-USD",
        "CCC",
        [*minutes("2026-11-28 00:00", "2026-11-28 00:10"), datetime(2026, 11, 28, 23, 59)],
    ),
}


def write_coverage_lake(lake: Path) -> Path:
    """Write every object of the coverage lake under ``lake``; return ``lake``."""
    for (dt, name), object_rows in OBJECTS.items():
        write_object(lake, dt, name, object_rows)
    return lake
