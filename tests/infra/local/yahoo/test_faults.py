"""Fault injection of the simulated Yahoo market, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from types import MappingProxyType

import pytest

from infra.local.yahoo import (
    Delay,
    MarketServer,
    Patch,
    SimulatedMarket,
    drop_long_name,
    duplicate,
    empty_crumb,
    hang,
    html_200,
    invalid_crumb,
    omit,
    pad_names,
    rename,
    reorder,
    server_error,
    stub,
    too_many_requests,
    truncated,
)
from tests.infra.local.yahoo.test_market import Browser, FakeClock, results

HOSTILE = 'Evil, "Quoted" Co.\\ \nline two \r\n\ttab'


@pytest.fixture
def market() -> SimulatedMarket:
    return SimulatedMarket(seed=11, clock=FakeClock())


@pytest.fixture
def server(market: SimulatedMarket) -> Iterator[MarketServer]:
    with MarketServer(market) as running:
        yield running


@pytest.fixture
def browser(server: MarketServer) -> Iterator[Browser]:
    client = Browser(server.url)
    yield client
    client.close()


@pytest.fixture
def crumb(browser: Browser) -> str:
    return browser.login()


# --- canned responses --------------------------------------------------------------


def test_burst_of_429_pages_with_retry_after_then_success(
    browser: Browser, crumb: str, market: SimulatedMarket
) -> None:
    market.inject(too_many_requests(retry_after=2), on="quote", times=3)
    replies = [browser.quote(["AAPL"], crumb) for _ in range(4)]
    assert [r.status for r in replies] == [429, 429, 429, 200]
    assert replies[0].headers["Retry-After"] == "2"
    assert replies[0].headers["Content-Type"].startswith("text/html")
    assert "<html>" in replies[0].text
    assert market.faults.pending == 0


def test_429_without_retry_after_has_no_header(
    browser: Browser, crumb: str, market: SimulatedMarket
) -> None:
    market.inject(too_many_requests())
    reply = browser.quote(["AAPL"], crumb)
    assert reply.status == 429
    assert "Retry-After" not in reply.headers


@pytest.mark.parametrize(("status", "content_type"), [(500, "text/plain"), (502, "text/html")])
def test_server_errors_are_not_json(
    browser: Browser, crumb: str, market: SimulatedMarket, status: int, content_type: str
) -> None:
    market.inject(server_error(status))
    reply = browser.quote(["AAPL"], crumb)
    assert reply.status == status
    assert reply.headers["Content-Type"].startswith(content_type)
    assert not reply.text.lstrip().startswith("{")


def test_armed_responses_fire_in_arming_order_one_per_request(
    browser: Browser, crumb: str, market: SimulatedMarket
) -> None:
    market.inject(too_many_requests(), times=2)
    market.inject(server_error(503))
    statuses = [browser.quote(["AAPL"], crumb).status for _ in range(4)]
    assert statuses == [429, 429, 503, 200]


def test_faults_hit_only_their_endpoint(
    browser: Browser, crumb: str, market: SimulatedMarket
) -> None:
    market.inject(server_error(503), on="chart")
    assert browser.quote(["AAPL"], crumb).status == 200
    assert browser.get("/v8/finance/chart/AAPL").status == 503
    assert browser.get("/v8/finance/chart/AAPL").status == 200


def test_cookie_endpoint_can_fail(browser: Browser, market: SimulatedMarket) -> None:
    market.inject(server_error(502), on="cookie")
    assert browser.get("/").set_cookies == ()
    assert browser.get("/").status == 404


# --- cookie and crumb lifecycle ----------------------------------------------------


def test_invalid_crumb_once_then_the_same_crumb_works(
    browser: Browser, crumb: str, market: SimulatedMarket
) -> None:
    market.inject(invalid_crumb())
    refused = browser.quote(["AAPL"], crumb)
    assert refused.status == 401
    assert refused.json()["finance"]["error"]["description"] == "Invalid Crumb"
    assert browser.quote(["AAPL"], crumb).status == 200


def test_rotated_crumb_is_refused_until_fetched_again(
    browser: Browser, crumb: str, market: SimulatedMarket
) -> None:
    market.rotate_crumbs()
    refused = browser.quote(["AAPL"], crumb)
    assert refused.json()["finance"]["error"]["description"] == "Invalid Crumb"
    fresh = browser.get("/v1/test/getcrumb").text
    assert fresh != crumb
    assert browser.quote(["AAPL"], fresh).status == 200


def test_expired_cookie_is_refused_until_renewed(
    browser: Browser, crumb: str, market: SimulatedMarket
) -> None:
    market.expire_cookies()
    refused = browser.quote(["AAPL"], crumb)
    assert (refused.status, refused.json()["finance"]["error"]["description"]) == (
        401,
        "Invalid Cookie",
    )
    assert browser.get("/v1/test/getcrumb").status == 401
    assert browser.quote(["AAPL"], browser.login()).status == 200


def test_crumb_endpoint_can_answer_an_empty_200(browser: Browser, market: SimulatedMarket) -> None:
    browser.get("/")
    market.inject(empty_crumb(), on="crumb")
    empty = browser.get("/v1/test/getcrumb")
    assert (empty.status, empty.text) == (200, "")
    assert len(browser.get("/v1/test/getcrumb").text) == 11


def test_truncated_answer_is_a_200_json_cut_short_and_queues_behind_a_429(
    browser: Browser, crumb: str, market: SimulatedMarket
) -> None:
    market.inject(too_many_requests(), on="quote", times=1)
    market.inject(truncated(keep=0.5), on="quote", times=1)
    replies = [browser.quote(["AAPL", "MSFT"], crumb) for _ in range(3)]
    assert [r.status for r in replies] == [429, 200, 200]
    assert replies[1].headers["Content-Type"].startswith("application/json")
    assert replies[2].text.startswith(replies[1].text[:40])
    assert len(replies[1].text) < len(replies[2].text)
    with pytest.raises(ValueError):
        json.loads(replies[1].text)


def test_html_200_is_a_page_not_json(browser: Browser, crumb: str, market: SimulatedMarket) -> None:
    market.inject(html_200(), on="quote")
    reply = browser.quote(["AAPL"], crumb)
    assert reply.status == 200 and reply.text.startswith("<!DOCTYPE html>")


# --- latency and hangs -------------------------------------------------------------


def test_latency_applies_to_every_request(
    browser: Browser, crumb: str, market: SimulatedMarket
) -> None:
    market.latency = 2.0
    with pytest.raises(TimeoutError):
        browser.get("/v8/finance/chart/AAPL", timeout=0.05)
    market.latency = 0.0
    assert browser.get("/v8/finance/chart/AAPL", timeout=5).status == 200


def test_hang_outlives_the_client_timeout_once(browser: Browser, market: SimulatedMarket) -> None:
    market.inject(hang(30), on="chart")
    with pytest.raises(TimeoutError):
        browser.get("/v8/finance/chart/AAPL", timeout=0.1)
    assert browser.get("/v8/finance/chart/AAPL", timeout=5).status == 200


def test_delay_is_a_fault_value(market: SimulatedMarket) -> None:
    market.inject(Delay(0.01), on=("quote", "chart"), times=None)
    assert market.faults.pending == 1
    market.clear_faults()
    assert market.faults.pending == 0


# --- reshaped v7 results -----------------------------------------------------------


def test_reorder_returns_results_out_of_order(
    browser: Browser, crumb: str, market: SimulatedMarket
) -> None:
    market.inject(reorder())
    found = results(browser.quote(["AAPL", "MSFT", "TMUS"], crumb))
    assert [q["symbol"] for q in found] == ["TMUS", "MSFT", "AAPL"]


def test_duplicate_returns_every_result_twice(
    browser: Browser, crumb: str, market: SimulatedMarket
) -> None:
    market.inject(duplicate())
    found = results(browser.quote(["AAPL", "MSFT"], crumb))
    assert [q["symbol"] for q in found] == ["AAPL", "MSFT", "AAPL", "MSFT"]


def test_omitted_symbol_is_missing_from_v7_but_charted(
    browser: Browser, crumb: str, market: SimulatedMarket
) -> None:
    market.inject(omit("AAPL"), times=None)
    for _ in range(2):
        assert [q["symbol"] for q in results(browser.quote(["AAPL", "MSFT"], crumb))] == ["MSFT"]
    assert browser.get("/v8/finance/chart/AAPL").status == 200


def test_symbol_aimed_fault_waits_for_a_request_naming_it(
    browser: Browser, crumb: str, market: SimulatedMarket
) -> None:
    market.inject(omit("AAPL"))
    assert len(results(browser.quote(["MSFT"], crumb))) == 1
    assert market.faults.pending == 1
    assert len(results(browser.quote(["AAPL", "MSFT"], crumb))) == 1
    assert market.faults.pending == 0


def test_stub_has_no_price(browser: Browser, crumb: str, market: SimulatedMarket) -> None:
    market.inject(stub("MSFT"))
    _, msft = results(browser.quote(["AAPL", "MSFT"], crumb))
    assert (msft["symbol"], msft["quoteType"]) == ("MSFT", "NONE")
    assert "regularMarketPrice" not in msft
    assert market.served("MSFT") == []


def test_missing_long_name_in_quote_and_chart(
    browser: Browser, crumb: str, market: SimulatedMarket
) -> None:
    market.inject(drop_long_name("AAPL"), on=("quote", "chart"), times=2)
    (aapl,) = results(browser.quote(["AAPL"], crumb))
    meta = browser.get("/v8/finance/chart/AAPL").json()["chart"]["result"][0]["meta"]
    assert "longName" not in aapl
    assert "longName" not in meta
    assert aapl["shortName"] == meta["shortName"] == "Apple Inc."


def test_padded_names(browser: Browser, crumb: str, market: SimulatedMarket) -> None:
    market.inject(pad_names("AAPL"))
    (aapl,) = results(browser.quote(["AAPL"], crumb))
    assert (aapl["shortName"], aapl["longName"]) == ("  Apple Inc.  ", "  Apple Inc.  ")


def test_hostile_name_arrives_exactly(
    browser: Browser, crumb: str, market: SimulatedMarket
) -> None:
    market.inject(rename("TMUS", HOSTILE))
    (tmus,) = results(browser.quote(["TMUS"], crumb))
    assert tmus["longName"] == tmus["shortName"] == HOSTILE


def test_patched_price_is_what_gets_recorded(
    browser: Browser, crumb: str, market: SimulatedMarket
) -> None:
    market.inject(Patch(frozenset({"AAPL"}), MappingProxyType({"regularMarketPrice": 1.25})))
    (aapl,) = results(browser.quote(["AAPL"], crumb))
    assert market.served_price("AAPL", aapl["regularMarketTime"]) == 1.25


# --- arming rules ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "times"),
    [("chart", 1), ("quote", 0), ("nowhere", 1), ((), 1)],
)
def test_faults_that_could_never_fire_are_refused(
    market: SimulatedMarket, on: object, times: int
) -> None:
    with pytest.raises(ValueError):
        market.inject(omit("AAPL"), on=on, times=times)  # type: ignore[arg-type]
    assert market.faults.pending == 0
