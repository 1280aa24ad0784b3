"""Validation: each kind of bad bronze line gets its reason; good lines become exact silver rows."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firehose.codec import decode_line
from processor.lines import Blank, LineSplitter, Undecodable
from processor.partitions import EARLIEST_VISIBLE_EPOCH
from processor.silver import SilverRow, clean_name, clean_text, format_line
from processor.validate import Accepted, Judged, Reason, Rejection, Validator, fmt_money
from tests.processor.helpers import BRONZE_KEY, FETCH, TRADE, TRADE_2019, fields_of, line


def check(fields: list[str], skew: int = 300) -> Accepted | Rejection:
    return Validator(BRONZE_KEY, max_future_skew_s=skew).check(fields)


def test_a_good_line_becomes_the_contract_row() -> None:
    result = check(fields_of())
    assert isinstance(result, Accepted)
    assert result.row == SilverRow(
        symbol="TMUS",
        name="T-Mobile US, Inc.",
        exchange="NMS",
        currency="USD",
        price="231.17",
        price_usd="231.17",
        price_cad="323.337479",
        fx_usd_cad="1.3987",
        change_pct="-0.4312",
        volume="2845120",
        market_state="REGULAR",
        trade_time="2026-11-26T14:30:05Z",
        fetched_at="2026-11-26T14:30:45Z",
        source_key=BRONZE_KEY,
        source="quote",
    )
    assert (result.trade_epoch, result.dt) == (TRADE, "2026-11-26")


def test_foreign_prices_convert_with_the_observed_rates() -> None:
    # GIVEN a GBP quote (already in pounds) with GBP per USD and CAD per USD observed
    result = check(fields_of(currency="GBP", price="12.345", fx_rate="0.7871", fx_usd_cad="1.3987"))
    assert isinstance(result, Accepted)
    assert result.row.price == "12.345"
    assert result.row.price_usd == repr(round(12.345 / 0.7871, 6))
    assert result.row.price_cad == repr(round(12.345 / 0.7871 * 1.3987, 6))


def test_usd_without_fx_rate_uses_one() -> None:
    result = check(fields_of(fx_rate=""))
    assert isinstance(result, Accepted)
    assert result.row.price_usd == "231.17"


def test_optional_numbers_may_be_empty() -> None:
    result = check(fields_of(change_pct="", volume=""))
    assert isinstance(result, Accepted)
    assert (result.row.change_pct, result.row.volume) == ("", "")


def test_price_text_is_normalised() -> None:
    result = check(fields_of(price="0231.170"))
    assert isinstance(result, Accepted)
    assert result.row.price == "231.17"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ([""], Reason.WRONG_COLUMN_COUNT),
        ([], Reason.WRONG_COLUMN_COUNT),
        (fields_of()[:12], Reason.WRONG_COLUMN_COUNT),
        ([*fields_of(), "extra"], Reason.WRONG_COLUMN_COUNT),
        (fields_of(version="3"), Reason.UNKNOWN_VERSION),
        (["garbage"], Reason.UNKNOWN_VERSION),
        (fields_of(symbol=""), Reason.BAD_SYMBOL),
        (fields_of(symbol="tmus"), Reason.BAD_SYMBOL),
        (fields_of(symbol="TM US"), Reason.BAD_SYMBOL),
        (fields_of(symbol="A" * 30), Reason.BAD_SYMBOL),
        (fields_of(currency="GBp"), Reason.BAD_CURRENCY),
        (fields_of(currency=""), Reason.BAD_CURRENCY),
        (fields_of(price=""), Reason.BAD_PRICE),
        (fields_of(price="abc"), Reason.BAD_PRICE),
        (fields_of(price="nan"), Reason.BAD_PRICE),
        (fields_of(price="inf"), Reason.BAD_PRICE),
        (fields_of(price="-1.5"), Reason.BAD_PRICE),
        (fields_of(price="0"), Reason.BAD_PRICE),
        (fields_of(change_pct="x"), Reason.BAD_CHANGE_PCT),
        (fields_of(change_pct="nan"), Reason.BAD_CHANGE_PCT),
        (fields_of(volume="1.5"), Reason.BAD_VOLUME),
        (fields_of(volume="-3"), Reason.BAD_VOLUME),
        (fields_of(trade_time=""), Reason.BAD_TIME),
        (fields_of(trade_time="2026-11-26T14:30:05Z"), Reason.BAD_TIME),
        (fields_of(fetched_at="soon"), Reason.BAD_TIME),
        (fields_of(trade_time="1795703405000"), Reason.IMPLAUSIBLE_TIME),
        (fields_of(trade_time="0"), Reason.IMPLAUSIBLE_TIME),
        (fields_of(trade_time=str(FETCH + 301)), Reason.TRADE_TIME_IN_FUTURE),
        (
            fields_of(trade_time=str(TRADE_2019), fetched_at=str(TRADE_2019 + 40)),
            Reason.TRADE_TIME_OUT_OF_RANGE,
        ),
        (fields_of(trade_time=str(EARLIEST_VISIBLE_EPOCH - 1)), Reason.TRADE_TIME_OUT_OF_RANGE),
        (fields_of(currency="GBP", fx_rate=""), Reason.MISSING_FX_RATE),
        (fields_of(fx_usd_cad=""), Reason.MISSING_FX_RATE),
        (fields_of(currency="EUR", fx_rate="0"), Reason.BAD_FX_RATE),
        (fields_of(fx_usd_cad="nan"), Reason.BAD_FX_RATE),
        (fields_of(price="1.5e308"), Reason.CONVERTED_PRICE_OUT_OF_RANGE),
        (
            fields_of(currency="EUR", fx_rate="1e-300", price="1e10"),
            Reason.CONVERTED_PRICE_OUT_OF_RANGE,
        ),
        (
            fields_of(currency="JPY", fx_rate="1e12", price="0.5"),
            Reason.CONVERTED_PRICE_OUT_OF_RANGE,
        ),
        (fields_of(fx_usd_cad="1e-9"), Reason.CONVERTED_PRICE_OUT_OF_RANGE),
        (fields_of(volume=str(2**63)), Reason.BAD_VOLUME),
        (fields_of(volume="9" * 5000), Reason.BAD_VOLUME),
    ],
)
def test_bad_lines_are_rejected_with_their_reason(fields: list[str], reason: Reason) -> None:
    result = check(fields)
    assert isinstance(result, Rejection)
    assert result.reason == reason
    assert result.detail


def test_trade_time_within_skew_is_accepted() -> None:
    assert isinstance(check(fields_of(trade_time=str(FETCH + 300))), Accepted)
    assert isinstance(check(fields_of(trade_time=str(FETCH + 60)), skew=30), Rejection)


def test_the_first_projected_second_is_accepted() -> None:
    first = str(EARLIEST_VISIBLE_EPOCH)
    assert isinstance(check(fields_of(trade_time=first, fetched_at=first)), Accepted)


def test_a_trade_after_now_is_out_of_range_even_when_fetched_later() -> None:
    # GIVEN a clock at TRADE and a line fetched (by its own account) an hour later
    validator = Validator(BRONZE_KEY, max_future_skew_s=300, now=TRADE)
    later = fields_of(trade_time=str(TRADE + 301), fetched_at=str(TRADE + 3_600))
    # THEN a trade more than the skew after now is one Athena's projection cannot show yet
    result = validator.check(later)
    assert isinstance(result, Rejection)
    assert result.reason == Reason.TRADE_TIME_OUT_OF_RANGE
    assert isinstance(validator.check(fields_of(trade_time=str(TRADE + 300))), Accepted)


def test_converted_prices_are_finite_and_do_not_round_to_zero() -> None:
    # GIVEN amounts just either side of half a millionth, the smallest that prints non-zero
    kept = check(fields_of(price="5.1e-7"))
    lost = check(fields_of(price="5e-7"))
    assert isinstance(kept, Accepted)
    assert kept.row.price_usd == "1e-06"
    assert isinstance(lost, Rejection)
    assert lost.reason == Reason.CONVERTED_PRICE_OUT_OF_RANGE
    assert "inf" in str(check(fields_of(price="1.5e308")))


def test_a_rejection_is_remembered_for_repeated_texts() -> None:
    validator = Validator(BRONZE_KEY, max_future_skew_s=300)
    bad = fields_of(symbol="bad sym")
    first, second = validator.check(bad), validator.check(bad)
    assert first == second
    assert isinstance(first, Rejection)


def test_names_are_cleaned_and_other_text_kept() -> None:
    result = check(
        fields_of(name='  Foo\t"Bar"\\ \x00 AG  ', exchange=" NMS\r", market_state="POST")
    )
    assert isinstance(result, Accepted)
    assert result.row.name == 'Foo "Bar"\\ AG'
    assert result.row.exchange == "NMS"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"1,TMUS,\xff\xfe,NMS\n", Reason.NOT_UTF8),
    ],
)
def test_splitter_rejects_undecodable_lines(raw: bytes, reason: Reason) -> None:
    result = LineSplitter().split(raw)
    assert isinstance(result, Rejection)
    assert result.reason == reason


def test_splitter_agrees_with_the_codec_on_quoted_and_plain_lines() -> None:
    split = LineSplitter().split
    for text in (line(), line(name="Plain"), line(name='Q "x", y'), "a,b\n", '"\n', "x\r\n"):
        assert split(text.encode()) == decode_line(text)


def test_a_version_1_line_is_a_live_quote() -> None:
    # GIVEN a line written before bronze carried its source (13 columns, version 1)
    result = check(["1", *fields_of()[1:13]])
    # THEN it is accepted as a live quote, and a bad source is named
    assert isinstance(result, Accepted) and result.row.source == "quote"
    assert check(fields_of(source="bar_1m")).row.source == "bar_1m"  # type: ignore[union-attr]
    rejected = check(fields_of(source="guess"))
    assert isinstance(rejected, Rejection) and rejected.reason == Reason.BAD_SOURCE


def test_a_blank_line_is_a_wrong_column_count() -> None:
    fields = LineSplitter().split(b"\n")
    assert isinstance(fields, list)
    result = check(fields)
    assert isinstance(result, Rejection)
    assert result.reason == Reason.WRONG_COLUMN_COUNT


@given(
    st.lists(st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r\n")), min_size=1)
)
def test_splitter_reads_whatever_the_csv_module_writes(fields: list[str]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(fields)
    text = buffer.getvalue()
    assert LineSplitter().split(text.encode()) == decode_line(text)


@given(st.text(), st.text(), st.text(), st.floats(min_value=1e-6, max_value=1e12))
def test_the_hot_path_line_is_the_row_format_line_writes(
    name: str, exchange: str, state: str, price: float
) -> None:
    # GIVEN any texts and price WHEN judge assembles the silver line from cached pieces
    fields = fields_of(name=name, exchange=exchange, market_state=state, price=repr(price))
    judged = Validator(BRONZE_KEY, max_future_skew_s=300).judge(fields)
    result = check(fields)
    assert isinstance(judged, Judged)
    assert isinstance(result, Accepted)
    # THEN it is exactly the line format_line writes for the contract row
    assert judged.line == format_line(result.row)
    assert result.row.name == clean_name(name)
    assert (result.row.exchange, result.row.market_state) == (
        clean_text(exchange).strip(), clean_text(state).strip(),
    )  # fmt: skip
    assert result.row.price == repr(price)
    assert result.row.price_usd == fmt_money(price)


@pytest.mark.parametrize(
    "bad", [b"1,\xff,x", b"\xc3\x28", b"ok \xed\xa0\x80 surrogate", b"\xe2\x82\r"]
)
def test_a_block_with_bad_bytes_rejects_only_those_lines_at_the_same_byte(bad: bytes) -> None:
    # GIVEN a block of good lines around one line that is not UTF-8
    splitter = LineSplitter()
    block = line().encode() + b"\n" + bad + b"\n" + "é,ok\n".encode()
    # WHEN it is split into runs
    runs = list(splitter.runs(block))
    # THEN the bad line comes alone, as its bytes, rejected as split() rejects it alone
    assert runs[0] == [line().rstrip("\n")]
    assert isinstance(runs[1], Blank) and runs[1].lines == 1
    alone = splitter.split(bad)
    assert isinstance(alone, Rejection)
    assert runs[2] == Undecodable(bad, alone)
    assert runs[3] == ["é,ok"]
