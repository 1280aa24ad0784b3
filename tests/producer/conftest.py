"""Shared fixtures: the local Yahoo market, fast settings, a fake Firehose, recorded payloads.

``yahoo_variants`` serves the market over HTTP and HTTPS (a throwaway certificate the
client trusts by CA file) and pairs it with each transport, so a test that takes it
runs four times: aiohttp and curl_cffi, each over both schemes.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from infra.local.yahoo import MarketServer, SimulatedMarket
from infra.local.yahoo.tls import TlsFiles, self_signed
from producer import backfill_handler, handler
from producer.settings import ProducerSettings
from producer.yahoo.backends import TransportMemory, open_backend
from producer.yahoo.client import FetchResult, YahooClient
from producer.yahoo.session import CrumbCache
from producer.yahoo.transport import FetchStats, YahooHttp

VARIANTS = [
    pytest.param((transport, scheme), id=f"{transport}-{scheme}")
    for transport in ("aiohttp", "curl_cffi")
    for scheme in ("http", "https")
]


class ServedMarket(MarketServer):
    """The market as one client variant reaches it: which transport, HTTP or HTTPS."""

    def __init__(self, market: SimulatedMarket, transport: str, tls: TlsFiles | None) -> None:
        super().__init__(market, tls=tls)
        self.transport = transport


@pytest.fixture
def market() -> SimulatedMarket:
    """A fresh simulated market with default instruments (and synthetic SYMnnnnn ones)."""
    return SimulatedMarket()


@pytest.fixture
def yahoo(market: SimulatedMarket) -> Iterator[MarketServer]:
    """The market served over HTTP on 127.0.0.1."""
    with MarketServer(market) as server:
        yield server


@pytest.fixture(scope="session")
def market_tls(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    """One throwaway certificate for every HTTPS market of the session."""
    return self_signed(Path(tmp_path_factory.mktemp("tls")))


@pytest.fixture(params=VARIANTS)
def yahoo_variants(
    request: pytest.FixtureRequest, market: SimulatedMarket, market_tls: TlsFiles
) -> Iterator[ServedMarket]:
    """The market served once per transport and scheme (see the module docstring)."""
    transport, scheme = request.param
    with ServedMarket(market, transport, market_tls if scheme == "https" else None) as server:
        yield server


def fast_settings(target: str | MarketServer, **overrides: Any) -> ProducerSettings:
    """Settings pointing at the local market, with tiny backoffs so tests run fast.

    Given the server rather than its URL, they also take its transport and trust its
    certificate.
    """
    url = target if isinstance(target, str) else target.url
    values: dict[str, Any] = {
        "yahoo_base_url": url,
        "yahoo_cookie_url": url,
        "backoff_base_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        "timeout_seconds": 5.0,
        "delivery_stream_name": "quotes",
        "tick_interval_seconds": 0.0,
    }
    if isinstance(target, ServedMarket):
        values["yahoo_transport"] = target.transport
    if isinstance(target, MarketServer) and target.tls is not None:
        values["yahoo_ca_bundle"] = str(target.tls.cert)
    values.update(overrides)
    return ProducerSettings.from_env({}, **values)


@dataclass
class Fetched:
    """One client fetch and what it cost."""

    result: FetchResult
    stats: FetchStats
    cache: CrumbCache


def fetch(
    settings: ProducerSettings,
    symbols: Sequence[str],
    cache: CrumbCache | None = None,
    memory: TransportMemory | None = None,
) -> Fetched:
    """Run one ``YahooClient.fetch`` on a fresh backend and event loop (one tick)."""
    crumbs = cache if cache is not None else CrumbCache()
    stats = FetchStats()

    async def go() -> FetchResult:
        async with open_backend(settings, memory) as backend:
            deadline = time.monotonic() + settings.tick_budget_seconds
            http = YahooHttp(backend, settings, deadline=deadline, stats=stats)
            return await YahooClient(http, crumbs).fetch(list(symbols))

    return Fetched(asyncio.run(go()), stats, crumbs)


@pytest.fixture
def moto_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """moto in server mode on 127.0.0.1, from an empty account, as the handlers' endpoint."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # moto's backends are process-wide: start every test from an empty account
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
    for name, value in {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    _forget_clients()
    yield endpoint
    _forget_clients()
    server.stop()


def _forget_clients() -> None:
    """Both handlers build clients and state once per container: start each test cold."""
    for module in (handler, backfill_handler):
        module._clients.cache_clear()
        module._state.cache_clear()
