"""Ticks and invocations against the local market and a fake Firehose."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Any, cast

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from firehose.codec import BRONZE_FIELDS, decode_line
from firehose.errors import DeliveryError
from infra.local.yahoo import (
    DEMO_SYMBOLS,
    MarketServer,
    SimulatedMarket,
    omit,
    server_error,
)
from producer.invocation import InvocationSummary, ProducerState, run_invocation
from producer.settings import ProducerSettings
from producer.tick import remember_sent
from tests.firehose.fakes import FakeFirehose
from tests.producer.conftest import fast_settings

FIXED_NOW = 1_795_700_000.0


def invoke(
    settings: ProducerSettings,
    firehose: object,
    state: ProducerState | None = None,
    remaining_ms: Any = None,
) -> InvocationSummary:
    """Run one invocation with the fake Firehose."""
    return asyncio.run(
        run_invocation(
            settings,
            firehose=cast(Any, firehose),
            state=state,
            remaining_ms=remaining_ms,
        )
    )


def rows(firehose: FakeFirehose) -> list[dict[str, str]]:
    """The bronze lines the fake Firehose accepted, as dicts."""
    text = b"".join(firehose.accepted).decode()
    return [dict(zip(BRONZE_FIELDS, decode_line(line), strict=True)) for line in text.splitlines()]


def served_fx(market: SimulatedMarket, pair: str) -> set[float]:
    return {price for _, price in market.served_fx(pair)}


def test_tick_sends_every_quote_with_currency_resolved_and_rates_of_the_run(
    yahoo: MarketServer,
) -> None:
    # GIVEN the demo symbols (USD, CAD, GBp listings, a comma in a name, one unknown symbol)
    firehose = FakeFirehose()
    settings = fast_settings(yahoo.url, symbols=",".join(DEMO_SYMBOLS))
    # WHEN one invocation runs one tick
    summary = invoke(settings, firehose)
    # THEN every served symbol reaches bronze with the served price, in major units
    by_symbol = {row["symbol"]: row for row in rows(firehose)}
    assert set(by_symbol) == {"AAPL", "MSFT", "TMUS", "SHOP.TO", "RY.TO", "VOD.L"}
    vod = by_symbol["VOD.L"]
    pence = yahoo.market.served_price("VOD.L", int(vod["trade_time"]))
    assert pence is not None
    assert vod["currency"] == "GBP"
    assert float(vod["price"]) == pytest.approx(pence / 100)
    assert float(vod["fx_rate"]) in served_fx(yahoo.market, "GBP=X")
    assert float(by_symbol["SHOP.TO"]["fx_rate"]) in served_fx(yahoo.market, "CAD=X")
    assert {row["fx_usd_cad"] for row in by_symbol.values()} == {by_symbol["SHOP.TO"]["fx_rate"]}
    assert by_symbol["AAPL"]["fx_rate"] == "1.0"
    assert by_symbol["TMUS"]["name"] == "T-Mobile US, Inc."
    # AND the summary names the unknown symbol and counts what was sent
    result = summary.to_dict()
    assert result["symbols_missing"] == ["ZZZZ"]
    assert result["quotes_sent"] == 6
    assert result["records_sent"] == 1
    assert result["bytes_sent"] == len(b"".join(firehose.accepted))


def test_unchanged_trade_time_is_not_sent_twice_in_one_invocation() -> None:
    # GIVEN a market whose clock stands still, so no quote changes between ticks
    market = SimulatedMarket(clock=lambda: FIXED_NOW)
    with MarketServer(market) as server:
        firehose = FakeFirehose()
        settings = fast_settings(server.url, symbols="AAPL,MSFT", ticks_per_invocation=2)
        summary = invoke(settings, firehose)
    first, second = summary.ticks
    assert (first.quotes_sent, second.quotes_sent, second.quotes_unchanged) == (2, 0, 2)
    assert len(rows(firehose)) == 2


def test_sent_memory_forgets_symbols_that_left_the_list() -> None:
    last_sent = {"OLD": 1, "AAPL": 2}
    remember_sent(last_sent, {"MSFT": 3}, ["AAPL", "MSFT"])
    assert last_sent == {"AAPL": 2, "MSFT": 3}


def test_quote_without_an_fx_rate_still_reaches_bronze(yahoo: MarketServer) -> None:
    yahoo.market.inject(omit("GBP=X"), on="quote", times=None)
    yahoo.market.inject(server_error(500), on="chart", times=None)
    firehose = FakeFirehose()
    settings = fast_settings(yahoo.url, symbols="VOD.L,AAPL", max_attempts=1)
    summary = invoke(settings, firehose)
    by_symbol = {row["symbol"]: row for row in rows(firehose)}
    assert by_symbol["VOD.L"]["fx_rate"] == ""
    assert by_symbol["VOD.L"]["fx_usd_cad"] != ""
    assert summary.ticks[0].fx_missing == ["GBP"]


def test_fx_pairs_learned_in_one_invocation_ride_with_the_quotes_in_the_next(
    yahoo: MarketServer,
) -> None:
    state = ProducerState()
    settings = fast_settings(yahoo.url, symbols="VOD.L,AAPL")
    invoke(settings, FakeFirehose(), state)
    assert len(yahoo.market.requests("quote")) == 2  # quotes + CAD=X, then GBP=X
    invoke(settings, FakeFirehose(), state)
    last = yahoo.market.requests("quote")[-1]
    assert len(yahoo.market.requests("quote")) == 3
    assert set(last.symbols) == {"VOD.L", "AAPL", "CAD=X", "GBP=X"}


def remaining(values: list[int]) -> Iterator[int]:
    return itertools.chain(values, itertools.repeat(values[-1]))


def test_ticks_that_would_outlive_the_lambda_are_skipped(yahoo: MarketServer) -> None:
    # GIVEN 12 s left for the first tick, then 7 s: a 5 s budget + 3 s margin fit once
    clock = remaining([12_000, 7_000])
    settings = fast_settings(
        yahoo.url,
        symbols="AAPL",
        ticks_per_invocation=3,
        tick_budget_seconds=5.0,
        safety_margin_seconds=3.0,
    )
    summary = invoke(settings, FakeFirehose(), remaining_ms=lambda: next(clock))
    assert (len(summary.ticks), summary.ticks_skipped) == (1, 2)


class RefusingFirehose:
    """A Firehose whose stream does not exist."""

    def put_record_batch(self, **_: object) -> object:
        error = {"Error": {"Code": "ResourceNotFoundException", "Message": "no stream"}}
        raise ClientError(error, "PutRecordBatch")  # type: ignore[arg-type]


def test_whole_delivery_failure_is_a_delivery_error(yahoo: MarketServer) -> None:
    settings = fast_settings(yahoo.url, symbols="AAPL")
    with pytest.raises(DeliveryError):
        invoke(settings, RefusingFirehose())


def test_bad_symbols_are_reported_not_fetched(yahoo: MarketServer) -> None:
    settings = fast_settings(yahoo.url, symbols="AAPL, not a symbol ,aapl")
    summary = invoke(settings, FakeFirehose())
    assert summary.to_dict()["bad_symbols"] == [
        {"entry": " not a symbol ", "reason": "invalid symbol"}
    ]
    assert yahoo.market.requests("quote")[0].symbols == ("CAD=X", "AAPL")


def test_records_firehose_keeps_refusing_go_to_the_bronze_dead_letter_prefix(
    yahoo: MarketServer,
) -> None:
    # GIVEN a Firehose that refuses the (single) record on every attempt
    firehose = FakeFirehose(fail_plan=[[0]] * 4)
    settings = fast_settings(yahoo.url, symbols="AAPL,MSFT", bronze_bucket="bronze")
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="bronze")
        # WHEN a tick sends its lines
        summary = asyncio.run(run_invocation(settings, firehose=cast(Any, firehose), s3=s3))
        # THEN the record is kept under errors/producer/ and reported
        tick = summary.ticks[0]
        assert tick.records_failed == 1
        (key,) = tick.dead_letter_keys
        assert key.startswith("errors/producer/")
        body = s3.get_object(Bucket="bronze", Key=key)["Body"].read().decode()
    assert sorted(decode_line(line)[1] for line in body.splitlines()) == ["AAPL", "MSFT"]


def test_user_listed_fx_pair_is_both_a_quote_and_the_rate(yahoo: MarketServer) -> None:
    firehose = FakeFirehose()
    settings = fast_settings(yahoo.url, symbols="GBP=X,VOD.L,CAD=X")
    summary = invoke(settings, firehose)
    by_symbol = {row["symbol"]: row for row in rows(firehose)}
    assert set(by_symbol) == {"GBP=X", "VOD.L", "CAD=X"}
    assert by_symbol["VOD.L"]["fx_rate"] == by_symbol["GBP=X"]["price"]
    assert len(yahoo.market.requests("quote")) == 1  # no extra request for GBP=X
    assert summary.ticks[0].fx_missing == []
