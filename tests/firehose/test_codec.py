"""The bronze line codec: one quote, one line, exact numbers."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from firehose.codec import BRONZE_FIELDS, BronzeQuote, decode_line, encode_line

QUOTE = BronzeQuote(
    symbol="TMUS",
    name='T-Mobile US, Inc. "Un-carrier"',
    exchange="NMS",
    currency="USD",
    price=231.17,
    change_pct=-0.4521,
    volume=3_201_442,
    market_state="REGULAR",
    trade_time=1_795_962_605,
    fetched_at=1_795_962_611,
    fx_rate=1.0,
    fx_usd_cad=1.3987,
)


def test_round_trip_keeps_commas_quotes_and_exact_numbers() -> None:
    fields = decode_line(encode_line(QUOTE))
    assert len(fields) == len(BRONZE_FIELDS)
    row = dict(zip(BRONZE_FIELDS, fields, strict=True))
    assert row["version"] == "2"
    assert row["name"] == 'T-Mobile US, Inc. "Un-carrier"'
    assert float(row["price"]) == 231.17
    assert row["volume"] == "3201442"
    assert row["trade_time"] == "1795962605"


def test_unknown_values_are_empty_fields() -> None:
    quote = replace(QUOTE, fx_rate=None, volume=None)
    row = dict(zip(BRONZE_FIELDS, decode_line(encode_line(quote)), strict=True))
    assert row["fx_rate"] == ""
    assert row["volume"] == ""


@given(st.text())
def test_any_name_stays_on_one_line(name: str) -> None:
    line = encode_line(replace(QUOTE, name=name))
    assert line.endswith("\n")
    assert line.count("\n") == 1 and "\r" not in line
    decoded = dict(zip(BRONZE_FIELDS, decode_line(line), strict=True))
    assert "\n" not in decoded["name"]
    assert len(decoded["name"]) == len(name)


@given(st.floats(min_value=1e-6, max_value=1e9, allow_nan=False))
def test_prices_read_back_exactly(price: float) -> None:
    line = encode_line(replace(QUOTE, price=price))
    assert float(decode_line(line)[5]) == price
