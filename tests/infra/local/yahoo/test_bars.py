"""One-minute bars on /v8/finance/chart: consistent with the quotes served, Yahoo's limits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.yahoo import MarketServer, SimulatedMarket
from tests.infra.local.yahoo.test_market import Browser, FakeClock
from tests.infra.local.yahoo.test_sessions import at, iso

START = at("2026-11-24T15:00:00")  # a Tuesday, New York in session
DAY = 86_400


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def market(clock: FakeClock) -> SimulatedMarket:
    return SimulatedMarket(seed=11, clock=clock)


@pytest.fixture
def slow_browser(clock: FakeClock) -> Iterator[Browser]:
    """A market trading once a minute, so the clock can jump weeks without a million trades."""
    with MarketServer(SimulatedMarket(seed=11, clock=clock, trade_interval=60)) as server:
        client = Browser(server.url)
        yield client
        client.close()


@pytest.fixture
def browser(market: SimulatedMarket) -> Iterator[Browser]:
    with MarketServer(market) as server:
        client = Browser(server.url)
        yield client
        client.close()


def bars(browser: Browser, symbol: str, period1: float, period2: float) -> dict[str, Any]:
    """The single chart result of a 1m request (asserting a 200)."""
    reply = browser.get(
        f"/v8/finance/chart/{symbol}",
        interval="1m",
        period1=str(int(period1)),
        period2=str(int(period2)),
    )
    assert reply.status == 200, reply.text
    (result,) = reply.json()["chart"]["result"]
    found: dict[str, Any] = result
    return found


def columns(result: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Bars keyed by minute start."""
    quote = result["indicators"]["quote"][0]
    names = ("open", "high", "low", "close", "volume")
    return {t: {n: quote[n][i] for n in names} for i, t in enumerate(result["timestamp"])}


def test_bar_closes_at_the_price_a_quote_served_for_the_minutes_last_trade(
    browser: Browser, market: SimulatedMarket, clock: FakeClock
) -> None:
    # GIVEN quotes served at :00, :17 and :59 of three minutes (one trade per second)
    crumb = browser.login()
    served: dict[int, dict[str, Any]] = {}
    for minute in range(3):
        for second in (0, 17, 59):
            clock.now = START + 60 * minute + second
            (found,) = browser.quote(["VOD.L"], crumb).json()["quoteResponse"]["result"]
            served[60 * minute + second] = found
    # WHEN the chart is asked for those minutes
    by_minute = columns(bars(browser, "VOD.L", START, START + 180))
    # THEN each bar opens at the :00 quote, closes at the :59 quote, spans every served price
    assert sorted(by_minute) == [int(START) + 60 * m for m in range(3)]
    for minute in range(3):
        bar = by_minute[int(START) + 60 * minute]
        first, middle, last = (served[60 * minute + s] for s in (0, 17, 59))
        assert bar["close"] == last["regularMarketPrice"]
        assert bar["low"] <= middle["regularMarketPrice"] <= bar["high"]
        assert market.served_price("VOD.L", last["regularMarketTime"]) == bar["close"]
        if minute:  # the first minute holds the walk's opening trade, from before the polls
            assert bar["open"] == first["regularMarketPrice"]
            before = served[60 * minute - 1]["regularMarketVolume"]
            assert bar["volume"] == last["regularMarketVolume"] - before


def test_halted_minutes_are_null_and_the_meta_is_the_newest_trade(
    browser: Browser, market: SimulatedMarket, clock: FakeClock
) -> None:
    # GIVEN AAPL halted from 15:01 to 15:03
    clock.now = START + 60
    market.halt("AAPL")
    clock.now = START + 180
    market.resume("AAPL")
    clock.now = START + 239
    # WHEN the chart is asked for 15:00 to 15:04
    result = bars(browser, "AAPL", START, START + 240)
    # THEN every minute is listed, the halted ones with nulls in every column
    by_minute = columns(result)
    assert [iso(t)[11:] for t in by_minute] == ["15:00:00", "15:01:00", "15:02:00", "15:03:00"]
    nulls = {"open": None, "high": None, "low": None, "close": None, "volume": None}
    assert by_minute[int(START) + 120] == nulls
    assert by_minute[int(START) + 60]["close"] is not None  # traded at 15:01:00, then halted
    assert result["meta"]["regularMarketTime"] == START + 239
    assert result["meta"]["regularMarketPrice"] == by_minute[int(START) + 180]["close"]
    assert (result["meta"]["exchangeName"], result["meta"]["dataGranularity"]) == ("NMS", "1m")


