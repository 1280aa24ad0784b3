"""Parsing recorded-shape v7 and v8 answers."""

from __future__ import annotations

import pytest

from producer.errors import FetchError, MalformedQuoteError
from producer.yahoo.parse import (
    FIELD_LIMITS,
    bars_from_chart,
    quote_from_chart,
    quote_from_v7,
    v7_results,
)
from producer.yahoo.transport import Answer, parse_retry_after
from tests.support import EVENTS, load_event


def test_v7_results_parse_with_raw_units() -> None:
    items = v7_results(load_event("yahoo_v7_quote.json"))
    quotes = [quote_from_v7(item) for item in items]
    apple, vodafone, cad, stub = quotes
    assert apple is not None and apple.price == 189.98 and apple.trade_time == 1764167405
    assert apple.exchange == "NMS" and apple.market_state == "REGULAR"
    assert vodafone is not None and vodafone.currency == "GBp" and vodafone.price == 72.36
    assert cad is not None and cad.name == "USD/CAD"  # no longName on FX pairs
    assert stub is None  # quoteType NONE, no price


def test_chart_meta_parses_and_derives_change_pct() -> None:
    quote = quote_from_chart(load_event("yahoo_v8_chart.json"))
    assert quote is not None
    assert (quote.symbol, quote.currency, quote.price) == ("SHOP.TO", "CAD", 160.55)
    assert quote.change_pct == pytest.approx((160.55 - 158.0) / 158.0 * 100)
    assert quote.name == "Shopify Inc."
    assert quote.market_state == ""
    assert quote.exchange == "TOR"  # the code (exchangeName), as v7's exchange, not "Toronto"


def test_chart_not_found_is_none() -> None:
    assert quote_from_chart(load_event("yahoo_v8_chart_not_found.json")) is None


@pytest.mark.parametrize(
    "item",
    [
        {"symbol": "X", "regularMarketPrice": "12.5", "regularMarketTime": 1},
        {"symbol": "X", "regularMarketPrice": 12.5},
        {"symbol": "X", "regularMarketPrice": True, "regularMarketTime": 1},
        {"regularMarketPrice": 1.0},
        "not a dict",
    ],
)
def test_malformed_v7_item_raises_for_that_item(item: object) -> None:
    with pytest.raises(MalformedQuoteError):
        quote_from_v7(item)


def test_v7_error_shape_is_a_bad_body() -> None:
    with pytest.raises(FetchError) as caught:
        v7_results(load_event("yahoo_401_invalid_crumb.json"))
    assert caught.value.kind == "bad_body"


def test_html_body_is_never_parsed_as_json() -> None:
    page = (EVENTS / "yahoo_429.html").read_bytes()
    answer = Answer(429, page, "text/html", None)
    with pytest.raises(FetchError) as caught:
        answer.json()
    assert caught.value.status == 429
    assert "Too Many Requests" in caught.value.snippet or "<!DOCTYPE" in caught.value.snippet


def test_retry_after_forms() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Thu, 26 Nov 2026 14:30:10 GMT", now=1795703400.0) == 10.0


# --- one-minute bars -----------------------------------------------------------------


def test_one_minute_bars_keep_nulls_and_key_the_live_bar_by_its_minute() -> None:
    bars = bars_from_chart(load_event("yahoo_v8_chart_1m.json"))
    assert bars is not None
    assert (bars.symbol, bars.name, bars.exchange, bars.currency) == (
        "AAPL",
        "Apple Inc.",
        "NMS",
        "USD",
    )
    assert bars.data_delayed_by is None  # chart meta does not carry it
    assert [b.minute_start for b in bars.minutes] == [
        1764167400,
        1764167460,
        1764167520,
        1764167580,
        1764167640,  # Yahoo's live entry carries the second (…645)
    ]
    first, _, quiet, _, live = bars.minutes
    assert (first.open, first.close, first.volume) == (
        189.97999572753906,
        190.0399932861328,
        1120334,
    )
    assert (quiet.open, quiet.high, quiet.low, quiet.close, quiet.volume) == (None,) * 5
    assert (live.close, live.volume) == (190.12, 0)


def test_weekend_answer_has_meta_and_no_minutes() -> None:
    payload = load_event("yahoo_v8_chart_1m.json")
    result = payload["chart"]["result"][0]
    del result["timestamp"]
    result["meta"]["exchangeDataDelayedBy"] = 15
    result["indicators"] = {"quote": [{}]}
    bars = bars_from_chart(payload)
    assert bars is not None
    assert (bars.minutes, bars.data_delayed_by) == ((), 15)


def test_bar_columns_that_do_not_match_timestamp_are_malformed() -> None:
    payload = load_event("yahoo_v8_chart_1m.json")
    payload["chart"]["result"][0]["indicators"]["quote"][0]["close"].pop()
    with pytest.raises(MalformedQuoteError, match="AAPL: unusable bars"):
        bars_from_chart(payload)


def test_a_text_price_in_a_bar_is_malformed() -> None:
    payload = load_event("yahoo_v8_chart_1m.json")
    payload["chart"]["result"][0]["indicators"]["quote"][0]["open"][0] = "189.98"
    with pytest.raises(MalformedQuoteError):
        bars_from_chart(payload)


def test_bar_meta_text_is_bounded_like_quotes() -> None:
    payload = load_event("yahoo_v8_chart_1m.json")
    payload["chart"]["result"][0]["meta"]["longName"] = "N" * 1000
    bars = bars_from_chart(payload)
    assert bars is not None
    assert len(bars.name) == FIELD_LIMITS["name"]
    assert bars.truncated == ("name",)


def test_bars_not_found_is_none() -> None:
    assert bars_from_chart(load_event("yahoo_v8_chart_not_found.json")) is None
