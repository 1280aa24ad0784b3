"""Parsing recorded-shape v7 and v8 answers."""

from __future__ import annotations

import pytest

from producer.errors import FetchError, MalformedQuoteError
from producer.yahoo.parse import quote_from_chart, quote_from_v7, v7_results
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
