"""Invocation events → the bronze objects to process.

Three shapes carry the same news, "an object was created":

- the S3 notification (``Records[].s3``, one or more, keys URL-encoded);
- that notification inside SQS messages (optionally inside an SNS envelope);
- EventBridge's ``Object Created`` event.

``s3:TestEvent`` (sent when a notification is configured), other event names and
keys outside the bronze prefix are ignored. Keys come back decoded by
``unquote_plus`` (S3 records) or the Powertools data class (EventBridge). An
object named twice in one event is processed once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Literal
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes import S3Event, SQSEvent
from aws_lambda_powertools.utilities.data_classes.s3_event import S3EventBridgeNotificationEvent

from processor.bronze import BronzeObject
from processor.errors import EventError

EventKind = Literal["s3", "sqs", "eventbridge", "test"]
TEST_EVENT = "s3:TestEvent"


def event_kind(event: Mapping[str, Any]) -> EventKind:
    """Which of the known shapes ``event`` has; ``EventError`` for anything else."""
    if event.get("Event") == TEST_EVENT:
        return "test"
    records = event.get("Records")
    if isinstance(records, list):
        sqs = bool(records) and all(_source(r) == "aws:sqs" for r in records)
        return "sqs" if sqs else "s3"
    if event.get("source") == "aws.s3" and isinstance(event.get("detail"), Mapping):
        return "eventbridge"
    raise EventError(f"unknown event shape with keys {sorted(event)[:10]}")


def bronze_objects(
    event: Mapping[str, Any], *, prefix: str, skip_bucket: str | None = None
) -> list[BronzeObject]:
    """Bronze objects named by an S3 or EventBridge event (not SQS: see ``sqs_messages``)."""
    kind = event_kind(event)
    if kind == "sqs":
        raise EventError("SQS batches are handled message by message")
    if kind == "test":
        return []
    found = _from_s3(event) if kind == "s3" else _from_eventbridge(event)
    return _relevant(found, prefix, skip_bucket)


def sqs_messages(event: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(message id, body) of each SQS record, in order."""
    return [(record.message_id, record.body) for record in SQSEvent(dict(event)).records]


def message_event(body: str) -> Mapping[str, Any]:
    """The event inside one SQS message body, unwrapping an SNS envelope if present."""
    try:
        parsed = json.loads(body)
        if isinstance(parsed, dict) and parsed.get("Type") == "Notification":
            parsed = json.loads(parsed["Message"])
    except (ValueError, KeyError, TypeError) as exc:
        raise EventError(f"SQS message body is not an event: {exc}") from exc
    if not isinstance(parsed, dict):
        raise EventError("SQS message body is not a JSON object")
    return parsed


def _source(record: Any) -> str | None:
    return record.get("eventSource") if isinstance(record, Mapping) else None


def _from_s3(event: Mapping[str, Any]) -> list[BronzeObject]:
    try:
        return [
            BronzeObject(record.s3.bucket.name, unquote_plus(record.s3.get_object.key))
            for record in S3Event(dict(event)).records
            if record.get("eventSource") == "aws:s3"
            and record.event_name.startswith("ObjectCreated:")
        ]
    except (KeyError, TypeError, AttributeError) as exc:
        raise EventError(f"malformed S3 event record: {exc!r}") from exc


def _from_eventbridge(event: Mapping[str, Any]) -> list[BronzeObject]:
    bridge = S3EventBridgeNotificationEvent(dict(event))
    if bridge.detail_type != "Object Created":
        return []
    try:
        return [BronzeObject(bridge.detail.bucket.name, bridge.detail.object.key)]
    except (KeyError, TypeError) as exc:
        raise EventError(f"malformed EventBridge S3 event: {exc!r}") from exc


def _relevant(
    found: Iterable[BronzeObject], prefix: str, skip_bucket: str | None
) -> list[BronzeObject]:
    """Bronze keys only, once each; never the silver bucket, which would loop forever."""
    unique = dict.fromkeys(
        obj
        for obj in found
        if obj.key.startswith(prefix) and not obj.key.endswith("/") and obj.bucket != skip_bucket
    )
    return list(unique)
