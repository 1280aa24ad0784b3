"""The Yahoo client against the local market with injected faults."""

from __future__ import annotations

from types import MappingProxyType

from infra.local.yahoo import (
    MarketServer,
    Patch,
    SimulatedMarket,
    drop_long_name,
    duplicate,
    empty_crumb,
    hang,
    html_200,
    invalid_cookie,
    invalid_crumb,
    omit,
    pad_names,
    rate_limit_text,
    reorder,
    server_error,
    stub,
    too_many_requests,
    truncated,
)
from tests.producer.conftest import fast_settings, fetch

DEMO = ["AAPL", "MSFT", "TMUS", "SHOP.TO", "RY.TO", "VOD.L"]


def test_fetches_every_served_symbol_with_one_cookie_and_crumb(yahoo: MarketServer) -> None:
    # GIVEN the demo symbols and an unknown one
    # WHEN the client fetches them
    got = fetch(fast_settings(yahoo), [*DEMO, "ZZZZ"])
    # THEN every served symbol has its served price and the unknown one is missing by name
    assert sorted(got.result.quotes) == sorted(DEMO)
    for symbol, quote in got.result.quotes.items():
        assert yahoo.market.served_price(symbol, quote.trade_time) == quote.price
    assert got.result.missing([*DEMO, "ZZZZ"]) == ["ZZZZ"]
    assert got.result.failures == {"ZZZZ": "not_found"}
    kinds = [r.kind for r in yahoo.market.requests()]
    assert kinds.count("cookie") == 1
    assert kinds.count("crumb") == 1


def test_batches_respect_batch_size(yahoo: MarketServer) -> None:
    symbols = [f"SYM{n:05d}" for n in range(1, 24)]
    got = fetch(fast_settings(yahoo, batch_size=5), symbols)
    assert len(got.result.quotes) == 23
    sizes = [len(r.symbols) for r in yahoo.market.requests("quote")]
    assert sorted(sizes) == [3, 5, 5, 5, 5]


def test_invalid_crumb_once_renews_cookie_and_crumb_then_retries(yahoo: MarketServer) -> None:
    yahoo.market.inject(invalid_crumb(), on="quote", times=1)
    got = fetch(fast_settings(yahoo), DEMO)
    assert sorted(got.result.quotes) == sorted(DEMO)
    assert got.cache.renewals == 2  # the first handshake, then one renewal
    assert got.stats.errors["auth"] == 1
    assert [r.kind for r in yahoo.market.requests()].count("crumb") == 2


def test_invalid_cookie_renews_too(yahoo: MarketServer) -> None:
    yahoo.market.inject(invalid_cookie(), on="quote", times=1)
    got = fetch(fast_settings(yahoo), DEMO)
    assert sorted(got.result.quotes) == sorted(DEMO)


def test_stale_crumb_in_many_concurrent_batches_is_renewed_once(yahoo: MarketServer) -> None:
    # GIVEN a crumb cached by an earlier (warm) invocation that Yahoo has since rotated
    settings = fast_settings(yahoo, batch_size=2, concurrency=8)
    warm = fetch(settings, ["AAPL"])
    yahoo.market.rotate_crumbs()
    # WHEN six batches all meet 401 at about the same time
    got = fetch(settings, DEMO * 1 + [f"SYM{n:05d}" for n in range(1, 7)], cache=warm.cache)
    # THEN cookie and crumb are renewed once, and every batch succeeds on its retry
    assert len(got.result.quotes) == 12
    assert got.cache.renewals == 2


def test_cached_crumb_is_reused_across_invocations(yahoo: MarketServer) -> None:
    settings = fast_settings(yahoo)
    first = fetch(settings, ["AAPL"])
    second = fetch(settings, ["MSFT"], cache=first.cache)
    assert "MSFT" in second.result.quotes
    assert [r.kind for r in yahoo.market.requests()].count("crumb") == 1


def test_empty_crumb_is_an_error_not_stored(yahoo: MarketServer) -> None:
    yahoo.market.inject(empty_crumb(), on="crumb", times=1)
    got = fetch(fast_settings(yahoo), ["AAPL"])
    assert got.stats.errors["bad_body"] == 1
    assert got.cache.crumb is None
    assert "AAPL" in got.result.quotes  # through the chart, which needs no crumb
    again = fetch(fast_settings(yahoo), ["AAPL"], cache=got.cache)
    assert "AAPL" in again.result.quotes


def test_burst_of_html_429_is_retried_honouring_retry_after(yahoo: MarketServer) -> None:
    yahoo.market.inject(too_many_requests(retry_after=0), on="quote", times=3)
    got = fetch(fast_settings(yahoo), DEMO)
    assert sorted(got.result.quotes) == sorted(DEMO)
    assert got.stats.errors["http_429"] == 3
    assert got.stats.retries == 3
    assert not got.stats.rate_limited


def test_html_429_on_crumb_is_never_stored_as_crumb(yahoo: MarketServer) -> None:
    yahoo.market.inject(too_many_requests(), on="crumb", times=1)
    got = fetch(fast_settings(yahoo), ["AAPL"])
    assert "AAPL" in got.result.quotes
    assert got.cache.crumb is not None
    assert "<" not in got.cache.crumb


