"""Backfill: session minutes without a row, rebuilt from Yahoo's one-minute bars.

``silver`` reads what the lake holds (through Athena or the local engine), ``gaps``
works out the missing session minutes, ``collect`` fetches the bars they need and
``lines`` turns them into bronze lines (``source="bar_1m"``) for the normal Firehose →
bronze → processor path. Sending is the caller's: the command line sends to the
embedded stack, the scheduled function to the delivery stream.
"""

from producer.backfill.collect import (
    BackfillRequest,
    BackfillResult,
    collect,
    collect_with,
    fetch_bars,
)
from producer.backfill.gaps import Listing, Window, missing_minutes, session_minutes
from producer.backfill.lines import FxBars, SymbolFill, fill_symbol
from producer.backfill.silver import COVERED_MINUTES, LISTINGS, covered_parameters, read_listings

__all__ = [
    "COVERED_MINUTES",
    "LISTINGS",
    "BackfillRequest",
    "BackfillResult",
    "FxBars",
    "Listing",
    "SymbolFill",
    "Window",
    "collect",
    "collect_with",
    "covered_parameters",
    "fetch_bars",
    "fill_symbol",
    "missing_minutes",
    "read_listings",
    "session_minutes",
]