def test_minutes_outside_the_session_are_absent_and_quiet_ones_null() -> None:
    # GIVEN a market following sessions, one trade every 90 s, across the early close
    clock = FakeClock(at("2026-11-27T17:50:00"))
    market = SimulatedMarket(seed=11, clock=clock, sessions=True, trade_interval=90)
    clock.now = at("2026-11-27T18:30:00")
    with MarketServer(market) as server:
        browser = Browser(server.url)
        try:
            result = bars(browser, "MSFT", at("2026-11-27T17:50:00"), at("2026-11-27T18:30:00"))
            weekend = bars(browser, "MSFT", at("2026-11-28T12:00:00"), at("2026-11-28T13:00:00"))
        finally:
            browser.close()
    # THEN only 17:50..17:59 are listed (the session closed at 18:00 UTC)
    by_minute = columns(result)
    assert [iso(t)[11:16] for t in by_minute] == [f"17:{m}" for m in range(50, 60)]
    # AND a minute without a trade (90 s apart) is null, the others priced
    quiet = [iso(t)[11:16] for t, bar in by_minute.items() if bar["close"] is None]
    assert quiet == ["17:52", "17:55", "17:58"]  # trades at 17:50:00, 17:51:30, 17:53:00 …
    # AND the meta carries the last trade of the session
    assert iso(result["meta"]["regularMarketTime"]) == "2026-11-27T17:59:00"
    # AND a weekend range has no timestamps at all, as Yahoo answers
    assert "timestamp" not in weekend
    assert weekend["indicators"] == {"quote": [{}]}


def test_more_than_seven_days_is_422_with_yahoos_error(
    slow_browser: Browser, clock: FakeClock
) -> None:
    browser = slow_browser
    clock.now += 20 * DAY
    reply = browser.get(
        "/v8/finance/chart/AAPL",
        interval="1m",
        period1=str(int(START)),
        period2=str(int(START + 7 * DAY + 1)),
    )
    assert reply.status == 422
    assert reply.json() == {
        "chart": {
            "result": None,
            "error": {
                "code": "Unprocessable Entity",
                "description": "Only 7 days worth of 1m granularity data are allowed to be "
                "fetched per request.",
            },
        }
    }
    # exactly seven days is allowed: every minute of them, since this market never closes
    assert len(bars(browser, "AAPL", START, START + 7 * DAY)["timestamp"]) == 7 * 1440


def test_a_start_over_thirty_days_back_is_422(slow_browser: Browser, clock: FakeClock) -> None:
    browser = slow_browser
    clock.now += 31 * DAY
    period1, period2 = int(START), int(START + DAY)
    reply = browser.get(
        "/v8/finance/chart/AAPL", interval="1m", period1=str(period1), period2=str(period2)
    )
    assert reply.status == 422
    error = reply.json()["chart"]["error"]
    assert error["code"] == "Unprocessable Entity"
    assert error["description"].startswith(
        f"1m data not available for startTime={period1} and endTime={period2}."
    )
    # a start inside the window is served
    assert bars(browser, "AAPL", clock.now - 29 * DAY, clock.now - 28 * DAY)["timestamp"]


def test_reversed_or_unknown_is_refused(browser: Browser) -> None:
    reversed_range = browser.get(
        "/v8/finance/chart/AAPL", interval="1m", period1=str(int(START)), period2=str(int(START))
    )
    assert reversed_range.status == 400
    assert reversed_range.json()["chart"]["error"]["code"] == "Bad Request"
    unknown = browser.get(
        "/v8/finance/chart/ZZZZ",
        interval="1m",
        period1=str(int(START - 60)),
        period2=str(int(START)),
    )
    assert unknown.status == 404
    assert unknown.json()["chart"]["error"]["code"] == "Not Found"
