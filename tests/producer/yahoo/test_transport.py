"""YAHOO_TRANSPORT: aiohttp, curl_cffi impersonating Chrome, and auto switching between them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.yahoo import MarketServer, SimulatedMarket
from producer.errors import SettingsError
from producer.settings import ProducerSettings
from producer.yahoo.backends import TransportMemory
from tests.producer.conftest import fast_settings, fetch

SYMBOLS = ["AAPL", "MSFT", "VOD.L"]


@pytest.fixture
def picky() -> Iterator[MarketServer]:
    """A market that, like Yahoo in 2025, answers 429 to clients that are not a browser."""
    with MarketServer(SimulatedMarket(require_browser_fingerprint=True)) as server:
        yield server


def test_auto_switches_to_curl_cffi_when_the_handshake_is_rate_limited(
    picky: MarketServer,
) -> None:
    # GIVEN a fresh container in auto mode and Yahoo refusing aiohttp
    memory = TransportMemory()
    # WHEN a tick fetches
    got = fetch(fast_settings(picky.url, yahoo_transport="auto"), SYMBOLS, memory=memory)
    # THEN the handshake switched to curl_cffi at once, and every quote arrived
    assert sorted(got.result.quotes) == sorted(SYMBOLS)
    assert got.stats.transport_switches == 1
    assert memory.escalated
    quote_agents = {r.user_agent for r in picky.market.requests("quote")}
    assert all("Chrome/" in agent for agent in quote_agents)


def test_auto_switches_for_the_next_tick_when_every_quote_request_is_rate_limited(
    picky: MarketServer,
) -> None:
    # GIVEN a warm container holding a crumb from before Yahoo started refusing aiohttp
    picky.market.require_browser_fingerprint = False
    memory = TransportMemory()
    settings = fast_settings(picky.url, yahoo_transport="auto", max_attempts=2)
    warm = fetch(settings, SYMBOLS, memory=memory)
    picky.market.require_browser_fingerprint = True
    # WHEN a tick meets 429 on every quote request
    refused = fetch(settings, SYMBOLS, cache=warm.cache, memory=memory)
    # THEN that tick reports every symbol missing, and the next one uses curl_cffi
    assert refused.result.missing(SYMBOLS) == SYMBOLS
    assert memory.escalated
    again = fetch(settings, SYMBOLS, cache=warm.cache, memory=memory)
    assert sorted(again.result.quotes) == sorted(SYMBOLS)
    assert "Chrome/" in picky.market.requests("quote")[-1].user_agent


def test_a_fixed_transport_never_switches(picky: MarketServer) -> None:
    memory = TransportMemory()
    settings = fast_settings(picky.url, yahoo_transport="aiohttp", max_attempts=2)
    got = fetch(settings, ["AAPL"], memory=memory)
    assert got.result.missing(["AAPL"]) == ["AAPL"]
    assert not memory.escalated
    assert got.stats.transport_switches == 0


def test_impersonation_keeps_the_browsers_user_agent(yahoo: MarketServer) -> None:
    # GIVEN a User-Agent setting that differs from the impersonated browser's
    ours = "Mozilla/5.0 (quotepipe test)"
    settings = fast_settings(yahoo, yahoo_user_agent=ours)
    # WHEN the client fetches
    fetch(settings, ["AAPL"])
    # THEN aiohttp sends ours and curl_cffi sends Chrome's own
    agents = {r.user_agent for r in yahoo.market.requests()}
    if settings.yahoo_transport == "curl_cffi":
        assert ours not in agents and all("Chrome/" in agent for agent in agents)
    else:
        assert agents == {ours}


def test_unknown_transport_is_refused_before_any_io() -> None:
    with pytest.raises(SettingsError, match="YAHOO_TRANSPORT"):
        ProducerSettings.from_env({"YAHOO_TRANSPORT": "requests"})
