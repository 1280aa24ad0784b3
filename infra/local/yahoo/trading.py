"""When the simulated market trades: trading windows and ``marketState`` on the market's clock.

With ``SimulatedMarket(sessions=True)`` each venue trades only inside the regular
sessions of ``producer.sessions`` (the same table the producer follows, so a test
that sets the clock to a holiday sees both sides agree); exchanges the table does
not know (GER, JPX, the FX pairs' CCY) trade around the clock, as the producer
assumes. ``marketState`` is PRE for the 4 hours before an open, POST for the 4 hours
after a close, REGULAR in session and CLOSED otherwise — Yahoo's US pre-market starts
at 04:00 ET, 5.5 hours before the open; 4 hours keeps one rule for every venue.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from producer.sessions import FIRST_YEAR, LAST_YEAR, SessionTable

EXTENDED_HOURS = 4 * 3600
"""Seconds of PRE before an open and of POST after a close."""
Window = tuple[int, int]
"""[open, close) in epoch seconds."""


class Schedule(Protocol):
    """The trading windows of one venue."""

    def window(self, moment: int) -> Window | None:
        """The window containing ``moment``, else the next one; None when none is known."""
        ...

    def state(self, moment: float) -> str:
        """Yahoo's ``marketState`` at ``moment``."""
        ...

    def last_trading_moment(self, moment: int) -> int:
        """``moment`` when trading is open then, else the last second of the previous window."""
        ...

    def open_minutes(self, start: int, end: int) -> list[int]:
        """Starts of the minutes in [start, end) that lie in a window."""
        ...


class AlwaysOpen:
    """A venue that trades at any hour (``sessions=False``, unknown exchanges)."""

    def window(self, moment: int) -> Window | None:
        """One window from ``moment`` on, wide enough for any walk."""
        return moment, moment + 100 * 365 * 86_400

    def state(self, moment: float) -> str:
        """Always REGULAR."""
        return "REGULAR"

    def last_trading_moment(self, moment: int) -> int:
        """Always ``moment``."""
        return moment

    def open_minutes(self, start: int, end: int) -> list[int]:
        """Every minute."""
        return list(range(start + -start % 60, end, 60))


@dataclass(frozen=True)
class SessionSchedule:
    """A venue that trades in the table's regular sessions only."""

    windows: tuple[Window, ...]

    @classmethod
    def of(cls, table: SessionTable, exchange: str) -> Schedule:
        """The schedule of ``exchange``: its sessions, or ``AlwaysOpen`` when unknown."""
        if not table.knows(exchange):
            return AlwaysOpen()
        sessions = table.sessions(exchange, date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))
        return cls(tuple((int(s.open.timestamp()), int(s.close.timestamp())) for s in sessions))

    def window(self, moment: int) -> Window | None:
        """The first window that closes after ``moment``."""
        index = bisect_right(self.windows, moment, key=lambda w: w[1])
        return self.windows[index] if index < len(self.windows) else None

    def state(self, moment: float) -> str:
        """PRE / REGULAR / POST / CLOSED relative to the nearest windows."""
        index = bisect_right(self.windows, moment, key=lambda w: w[1])
        upcoming = self.windows[index] if index < len(self.windows) else None
        if upcoming is not None and upcoming[0] <= moment:
            return "REGULAR"
        if upcoming is not None and upcoming[0] - EXTENDED_HOURS <= moment:
            return "PRE"
        previous = self.windows[index - 1] if index > 0 else None
        if previous is not None and moment < previous[1] + EXTENDED_HOURS:
            return "POST"
        return "CLOSED"

    def last_trading_moment(self, moment: int) -> int:
        """Where a walk created now starts: the previous session's last second when closed."""
        index = bisect_right(self.windows, moment, key=lambda w: w[1])
        if index < len(self.windows) and self.windows[index][0] <= moment:
            return moment
        return self.windows[index - 1][1] - 1 if index > 0 else moment

    def open_minutes(self, start: int, end: int) -> list[int]:
        """Starts of the session minutes in [start, end), for the chart's timestamps."""
        minutes: list[int] = []
        moment = start
        while (window := self.window(moment)) is not None and window[0] < end:
            first = max(window[0], moment)
            first += -first % 60
            minutes.extend(range(first, min(window[1], end), 60))
            moment = window[1]
        return minutes
