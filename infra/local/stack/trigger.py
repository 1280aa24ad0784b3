"""Bronze notifications to the processor: what S3 and Lambda do between them in AWS.

Bronze ObjectCreated notifications arrive on an SQS queue. Each message that names
an object Firehose delivered becomes the S3 event the processor receives in AWS.
Objects moto wrote under its own key naming are first moved to the key real
Firehose would have used (see ``firehose_keys``); that move notifies again. An event
the processor fails on goes to ``on_failure``, as Lambda hands it to the function's
on-failure destination, and the drain goes on with the other objects.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from infra.local.stack.firehose_keys import delivered_key

Handler = Callable[[dict[str, Any]], dict[str, Any]]
OnFailure = Callable[[dict[str, Any], Exception], None]


@dataclass
class TriggerReport:
    """What one drain of the queue did."""

    events: int = 0
    objects_moved: int = 0
    failed: int = 0
    results: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class BronzeTrigger:
    """Turns queued bronze notifications into processor invocations."""

    sqs: Any
    s3: Any
    queue_url: str
    firehose_prefix: str
    invoke: Handler
    on_failure: OnFailure | None = None  # None: a failure is raised

    def drain(self) -> TriggerReport:
        """Handle queued messages until the queue is empty (moves notify again)."""
        report = TriggerReport()
        while messages := self._receive():
            for message in messages:
                self._handle(json.loads(message["Body"]), report)
                self.sqs.delete_message(
                    QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        return report

    def _receive(self) -> list[dict[str, Any]]:
        answer = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10)
        messages: list[dict[str, Any]] = answer.get("Messages", [])
        return messages

    def _handle(self, event: dict[str, Any], report: TriggerReport) -> None:
        records = event.get("Records", [])
        delivered = [r for r in records if not self._move_if_raw(r, report)]
        if records and not delivered:
            return
        # s3:TestEvent has no Records; AWS passes it to the function too.
        report.events += 1
        payload = {**event, "Records": delivered} if records else event
        try:
            report.results.append(self.invoke(payload))
        except Exception as exc:  # Lambda would retry, then hand the event on: keep it
            if self.on_failure is None:
                raise
            self.on_failure(payload, exc)
            report.failed += 1

    def _move_if_raw(self, record: dict[str, Any], report: TriggerReport) -> bool:
        bucket = record["s3"]["bucket"]["name"]
        raw = unquote_plus(record["s3"]["object"]["key"])
        target = delivered_key(raw, self.firehose_prefix)
        if target is None:
            return False
        self.s3.copy_object(Bucket=bucket, Key=target, CopySource={"Bucket": bucket, "Key": raw})
        self.s3.delete_object(Bucket=bucket, Key=raw)
        report.objects_moved += 1
        return True
