"""In-object de-duplication on (symbol, trade_time) in about four bytes per quote.

A bronze object can hold a million lines, and a closed market repeats the same
trade time on every tick, so the memory must stay small: per symbol the trade
times seen so far are kept as a sorted ``array`` of 32-bit offsets. Times arrive
nearly in order, so the usual check is one comparison with the last time seen.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left

_INT32 = 1 << 31


class _Times:
    """The trade times seen for one symbol."""

    __slots__ = ("base", "last", "offsets", "stray")

    def __init__(self, first: int) -> None:
        self.base = first
        self.last = first
        self.offsets = array("i", [0])
        self.stray: set[int] = set()  # out of order or out of int32 range: rare

    def add(self, epoch: int) -> bool:
        """Remember ``epoch``; False when it was already seen."""
        if epoch > self.last:
            offset = epoch - self.base
            if offset >= _INT32:
                return self._add_stray(epoch)
            self.offsets.append(offset)
            self.last = epoch
            return True
        if epoch == self.last or self._in_offsets(epoch):
            return False
        return self._add_stray(epoch)

    def _in_offsets(self, epoch: int) -> bool:
        offset = epoch - self.base
        if offset < -_INT32:
            return False
        index = bisect_left(self.offsets, offset)
        return index < len(self.offsets) and self.offsets[index] == offset

    def _add_stray(self, epoch: int) -> bool:
        if epoch in self.stray:
            return False
        self.stray.add(epoch)
        return True


class SeenQuotes:
    """Which (symbol, trade_time) pairs one bronze object has produced already."""

    def __init__(self) -> None:
        self._symbols: dict[str, _Times] = {}

    def add(self, symbol: str, epoch: int) -> bool:
        """Remember the pair; False when it is a duplicate."""
        times = self._symbols.get(symbol)
        if times is None:
            self._symbols[symbol] = _Times(epoch)
            return True
        if epoch == times.last:  # a closed market's repeat: the common duplicate
            return False
        return times.add(epoch)
