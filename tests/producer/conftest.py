"""Shared fixtures: the local Yahoo market, fast settings, a fake Firehose, recorded payloads."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

from infra.local.yahoo import MarketServer, SimulatedMarket
from producer.settings import ProducerSettings
from producer.yahoo.client import FetchResult, YahooClient
from producer.yahoo.session import CrumbCache, new_session
from producer.yahoo.transport import FetchStats, YahooHttp


@pytest.fixture
def market() -> SimulatedMarket:
    """A fresh simulated market with default instruments (and synthetic SYMnnnnn ones)."""
    return SimulatedMarket()


@pytest.fixture
def yahoo(market: SimulatedMarket) -> Iterator[MarketServer]:
    """The market served over HTTP on 127.0.0.1."""
    with MarketServer(market) as server:
        yield server


def fast_settings(url: str, **overrides: Any) -> ProducerSettings:
    """Settings pointing at the local market, with tiny backoffs so tests run fast."""
    values: dict[str, Any] = {
        "yahoo_base_url": url,
        "yahoo_cookie_url": url,
        "backoff_base_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        "timeout_seconds": 5.0,
        "delivery_stream_name": "quotes",
        "tick_interval_seconds": 0.0,
    }
    values.update(overrides)
    return ProducerSettings.from_env({}, **values)


@dataclass
class Fetched:
    """One client fetch and what it cost."""

    result: FetchResult
    stats: FetchStats
    cache: CrumbCache


def fetch(
    settings: ProducerSettings, symbols: Sequence[str], cache: CrumbCache | None = None
) -> Fetched:
    """Run one ``YahooClient.fetch`` on a fresh session and event loop."""
    crumbs = cache if cache is not None else CrumbCache()
    stats = FetchStats()

    async def go() -> FetchResult:
        async with new_session(settings) as session:
            deadline = time.monotonic() + settings.tick_budget_seconds
            http = YahooHttp(session, settings, deadline=deadline, stats=stats)
            return await YahooClient(http, crumbs).fetch(list(symbols))

    return Fetched(asyncio.run(go()), stats, crumbs)
