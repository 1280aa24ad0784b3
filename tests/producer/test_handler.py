"""The Lambda handler end to end: local market → handler → moto Firehose → bronze object in S3."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from firehose.codec import decode_line
from infra.local.yahoo import MarketServer, oversized_name
from producer import handler
from producer.yahoo.parse import FIELD_LIMITS
from tests.support import lambda_context


@pytest.fixture
def producer_env(moto_endpoint: str, yahoo: MarketServer, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A bronze bucket and a delivery stream in moto, and the producer's environment."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bronze")
    boto3.client("firehose").create_delivery_stream(
        DeliveryStreamName="quotes",
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/firehose",
            "BucketARN": "arn:aws:s3:::bronze",
            "Prefix": "quotes/",
        },
    )
    for name, value in {
        "SYMBOLS": "aapl,tmus,vod.l,ZZZZ",
        "DELIVERY_STREAM_NAME": "quotes",
        "BRONZE_BUCKET": "bronze",
        "YAHOO_BASE_URL": yahoo.url,
        "YAHOO_COOKIE_URL": yahoo.url,
    }.items():
        monkeypatch.setenv(name, value)
    return s3


def bronze_lines(s3: Any) -> list[list[str]]:
    """Every line of every bronze object, decoded."""
    listing = s3.list_objects_v2(Bucket="bronze", Prefix="quotes/").get("Contents", [])
    bodies = [s3.get_object(Bucket="bronze", Key=o["Key"])["Body"].read() for o in listing]
    return [decode_line(line) for body in bodies for line in body.decode().splitlines()]


def test_handler_delivers_bronze_lines_through_firehose_to_s3(
    producer_env: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    s3 = producer_env
    # WHEN the scheduled event invokes the handler
    summary = handler.lambda_handler({"source": "aws.scheduler"}, lambda_context())
    # THEN the summary names the missing symbol and the bronze object holds the three quotes
    assert summary["symbols_missing"] == ["ZZZZ"]
    assert summary["quotes_sent"] == 3
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="bronze")["Contents"]]
    assert len(keys) == 1 and keys[0].startswith("quotes/")
    body = s3.get_object(Bucket="bronze", Key=keys[0])["Body"].read().decode()
    lines = [decode_line(line) for line in body.splitlines()]
    assert sorted(fields[1] for fields in lines) == ["AAPL", "TMUS", "VOD.L"]
    assert {fields[4] for fields in lines} == {"USD", "GBP"}
    assert summary["bytes_sent"] == len(body.encode())
    # AND the metrics went out in Embedded Metric Format under the quotepipe namespace
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if "_aws" in line]
    names = {
        m["Name"] for blob in emf for d in blob["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]
    }
    assert {"SymbolsRequested", "QuotesSent", "SymbolsMissing", "BytesSent"} <= names
    assert {blob["_aws"]["CloudWatchMetrics"][0]["Namespace"] for blob in emf} == {"quotepipe"}


def test_a_2_mb_name_is_cut_to_its_limit_and_the_tick_delivers_every_quote(
    producer_env: Any, yahoo: MarketServer
) -> None:
    # GIVEN Yahoo serving AAPL with a 2 MB longName, larger than a Firehose record
    yahoo.market.inject(oversized_name("AAPL", 2_000_000), on=("quote", "chart"), times=None)
    # WHEN the handler runs a tick
    summary = handler.lambda_handler({"source": "aws.scheduler"}, lambda_context())
    # THEN every quote is delivered, AAPL with its name cut to the limit, and the cut counted
    lines = {fields[1]: fields for fields in bronze_lines(producer_env)}
    assert sorted(lines) == ["AAPL", "TMUS", "VOD.L"]
    assert lines["AAPL"][2] == "N" * FIELD_LIMITS["name"]
    assert summary["quotes_sent"] == 3
    assert summary["ticks"][0]["fields_truncated"] == {"name": 1}


def test_a_halted_market_is_not_re_sent_by_the_next_warm_invocation(
    producer_env: Any, yahoo: MarketServer
) -> None:
    # GIVEN a market that does not move (closed: trade times stand still)
    yahoo.market.halt("AAPL", "TMUS", "VOD.L")
    # WHEN the schedule invokes the same warm container twice, one tick each
    first = handler.lambda_handler({"source": "aws.scheduler"}, lambda_context())
    second = handler.lambda_handler({"source": "aws.scheduler"}, lambda_context())
    # THEN the second invocation sends nothing and counts the three quotes as unchanged
    assert first["quotes_sent"] == 3
    assert second["quotes_sent"] == 0
    assert second["ticks"][0]["quotes_unchanged"] == 3
    assert second["symbols_missing"] == ["ZZZZ"]
    assert len(bronze_lines(producer_env)) == 3


def test_importing_the_handler_needs_no_aws_environment() -> None:
    assert callable(handler.lambda_handler)
