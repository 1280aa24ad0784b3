"""Invocation events → the bronze objects to process.

The processor is invoked directly by S3 (``infra/template.yaml``), so it takes one shape:
the S3 notification, ``Records[].s3``, one or more records with URL-encoded keys.
``s3:TestEvent`` (sent when a notification is configured), other event names and keys
outside the bronze prefix are ignored. Keys come back decoded by ``unquote_plus``. An
object named twice in one event is processed once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes import S3Event

from processor.bronze import BronzeObject
from processor.errors import EventError

TEST_EVENT = "s3:TestEvent"


def bronze_objects(
    event: Mapping[str, Any], *, prefix: str, skip_bucket: str | None = None
) -> list[BronzeObject]:
    """Bronze objects named by an S3 event; ``EventError`` for any other shape."""
    if event.get("Event") == TEST_EVENT:
        return []
    if not isinstance(event.get("Records"), list):
        raise EventError(f"not an S3 event: keys {sorted(event)[:10]}")
    return _relevant(_from_s3(event), prefix, skip_bucket)


def _from_s3(event: Mapping[str, Any]) -> list[BronzeObject]:
    records = S3Event(dict(event)).records
    sources = {r.get("eventSource") if isinstance(r, Mapping) else None for r in event["Records"]}
    if sources - {"aws:s3"}:
        raise EventError(f"records from {sorted(map(str, sources))}, expected only aws:s3")
    try:
        return [
            BronzeObject(record.s3.bucket.name, unquote_plus(record.s3.get_object.key))
            for record in records
            if record.event_name.startswith("ObjectCreated:")
        ]
    except (KeyError, TypeError, AttributeError) as exc:
        raise EventError(f"malformed S3 event record: {exc!r}") from exc


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
