"""Bronze lines built while quotes arrive: each is encoded once the FX rates it needs are known.

FX pairs go in the first v7 batch, so from the first answer on most quotes are
encoded between network waits instead of all at the end of the tick. A quote whose
rate never arrives is encoded at the end with an empty ``fx_rate``. A line too large
for a Firehose record (impossible with the bounded fields of ``parse``, kept as the
last guard) is not sent: its symbol is listed in ``too_large`` and reported missing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import TYPE_CHECKING

from firehose.codec import BronzeQuote, encode_line
from firehose.packing import fits_record
from producer.currency import CAD, USD, FxRates, resolve_currency

if TYPE_CHECKING:
    from producer.yahoo.parse import YahooQuote


class BronzeLines:
    """Collects quotes for the requested symbols and FX rates for the expected pairs."""

    def __init__(
        self,
        symbols: Collection[str],
        last_sent: Mapping[str, int],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._wanted = frozenset(symbols)
        self._last_sent = last_sent
        self._clock = clock
        self._pairs: set[str] = set()
        self._per_usd: dict[str, float] = {}
        self._pending: dict[str, YahooQuote] = {}
        self.quotes: dict[str, YahooQuote] = {}
        self.lines: list[str] = []
        self.sent: dict[str, int] = {}
        self.too_large: list[str] = []

    def expect(self, pairs: Iterable[str]) -> None:
        """Treat these ``XXX=X`` symbols as rates, including any already received."""
        for pair in pairs:
            self._pairs.add(pair)
            if pair in self.quotes:
                self._note_rate(pair, self.quotes[pair])
        self._release()

    def add(self, symbol: str, quote: YahooQuote) -> None:
        """Take one quote as it arrives (the YahooClient ``on_quote`` callback)."""
        if symbol in self._pairs:
            self._note_rate(symbol, quote)
            self._release()
        if symbol not in self._wanted or symbol in self.quotes:
            return
        self.quotes[symbol] = quote
        if self._last_sent.get(symbol) == quote.trade_time:
            return
        if self._ready(quote):
            self._encode(symbol, quote)
        else:
            self._pending[symbol] = quote

    def currencies(self) -> frozenset[str]:
        """ISO currencies of the quotes received so far."""
        codes = (resolve_currency(q.currency, q.price)[0] for q in self.quotes.values())
        return frozenset(code for code in codes if code)

    def finish(self) -> list[str]:
        """Encode what still waits for a rate (it goes out without one) and return every line."""
        for symbol, quote in list(self._pending.items()):
            self._encode(symbol, quote)
        self._pending.clear()
        return self.lines

    @property
    def rates(self) -> FxRates:
        """The rates observed so far in this tick."""
        return FxRates(dict(self._per_usd))

    def _note_rate(self, pair: str, quote: YahooQuote) -> None:
        """Keep a positive rate; the first one seen in a tick is the tick's rate."""
        if quote.price > 0:
            self._per_usd.setdefault(pair.removesuffix("=X"), quote.price)

    def _ready(self, quote: YahooQuote) -> bool:
        """Encodable now: USD→CAD known and, unless USD, the quote's own rate too."""
        currency = resolve_currency(quote.currency, quote.price)[0]
        return CAD in self._per_usd and (currency == USD or currency in self._per_usd)

    def _release(self) -> None:
        """Encode pending quotes whose rates have just become known."""
        for symbol, quote in list(self._pending.items()):
            if self._ready(quote):
                del self._pending[symbol]
                self._encode(symbol, quote)

    def _encode(self, symbol: str, quote: YahooQuote) -> None:
        """One bronze line, stamped with the time it was read; one too large is dropped."""
        line = encode_line(to_bronze(symbol, quote, self.rates_now, int(self._clock())))
        if not fits_record(line):
            del self.quotes[symbol]
            self.too_large.append(symbol)
            return
        self.lines.append(line)
        self.sent[symbol] = quote.trade_time

    @property
    def rates_now(self) -> FxRates:
        """The live rates view (no copy) used while encoding."""
        return FxRates(self._per_usd)


def to_bronze(
    symbol: str, quote: YahooQuote, rates: FxRates, fetched_at: int, source: str = "quote"
) -> BronzeQuote:
    """A bronze record: ISO currency, price in it, and the rates observed with it."""
    currency, price = resolve_currency(quote.currency, quote.price)
    return BronzeQuote(
        symbol=symbol,
        name=quote.name,
        exchange=quote.exchange,
        currency=currency,
        price=price,
        change_pct=quote.change_pct,
        volume=quote.volume,
        market_state=quote.market_state,
        trade_time=quote.trade_time,
        fetched_at=fetched_at,
        fx_rate=rates.rate(currency) if currency else None,
        fx_usd_cad=rates.usd_cad,
        source=source,
    )
