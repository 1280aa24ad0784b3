"""The Yahoo Finance client: cookie and crumb, retrying HTTP, v7 quote batches, chart
fallback, one-minute bars."""

from producer.yahoo.backends import TransportMemory, open_backend
from producer.yahoo.bar_ranges import BAR_REQUEST_SPAN
from producer.yahoo.client import FetchResult, YahooClient
from producer.yahoo.parse import Bar, Bars, YahooQuote
from producer.yahoo.session import CrumbCache
from producer.yahoo.transport import Backend, FetchStats, YahooHttp

__all__ = [
    "BAR_REQUEST_SPAN",
    "Backend",
    "Bar",
    "Bars",
    "CrumbCache",
    "FetchResult",
    "FetchStats",
    "TransportMemory",
    "YahooClient",
    "YahooHttp",
    "YahooQuote",
    "open_backend",
]
