"""The producer: Yahoo Finance quotes and FX rates → bronze CSV lines → Kinesis Firehose."""

# Names load on first use: a light import (``producer.sessions`` from the simulated market,
# ``producer.symbols`` from the CLI's argument checks) must not build the handler's logger,
# which binds the stdout of the moment, nor load aiohttp and boto3.
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_EXPORTS = {
    "AuthError": "producer.errors",
    "BronzeLines": "producer.bronze",
    "CrumbCache": "producer.yahoo.session",
    "FetchError": "producer.errors",
    "FetchResult": "producer.yahoo.client",
    "FetchStats": "producer.yahoo.transport",
    "FxRates": "producer.currency",
    "InvocationSummary": "producer.invocation",
    "MalformedQuoteError": "producer.errors",
    "ProducerSettings": "producer.settings",
    "ProducerState": "producer.invocation",
    "QuotepipeProducerError": "producer.errors",
    "RangeRefusedError": "producer.errors",
    "RateLimitedError": "producer.errors",
    "SettingsError": "producer.errors",
    "SymbolList": "producer.symbols",
    "SymbolListError": "producer.errors",
    "SymbolSource": "producer.symbols",
    "TickContext": "producer.tick",
    "TickSummary": "producer.tick",
    "TransportMemory": "producer.yahoo.backends",
    "YahooClient": "producer.yahoo.client",
    "YahooHttp": "producer.yahoo.transport",
    "YahooQuote": "producer.yahoo.parse",
    "fx_pairs": "producer.currency",
    "normalise_symbol": "producer.symbols",
    "normalise_symbols": "producer.symbols",
    "open_backend": "producer.yahoo.backends",
    "resolve_currency": "producer.currency",
    "run_invocation": "producer.invocation",
    "run_tick": "producer.tick",
    "to_bronze": "producer.bronze",
}


def __getattr__(name: str) -> Any:
    """Import the module that defines ``name`` when it is first asked for."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'producer' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


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
