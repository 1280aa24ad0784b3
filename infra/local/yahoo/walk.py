"""Deterministic random walks: one per instrument, stepped by the wall clock.

Each walk draws from its own ``random.Random`` seeded by (seed, symbol) and is
always advanced one trade at a time, so the price at trade *k* is the same
whatever the polling pattern, thread timing or set of other symbols.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass

from infra.local.yahoo.instruments import Instrument

HISTORY_LENGTH = 30
"""Trades kept per instrument for the chart endpoint's timestamp/close arrays."""


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


class Walk:
    """The price path of one instrument; mutable, guarded by the market's lock."""

    def __init__(self, instrument: Instrument, seed: int, anchor: int, interval: float) -> None:
        self.instrument = instrument
        self._rng = random.Random(f"{seed}:walk:{instrument.symbol}")
        self._anchor = anchor
        self._interval = interval
        first = Tick(
            symbol=instrument.symbol,
            step=0,
            trade_time=anchor,
            price=instrument.price,
            volume=instrument.volume,
            day_high=instrument.price,
            day_low=instrument.price,
        )
        self._history: deque[Tick] = deque([first], maxlen=HISTORY_LENGTH)

    @property
    def last(self) -> Tick:
        """The newest trade."""
        return self._history[-1]

    @property
    def history(self) -> tuple[Tick, ...]:
        """The newest trades, oldest first."""
        return tuple(self._history)

    def advance(self, step: int) -> Tick:
        """Trade forward to ``step`` (never backward) and return the newest trade."""
        while self.last.step < step:
            self._history.append(self._next(self.last))
        return self.last

    def _next(self, prev: Tick) -> Tick:
        """One trade: log-normal price move, some volume (none for FX, like Yahoo)."""
        inst = self.instrument
        moved = round(prev.price * math.exp(self._rng.gauss(0.0, inst.volatility)), inst.decimals)
        price = moved if moved > 0 else prev.price
        traded = self._rng.randrange(100, 20_000) if inst.volume else 0
        step = prev.step + 1
        return Tick(
            symbol=inst.symbol,
            step=step,
            trade_time=int(self._anchor + step * self._interval),
            price=price,
            volume=prev.volume + traded,
            day_high=max(prev.day_high, price),
            day_low=min(prev.day_low, price),
        )