def test_repeated_429_stops_the_tick_and_reports_it(yahoo: MarketServer) -> None:
    # GIVEN Yahoo answering 429 to everything
    yahoo.market.inject(too_many_requests(), on=("quote", "chart"), times=None)
    settings = fast_settings(yahoo, batch_size=2, concurrency=1, rate_limit_trip=3)
    # WHEN the client fetches six batches
    got = fetch(settings, DEMO)
    # THEN it stops after three 429s instead of hammering, and names every symbol missing
    assert got.stats.rate_limited
    assert len(yahoo.market.requests("quote")) == 3
    assert not yahoo.market.requests("chart")
    assert got.result.missing(DEMO) == DEMO
    assert set(got.result.failures.values()) <= {"http_429", "rate_limited"}


def test_5xx_is_retried(yahoo: MarketServer) -> None:
    yahoo.market.inject(server_error(503), on="quote", times=1)
    yahoo.market.inject(server_error(500), on="quote", times=1)
    got = fetch(fast_settings(yahoo), DEMO)
    assert sorted(got.result.quotes) == sorted(DEMO)
    assert got.stats.errors["http_5xx"] == 2


def test_5xx_until_attempts_run_out_sends_the_batch_to_the_chart_endpoint(
    yahoo: MarketServer,
) -> None:
    # GIVEN v7 answering 502 to every attempt
    yahoo.market.inject(server_error(502), on="quote", times=None)
    settings = fast_settings(yahoo, batch_size=3, max_attempts=3)
    # WHEN the client fetches two batches
    got = fetch(settings, DEMO)
    # THEN each batch used its attempts, then every symbol came one by one from the chart
    assert len(yahoo.market.requests("quote")) == 6
    assert sorted(r.symbols[0] for r in yahoo.market.requests("chart")) == sorted(DEMO)
    assert sorted(got.result.quotes) == sorted(DEMO)
    assert got.result.failures == {}


def test_failing_batch_and_failing_chart_name_every_symbol(yahoo: MarketServer) -> None:
    yahoo.market.inject(server_error(502), on=("quote", "chart"), times=None)
    got = fetch(fast_settings(yahoo, max_attempts=2), DEMO)
    assert got.result.failures == dict.fromkeys(DEMO, "http_5xx")


def test_truncated_json_answer_is_retried(yahoo: MarketServer) -> None:
    # GIVEN a v7 answer of 200 whose JSON body is cut short, once
    yahoo.market.inject(truncated(), on="quote", times=1)
    # WHEN the client fetches
    got = fetch(fast_settings(yahoo), DEMO)
    # THEN the batch was asked again and every symbol came from v7
    assert sorted(got.result.quotes) == sorted(DEMO)
    assert got.stats.errors["bad_body"] == 1
    assert len(yahoo.market.requests("quote")) == 2
    assert not yahoo.market.requests("chart")


def test_html_page_with_200_is_retried(yahoo: MarketServer) -> None:
    yahoo.market.inject(html_200(), on="quote", times=2)
    got = fetch(fast_settings(yahoo), DEMO)
    assert sorted(got.result.quotes) == sorted(DEMO)
    assert got.stats.errors["bad_body"] == 2
    assert not yahoo.market.requests("chart")


def test_probe_of_issue_10_one_429_and_one_truncated_answer_loses_nothing(
    yahoo: MarketServer,
) -> None:
    # GIVEN 18 symbols and Yahoo answering one 429 page and then one truncated answer
    symbols = [*DEMO, *(f"SYM{n:05d}" for n in range(1, 13))]
    yahoo.market.inject(too_many_requests(), on="quote", times=1)
    yahoo.market.inject(truncated(), on="quote", times=1)
    # WHEN the client fetches them
    got = fetch(fast_settings(yahoo), symbols)
    # THEN all 18 are delivered
    assert sorted(got.result.quotes) == sorted(symbols)
    assert got.result.failures == {}


def test_batch_that_stays_truncated_is_fetched_through_the_chart(yahoo: MarketServer) -> None:
    yahoo.market.inject(truncated(), on="quote", times=None)
    got = fetch(fast_settings(yahoo, max_attempts=2), DEMO)
    assert sorted(got.result.quotes) == sorted(DEMO)
    assert len(yahoo.market.requests("chart")) == len(DEMO)


def test_truncated_chart_answer_is_retried(yahoo: MarketServer) -> None:
    yahoo.market.inject(omit("MSFT"), on="quote", times=None)
    yahoo.market.inject(truncated(keep=0.3), on="chart", times=1)
    got = fetch(fast_settings(yahoo), DEMO)
    assert sorted(got.result.quotes) == sorted(DEMO)
    assert len(yahoo.market.requests("chart")) == 2


