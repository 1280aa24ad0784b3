"""The producer: Yahoo Finance quotes and FX rates → bronze CSV lines → Kinesis Firehose."""

from producer.bronze import BronzeLines, to_bronze
from producer.currency import FxRates, fx_pairs, resolve_currency
from producer.errors import (
    AuthError,
    FetchError,
    MalformedQuoteError,
    QuotepipeProducerError,
    RangeRefusedError,
    RateLimitedError,
    SettingsError,
    SymbolListError,
)
from producer.invocation import InvocationSummary, ProducerState, run_invocation
from producer.settings import ProducerSettings
from producer.symbols import SymbolList, SymbolSource, normalise_symbol, normalise_symbols
from producer.tick import TickContext, TickSummary, run_tick
from producer.yahoo.backends import TransportMemory, open_backend
from producer.yahoo.client import FetchResult, YahooClient
from producer.yahoo.parse import YahooQuote
from producer.yahoo.session import CrumbCache
from producer.yahoo.transport import FetchStats, YahooHttp

__all__ = [
    "AuthError",
    "BronzeLines",
    "CrumbCache",
    "FetchError",
    "FetchResult",
    "FetchStats",
    "FxRates",
    "InvocationSummary",
    "MalformedQuoteError",
    "ProducerSettings",
    "ProducerState",
    "QuotepipeProducerError",
    "RangeRefusedError",
    "RateLimitedError",
    "SettingsError",
    "SymbolList",
    "SymbolListError",
    "SymbolSource",
    "TickContext",
    "TickSummary",
    "TransportMemory",
    "YahooClient",
    "YahooHttp",
    "YahooQuote",
    "fx_pairs",
    "normalise_symbol",
    "normalise_symbols",
    "open_backend",
    "resolve_currency",
    "run_invocation",
    "run_tick",
    "to_bronze",
]
