"""Deterministic random walks: one per instrument, stepped by the market's clock.

Trades sit on a grid (``anchor + k * interval``) and happen only at grid points inside
the venue's trading windows (``trading.Schedule``) and outside halts. Each walk draws
from its own ``random.Random`` seeded by (seed, symbol) and is always advanced one
trade at a time, so the price path is the same whatever the polling pattern, thread
timing or set of other symbols. Every trade is also folded into its minute's bar, so
the chart's one-minute bars close at the price a quote served for the minute's last
trade.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass

from infra.local.yahoo.instruments import Instrument
from infra.local.yahoo.trading import Schedule

HISTORY_LENGTH = 30
"""Trades kept per instrument for the chart endpoint's recent-trades answer."""
BAR_RETENTION = 31 * 86_400
"""Seconds of minute bars kept: Yahoo serves 1m bars for the last 30 days."""


@dataclass(frozen=True)
class Tick:
    """The state of an instrument right after one trade."""

    symbol: str
    step: int
    trade_time: int
    price: float
    volume: int
    day_high: float
    day_low: float


@dataclass
class MinuteBar:
    """The trades of one minute: OHLC and the volume traded in it."""

    open: float
    high: float
    low: float
    close: float
    volume: int

    def add(self, price: float, traded: int) -> None:
        """Fold one more trade of the minute in."""
        self.high, self.low = max(self.high, price), min(self.low, price)
        self.close = price
        self.volume += traded


class Walk:
    """The price path of one instrument; mutable, guarded by the market's lock."""

    def __init__(
        self, instrument: Instrument, seed: int, anchor: int, interval: float, schedule: Schedule
    ) -> None:
        self.instrument = instrument
        self._rng = random.Random(f"{seed}:walk:{instrument.symbol}")
        self._anchor = anchor
        self._interval = interval
        self._schedule = schedule
        first = Tick(
            symbol=instrument.symbol,
            step=0,
            # created while closed, the walk's first trade is the previous session's last
            trade_time=schedule.last_trading_moment(anchor),
            price=instrument.price,
            volume=instrument.volume,
            day_high=instrument.price,
            day_low=instrument.price,
        )
        self._history: deque[Tick] = deque([first], maxlen=HISTORY_LENGTH)
        self._bars: dict[int, MinuteBar] = {}
        self.first_minute = _minute(first.trade_time)
        self._fold(first, 0)
        self._next = 1  # the next grid step that may trade

    @property
    def last(self) -> Tick:
        """The newest trade."""
        return self._history[-1]

    @property
    def history(self) -> tuple[Tick, ...]:
        """The newest trades, oldest first."""
        return tuple(self._history)

    def bar(self, minute: int) -> MinuteBar | None:
        """The bar of the minute starting at ``minute``; None when nothing traded in it."""
        return self._bars.get(minute)

    def advance(self, now: float) -> Tick:
        """Trade every open grid point up to ``now`` (never backward); the newest trade."""
        while (moment := self._time(self._next)) <= now:
            window = self._schedule.window(moment)
            if window is None:
                break
            if moment < window[0]:
                self._next = self._step_from(window[0])
                continue
            last = min(self._step_until(now), self._step_until(window[1] - 1))
            for step in range(self._next, last + 1):
                self._trade(step)
            self._next = last + 1
        return self.last

    def skip_to(self, moment: float) -> None:
        """Drop the grid points before ``moment`` untraded (the end of a halt)."""
        self._next = max(self._next, self._step_from(moment))

    def _time(self, step: int) -> int:
        return int(self._anchor + step * self._interval)

    def _step_from(self, moment: float) -> int:
        """The first step whose trade time is at or after ``moment``."""
        return max(1, math.ceil((math.ceil(moment) - self._anchor) / self._interval))

    def _step_until(self, moment: float) -> int:
        """The last step whose trade time is at or before ``moment``."""
        return math.ceil((math.floor(moment) + 1 - self._anchor) / self._interval) - 1

    def _trade(self, step: int) -> None:
        """One trade: log-normal price move, some volume (none for FX, like Yahoo)."""
        inst, prev = self.instrument, self.last
        moved = round(prev.price * math.exp(self._rng.gauss(0.0, inst.volatility)), inst.decimals)
        price = moved if moved > 0 else prev.price
        traded = self._rng.randrange(100, 20_000) if inst.volume else 0
        tick = Tick(
            symbol=inst.symbol,
            step=step,
            trade_time=self._time(step),
            price=price,
            volume=prev.volume + traded,
            day_high=max(prev.day_high, price),
            day_low=min(prev.day_low, price),
        )
        self._history.append(tick)
        self._fold(tick, traded)

    def _fold(self, tick: Tick, traded: int) -> None:
        """Add a trade to its minute's bar; forget bars older than Yahoo keeps."""
        minute = _minute(tick.trade_time)
        bar = self._bars.get(minute)
        if bar is not None:
            bar.add(tick.price, traded)
            return
        self._bars[minute] = MinuteBar(tick.price, tick.price, tick.price, tick.price, traded)
        while (oldest := next(iter(self._bars))) < minute - BAR_RETENTION:
            del self._bars[oldest]


def _minute(moment: int) -> int:
    """The start of the minute holding ``moment``."""
    return moment - moment % 60
