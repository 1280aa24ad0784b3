"""BronzeLines: quotes are encoded as soon as their rates are known, and never without counting."""

from __future__ import annotations

from firehose.codec import BRONZE_FIELDS, decode_line
from producer.bronze import BronzeLines
from producer.yahoo.parse import YahooQuote


def quote(symbol: str, currency: str, price: float, trade_time: int = 100) -> YahooQuote:
    return YahooQuote(
        symbol, f"{symbol} plc", "LSE", currency, price, 0.5, 10, "REGULAR", trade_time
    )


def fields(line: str) -> dict[str, str]:
    return dict(zip(BRONZE_FIELDS, decode_line(line), strict=True))


def test_quotes_wait_for_their_rates_then_encode() -> None:
    bronze = BronzeLines(["VOD.L", "AAPL"], last_sent={}, clock=lambda: 200.0)
    bronze.expect(["CAD=X", "GBP=X"])
    bronze.add("VOD.L", quote("VOD.L", "GBp", 7236.0))
    bronze.add("AAPL", quote("AAPL", "USD", 234.5))
    assert bronze.lines == []  # USD→CAD still unknown
    bronze.add("CAD=X", quote("CAD=X", "CAD", 1.4))
    assert [fields(line)["symbol"] for line in bronze.lines] == ["AAPL"]
    bronze.add("GBP=X", quote("GBP=X", "GBP", 0.79))
    vod = fields(bronze.finish()[-1])
    assert (vod["currency"], vod["price"], vod["fx_rate"], vod["fx_usd_cad"]) == (
        "GBP",
        "72.36",
        "0.79",
        "1.4",
    )
    assert vod["fetched_at"] == "200"


def test_a_rate_that_never_comes_leaves_fx_rate_empty() -> None:
    bronze = BronzeLines(["NPN.JO"], last_sent={})
    bronze.expect(["CAD=X", "ZAR=X"])
    bronze.add("CAD=X", quote("CAD=X", "CAD", 1.4))
    bronze.add("NPN.JO", quote("NPN.JO", "ZAc", 412150.0))
    (line,) = bronze.finish()
    assert (fields(line)["currency"], fields(line)["fx_rate"]) == ("ZAR", "")


def test_unchanged_trade_time_is_counted_but_not_encoded() -> None:
    bronze = BronzeLines(["AAPL"], last_sent={"AAPL": 100})
    bronze.expect(["CAD=X"])
    bronze.add("CAD=X", quote("CAD=X", "CAD", 1.4))
    bronze.add("AAPL", quote("AAPL", "USD", 1.0, trade_time=100))
    assert bronze.finish() == []
    assert "AAPL" in bronze.quotes and bronze.sent == {}


def test_a_line_larger_than_a_firehose_record_is_reported_not_sent() -> None:
    # GIVEN a quote whose name alone is larger than a record (built past parse's bounds)
    bronze = BronzeLines(["BIG", "AAPL"], last_sent={}, clock=lambda: 200.0)
    bronze.expect(["CAD=X"])
    bronze.add("CAD=X", quote("CAD=X", "CAD", 1.4))
    huge = YahooQuote("BIG", "N" * 1_100_000, "NMS", "USD", 1.0, None, None, "REGULAR", 100)
    # WHEN it arrives with a normal quote
    bronze.add("BIG", huge)
    bronze.add("AAPL", quote("AAPL", "USD", 234.5))
    # THEN only the normal quote has a line, and the big one is named, not raised
    assert [fields(line)["symbol"] for line in bronze.finish()] == ["AAPL"]
    assert bronze.too_large == ["BIG"]
    assert "BIG" not in bronze.quotes and "BIG" not in bronze.sent
