"""An invocation event → processed bronze objects → the answer Lambda expects.

S3 and EventBridge events: any failure is raised, so Lambda retries the event and
then sends it to the on-failure destination. SQS batches: each message stands
alone; a failed one is reported in ``batchItemFailures`` and the rest go on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from processor.events import bronze_objects, event_kind, message_event, sqs_messages
from processor.observe import summarize
from processor.process import ObjectReport, process_object
from processor.settings import Settings


class Watcher(Protocol):
    """Who hears about each processed object and each failed SQS message."""

    def processed(self, report: ObjectReport) -> None:
        """An object is done."""

    def failed(self, message_id: str, error: BaseException) -> None:
        """An SQS message failed and will be retried."""


def handle_event(
    event: Mapping[str, Any], s3: Any, settings: Settings, watcher: Watcher
) -> dict[str, Any]:
    """Process every bronze object the event names."""
    if event_kind(event) == "sqs":
        return _handle_sqs(event, s3, settings, watcher)
    return summarize(_process_all(event, s3, settings, watcher))


def _process_all(
    event: Mapping[str, Any], s3: Any, settings: Settings, watcher: Watcher
) -> list[ObjectReport]:
    objects = bronze_objects(
        event, prefix=settings.bronze_prefix, skip_bucket=settings.silver_bucket
    )
    reports = []
    for obj in objects:
        report = process_object(s3, obj, settings)
        watcher.processed(report)
        reports.append(report)
    return reports


def _handle_sqs(
    event: Mapping[str, Any], s3: Any, settings: Settings, watcher: Watcher
) -> dict[str, Any]:
    failures = []
    for message_id, body in sqs_messages(event):
        try:
            _process_all(message_event(body), s3, settings, watcher)
        except Exception as exc:  # one bad message must not fail the batch
            watcher.failed(message_id, exc)
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}
