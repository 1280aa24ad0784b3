"""Generate ``producer/sessions.csv``, the regular sessions the pipeline knows.

``python -m infra.sessions_table`` rewrites the table from ``exchange_calendars`` (a dev
dependency used only here: the Lambda images read the checked-in CSV). One row per
calendar and session day: ``calendar,date,open_utc,close_utc`` (``HH:MM`` UTC), so
daylight saving, holidays and early closes are already resolved.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Sequence
from pathlib import Path

from producer.sessions import CALENDARS, FIRST_YEAR, LAST_YEAR, TABLE_PATH

HEADER = "calendar,date,open_utc,close_utc\n"


def render(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> str:
    """The table's text for every calendar the exchange codes use."""
    import exchange_calendars  # dev dependency, imported only when generating

    out = io.StringIO()
    out.write(HEADER)
    for name in sorted(set(CALENDARS.values())):
        calendar = exchange_calendars.get_calendar(
            name, start=f"{first_year}-01-01", end=f"{last_year}-12-31"
        )
        for day, row in calendar.schedule.iterrows():
            out.write(f"{name},{day:%Y-%m-%d},{row['open']:%H:%M},{row['close']:%H:%M}\n")
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    """Write the table (default: the checked-in one)."""
    cli = argparse.ArgumentParser(prog="python -m infra.sessions_table", description=__doc__)
    cli.add_argument("--out", type=Path, default=TABLE_PATH)
    args = cli.parse_args(argv)
    args.out.write_text(render(), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
