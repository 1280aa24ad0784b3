"""The bronze line: one quote as one CSV line, the contract between producer and processor.

A bronze line carries everything the processor needs to build a silver row on its
own, including the FX rates observed in the producer run that fetched the quote,
so any bronze object can be re-processed (replayed) alone.

Columns, in order (``BRONZE_FIELDS``); the first is the format version:

``version, symbol, name, exchange, currency, price, change_pct, volume,
market_state, trade_time, fetched_at, fx_rate, fx_usd_cad, source``

- ``trade_time`` / ``fetched_at``: integer epoch seconds (UTC).
- ``currency``: ISO code after minor units are resolved; ``price`` is in it.
- ``fx_rate``: units of ``currency`` per 1 USD (``1`` for USD); empty when the
  producer could not observe it.
- ``fx_usd_cad``: CAD per 1 USD; empty when not observed.
- ``source``: ``quote`` for a live quote, ``bar_1m`` for a row rebuilt from a
  one-minute bar (``quotepipe backfill``). Version 1 lines, written before backfill,
  have no ``source`` and mean ``quote``.
- Empty optional numbers mean "not known".
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

BRONZE_VERSION = "2"
SOURCES = ("quote", "bar_1m")
BRONZE_FIELDS = (
    "version",
    "symbol",
    "name",
    "exchange",
    "currency",
    "price",
    "change_pct",
    "volume",
    "market_state",
    "trade_time",
    "fetched_at",
    "fx_rate",
    "fx_usd_cad",
    "source",
)

_LINE_BREAKS = str.maketrans(
    {"\r": " ", "\n": " ", "\x0b": " ", "\x0c": " ", "\x85": " ", "\u2028": " ", "\u2029": " "}
)


@dataclass(frozen=True, slots=True)
class BronzeQuote:
    """A quote as the producer observed it, ready to be written as a bronze line."""

    symbol: str
    name: str
    exchange: str
    currency: str
    price: float
    change_pct: float | None
    volume: int | None
    market_state: str
    trade_time: int
    fetched_at: int
    fx_rate: float | None
    fx_usd_cad: float | None
    source: str = "quote"


def _num(value: float | int | None) -> str:
    # repr() is the shortest text that reads back as the same float: prices stay exact.
    return "" if value is None else repr(value)


def _text(value: str) -> str:
    # A bronze line must stay one line: Firehose records are packed and split at "\n".
    return value.translate(_LINE_BREAKS)


def encode_line(quote: BronzeQuote) -> str:
    """Return the quote as one CSV line ending in ``\\n``."""
    fields = [
        BRONZE_VERSION,
        _text(quote.symbol),
        _text(quote.name),
        _text(quote.exchange),
        _text(quote.currency),
        _num(quote.price),
        _num(quote.change_pct),
        _num(quote.volume),
        _text(quote.market_state),
        _num(quote.trade_time),
        _num(quote.fetched_at),
        _num(quote.fx_rate),
        _num(quote.fx_usd_cad),
        quote.source,
    ]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(fields)
    return buffer.getvalue()


def decode_line(line: str) -> list[str]:
    """Split one bronze line into its raw string fields (no validation)."""
    return next(csv.reader([line.rstrip("\r\n")]), [])
