"""``quotepipe compact``: the closed days of a lake's silver into gold Parquet, with progress."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from infra.local.gold import closed_days, compact_lake
from infra.sqlfiles.errors import AthenaError


def compact_command(lake: Path, start: date | None, end: date | None) -> int:
    """Compact days from ``start`` to ``end`` (default: every day before today, UTC).

    A day still open (today or later) is refused: its silver keeps growing, so gold
    would be stale at once. Exit 2 for such a range, 1 when a day fails.
    """
    last_closed = closed_days()
    if end is not None and end.isoformat() > last_closed:
        print(
            f"quotepipe compact: --to must be a closed day (at most {last_closed})", file=sys.stderr
        )
        return 2
    if start is not None and end is not None and start > end:
        print("quotepipe compact: --from is after --to", file=sys.stderr)
        return 2
    first = start.isoformat() if start else ""
    try:
        report = compact_lake(lake, first, end.isoformat() if end else last_closed, say=_say)
    except AthenaError as exc:
        print(f"quotepipe compact: {' '.join(exc.message.split())}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
