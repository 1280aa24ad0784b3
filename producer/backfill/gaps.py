"""Which minutes backfill asks Yahoo for: session minutes of a window that have no row.

A minute is covered when any row (live quote or bar) has its ``trade_time`` in it, as
the ``coverage`` view counts. Only minutes that ended at least ``margin`` before now
are eligible: a later one may still be on its way through Firehose, and asking for it
would put a bar row next to the live quote that is about to land.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from producer.sessions import SessionTable

MINUTE = 60


@dataclass(frozen=True, slots=True)
class Window:
    """Minute starts (epoch seconds) in [start, end), both on whole minutes."""

    start: int
    end: int

    @classmethod
    def eligible(cls, start: datetime, end: datetime, now: datetime, margin: timedelta) -> Window:
        """The minutes starting in [start, end) that ended at least ``margin`` before ``now``."""
        first = math.ceil(start.timestamp() / MINUTE) * MINUTE
        last = math.ceil(end.timestamp() / MINUTE) * MINUTE
        settled = math.floor((now - margin).timestamp() / MINUTE) * MINUTE
        return cls(first, max(first, min(last, settled)))

    @property
    def minutes(self) -> range:
        """Every minute start of the window."""
        return range(self.start, self.end, MINUTE)

    def days(self) -> tuple[datetime, datetime]:
        """The UTC days of the first and the last minute (for partition filters)."""
        last = max(self.start, self.end - MINUTE)
        return at(self.start), at(last)


@dataclass
class Listing:
    """What silver knows of one symbol: its exchange and the minutes holding a row."""

    exchange: str | None = None
    covered: set[int] = field(default_factory=set)


def session_minutes(table: SessionTable, exchange: str, window: Window) -> list[int]:
    """The window's minutes inside ``exchange``'s regular sessions (all of them if unknown)."""
    if not table.knows(exchange):
        return list(window.minutes)
    first, last = window.days()
    found: list[int] = []
    for session in table.sessions(exchange, first.date(), last.date()):
        opens, closes = int(session.open.timestamp()), int(session.close.timestamp())
        found.extend(range(max(window.start, opens), min(window.end, closes), MINUTE))
    return found


def missing_minutes(
    table: SessionTable, exchange: str, covered: Collection[int], window: Window
) -> list[int]:
    """Session minutes of the window without a row, oldest first."""
    return [m for m in session_minutes(table, exchange, window) if m not in covered]


def minute_of(moment: datetime) -> int:
    """The start (epoch seconds) of the minute ``moment`` lies in."""
    return math.floor(moment.timestamp() / MINUTE) * MINUTE


def at(epoch: int) -> datetime:
    """Epoch seconds as an aware UTC datetime."""
    return datetime.fromtimestamp(epoch, UTC)


def parse_utc(text: str) -> datetime:
    """An ISO-8601 time (``2026-11-25T14:30Z``); no offset means UTC, a date its midnight."""
    moment = datetime.fromisoformat(text.strip())
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
