"""FOLLOW_SESSIONS: a tick polls only symbols whose exchange is in session, plus one poll
after each close; with every exchange closed the invocation returns before any request."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

import pytest

from infra.local.yahoo import MarketServer
from producer.errors import SettingsError
from producer.invocation import InvocationSummary, ProducerState, run_invocation
from producer.settings import ProducerSettings
from tests.firehose.fakes import FakeFirehose
from tests.producer.conftest import fast_settings

LISTED = "AAPL,SHOP.TO,VOD.L"


def at(text: str) -> Callable[[], datetime]:
    moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return lambda: moment


def invoke(
    settings: ProducerSettings, state: ProducerState, clock: Callable[[], datetime]
) -> tuple[InvocationSummary, FakeFirehose]:
    firehose = FakeFirehose()
    summary = asyncio.run(
        run_invocation(settings, firehose=cast(Any, firehose), state=state, clock=clock)
    )
    return summary, firehose


def polled(yahoo: MarketServer) -> list[str]:
    """Every symbol the market was asked for, in order."""
    return [s for request in yahoo.market.requests() for s in request.symbols]


def test_the_setting_reads_booleans_and_names_a_bad_value() -> None:
    assert ProducerSettings.from_env({"FOLLOW_SESSIONS": "true"}).follow_sessions
    assert not ProducerSettings.from_env({"FOLLOW_SESSIONS": "0"}).follow_sessions
    assert not ProducerSettings.from_env({}).follow_sessions
    with pytest.raises(SettingsError, match="FOLLOW_SESSIONS"):
        ProducerSettings.from_env({"FOLLOW_SESSIONS": "sometimes"})


def test_a_tick_follows_each_exchange_through_its_day(yahoo: MarketServer) -> None:
    settings = fast_settings(yahoo.url, symbols=LISTED, follow_sessions=True)
    state = ProducerState()
    # GIVEN a cold container at 15:00 UTC on Friday 2026-11-20: exchanges not known yet
    first, _ = invoke(settings, state, at("2026-11-20T15:00"))
    assert first.ticks[0].quotes_fetched == 3  # every symbol polled once, exchanges learnt
    assert state.gate.exchange_of == {"AAPL": "NMS", "SHOP.TO": "TOR", "VOD.L": "LSE"}
    assert (first.ticks[0].session_symbols, first.ticks[0].session_quotes) == (3, 3)
    # WHEN London has closed (16:30): VOD.L gets its one poll after the close, then none
    after_close, _ = invoke(settings, state, at("2026-11-20T16:31"))
    assert after_close.ticks[0].symbols_closed == 0
    later, _ = invoke(settings, state, at("2026-11-20T16:32"))
    assert later.ticks[0].symbols_closed == 1
    assert later.ticks[0].session_symbols == 2
    # AND after New York and Toronto closed, one more poll each, then the producer idles
    invoke(settings, state, at("2026-11-20T21:01"))
    asked_before = len(yahoo.market.requests())
    night, firehose = invoke(settings, state, at("2026-11-20T21:02"))
    assert night.markets_closed and night.ticks == []
    assert len(yahoo.market.requests()) == asked_before  # not even a cookie or crumb
    assert firehose.accepted == []


def test_thanksgiving_keeps_new_york_quiet_and_toronto_polled(yahoo: MarketServer) -> None:
    settings = fast_settings(yahoo.url, symbols="AAPL,SHOP.TO", follow_sessions=True)
    state = ProducerState()
    state.gate.learn("AAPL", "NMS")
    state.gate.learn("SHOP.TO", "TOR")
    state.gate.due(["AAPL"], datetime(2026, 11, 25, 21, 5, tzinfo=UTC))  # Wednesday's last poll
    summary, _ = invoke(settings, state, at("2026-11-26T15:00"))
    assert summary.ticks[0].symbols_closed == 1
    assert polled(yahoo)[-1:] == ["SHOP.TO"]


def test_off_by_default_every_symbol_is_polled_at_any_hour(yahoo: MarketServer) -> None:
    settings = fast_settings(yahoo.url, symbols=LISTED)
    summary, _ = invoke(settings, ProducerState(), at("2026-11-21T03:00"))  # a Saturday night
    assert summary.ticks[0].quotes_fetched == 3
    assert summary.ticks[0].symbols_closed == 0
