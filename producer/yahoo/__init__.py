"""The Yahoo Finance client: cookie and crumb, retrying HTTP, v7 quote batches, chart fallback."""

from producer.yahoo.client import FetchResult, YahooClient
from producer.yahoo.parse import YahooQuote
from producer.yahoo.session import CrumbCache, new_session
from producer.yahoo.transport import FetchStats, YahooHttp

__all__ = [
    "CrumbCache",
    "FetchResult",
    "FetchStats",
    "YahooClient",
    "YahooHttp",
    "YahooQuote",
    "new_session",
]
