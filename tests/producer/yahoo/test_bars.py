"""YahooClient.bars against the simulated market: splitting, 422s, nulls, consistency."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import UTC, datetime, timedelta

import pytest

from infra.local.yahoo import MarketServer, SimulatedMarket, server_error
from producer.errors import RangeRefusedError
from producer.settings import ProducerSettings
from producer.yahoo import Bars, CrumbCache, YahooClient, YahooHttp, open_backend
from producer.yahoo.bar_ranges import bar_requests
from tests.infra.local.yahoo.test_market import FakeClock
from tests.producer.conftest import fast_settings, fetch

START = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # a Tuesday, New York in session


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START.timestamp())


@pytest.fixture
def market(clock: FakeClock) -> SimulatedMarket:
    """Overrides the shared market: a set clock, one trade a minute so weeks stay cheap."""
    return SimulatedMarket(seed=13, clock=clock, trade_interval=60)


def get_bars(
    settings: ProducerSettings, symbol: str, start: datetime, end: datetime
) -> Bars | None:
    """One ``YahooClient.bars`` call on a fresh backend and event loop."""

    async def go() -> Bars | None:
        async with open_backend(settings) as backend:
            deadline = time.monotonic() + settings.tick_budget_seconds
            http = YahooHttp(backend, settings, deadline=deadline)
            return await YahooClient(http, CrumbCache()).bars(symbol, start, end)

    return asyncio.run(go())


def test_nine_days_take_two_requests_and_come_back_as_one_series(
    yahoo: MarketServer, clock: FakeClock
) -> None:
    # GIVEN ten days of trading, one trade a minute
    clock.now += 10 * 86_400
    # WHEN the client asks for nine days
    bars = get_bars(fast_settings(yahoo), "SHOP.TO", START, START + timedelta(days=9))
    # THEN two chart requests were made and every minute of the nine days is there once
    assert bars is not None
    assert len(yahoo.market.requests("chart")) == 2
    minutes = [bar.minute_start for bar in bars.minutes]
    assert minutes == list(range(int(START.timestamp()), int(START.timestamp()) + 9 * 86_400, 60))
    assert all(bar.close is not None for bar in bars.minutes)
    assert (bars.symbol, bars.exchange, bars.currency, bars.name) == (
        "SHOP.TO",
        "TOR",
        "CAD",
        "Shopify Inc.",
    )


def test_a_range_older_than_thirty_days_is_refused_with_yahoos_words(
    yahoo: MarketServer, clock: FakeClock
) -> None:
    clock.now += 31 * 86_400
    with pytest.raises(RangeRefusedError, match="1m data not available") as refused:
        get_bars(fast_settings(yahoo), "AAPL", START, START + timedelta(hours=1))
    assert refused.value.status == 422
    assert refused.value.kind == "range_refused"
    assert len(yahoo.market.requests("chart")) == 1  # a 422 is final, not retried


def test_unknown_symbol_has_no_bars(yahoo: MarketServer, clock: FakeClock) -> None:
    clock.now += 600
    assert get_bars(fast_settings(yahoo), "ZZZZ", START, START + timedelta(minutes=5)) is None


def test_halted_minutes_come_back_as_nulls(
    yahoo: MarketServer, market: SimulatedMarket, clock: FakeClock
) -> None:
    # GIVEN AAPL halted from 15:01:01 to 15:04:01 (one trade a minute, on the minute)
    clock.now += 61
    market.halt("AAPL")
    clock.now += 180
    market.resume("AAPL")
    clock.now += 120
    # WHEN the client asks for 15:00 to 15:06
    bars = get_bars(fast_settings(yahoo), "AAPL", START, START + timedelta(minutes=6))
    # THEN the halted minutes are there, every value None; the others priced
    assert bars is not None
    closes = {bar.minute_start - int(START.timestamp()): bar.close for bar in bars.minutes}
    assert [offset for offset, close in closes.items() if close is None] == [120, 180, 240]
    quiet = bars.minutes[2]
    assert (quiet.open, quiet.high, quiet.low, quiet.close, quiet.volume) == (None,) * 5
    assert len(closes) == 6  # 15:00 … 15:05; the quiet minutes are not dropped


def test_the_close_of_a_minute_is_the_price_a_quote_in_it_returned(
    yahoo: MarketServer, clock: FakeClock
) -> None:
    # GIVEN one quote a minute through the producer's own client for five minutes
    settings = fast_settings(yahoo)
    quoted = []
    for _ in range(5):
        clock.now += 60
        quoted.append(fetch(settings, ["VOD.L"]).result.quotes["VOD.L"])
    # WHEN the bars of those minutes are fetched
    bars = get_bars(settings, "VOD.L", START, START + timedelta(minutes=6))
    # THEN each quoted minute's bar closes at the quoted price (pence, as served)
    assert bars is not None
    by_minute = {bar.minute_start: bar for bar in bars.minutes}
    for quote in quoted:
        assert by_minute[quote.trade_time // 60 * 60].close == quote.price
    assert bars.currency == "GBp"


def test_requests_cover_the_range_in_whole_minutes_and_at_most_the_span() -> None:
    start = datetime(2026, 11, 1, 9, 30, 20, tzinfo=UTC)
    end = start + timedelta(days=15)
    requests = bar_requests(start, end, timedelta(days=7))
    assert requests[0][0] == int(datetime(2026, 11, 1, 9, 30, tzinfo=UTC).timestamp())
    assert requests[-1][1] == int(datetime(2026, 11, 16, 9, 31, tzinfo=UTC).timestamp())
    assert all(p2 - p1 <= 7 * 86_400 for p1, p2 in requests)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(requests))
    assert len(requests) == 3
    with pytest.raises(ValueError, match="aware"):
        bar_requests(start.replace(tzinfo=None), end, timedelta(days=7))


def test_a_failed_bar_request_is_retried_like_any_call(
    yahoo: MarketServer, market: SimulatedMarket, clock: FakeClock
) -> None:
    clock.now += 600
    market.inject(server_error(), on="chart", times=1)
    bars = get_bars(fast_settings(yahoo), "MSFT", START, START + timedelta(minutes=5))
    assert bars is not None and len(bars.minutes) == 5
    assert [r.status for r in market.requests("chart")] == [503, 200]
