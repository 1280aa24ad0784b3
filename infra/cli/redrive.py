"""`quotepipe redrive`: hand the processor's failed S3 events back to it, then forget them.

The processor's on-failure destination (``ProcessorDeadLetterQueue``) receives Lambda
invocation records, ``{"version", "timestamp", "requestContext", "requestPayload",
"responseContext", "responsePayload"}``, not S3 events, and nothing triggers the
processor from it. Redrive takes each message, hands its ``requestPayload`` (the S3
event) back to processing — on AWS by invoking the function asynchronously, as S3
does; on a lake in this process (``redrive_local``) — and deletes the message only
after that succeeded. A message that is not an invocation record, or whose hand-back
failed, is left in place and named. Clients are injected; the command builds them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

VISIBILITY_SECONDS = 300  # a message being handled, or left in place, is not received twice


class RedriveError(Exception):
    """Handing one failed event back to processing did not work; its message stays."""


class Letter(Protocol):
    """One message of the on-failure queue."""

    @property
    def id(self) -> str:
        """Message id (SQS) or file name (lake), to name it."""
        ...

    @property
    def body(self) -> str:
        """The message text: an invocation record, in JSON."""
        ...


class DeadLetters(Protocol):
    """The on-failure queue: an SQS queue in AWS, a folder on a lake."""

    def receive(self) -> Sequence[Letter]:
        """Some messages not yet received in this run; empty when none are left."""
        ...

    def delete(self, letter: Any) -> None:
        """Forget a message that was handed back."""

    def release(self, letter: Any) -> None:
        """Make a message left in place visible again."""


@dataclass(frozen=True)
class FailedInvocation:
    """What an invocation record says: the event to hand back and the function it failed in."""

    payload: dict[str, Any]
    function_arn: str | None


Deliver = Callable[[FailedInvocation], None]
"""Hands one failed event back to processing; raises ``RedriveError`` when it could not."""


@dataclass
class RedriveReport:
    """What a redrive did, message by message."""

    redriven: list[str] = field(default_factory=list)
    not_records: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def failed_invocation(body: str) -> FailedInvocation | str:
    """The invocation record in a message body, or why it is not one."""
    try:
        record = json.loads(body)
    except ValueError:
        return "not JSON"
    if not isinstance(record, dict):
        return "not a JSON object"
    context, payload = record.get("requestContext"), record.get("requestPayload")
    if not isinstance(context, dict) or not isinstance(payload, dict):
        return f"not a Lambda invocation record: keys {sorted(record)[:8]}"
    arn = context.get("functionArn")
    return FailedInvocation(payload, arn if isinstance(arn, str) and arn else None)


def redrive(queue: DeadLetters, deliver: Deliver) -> RedriveReport:
    """Hand every message's event back; delete each message only once that succeeded."""
    report = RedriveReport()
    kept: list[Letter] = []
    while letters := queue.receive():
        for letter in letters:
            if _redrive_one(letter, deliver, report):
                queue.delete(letter)
            else:
                kept.append(letter)
    for letter in kept:
        queue.release(letter)
    return report


def _redrive_one(letter: Letter, deliver: Deliver, report: RedriveReport) -> bool:
    found = failed_invocation(letter.body)
    if isinstance(found, str):
        report.not_records.append((letter.id, found))
        return False
    try:
        deliver(found)
    except RedriveError as exc:
        report.failed.append((letter.id, str(exc)))
        return False
    report.redriven.append(letter.id)
    return True


@dataclass(frozen=True)
class SqsLetter:
    """One SQS message."""

    id: str
    body: str
    receipt: str


@dataclass(frozen=True)
class SqsDeadLetters:
    """The on-failure SQS queue (``ProcessorDeadLetterQueueUrl`` in the stack's outputs)."""

    sqs: Any
    url: str

    def receive(self) -> list[SqsLetter]:
        """Up to ten messages, hidden while this run handles them."""
        answer = self.sqs.receive_message(
            QueueUrl=self.url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=1,
            VisibilityTimeout=VISIBILITY_SECONDS,
        )
        return [
            SqsLetter(m["MessageId"], m["Body"], m["ReceiptHandle"])
            for m in answer.get("Messages", [])
        ]

    def delete(self, letter: SqsLetter) -> None:
        """Delete a message that was handed back."""
        self.sqs.delete_message(QueueUrl=self.url, ReceiptHandle=letter.receipt)

    def release(self, letter: SqsLetter) -> None:
        """Make a message left in place visible again at once."""
        self.sqs.change_message_visibility(
            QueueUrl=self.url, ReceiptHandle=letter.receipt, VisibilityTimeout=0
        )


@dataclass(frozen=True)
class LambdaDelivery:
    """Invokes the processor asynchronously with the event, as S3 does."""

    client: Any
    function_name: str | None = None

    def __call__(self, failed: FailedInvocation) -> None:
        """Queue one invocation; Lambda answers 202 once it accepted the event."""
        name = self.function_name or failed.function_arn
        if not name:
            raise RedriveError("no --function-name given and the record names no function")
        try:
            answer = self.client.invoke(
                FunctionName=name, InvocationType="Event", Payload=json.dumps(failed.payload)
            )
        except (BotoCoreError, ClientError) as exc:
            raise RedriveError(f"invoking {name}: {exc}") from exc
        if answer.get("StatusCode") != 202:
            raise RedriveError(f"invoking {name}: status {answer.get('StatusCode')}")


def redrive_command(*, queue_url: str | None, lake: Path | None, function_name: str | None) -> int:
    """Redrive from the lake or the queue, print what happened; the exit code."""
    if lake is not None:
        from infra.cli.redrive_local import redrive_lake

        report = redrive_lake(lake)
    elif queue_url:
        try:
            report = _redrive_aws(queue_url, function_name)
        except (BotoCoreError, ClientError) as exc:  # the queue itself: nothing more to do
            print(f"quotepipe redrive: {queue_url}: {exc}", file=sys.stderr)
            return 1
    else:
        print(
            "quotepipe redrive: give --queue-url URL (the stack output "
            "ProcessorDeadLetterQueueUrl) or --lake DIR",
            file=sys.stderr,
        )
        return 2
    return _print_report(report)


def _redrive_aws(queue_url: str, function_name: str | None) -> RedriveReport:
    import boto3

    queue = SqsDeadLetters(boto3.client("sqs"), queue_url)
    return redrive(queue, LambdaDelivery(boto3.client("lambda"), function_name))


def _print_report(report: RedriveReport) -> int:
    print(
        f"redriven={len(report.redriven)} not_invocation_records={len(report.not_records)} "
        f"failed={len(report.failed)}"
    )
    for letter_id, why in report.not_records:
        print(f"left in place, {why}: {letter_id}", file=sys.stderr)
    for letter_id, why in report.failed:
        print(f"left in place, {why}: {letter_id}", file=sys.stderr)
    return 1 if report.not_records or report.failed else 0
