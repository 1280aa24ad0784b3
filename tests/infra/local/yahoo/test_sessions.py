"""The simulated market on a set clock: marketState and trading follow producer.sessions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from infra.local.yahoo import MarketServer, SimulatedMarket
from infra.local.yahoo.state import COOKIE_MAX_AGE
from producer.sessions import default_table
from tests.infra.local.yahoo.test_market import Browser, FakeClock


def at(text: str) -> float:
    """Epoch seconds of an ISO-8601 UTC moment."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def iso(epoch: int) -> str:
    """ISO-8601 UTC of epoch seconds, without the offset."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%S")


def market_at(moment: str, **options: object) -> tuple[SimulatedMarket, FakeClock]:
    """A market following the session table, created at ``moment``."""
    clock = FakeClock(at(moment))
    return SimulatedMarket(seed=5, clock=clock, sessions=True, **options), clock  # type: ignore[arg-type]


def state(market: SimulatedMarket, symbol: str) -> str:
    """marketState as the v7 quote carries it."""
    (found,) = market.quotes([symbol])
    value: str = found["marketState"]
    return value


def in_session(exchange: str, clock: FakeClock) -> bool:
    """What the producer's session logic says at the same moment."""
    return default_table().in_session(exchange, datetime.fromtimestamp(clock(), UTC))


def test_thanksgiving_us_closed_all_day_toronto_trades() -> None:
    # GIVEN the market on 2026-11-26 (US holiday) at 15:00 UTC, Toronto in session
    market, clock = market_at("2026-11-26T15:00:00")
    # THEN Nasdaq is CLOSED, Toronto REGULAR, and the producer's table agrees
    assert (state(market, "AAPL"), state(market, "SHOP.TO")) == ("CLOSED", "REGULAR")
    assert (in_session("NMS", clock), in_session("TOR", clock)) == (False, True)
    # AND AAPL's last trade is the last second of Wednesday's session
    (aapl,) = market.quotes(["AAPL"])
    assert iso(aapl["regularMarketTime"]) == "2026-11-25T20:59:59"
    # WHEN an hour passes
    (shop,) = market.quotes(["SHOP.TO"])
    clock.now += 3600
    # THEN AAPL's quote is the same, every field; SHOP.TO traded on
    assert market.quotes(["AAPL"]) == [aapl]
    assert market.quotes(["SHOP.TO"])[0]["regularMarketTime"] == shop["regularMarketTime"] + 3600


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-11-27T10:29:59", "CLOSED"),
        ("2026-11-27T10:30:00", "PRE"),
        ("2026-11-27T14:30:00", "REGULAR"),
        ("2026-11-27T17:59:59", "REGULAR"),
        ("2026-11-27T18:00:00", "POST"),  # early close at 13:00 ET
        ("2026-11-27T21:59:59", "POST"),
        ("2026-11-27T22:00:00", "CLOSED"),
        ("2026-11-28T12:00:00", "CLOSED"),  # Saturday
    ],
)
def test_early_close_day_states(moment: str, expected: str) -> None:
    market, clock = market_at(moment)
    assert state(market, "AAPL") == expected
    assert in_session("NMS", clock) is (expected == "REGULAR")


def test_after_the_early_close_the_quote_stays_at_the_last_trade() -> None:
    # GIVEN the market trading through the short session of 2026-11-27
    market, clock = market_at("2026-11-27T17:58:00")
    clock.now = at("2026-11-27T18:00:00")
    (closing,) = market.quotes(["MSFT"])
    # THEN the last trade is 17:59:59 and each minute after the close serves the same quote
    assert iso(closing["regularMarketTime"]) == "2026-11-27T17:59:59"
    for _ in range(10):
        clock.now += 60
        (again,) = market.quotes(["MSFT"])
        assert again == {**closing, "marketState": "POST"}


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-03-06T14:29:59", "PRE"),  # Friday: New York on EST, opens 14:30 UTC
        ("2026-03-06T14:30:00", "REGULAR"),
        ("2026-03-09T13:29:59", "PRE"),  # Monday after the change: EDT, opens 13:30 UTC
        ("2026-03-09T13:30:00", "REGULAR"),
        ("2026-03-09T19:59:59", "REGULAR"),
        ("2026-03-09T20:00:00", "POST"),
    ],
)
def test_dst_change_moves_the_us_session_in_utc(moment: str, expected: str) -> None:
    market, clock = market_at(moment)
    assert state(market, "AAPL") == expected
    assert in_session("NMS", clock) is (expected == "REGULAR")


