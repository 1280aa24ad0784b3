"""What silver holds, for backfill: each symbol's exchange and its covered minutes.

The statements read the ``quotes`` view and run unchanged on Athena and on the local
engine (``?`` are execution parameters, SQL literal text in both). They live here, not
in ``sql/``, because the producer image that runs the scheduled backfill ships only
``producer/`` and ``firehose/``; ``tests/producer/backfill`` runs them on the local engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from producer.backfill.gaps import Listing, Window, at, minute_of

# The dt filter prunes partitions; the trade_time filter keeps the window's minutes only.
COVERED_MINUTES = (
    "SELECT DISTINCT symbol, exchange, date_trunc('minute', trade_time) AS minute "
    "FROM quotes WHERE dt BETWEEN ? AND ? AND trade_time >= ? AND trade_time < ?"
)
# Every symbol silver knows, with the exchange of its newest row (as `coverage` takes it).
LISTINGS = "SELECT symbol, max_by(exchange, trade_time) AS exchange FROM quotes GROUP BY symbol"


def covered_parameters(window: Window) -> list[str]:
    """The execution parameters of ``COVERED_MINUTES`` for ``window``."""
    first, last = window.days()
    days = [f"'{first:%Y-%m-%d}'", f"'{last:%Y-%m-%d}'"]
    return [*days, _timestamp(window.start), _timestamp(window.end)]


def _timestamp(epoch: int) -> str:
    return f"TIMESTAMP '{at(epoch):%Y-%m-%d %H:%M:%S}'"


def read_listings(
    covered_rows: Iterable[Sequence[Any]], listing_rows: Iterable[Sequence[Any]] = ()
) -> dict[str, Listing]:
    """Listings from the rows of ``COVERED_MINUTES`` (and optionally ``LISTINGS``).

    A symbol's exchange is the one ``LISTINGS`` gives, else that of its newest minute.
    """
    known = {str(symbol): str(exchange) for symbol, exchange in listing_rows if exchange}
    listings = {symbol: Listing(exchange) for symbol, exchange in known.items()}
    newest: dict[str, int] = {}
    for symbol, exchange, minute in covered_rows:
        name, epoch = str(symbol), _epoch(minute)
        listing = listings.setdefault(name, Listing())
        listing.covered.add(epoch)
        if name not in known and exchange and epoch >= newest.get(name, epoch):
            newest[name] = epoch
            listing.exchange = str(exchange)
    return listings


def _epoch(value: Any) -> int:
    """A minute from the engine: a datetime (local, UTC) or Athena's ``2026-11-25 15:03:00.000``."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        moment = datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
    return minute_of(moment)
