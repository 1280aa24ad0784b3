"""The simulated Yahoo market over real HTTP on 127.0.0.1: endpoints, walk, records."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

import aiohttp
import orjson
import pytest

from infra.local.yahoo import (
    DEMO_SYMBOLS,
    UNKNOWN_SYMBOL,
    MarketServer,
    SimulatedMarket,
    create_app,
    synthetic_symbols,
)

BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"


@dataclasses.dataclass(frozen=True)
class Reply:
    """What a test needs from one HTTP answer."""

    status: int
    headers: Mapping[str, str]
    set_cookies: tuple[str, ...]
    text: str

    def json(self) -> Any:
        """The body as JSON."""
        return orjson.loads(self.text)


class Browser:
    """A blocking facade over one aiohttp session (cookie jar that accepts IP hosts)."""

    def __init__(
        self,
        url: str,
        user_agent: str | None = BROWSER_UA,
        *,
        unsafe: bool = True,
        quote_cookie: bool = True,
    ) -> None:
        self.url = url
        self._loop = asyncio.new_event_loop()
        headers = {"User-Agent": user_agent} if user_agent else {}
        self._session = self._loop.run_until_complete(self._open(headers, unsafe, quote_cookie))

    @staticmethod
    async def _open(
        headers: dict[str, str], unsafe: bool, quote_cookie: bool
    ) -> aiohttp.ClientSession:
        jar = aiohttp.CookieJar(unsafe=unsafe, quote_cookie=quote_cookie)
        return aiohttp.ClientSession(cookie_jar=jar, headers=headers)

    def get(self, path: str, timeout: float | None = None, **params: str) -> Reply:
        """GET ``path`` with query ``params``."""
        return self._loop.run_until_complete(self._get(path, timeout, params))

    async def _get(self, path: str, timeout: float | None, params: dict[str, str]) -> Reply:
        limit = aiohttp.ClientTimeout(total=timeout)
        async with self._session.get(self.url + path, params=params, timeout=limit) as resp:
            cookies = tuple(resp.headers.getall("Set-Cookie", ()))
            return Reply(resp.status, dict(resp.headers), cookies, await resp.text())

    def login(self) -> str:
        """Cookie then crumb, as the producer does."""
        self.get("/")
        return self.get("/v1/test/getcrumb").text

    def quote(self, symbols: tuple[str, ...] | list[str], crumb: str) -> Reply:
        """One v7 request."""
        return self.get("/v7/finance/quote", symbols=",".join(symbols), crumb=crumb)

    def close(self) -> None:
        """Close session and loop."""
        self._loop.run_until_complete(self._session.close())
        self._loop.close()


class FakeClock:
    """A wall clock the test moves by hand, so walks advance without sleeping."""

    def __init__(self, start: float = 1_795_700_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def market(clock: FakeClock) -> SimulatedMarket:
    return SimulatedMarket(seed=7, clock=clock)


@pytest.fixture
def server(market: SimulatedMarket) -> Iterator[MarketServer]:
    with MarketServer(market) as running:
        yield running


@pytest.fixture
def browser(server: MarketServer) -> Iterator[Browser]:
    client = Browser(server.url)
    yield client
    client.close()


def results(reply: Reply) -> list[dict[str, Any]]:
    """The v7 result list."""
    assert reply.status == 200, reply.text
    found: list[dict[str, Any]] = reply.json()["quoteResponse"]["result"]
    return found


# --- cookie, crumb, auth ---------------------------------------------------------


def test_cookie_endpoint_answers_404_and_sets_a3_without_domain(browser: Browser) -> None:
    reply = browser.get("/")
    assert reply.status == 404
    assert "<html>" in reply.text
    (cookie,) = reply.set_cookies
    assert cookie.startswith("A3=d=")
    assert "domain" not in cookie.lower()
    assert "Max-Age=" in cookie


def test_crumb_needs_the_cookie(browser: Browser) -> None:
    refused = browser.get("/v1/test/getcrumb")
    assert refused.status == 401
    assert refused.json()["finance"]["error"]["description"] == "Invalid Cookie"
    browser.get("/")
    crumb = browser.get("/v1/test/getcrumb")
    assert crumb.status == 200
    assert crumb.headers["Content-Type"].startswith("text/plain")
    assert len(crumb.text) == 11


def test_same_cookie_gets_the_same_crumb(browser: Browser) -> None:
    crumb = browser.login()
    assert browser.get("/v1/test/getcrumb").text == crumb


@pytest.mark.parametrize("quote_cookie", [True, False])
def test_cookie_works_quoted_or_verbatim(server: MarketServer, quote_cookie: bool) -> None:
    client = Browser(server.url, unsafe=True, quote_cookie=quote_cookie)
    try:
        assert client.quote(["AAPL"], client.login()).status == 200
    finally:
        client.close()


def test_default_cookie_jar_works_through_localhost_url(server: MarketServer) -> None:
    client = Browser(server.localhost_url, unsafe=False)
    try:
        assert client.quote(["AAPL"], client.login()).status == 200
    finally:
        client.close()


def test_bad_crumb_is_401_with_yahoos_body(browser: Browser) -> None:
    browser.login()
    reply = browser.quote(["AAPL"], crumb="not-a-crumb")
    assert reply.status == 401
    assert reply.json() == {
        "finance": {
            "result": None,
            "error": {"code": "Unauthorized", "description": "Invalid Crumb"},
        }
    }


def test_quote_without_cookie_is_invalid_cookie(browser: Browser) -> None:
    reply = browser.quote(["AAPL"], crumb="whatever")
    assert reply.status == 401
    assert reply.json()["finance"]["error"]["description"] == "Invalid Cookie"


def test_non_browser_user_agent_gets_429_text(server: MarketServer) -> None:
    client = Browser(server.url, user_agent="python-requests/2.32.3")
    try:
        reply = client.get("/")
    finally:
        client.close()
    assert reply.status == 429
    assert reply.text.strip() == "Too Many Requests"


def test_user_agent_check_can_be_switched_off(clock: FakeClock) -> None:
    market = SimulatedMarket(clock=clock, require_browser_ua=False)
    with MarketServer(market) as server:
        client = Browser(server.url, user_agent="python-requests/2.32.3")
        try:
            assert client.get("/").status == 404
        finally:
            client.close()


# --- v7 quote ----------------------------------------------------------------------


def test_demo_symbols_are_served_in_order_and_unknown_is_omitted(browser: Browser) -> None:
    found = results(browser.quote(DEMO_SYMBOLS, browser.login()))
    served = [s for s in DEMO_SYMBOLS if s != UNKNOWN_SYMBOL]
    assert [q["symbol"] for q in found] == served
    assert UNKNOWN_SYMBOL in DEMO_SYMBOLS


def test_quote_fields_look_like_yahoo(browser: Browser) -> None:
    (aapl,) = results(browser.quote(["aapl"], browser.login()))
    assert aapl["symbol"] == "AAPL"
    assert aapl["quoteType"] == "EQUITY"
    assert (aapl["exchange"], aapl["fullExchangeName"], aapl["currency"]) == (
        "NMS",
        "NasdaqGS",
        "USD",
    )
    assert aapl["longName"] == "Apple Inc."
    assert isinstance(aapl["regularMarketTime"], int)
    assert isinstance(aapl["regularMarketPrice"], float)
    assert aapl["exchangeTimezoneName"] == "America/New_York"
    for key in ("regularMarketChangePercent", "regularMarketVolume", "marketState", "language"):
        assert key in aapl


def test_listings_carry_their_quirks(browser: Browser) -> None:
    symbols = ["TMUS", "SHOP.TO", "VOD.L", "NPN.JO"]
    by_symbol = {q["symbol"]: q for q in results(browser.quote(symbols, browser.login()))}
    assert by_symbol["TMUS"]["longName"] == "T-Mobile US, Inc."
    assert (by_symbol["SHOP.TO"]["currency"], by_symbol["SHOP.TO"]["exchange"]) == ("CAD", "TOR")
    assert by_symbol["VOD.L"]["currency"] == "GBp"
    assert 50 < by_symbol["VOD.L"]["regularMarketPrice"] < 100  # pence
    assert by_symbol["NPN.JO"]["currency"] == "ZAc"


def test_any_well_formed_symbol_is_served_on_the_venue_its_suffix_names(browser: Browser) -> None:
    # GIVEN symbols no table lists, one per suffix, plus the unknown ones
    asked = ["NVDA", "SAP.DE", "7203.T", "BARC.L", "ENB.TO", "ZZZZ", "ZZZ.TO", "ABC.XX"]
    by_symbol = {q["symbol"]: q for q in results(browser.quote(asked, browser.login()))}
    # THEN each known suffix gets its exchange code and currency; the all-Z ones stay unknown
    assert {s: (q["exchange"], q["currency"]) for s, q in by_symbol.items()} == {
        "NVDA": ("NMS", "USD"),
        "SAP.DE": ("GER", "EUR"),
        "7203.T": ("JPX", "JPY"),
        "BARC.L": ("LSE", "GBp"),
        "ENB.TO": ("TOR", "CAD"),
    }
    # AND the FX pairs those currencies need are served too
    pairs = results(browser.quote(["EUR=X", "JPY=X", "GBP=X", "CAD=X"], browser.login()))
    assert len(pairs) == 4
    # AND the same symbol is the same instrument on another market with the same seed
    again = results(browser.quote(["NVDA"], browser.login()))[0]
    assert again["longName"] == by_symbol["NVDA"]["longName"]


def test_fx_pair_is_a_currency_quote(browser: Browser) -> None:
    (cad,) = results(browser.quote(["CAD=X"], browser.login()))
    assert cad["quoteType"] == "CURRENCY"
    assert (cad["currency"], cad["exchange"], cad["shortName"]) == ("CAD", "CCY", "USD/CAD")
    assert "longName" not in cad
    assert 1.3 < cad["regularMarketPrice"] < 1.5


def test_synthetic_symbols_are_served_on_demand(browser: Browser) -> None:
    symbols = synthetic_symbols(100)
    found = results(browser.quote(symbols, browser.login()))
    assert [q["symbol"] for q in found] == list(symbols)
    assert all(q["regularMarketPrice"] > 0 for q in found)


def test_synthetic_symbols_can_be_disabled(clock: FakeClock) -> None:
    market = SimulatedMarket(clock=clock, synthetic=False)
    assert market.quotes(["SYM00001", "AAPL"])[0]["symbol"] == "AAPL"
    assert len(market.quotes(["SYM00001"])) == 0


# --- v8 chart ----------------------------------------------------------------------


def test_chart_needs_no_crumb_and_has_meta_and_bars(browser: Browser, clock: FakeClock) -> None:
    clock.now += 5
    reply = browser.get("/v8/finance/chart/VOD.L", range="1d", interval="1m")
    assert reply.status == 200
    (result,) = reply.json()["chart"]["result"]
    meta = result["meta"]
    assert (meta["symbol"], meta["currency"], meta["exchangeName"]) == ("VOD.L", "GBp", "LSE")
    assert meta["longName"] == "Vodafone Group Public Limited Company"
    closes = result["indicators"]["quote"][0]["close"]
    assert len(result["timestamp"]) == len(closes) == 6
    assert (result["timestamp"][-1], closes[-1]) == (
        meta["regularMarketTime"],
        meta["regularMarketPrice"],
    )


def test_chart_of_unknown_symbol_is_404_with_chart_error(browser: Browser) -> None:
    reply = browser.get(f"/v8/finance/chart/{UNKNOWN_SYMBOL}")
    assert reply.status == 404
    assert reply.json() == {
        "chart": {
            "result": None,
            "error": {"code": "Not Found", "description": "No data found, symbol may be delisted"},
        }
    }


# --- the walk: clock-driven and deterministic --------------------------------------


def test_trades_advance_with_the_clock(browser: Browser, clock: FakeClock) -> None:
    crumb = browser.login()
    (first,) = results(browser.quote(["MSFT"], crumb))
    clock.now += 3
    (later,) = results(browser.quote(["MSFT"], crumb))
    assert later["regularMarketTime"] == first["regularMarketTime"] + 3
    assert later["regularMarketVolume"] > first["regularMarketVolume"]


def test_walk_is_deterministic_and_independent_of_polling() -> None:
    clock_a, clock_b = FakeClock(), FakeClock()
    polled, unpolled = (
        SimulatedMarket(seed=3, clock=clock_a),
        SimulatedMarket(seed=3, clock=clock_b),
    )
    for _ in range(50):
        clock_a.now += 1
        polled.quotes(["AAPL", "CAD=X"])
    clock_b.now += 50
    assert unpolled.quotes(["CAD=X", "AAPL"])[::-1] == polled.quotes(["AAPL", "CAD=X"])


def test_different_seeds_walk_differently() -> None:
    clock = FakeClock()
    one, other = SimulatedMarket(seed=1, clock=clock), SimulatedMarket(seed=2, clock=clock)
    clock.now += 100
    assert (
        one.quotes(["AAPL"])[0]["regularMarketPrice"]
        != (other.quotes(["AAPL"])[0]["regularMarketPrice"])
    )


def test_halted_symbol_keeps_its_trade_time(
    browser: Browser, market: SimulatedMarket, clock: FakeClock
) -> None:
    crumb = browser.login()
    before = results(browser.quote(["AAPL", "MSFT"], crumb))
    market.halt("AAPL")
    clock.now += 4
    halted, moving = results(browser.quote(["AAPL", "MSFT"], crumb))
    assert halted == before[0]
    assert moving["regularMarketTime"] == before[1]["regularMarketTime"] + 4
    market.resume("AAPL")
    (resumed,) = results(browser.quote(["AAPL"], crumb))
    assert resumed["regularMarketTime"] == before[0]["regularMarketTime"] + 4


def test_sub_second_trade_interval_is_refused() -> None:
    with pytest.raises(ValueError, match="trade_interval"):
        SimulatedMarket(trade_interval=0.5)


# --- records -----------------------------------------------------------------------


def test_served_prices_are_recorded_by_trade_time(
    browser: Browser, market: SimulatedMarket, clock: FakeClock
) -> None:
    crumb = browser.login()
    first = {q["symbol"]: q for q in results(browser.quote(["VOD.L", "CAD=X"], crumb))}
    clock.now += 2
    second = {q["symbol"]: q for q in results(browser.quote(["VOD.L", "CAD=X"], crumb))}
    for quote in (first["VOD.L"], second["VOD.L"]):
        price = market.served_price("VOD.L", quote["regularMarketTime"])
        assert price == quote["regularMarketPrice"]
    assert market.served_fx("CAD=X") == [
        (q["regularMarketTime"], q["regularMarketPrice"]) for q in (first["CAD=X"], second["CAD=X"])
    ]
    assert market.served_price(UNKNOWN_SYMBOL, first["VOD.L"]["regularMarketTime"]) is None


def test_chart_answers_are_recorded_too(browser: Browser, market: SimulatedMarket) -> None:
    meta = browser.get("/v8/finance/chart/AAPL").json()["chart"]["result"][0]["meta"]
    assert market.served("AAPL") == [(meta["regularMarketTime"], meta["regularMarketPrice"])]


def test_request_log_has_kind_path_status_and_symbols(
    browser: Browser, market: SimulatedMarket
) -> None:
    crumb = browser.login()
    browser.quote(["AAPL", "ZZZZ"], crumb)
    browser.get("/v8/finance/chart/ZZZZ")
    browser.get("/nowhere")
    log = market.requests()
    assert [(r.kind, r.status) for r in log] == [
        ("cookie", 404),
        ("crumb", 200),
        ("quote", 200),
        ("chart", 404),
        ("other", 404),
    ]
    assert market.requests("quote")[0].symbols == ("AAPL", "ZZZZ")
    assert log[3].path == "/v8/finance/chart/ZZZZ"


# --- running it --------------------------------------------------------------------


def test_server_binds_an_ephemeral_port_and_stops(market: SimulatedMarket) -> None:
    with MarketServer(market) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert server.port > 0
        client = Browser(server.url)
        try:
            assert client.get("/").status == 404
        finally:
            client.close()
    stopped = Browser(server.url)
    try:
        with pytest.raises(aiohttp.ClientConnectionError):
            stopped.get("/")
    finally:
        stopped.close()


def test_create_app_runs_under_aiohttps_test_server(market: SimulatedMarket) -> None:
    async def scenario() -> int:
        from aiohttp.test_utils import TestClient, TestServer

        async with TestClient(TestServer(create_app(market))) as client:
            resp = await client.get("/v8/finance/chart/AAPL", headers={"User-Agent": BROWSER_UA})
            return resp.status

    assert asyncio.run(scenario()) == 200
