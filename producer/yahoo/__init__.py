"""The Yahoo Finance client: cookie and crumb, retrying HTTP, v7 quote batches, chart fallback."""

from producer.yahoo.backends import TransportMemory, open_backend
from producer.yahoo.client import FetchResult, YahooClient
from producer.yahoo.parse import YahooQuote
from producer.yahoo.session import CrumbCache
from producer.yahoo.transport import Backend, FetchStats, YahooHttp

__all__ = [
    "Backend",
    "CrumbCache",
    "FetchResult",
    "FetchStats",
    "TransportMemory",
    "YahooClient",
    "YahooHttp",
    "YahooQuote",
    "open_backend",
]
