"""Bars → bronze lines: closes, previous closes, minutes not available, FX of the minute."""

from __future__ import annotations

from firehose.codec import BRONZE_FIELDS, decode_line
from processor.reasons import Reason, Rejection
from processor.validate import Validator
from producer.backfill import FxBars, SymbolFill, fill_symbol
from producer.yahoo.parse import Bar, Bars

T = 1_795_100_400  # a minute start: 2026-11-19 14:20 UTC
FETCHED = T + 3600


def bar(minute: int, close: float | None, volume: int | None = 100) -> Bar:
    if close is None:
        return Bar(T + 60 * minute, None, None, None, None, None)
    return Bar(T + 60 * minute, close, close, close, close, volume)


def bars(symbol: str, currency: str, *minutes: Bar) -> Bars:
    return Bars(symbol, f"{symbol} plc", "LSE", currency, 0, tuple(minutes))


def fields(line: str) -> dict[str, str]:
    return dict(zip(BRONZE_FIELDS, decode_line(line), strict=True))


FX = FxBars({
    "CAD=X": bars("CAD=X", "CAD", bar(0, 1.40), bar(1, 1.41), bar(3, 1.43)),
    "GBP=X": bars("GBP=X", "GBP", bar(0, 0.80), bar(1, None), bar(2, 0.82)),
})  # fmt: skip


def test_a_bar_becomes_a_line_at_its_close_converted_with_that_minutes_rates() -> None:
    vod = bars("VOD.L", "GBp", bar(0, 70.0), bar(2, 72.5, volume=1234))
    fill = fill_symbol(SymbolFill("VOD.L"), vod, [T + 120], FX, FETCHED)
    assert (fill.missing, fill.from_bars, fill.previous_close) == (1, 1, 0)
    line = fields(fill.lines[0])
    assert (line["currency"], line["price"], line["volume"]) == ("GBP", "0.725", "1234")
    assert (line["trade_time"], line["fetched_at"]) == (str(T + 120), str(FETCHED))
    assert (line["fx_rate"], line["fx_usd_cad"]) == ("0.82", "1.41")  # CAD: 14:21, nearest earlier
    assert (line["source"], line["market_state"], line["change_pct"]) == ("bar_1m", "REGULAR", "")


def test_an_empty_bar_carries_the_last_close_before_it_with_no_volume() -> None:
    vod = bars("VOD.L", "GBp", bar(0, 70.0), bar(1, None), bar(2, None), bar(3, 71.0))
    fill = fill_symbol(SymbolFill("VOD.L"), vod, [T + 60, T + 120], FX, FETCHED)
    assert (fill.from_bars, fill.previous_close, fill.not_available) == (0, 2, 0)
    assert [(fields(x)["price"], fields(x)["volume"]) for x in fill.lines] == [("0.7", "0")] * 2
    # GBP=X has no trade at 14:21 either: the 14:20 rate is the nearest earlier one
    assert fields(fill.lines[0])["fx_rate"] == "0.8"


def test_minutes_without_a_bar_or_a_close_before_them_are_not_available() -> None:
    vod = bars("VOD.L", "GBp", bar(1, None), bar(2, 70.0))
    fill = fill_symbol(SymbolFill("VOD.L"), vod, [T + 60, T + 180], FX, FETCHED)
    assert fill.unavailable == [T + 60, T + 180]  # empty and nothing before; not listed
    assert fill.lines == []


def test_a_line_without_a_rate_is_counted_and_the_processor_rejects_it() -> None:
    # GIVEN no JPY=X bars at all
    toyota = Bars("7203.T", "Toyota", "JPX", "JPY", 0, (bar(0, 3000.0),))
    fill = fill_symbol(SymbolFill("7203.T"), toyota, [T], FX, FETCHED)
    assert fill.no_fx_rate == 1
    judged = Validator("k", max_future_skew_s=300).check(decode_line(fill.lines[0]))
    assert isinstance(judged, Rejection) and judged.reason == Reason.MISSING_FX_RATE


def test_a_usd_line_passes_the_processor() -> None:
    aapl = Bars("AAPL", "Apple Inc.", "NMS", "USD", 0, (bar(3, 230.0),))
    fill = fill_symbol(SymbolFill("AAPL"), aapl, [T + 180], FX, FETCHED)
    accepted = Validator("k", max_future_skew_s=300).check(decode_line(fill.lines[0]))
    assert not isinstance(accepted, Rejection)
    assert (accepted.row.price_cad, accepted.row.source) == ("328.9", "bar_1m")
