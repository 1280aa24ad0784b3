"""`quotepipe redrive`: failed processor events handed back, messages deleted only after.

On AWS the on-failure queue is moto's SQS; Lambda's asynchronous invoke is checked with
botocore's Stubber (moto cannot run the function's code). On a lake the processor
handler runs in this process against the embedded stack.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from infra.cli import redrive as module
from infra.cli.main import main
from infra.local.stack import StackDefinition
from infra.local.stack.dead_letters import LakeDeadLetters, invocation_record
from processor.errors import BronzeReadError
from tests.processor.helpers import line, s3_event

ARN = "arn:aws:lambda:us-east-1:123456789012:function:quotepipe-processor"
KEY = "quotes/dt=2026-11-26/quotepipe-bronze-1-2026-11-26-14-30-05-x"


def record(event: dict[str, Any]) -> dict[str, Any]:
    """The invocation record Lambda sends the on-failure destination for ``event``."""
    return invocation_record(event, BronzeReadError("read timed out"), function_arn=ARN)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("PROCESSOR_DLQ_URL", raising=False)
    with mock_aws():
        yield


def stubbed_lambda(monkeypatch: pytest.MonkeyPatch) -> Stubber:
    """Make the command's Lambda client a stubbed one; SQS stays moto's."""
    client = boto3.client("lambda", region_name="us-east-1")
    real = boto3.client

    def make(service: str, *args: Any, **kwargs: Any) -> Any:
        return client if service == "lambda" else real(service, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(boto3, "client", make)
    stub = Stubber(client)
    stub.activate()
    return stub


def test_redrive_invokes_the_function_with_each_event_and_deletes_only_then(
    aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN the on-failure queue with an invocation record, a bare S3 event and garbage
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="quotepipe-processor-dlq")["QueueUrl"]
    event = s3_event(KEY)
    for body in (json.dumps(record(event)), json.dumps(event), "not json"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    # AND Lambda accepting one asynchronous invocation of the function the record names
    stub = stubbed_lambda(monkeypatch)
    expected = {
        "FunctionName": f"{ARN}:$LATEST",
        "InvocationType": "Event",
        "Payload": json.dumps(event),
    }
    stub.add_response("invoke", {"StatusCode": 202}, expected)
    # WHEN the queue is redriven
    code = main(["redrive", "--queue-url", url])
    out, err = capsys.readouterr()
    # THEN the event went back once, its message is gone, and the other two stay, named
    stub.assert_no_pending_responses()
    assert code == 1
    assert "redriven=1 not_invocation_records=2 failed=0" in out
    assert "not a Lambda invocation record" in err and "not JSON" in err
    left = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in left) == sorted([json.dumps(event), "not json"])


def test_a_failed_invoke_leaves_the_message(
    aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(record(s3_event(KEY))))
    stub = stubbed_lambda(monkeypatch)
    stub.add_client_error("invoke", "AccessDeniedException", "not allowed")
    code = main(["redrive", "--queue-url", url, "--function-name", "quotepipe-processor"])
    assert code == 1
    assert "invoking quotepipe-processor" in capsys.readouterr().err
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1


def test_the_module_takes_injected_clients(aws: None) -> None:
    # GIVEN moto's SQS with two records and a delivery that fails for the second event
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    for key in (KEY, KEY + "-bad"):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(record(s3_event(key))))
    handed: list[str] = []

    def deliver(failed: module.FailedInvocation) -> None:
        key = failed.payload["Records"][0]["s3"]["object"]["key"]
        if key.endswith("-bad"):
            raise module.RedriveError("processing failed again")
        handed.append(key)

    # WHEN redriven THEN one message is gone and the other is visible again at once
    report = module.redrive(module.SqsDeadLetters(sqs, url), deliver)
    assert (len(report.redriven), len(report.failed)) == (1, 1)
    assert len(handed) == 1
    (left,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert "-bad" in left["Body"]


def test_without_a_queue_or_lake_it_says_which_to_give(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PROCESSOR_DLQ_URL", raising=False)
    assert main(["redrive"]) == 2
    assert "ProcessorDeadLetterQueueUrl" in capsys.readouterr().err


def lake_event(key: str) -> dict[str, Any]:
    """An S3 event naming ``key`` in the embedded stack's bronze bucket."""
    event = s3_event(key)
    event["Records"][0]["s3"]["bucket"]["name"] = StackDefinition.load().bronze_bucket
    return event


def test_redrive_on_a_lake_processes_in_process_and_keeps_what_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a lake with a good and a truncated bronze object, both in dead-letters
    bronze = tmp_path / "bronze" / "quotes" / "dt=2026-11-26"
    bronze.mkdir(parents=True)
    (bronze / "good").write_bytes(line().encode())
    (bronze / "cut.gz").write_bytes(gzip.compress(line().encode() * 40)[:-30])
    letters = LakeDeadLetters(tmp_path)
    letters.put(record(lake_event("quotes/dt=2026-11-26/good")))
    kept = letters.put(record(lake_event("quotes/dt=2026-11-26/cut.gz")))
    (letters.folder / "notes.json").write_text('{"hello": 1}')
    # WHEN the lake is redriven
    code = main(["redrive", "--lake", str(tmp_path)])
    out, err = capsys.readouterr()
    # THEN the good event's silver is in the lake and its record gone; the others stay, named
    assert code == 1
    assert "redriven=1 not_invocation_records=1 failed=1" in out
    assert "processing failed again: BronzeReadError" in err and "notes.json" in err
    assert len(list((tmp_path / "silver" / "quotes").rglob("*.csv"))) == 1
    assert sorted(p.name for p in letters.folder.iterdir()) == sorted([kept.name, "notes.json"])


def test_a_lake_that_does_not_exist_is_one_line_not_an_empty_redrive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["redrive", "--lake", str(tmp_path / "missing")])
    err = capsys.readouterr().err.strip().splitlines()
    assert stop.value.code == 2
    assert len(err) == 1 and "--lake" in err[0] and "does not exist" in err[0]
