"""One-minute bars → bronze lines (``source="bar_1m"``), one per missing minute.

A minute with a bar becomes a line at the bar's close, ``trade_time`` the minute's
start, volume the bar's. A minute Yahoo lists without trades (nulls) carries the
last close before it, with volume 0, so it counts as covered and is not asked for
again. A minute Yahoo does not list, or an empty one with no close before it in the
fetched bars, is not available: it is counted and named, never invented.

Prices are converted as live quotes are (``producer.bronze.to_bronze``), with the FX
pairs' closes of the same minute, else the nearest earlier minute. A line for which
no rate is known goes out without one: the processor rejects it as
``missing_fx_rate``, and ``no_fx_rate`` counts it here.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from firehose.codec import encode_line
from producer.bronze import to_bronze
from producer.currency import USD, FxRates
from producer.yahoo.parse import Bars, YahooQuote

SOURCE = "bar_1m"
# A bar lies in the regular session (bars are asked for without pre/post market).
MARKET_STATE = "REGULAR"


class Closes:
    """The non-null closes of a series of bars, for "the last close at or before a minute"."""

    def __init__(self, bars: Bars | None) -> None:
        pairs = [] if bars is None else [(b.minute_start, b.close) for b in bars.minutes]
        kept = [(minute, close) for minute, close in pairs if close is not None and close > 0]
        self._minutes = [minute for minute, _ in kept]
        self._closes = [close for _, close in kept]

    def at(self, minute: int) -> float | None:
        """The last close at or before ``minute``; None when there is none."""
        index = bisect_right(self._minutes, minute)
        return self._closes[index - 1] if index else None


class FxBars:
    """Per-USD rates by minute from the FX pairs' bars (``CAD=X`` is CAD per USD)."""

    def __init__(self, pairs: Mapping[str, Bars | None]) -> None:
        self._series = {pair.removesuffix("=X"): Closes(bars) for pair, bars in pairs.items()}

    def at(self, minute: int) -> FxRates:
        """The rates of ``minute``, each from its pair's nearest bar at or before it."""
        found = {code: series.at(minute) for code, series in self._series.items()}
        return FxRates({code: rate for code, rate in found.items() if rate is not None})


@dataclass
class SymbolFill:
    """What backfill found and built for one symbol."""

    symbol: str
    missing: int = 0
    from_bars: int = 0
    previous_close: int = 0
    unavailable: list[int] = field(default_factory=list)  # minute starts
    no_fx_rate: int = 0
    error: str = ""
    lines: list[str] = field(default_factory=list)

    @property
    def not_available(self) -> int:
        """Missing minutes for which no row could be built."""
        return len(self.unavailable)


def fill_symbol(
    fill: SymbolFill, bars: Bars, missing: Sequence[int], fx: FxBars, fetched_at: int
) -> SymbolFill:
    """Build one line per missing minute that bars can account for; count the rest."""
    listed = {bar.minute_start: bar for bar in bars.minutes}
    closes = Closes(bars)
    fill.missing = len(missing)
    for minute in missing:
        bar = listed.get(minute)
        price = None if bar is None else _price(bar.close, closes, minute)
        if bar is None or price is None:
            fill.unavailable.append(minute)
            continue
        traded = bar.close is not None
        volume = (bar.volume or 0) if traded else 0
        line = _line(
            fill,
            bars,
            minute,
            price=price,
            volume=volume,
            rates=fx.at(minute),
            fetched_at=fetched_at,
        )
        fill.lines.append(line)
        if traded:
            fill.from_bars += 1
        else:
            fill.previous_close += 1
    return fill


def _price(close: float | None, closes: Closes, minute: int) -> float | None:
    """The bar's close, or for an empty bar the last close before it."""
    return close if close is not None else closes.at(minute)


def _line(
    fill: SymbolFill,
    bars: Bars,
    minute: int,
    *,
    price: float,
    volume: int,
    rates: FxRates,
    fetched_at: int,
) -> str:
    """One bronze line, converted like a live quote; one without a rate is counted."""
    quote = YahooQuote(
        symbol=fill.symbol,
        name=bars.name,
        exchange=bars.exchange,
        currency=bars.currency,
        price=price,
        change_pct=None,
        volume=volume,
        market_state=MARKET_STATE,
        trade_time=minute,
    )
    record = to_bronze(fill.symbol, quote, rates, fetched_at, source=SOURCE)
    if record.fx_usd_cad is None or (record.currency != USD and record.fx_rate is None):
        fill.no_fx_rate += 1
    return encode_line(record)
