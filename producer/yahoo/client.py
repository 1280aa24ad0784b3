"""The Yahoo client: batched v7 quotes over one session, chart fallback, results matched by symbol.

Symbols missing from a v7 answer, or returned as price-less stubs, are retried one
by one through ``/v8/finance/chart/SYMBOL`` (no crumb needed); so are the symbols of
a batch whose v7 call failed after its retries (5xx, 429, a body that is not JSON, a
refused crumb), since the chart endpoint often still answers. What is still missing
is reported by name with the reason. Only a tick that stopped asking (rate limited)
or ran out of time skips the chart: it could not ask anyway.

``bars`` reads one-minute bars from the chart endpoint for backfill, in requests of at
most ``BAR_REQUEST_SPAN`` (Yahoo refuses more than 7 days of 1m bars per request).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote

from producer.errors import (
    AuthError,
    FetchError,
    MalformedQuoteError,
    RangeRefusedError,
    RateLimitedError,
)
from producer.log import logger
from producer.symbols import normalise_symbol
from producer.yahoo.bar_ranges import BAR_REQUEST_SPAN, bar_requests, merge_bars
from producer.yahoo.parse import (
    Bars,
    YahooQuote,
    bars_from_chart,
    quote_from_chart,
    quote_from_v7,
    v7_results,
)
from producer.yahoo.session import CrumbAuth, CrumbCache, yahoo_url

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime
    from typing import Any

    from producer.yahoo.transport import YahooHttp

QUOTE_PATH = "/v7/finance/quote"
CHART_PATH = "/v8/finance/chart/"
_QUOTE_ACCEPT = frozenset({200, 401})
_CHART_ACCEPT = frozenset({200, 404})
_BARS_ACCEPT = frozenset({200, 404, 422})
_NO_FALLBACK = frozenset({"rate_limited", "budget"})
OnQuote = Callable[[str, YahooQuote], None]


@dataclass
class FetchResult:
    """Quotes keyed by the requested (normalised) symbol, and why the others are missing."""

    quotes: dict[str, YahooQuote] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    on_quote: OnQuote | None = None
    truncated: Counter[str] = field(default_factory=Counter)  # by field; the tick's stats

    def add(self, symbol: str, quote: YahooQuote) -> None:
        """Keep the first quote per symbol and pass it on."""
        if symbol in self.quotes:
            return
        if quote.truncated:
            self.truncated.update(quote.truncated)
            logger.warning(
                "field cut to its limit", extra={"symbol": symbol, "fields": quote.truncated}
            )
        self.quotes[symbol] = quote
        self.failures.pop(symbol, None)  # a failed batch's symbol recovered by the chart
        if self.on_quote is not None:
            self.on_quote(symbol, quote)

    def missing(self, symbols: Sequence[str]) -> list[str]:
        """The requested symbols without a quote, in request order."""
        return [symbol for symbol in symbols if symbol not in self.quotes]


class YahooClient:
    """Fetches quotes for one tick through a shared ``YahooHttp`` and cached crumb."""

    def __init__(self, http: YahooHttp, cache: CrumbCache) -> None:
        self.http = http
        self.auth = CrumbAuth(http, cache)
        self._quote_url = yahoo_url(http.settings, QUOTE_PATH)
        self._quote_outcomes: Counter[str] = Counter()

    async def fetch(self, symbols: Sequence[str], on_quote: OnQuote | None = None) -> FetchResult:
        """Fetch every symbol once (input must be normalised); never raises for one symbol.

        ``on_quote(symbol, quote)`` is called as each quote arrives, so callers can work
        on it while other requests are still in flight.
        """
        result = FetchResult(on_quote=on_quote, truncated=self.http.stats.truncated)
        size = self.http.settings.batch_size
        batches = [symbols[i : i + size] for i in range(0, len(symbols), size)]
        await asyncio.gather(*(self._batch(batch, result) for batch in batches))
        if self._quote_outcomes["rate_limited"] and not self._quote_outcomes["answered"]:
            # Yahoo refused every quote request: the next tick tries a browser-like client.
            self.http.escalate()
        return result

    async def _batch(self, batch: Sequence[str], result: FetchResult) -> None:
        """One v7 call, then the chart endpoint for whatever it left out or could not get."""
        try:
            items = await self._quote_items(batch)
        except FetchError as exc:
            if isinstance(exc, RateLimitedError):
                self._quote_outcomes["rate_limited"] += 1
            logger.warning("quote batch failed", extra={"error": str(exc), "size": len(batch)})
            result.failures.update(dict.fromkeys(batch, exc.kind))
            if exc.kind in _NO_FALLBACK or self.http.stats.rate_limited:
                return
            items = []
        self._match(batch, items, result)
        absent = [symbol for symbol in batch if symbol not in result.quotes]
        await asyncio.gather(*(self._chart(symbol, result) for symbol in absent))

    async def _quote_items(self, batch: Sequence[str]) -> list[Any]:
        """Call v7 with the crumb; a 401 renews cookie + crumb once, then retries."""
        crumb = await self.auth.crumb()
        answer, payload = await self._quote_call(batch, crumb)
        if answer.status == 401:
            self.http.stats.errors["auth"] += 1
            logger.info("crumb refused, renewing", extra={"snippet": answer.snippet()})
            answer, payload = await self._quote_call(batch, await self.auth.renew(crumb))
            if answer.status == 401:
                raise AuthError("auth", "crumb refused after renewal", status=401)
        self._quote_outcomes["answered"] += 1
        try:
            return v7_results(payload)
        except FetchError as exc:
            self.http.stats.errors[exc.kind] += 1
            raise

    async def _quote_call(self, batch: Sequence[str], crumb: str) -> tuple[Any, Any]:
        """One ``/v7/finance/quote`` request."""
        params = {"symbols": ",".join(batch), "crumb": crumb}
        return await self.http.get_json(self._quote_url, params, accept=_QUOTE_ACCEPT)

    def _match(self, batch: Sequence[str], items: list[Any], result: FetchResult) -> None:
        """Keep the first priced result per requested symbol, whatever the order or case."""
        wanted = set(batch)
        for item in items:
            try:
                found = quote_from_v7(item)
            except MalformedQuoteError as exc:
                self._malformed(exc, item)
                continue
            key = None if found is None else normalise_symbol(found.symbol)
            if found is not None and key in wanted:
                result.add(key, found)

    async def quote_batch(self, batch: Sequence[str]) -> FetchResult:
        """One v7 call and no chart fallback (``quotepipe probe`` tries each endpoint alone).

        Raises ``FetchError`` when the call fails after its retries.
        """
        result = FetchResult()
        self._match(batch, await self._quote_items(batch), result)
        return result

    async def chart_quote(self, symbol: str) -> YahooQuote | None:
        """One ``/v8/finance/chart`` call: the quote, or None when Yahoo has none (404).

        Raises ``FetchError`` when no usable answer came and ``MalformedQuoteError``
        (logged) for an answer that cannot become a quote.
        """
        url = yahoo_url(self.http.settings, CHART_PATH + quote(symbol, safe=""))
        answer, payload = await self.http.get_json(
            url, {"range": "1d", "interval": "1d"}, accept=_CHART_ACCEPT
        )
        try:
            return quote_from_chart(payload) if answer.status == 200 else None
        except MalformedQuoteError as exc:
            self._malformed(exc, payload)
            raise

    async def bars(self, symbol: str, start: datetime, end: datetime) -> Bars | None:
        """One-minute bars of ``symbol`` for the minutes in [start, end) (aware datetimes).

        The range is widened to whole minutes and asked for in requests of at most
        ``BAR_REQUEST_SPAN``, retried like every call; the answers are merged, oldest
        first, one ``Bar`` per minute Yahoo listed (nulls kept; minutes outside the
        session are not listed). ``None`` when Yahoo does not know the symbol (404).
        Raises ``RangeRefusedError`` (Yahoo's 422: too long or older than about 30 days),
        ``FetchError`` when no usable answer came, ``MalformedQuoteError`` for an
        answer that cannot become bars.
        """
        requests = bar_requests(start, end, BAR_REQUEST_SPAN)
        url = yahoo_url(self.http.settings, CHART_PATH + quote(symbol, safe=""))
        parts = await asyncio.gather(*(self._bar_call(url, *r) for r in requests))
        found = [part for part in parts if part is not None]
        return merge_bars(found, requests[0][0], requests[-1][1]) if found else None

    async def _bar_call(self, url: str, period1: int, period2: int) -> Bars | None:
        """One 1m chart request for [period1, period2)."""
        params = {
            "interval": "1m",
            "period1": str(period1),
            "period2": str(period2),
            "includePrePost": "false",
        }
        answer, payload = await self.http.get_json(url, params, accept=_BARS_ACCEPT)
        if answer.status == 422:
            raise self._refused(payload, answer.snippet())
        try:
            return bars_from_chart(payload) if answer.status == 200 else None
        except MalformedQuoteError as exc:
            self._malformed(exc, payload)
            raise

    def _refused(self, payload: Any, snippet: str) -> RangeRefusedError:
        """Yahoo's own description of why it refused a bar range."""
        self.http.stats.errors["range_refused"] += 1
        chart = payload.get("chart") if isinstance(payload, dict) else None
        error = chart.get("error") if isinstance(chart, dict) else None
        text = error.get("description") if isinstance(error, dict) else None
        message = text if isinstance(text, str) else "1m bar range refused"
        return RangeRefusedError("range_refused", message, status=422, snippet=snippet)

    async def _chart(self, symbol: str, result: FetchResult) -> None:
        """Ask the chart endpoint for one symbol; record the reason when it has nothing."""
        try:
            found = await self.chart_quote(symbol)
        except FetchError as exc:
            result.failures[symbol] = exc.kind
            return
        except MalformedQuoteError:
            result.failures[symbol] = "malformed"
            return
        if found is None:
            result.failures.setdefault(symbol, "not_found")
        else:
            result.add(symbol, found)

    def _malformed(self, exc: MalformedQuoteError, item: Any) -> None:
        """Log one unusable result with context; the batch goes on."""
        self.http.stats.errors["malformed"] += 1
        logger.warning("malformed Yahoo result", extra={"error": str(exc), "item": str(item)[:300]})