def test_first_trade_after_the_dst_open_is_at_1330_utc() -> None:
    # GIVEN a market created before the open on 2026-03-09
    market, clock = market_at("2026-03-09T13:00:00")
    (before,) = market.quotes(["AAPL"])
    assert iso(before["regularMarketTime"]) == "2026-03-06T20:59:59"  # Friday's last second
    # WHEN the clock passes the open by five seconds
    clock.now = at("2026-03-09T13:30:05")
    # THEN six trades happened, from 13:30:00
    (after,) = market.quotes(["AAPL"])
    assert iso(after["regularMarketTime"]) == "2026-03-09T13:30:05"
    history = market.chart("AAPL")["chart"]["result"][0]["timestamp"]  # type: ignore[index]
    assert [iso(t)[11:] for t in history[-6:]] == [f"13:30:0{s}" for s in range(6)]
    assert iso(history[-7]) == "2026-03-06T20:59:59"


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        ("2026-03-09T07:59:59", "PRE"),
        ("2026-03-09T08:00:00", "REGULAR"),  # GMT: 08:00 local is 08:00 UTC
        ("2026-03-09T16:29:59", "REGULAR"),
        ("2026-03-09T16:30:00", "POST"),
        ("2026-06-15T06:59:59", "PRE"),  # BST: 08:00 local is 07:00 UTC
        ("2026-06-15T07:00:00", "REGULAR"),
        ("2026-06-15T15:30:00", "POST"),
    ],
)
def test_london_session_is_0800_to_1630_local(moment: str, expected: str) -> None:
    market, clock = market_at(moment)
    assert state(market, "VOD.L") == expected
    assert in_session("LSE", clock) is (expected == "REGULAR")


def test_exchanges_the_table_does_not_know_always_trade() -> None:
    # GIVEN a Saturday: every exchange in the table is closed
    market, clock = market_at("2026-11-28T12:00:00")
    first = {q["symbol"]: q for q in market.quotes(["SAP.DE", "7203.T", "CAD=X", "NVDA"])}
    clock.now += 30
    later = {q["symbol"]: q for q in market.quotes(["SAP.DE", "7203.T", "CAD=X", "NVDA"])}
    # THEN Xetra, Tokyo and FX are REGULAR and trade; Nasdaq is CLOSED and does not
    for symbol in ("SAP.DE", "7203.T", "CAD=X"):
        assert later[symbol]["marketState"] == "REGULAR"
        assert later[symbol]["regularMarketTime"] == first[symbol]["regularMarketTime"] + 30
        assert in_session(later[symbol]["exchange"], clock)
    assert later["NVDA"] == first["NVDA"]
    assert later["NVDA"]["marketState"] == "CLOSED"


def test_without_sessions_the_market_trades_at_any_hour() -> None:
    # GIVEN the default market (quotepipe run, tests on the real clock) on a Saturday
    clock = FakeClock(at("2026-11-28T12:00:00"))
    market = SimulatedMarket(clock=clock)
    (first,) = market.quotes(["AAPL"])
    clock.now += 5
    (later,) = market.quotes(["AAPL"])
    # THEN it trades and says REGULAR, as before sessions existed
    assert later["marketState"] == "REGULAR"
    assert later["regularMarketTime"] == first["regularMarketTime"] + 5


def test_cookies_expire_on_the_markets_clock() -> None:
    # GIVEN a browser holding a cookie and crumb
    clock = FakeClock()
    with MarketServer(SimulatedMarket(clock=clock)) as server:
        browser = Browser(server.url)
        try:
            crumb = browser.login()
            assert browser.quote(["AAPL"], crumb).status == 200
            # WHEN the clock passes the cookie's Max-Age
            clock.now += COOKIE_MAX_AGE
            reply = browser.quote(["AAPL"], crumb)
        finally:
            browser.close()
    # THEN the cookie is refused as Yahoo refuses an expired one
    assert reply.status == 401
    assert reply.json()["finance"]["error"]["description"] == "Invalid Cookie"