def test_crumb_reading_too_many_requests_is_a_rate_limit_not_a_crumb(
    yahoo: MarketServer,
) -> None:
    # GIVEN the crumb endpoint answering 200 "Too Many Requests" once
    yahoo.market.inject(rate_limit_text(), on="crumb", times=1)
    # WHEN the client fetches
    got = fetch(fast_settings(yahoo), ["AAPL"])
    # THEN it was counted as a 429, retried, and the real crumb was stored
    assert got.stats.errors["http_429"] == 1
    assert got.cache.crumb is not None and "Too" not in got.cache.crumb
    assert "AAPL" in got.result.quotes
    assert not yahoo.market.requests("chart")


def test_crumb_rate_limited_throughout_still_delivers_through_the_chart(
    yahoo: MarketServer,
) -> None:
    yahoo.market.inject(rate_limit_text(), on="crumb", times=None)
    got = fetch(fast_settings(yahoo, max_attempts=2), ["AAPL", "MSFT"])
    assert got.stats.errors["http_429"] == 2
    assert got.cache.crumb is None
    assert sorted(got.result.quotes) == ["AAPL", "MSFT"]


def test_timeout_is_retried(yahoo: MarketServer) -> None:
    yahoo.market.inject(hang(5.0), on="quote", times=1)
    got = fetch(fast_settings(yahoo, timeout_seconds=0.3), DEMO)
    assert sorted(got.result.quotes) == sorted(DEMO)
    assert got.stats.errors["timeout"] == 1


def test_connection_refused_is_reported_not_raised() -> None:
    with MarketServer(SimulatedMarket()) as server:
        url = server.url
    got = fetch(fast_settings(url, max_attempts=2), ["AAPL"])
    assert got.result.failures == {"AAPL": "connection"}
    assert got.stats.errors["connection"] == 4  # cookie, then the chart fallback: 2 tries each


def test_out_of_order_and_duplicated_results_match_by_symbol(yahoo: MarketServer) -> None:
    yahoo.market.inject(reorder(), on="quote", times=1)
    yahoo.market.inject(duplicate(), on="quote", times=1)
    got = fetch(fast_settings(yahoo), DEMO)
    assert sorted(got.result.quotes) == sorted(DEMO)
    assert all(q.symbol == s for s, q in got.result.quotes.items())
    assert not yahoo.market.requests("chart")


def test_result_symbols_in_other_case_still_match(yahoo: MarketServer) -> None:
    lower = Patch(frozenset({"SHOP.TO"}), MappingProxyType({"symbol": "shop.to"}))
    yahoo.market.inject(lower, on="quote", times=None)
    got = fetch(fast_settings(yahoo), ["AAPL", "SHOP.TO"])
    assert got.result.quotes["SHOP.TO"].currency == "CAD"
    assert not yahoo.market.requests("chart")


def test_missing_symbol_is_fetched_through_chart(yahoo: MarketServer) -> None:
    yahoo.market.inject(omit("MSFT"), on="quote", times=None)
    got = fetch(fast_settings(yahoo), DEMO)
    assert sorted(got.result.quotes) == sorted(DEMO)
    assert [r.path for r in yahoo.market.requests("chart")] == ["/v8/finance/chart/MSFT"]


def test_priceless_stub_is_fetched_through_chart(yahoo: MarketServer) -> None:
    yahoo.market.inject(stub("VOD.L"), on="quote", times=None)
    got = fetch(fast_settings(yahoo), DEMO)
    quote = got.result.quotes["VOD.L"]
    assert quote.currency == "GBp"
    assert yahoo.market.served_price("VOD.L", quote.trade_time) == quote.price


def test_chart_failure_names_the_symbol(yahoo: MarketServer) -> None:
    yahoo.market.inject(omit("MSFT"), on="quote", times=None)
    yahoo.market.inject(server_error(500), on="chart", times=None)
    got = fetch(fast_settings(yahoo, max_attempts=2), DEMO)
    assert got.result.missing(DEMO) == ["MSFT"]
    assert got.result.failures["MSFT"] == "http_5xx"


def test_missing_long_name_falls_back_to_short_name(yahoo: MarketServer) -> None:
    yahoo.market.inject(drop_long_name("SHOP.TO"), on="quote", times=None)
    got = fetch(fast_settings(yahoo), ["SHOP.TO"])
    assert got.result.quotes["SHOP.TO"].name == "SHOPIFY INC"


def test_padded_names_are_stripped(yahoo: MarketServer) -> None:
    yahoo.market.inject(pad_names("TMUS", pad="   "), on="quote", times=None)
    got = fetch(fast_settings(yahoo), ["TMUS"])
    assert got.result.quotes["TMUS"].name == "T-Mobile US, Inc."


def test_malformed_result_for_one_symbol_is_reported_and_the_rest_go_on(
    yahoo: MarketServer,
) -> None:
    poison = Patch(frozenset({"MSFT"}), MappingProxyType({"regularMarketTime": "yesterday"}))
    yahoo.market.inject(poison, on=("quote", "chart"), times=None)
    got = fetch(fast_settings(yahoo), DEMO)
    assert got.result.missing(DEMO) == ["MSFT"]
    assert got.result.failures == {"MSFT": "malformed"}
    assert got.stats.errors["malformed"] == 2  # the v7 result, then the chart answer
