"""The embedded stack over real HTTP: Firehose lands in bronze, the trigger hands on S3 events."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote_plus

import pytest

from infra.local.stack.lake import bucket_keys, download_bucket, upload_folder
from infra.local.stack.moto_server import LocalStack
from infra.local.stack.trigger import BronzeTrigger


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with LocalStack() as running:
        yield running


def _trigger(stack: LocalStack, seen: list[dict[str, Any]]) -> BronzeTrigger:
    def invoke(event: dict[str, Any]) -> dict[str, Any]:
        seen.append(event)
        return {"ok": True}

    return BronzeTrigger(
        sqs=stack.client("sqs"),
        s3=stack.client("s3"),
        queue_url=stack.queue_url,
        firehose_prefix=stack.definition.firehose_prefix,
        invoke=invoke,
    )


def test_a_put_reaches_the_processor_under_the_firehose_key(stack: LocalStack) -> None:
    seen: list[dict[str, Any]] = []
    trigger = _trigger(stack, seen)
    trigger.drain()  # the s3:TestEvent from creating the notification
    seen.clear()
    stack.client("firehose").put_record_batch(
        DeliveryStreamName=stack.names.delivery_stream,
        Records=[{"Data": b"line one\n"}, {"Data": b"line two\n"}],
    )

    report = trigger.drain()

    assert report.objects_moved == 1
    assert len(seen) == 1
    (record,) = seen[0]["Records"]
    key = unquote_plus(record["s3"]["object"]["key"])
    assert re.fullmatch(r"quotes/dt=\d{4}-\d{2}-\d{2}/quotepipe-bronze-1-[\w-]+", key)
    s3 = stack.client("s3")
    assert list(bucket_keys(s3, stack.names.bronze_bucket)) == [key]
    body = s3.get_object(Bucket=stack.names.bronze_bucket, Key=key)["Body"].read()
    assert body == b"line one\nline two\n"


def test_a_failed_event_is_kept_for_redrive_and_the_drain_goes_on(
    stack: LocalStack, tmp_path: Any
) -> None:
    # GIVEN a processor that fails on every event, and the lake's on-failure folder
    from infra.local.stack.dead_letters import LakeDeadLetters, invocation_record

    letters = LakeDeadLetters(tmp_path)

    def fail(event: dict[str, Any]) -> dict[str, Any]:
        raise RuntimeError("silver bucket unreachable")

    def keep(event: dict[str, Any], error: Exception) -> None:
        letters.put(invocation_record(event, error, function_arn="arn:fn", attempts=1))

    trigger = BronzeTrigger(
        sqs=stack.client("sqs"),
        s3=stack.client("s3"),
        queue_url=stack.queue_url,
        firehose_prefix=stack.definition.firehose_prefix,
        invoke=fail,
        on_failure=keep,
    )
    trigger.drain()  # whatever earlier tests left queued
    stack.client("firehose").put_record_batch(
        DeliveryStreamName=stack.names.delivery_stream, Records=[{"Data": b"x\n"}]
    )
    # WHEN the queue is drained THEN nothing is raised, and the failure is counted
    report = trigger.drain()
    assert (report.events, report.failed, report.results) == (1, 1, [])
    # AND the event is kept as Lambda's invocation record, which redrive takes back
    (letter,) = letters.receive()
    record = json.loads(letter.body)
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["responsePayload"]["errorMessage"] == "silver bucket unreachable"
    (s3_record,) = record["requestPayload"]["Records"]
    assert unquote_plus(s3_record["s3"]["object"]["key"]).startswith("quotes/dt=")


def test_lake_round_trip(stack: LocalStack, tmp_path: Any) -> None:
    source = tmp_path / "in"
    (source / "quotes/dt=2026-11-26").mkdir(parents=True)
    (source / "quotes/dt=2026-11-26/a b+c").write_bytes(b"payload\n")
    s3 = stack.client("s3")
    assert upload_folder(s3, source, stack.names.silver_bucket, "quotes/") == [
        "quotes/dt=2026-11-26/a b+c"
    ]
    written = download_bucket(s3, stack.names.silver_bucket, tmp_path / "out")
    assert [p.read_bytes() for p in written] == [b"payload\n"]


def test_the_stack_is_built_from_the_template(stack: LocalStack) -> None:
    definition = stack.definition
    described = stack.client("firehose").describe_delivery_stream(
        DeliveryStreamName=stack.names.delivery_stream
    )["DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"]
    wanted = definition.delivery_stream["ExtendedS3DestinationConfiguration"]
    for field in ("BucketARN", "Prefix", "ErrorOutputPrefix", "BufferingHints"):
        assert described[field] == wanted[field]
    table = stack.client("glue").get_table(DatabaseName="quotepipe", Name="silver_quotes")["Table"]
    columns = [c["Name"] for c in table["StorageDescriptor"]["Columns"]]
    assert columns == [c["Name"] for c in definition.glue_table["StorageDescriptor"]["Columns"]]
    notification = stack.client("s3").get_bucket_notification_configuration(
        Bucket=stack.names.bronze_bucket
    )["QueueConfigurations"][0]
    assert notification["Filter"]["Key"]["FilterRules"] == [
        {"Name": "prefix", "Value": definition.bronze_prefix}
    ]


@pytest.mark.parametrize("follow", [False, True])
def test_run_follows_sessions_only_when_asked(stack: LocalStack, follow: bool) -> None:
    # GIVEN the template, which turns FOLLOW_SESSIONS on for the deployed producer
    from infra.local.pipeline import RunOptions, function_environment

    options = RunOptions(follow_sessions=follow)
    env = function_environment(options, stack, "http://127.0.0.1:9", "ProducerFunction")
    # THEN the embedded producer follows sessions only with --follow-sessions
    assert env["FOLLOW_SESSIONS"] == str(follow).lower()
    processor = function_environment(options, stack, "http://127.0.0.1:9", "ProcessorFunction")
    assert "FOLLOW_SESSIONS" not in processor
