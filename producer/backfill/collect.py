"""Backfill's Yahoo half: the bars of the symbols with gaps, then of the FX pairs they need.

Each symbol with missing minutes costs one bar range, from ``LOOKBACK`` before its
first missing minute (so an empty bar finds the close before it across a weekend and
a holiday) to its last one; ``YahooClient.bars`` splits it into requests Yahoo
accepts. A symbol silver does not know yet is asked for the whole window and its
exchange is read from the chart's meta. FX pairs follow, over the span of every
symbol's range. Failures are per symbol: a 422, a 404 or a failed fetch is named
and the other symbols go on.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from producer.backfill.gaps import MINUTE, Listing, Window, at, missing_minutes
from producer.backfill.lines import FxBars, SymbolFill, fill_symbol
from producer.currency import fx_pairs, resolve_currency
from producer.errors import FetchError, MalformedQuoteError, RangeRefusedError
from producer.sessions import SessionTable, default_table
from producer.settings import ProducerSettings
from producer.yahoo.backends import TransportMemory, open_backend
from producer.yahoo.client import YahooClient
from producer.yahoo.parse import Bars
from producer.yahoo.session import CrumbCache
from producer.yahoo.transport import YahooHttp

LOOKBACK = timedelta(days=4)
# Yahoo serves 1m bars for about 30 days: the look back never reaches past 29, so it
# cannot turn a range Yahoo would serve into one it refuses.
BAR_HISTORY = timedelta(days=29)


@dataclass(frozen=True, kw_only=True)
class BackfillRequest:
    """Which symbols, which minutes, and what silver already holds."""

    symbols: Sequence[str]
    window: Window
    listings: Mapping[str, Listing]
    now: datetime
    table: SessionTable = field(default_factory=default_table)


@dataclass
class BackfillResult:
    """Per-symbol outcomes, and the FX pairs that had no bars."""

    fills: list[SymbolFill]
    fx_errors: dict[str, str]

    @property
    def lines(self) -> list[str]:
        """Every bronze line built, symbol by symbol."""
        return [line for fill in self.fills for line in fill.lines]

    def total(self, counter: str) -> int:
        """The sum of one ``SymbolFill`` count over the symbols."""
        return sum(int(getattr(fill, counter)) for fill in self.fills)


@dataclass
class _Fetched:
    fill: SymbolFill
    bars: Bars | None = None
    missing: list[int] = field(default_factory=list)
    span: tuple[int, int] = (0, 0)  # the fetched range, epoch seconds


async def collect(
    client: YahooClient,
    request: BackfillRequest,
    on_symbol: Callable[[SymbolFill], None] | None = None,
) -> BackfillResult:
    """Fetch, then build each symbol's lines; ``on_symbol`` hears each symbol as it is done."""
    fetched = await asyncio.gather(*(_symbol(client, request, s) for s in request.symbols))
    usable = [item for item in fetched if item.bars is not None and item.missing]
    fx, fx_errors = await _fx(client, usable)
    fetched_at = int(request.now.timestamp())
    for item in fetched:
        if item.bars is not None:
            fill_symbol(item.fill, item.bars, item.missing, fx, fetched_at)
        if on_symbol is not None:
            on_symbol(item.fill)
    return BackfillResult([item.fill for item in fetched], fx_errors)


async def collect_with(
    settings: ProducerSettings,
    request: BackfillRequest,
    *,
    deadline: float = math.inf,
    crumbs: CrumbCache | None = None,
    memory: TransportMemory | None = None,
    on_symbol: Callable[[SymbolFill], None] | None = None,
) -> BackfillResult:
    """``collect`` through the producer's transport, asking Yahoo until ``deadline`` (monotonic)."""
    async with open_backend(settings, memory) as backend:
        http = YahooHttp(backend, settings, deadline=deadline)
        client = YahooClient(http, crumbs if crumbs is not None else CrumbCache())
        return await collect(client, request, on_symbol)


async def _symbol(client: YahooClient, request: BackfillRequest, symbol: str) -> _Fetched:
    """The bars a symbol's gaps need, or why there are none."""
    listing, window = request.listings.get(symbol, Listing()), request.window
    if listing.exchange is None:  # new to silver: the chart will say where it trades
        if window.start == window.end:
            return _Fetched(SymbolFill(symbol))
        return await _fetch(client, request, symbol, None, (window.start, window.end))
    missing = missing_minutes(request.table, listing.exchange, listing.covered, window)
    if not missing:
        return _Fetched(SymbolFill(symbol))
    return await _fetch(client, request, symbol, missing, (missing[0], missing[-1] + MINUTE))


async def _fetch(
    client: YahooClient,
    request: BackfillRequest,
    symbol: str,
    missing: list[int] | None,
    span: tuple[int, int],
) -> _Fetched:
    """Fetch [span) and some minutes before it; ``missing`` None: work it out from the meta."""
    fill = SymbolFill(symbol)
    start = _reach_back(span[0], request.now)
    bars, fill.error = await fetch_bars(client, symbol, start, span[1])
    if bars is None:
        fill.missing, fill.unavailable = len(missing or ()), list(missing or ())
        return _Fetched(fill)
    if missing is None:
        listing = request.listings.get(symbol, Listing())
        missing = missing_minutes(request.table, bars.exchange, listing.covered, request.window)
    return _Fetched(fill, bars, missing, (start, span[1]))


def _reach_back(first: int, now: datetime) -> int:
    """Where to start fetching: ``LOOKBACK`` earlier, but not past Yahoo's history."""
    oldest = int((now - BAR_HISTORY).timestamp())
    return max(first - int(LOOKBACK.total_seconds()), min(first, oldest))


async def fetch_bars(
    client: YahooClient, symbol: str, start: int, end: int
) -> tuple[Bars | None, str]:
    """A symbol's bars for [start, end), or None and why, in words for the report."""
    try:
        found = await client.bars(symbol, at(start), at(end))
    except RangeRefusedError as exc:
        return None, f"Yahoo refused the range (HTTP 422): {exc.message}"
    except FetchError as exc:
        return None, f"bars not fetched: {exc}"
    except MalformedQuoteError as exc:
        return None, f"unreadable bars: {exc}"
    if found is None:
        return None, "Yahoo has no chart for it (HTTP 404)"
    return found, ""


async def _fx(client: YahooClient, fetched: Sequence[_Fetched]) -> tuple[FxBars, dict[str, str]]:
    """The bars of ``CAD=X`` and of each pair the symbols' currencies need."""
    if not fetched:
        return FxBars({}), {}
    currencies = {resolve_currency(item.bars.currency, 1.0)[0] for item in fetched if item.bars}
    pairs = fx_pairs(currencies)
    start = min(item.span[0] for item in fetched)
    end = max(item.span[1] for item in fetched)
    answers = await asyncio.gather(*(fetch_bars(client, pair, start, end) for pair in pairs))
    errors = {pair: error for pair, (bars, error) in zip(pairs, answers, strict=True) if error}
    return FxBars({pair: bars for pair, (bars, _) in zip(pairs, answers, strict=True)}), errors
