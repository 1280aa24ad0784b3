"""PutRecordBatch: limits respected, only failed records resent, the rest dead-lettered."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from firehose.errors import DeliveryError
from firehose.sender import Backoff, S3DeadLetter, send_lines
from tests.firehose.fakes import FakeFirehose

NO_WAIT = Backoff(max_attempts=3, sleep=lambda _: None)


class FakeS3:
    """Keeps put_object calls in memory."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def put_object(self, *, Bucket: str, Key: str, Body: bytes) -> None:
        self.objects[f"{Bucket}/{Key}"] = Body


def _lines(count: int, width: int = 40) -> list[str]:
    return [f"{i:0{width}d}\n" for i in range(count)]


def test_all_lines_delivered_within_limits() -> None:
    client = FakeFirehose()
    lines = _lines(200_000, width=60)  # ~12 MB: several records and several calls
    report = send_lines(client, "s", lines, backoff=NO_WAIT)  # type: ignore[arg-type]
    assert b"".join(client.accepted).decode().splitlines(keepends=True) == lines
    assert report.lines_sent == len(lines)
    assert report.records_sent == len(client.accepted)
    assert len(client.calls) >= 3
    assert report.retries == 0 and report.records_failed == 0


def test_only_failed_records_are_resent() -> None:
    client = FakeFirehose(fail_plan=[[1]])
    lines = _lines(30_000)
    report = send_lines(client, "s", lines, backoff=NO_WAIT)  # type: ignore[arg-type]
    assert client.calls == [2, 1]
    assert report.retries == 1
    assert sorted(b"".join(client.accepted).decode().splitlines(keepends=True)) == sorted(lines)


def test_records_that_keep_failing_go_to_the_dead_letter_bucket() -> None:
    client = FakeFirehose(fail_plan=[[0], [0], [0]])
    s3 = FakeS3()
    dead = S3DeadLetter(s3, "bronze")  # type: ignore[arg-type]
    report = send_lines(client, "s", ["a\n", "b\n"], dead_letter=dead, backoff=NO_WAIT)  # type: ignore[arg-type]
    assert report.records_failed == 1
    assert len(report.dead_letter_keys) == 1
    key = report.dead_letter_keys[0]
    assert key.startswith("errors/producer/dt=")
    assert s3.objects[f"bronze/{key}"] == b"a\nb\n"
    assert client.accepted == []


def test_failures_without_a_dead_letter_sink_raise() -> None:
    client = FakeFirehose(fail_plan=[[0], [0], [0]])
    with pytest.raises(DeliveryError):
        send_lines(client, "s", ["a\n"], backoff=NO_WAIT)  # type: ignore[arg-type]


def _stubbed() -> tuple[Any, Stubber]:
    client = boto3.client(
        "firehose", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    return client, Stubber(client)


def test_partial_failure_from_the_real_api_shape() -> None:
    client, stub = _stubbed()
    stub.add_response(
        "put_record_batch",
        {
            "FailedPutCount": 1,
            "RequestResponses": [
                {"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "Slow down."}
            ],
        },
    )
    stub.add_client_error("put_record_batch", "ServiceUnavailableException", http_status_code=503)
    stub.add_response(
        "put_record_batch", {"FailedPutCount": 0, "RequestResponses": [{"RecordId": "r1"}]}
    )
    with stub:
        report = send_lines(client, "stream", ["one\n"], backoff=NO_WAIT)
    stub.assert_no_pending_responses()
    assert report.retries == 2
    assert report.records_sent == 1 and report.records_failed == 0


def test_a_missing_stream_is_not_retried() -> None:
    client, stub = _stubbed()
    stub.add_client_error("put_record_batch", "ResourceNotFoundException", http_status_code=400)
    with stub, pytest.raises(DeliveryError, match="stream"):
        send_lines(client, "stream", ["one\n"], backoff=NO_WAIT)
