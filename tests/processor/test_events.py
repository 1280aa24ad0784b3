"""Event shapes: the S3 notification the processor is invoked with, and the S3 test event."""

from __future__ import annotations

import pytest

from processor.bronze import BronzeObject
from processor.errors import EventError
from processor.events import bronze_objects
from tests.processor.helpers import BRONZE_BUCKET, BRONZE_KEY, SILVER_BUCKET
from tests.support import load_event


def objects(event: dict[str, object]) -> list[BronzeObject]:
    return bronze_objects(event, prefix="quotes/", skip_bucket=SILVER_BUCKET)


def test_s3_event_keys_are_decoded_filtered_and_deduplicated() -> None:
    # GIVEN a notification with two bronze objects (one twice), an error object, a removal
    event = load_event("s3_bronze_object_created")
    # THEN only the created bronze objects come out, once each, keys URL-decoded
    assert objects(event) == [
        BronzeObject(BRONZE_BUCKET, BRONZE_KEY),
        BronzeObject(BRONZE_BUCKET, "quotes/dt=2026-11-26/manual upload T-Mobile+US (1).gz"),
    ]


def test_s3_test_event_names_nothing() -> None:
    event = load_event("s3_test_event")
    assert objects(event) == []


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"foo": 1},
        {"source": "aws.s3", "detail-type": "Object Created", "detail": {}},  # EventBridge
        {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put"}]},  # no s3 part
        {"Records": [{"eventSource": "aws:sqs", "body": "{}"}]},  # an SQS batch
    ],
)
def test_unknown_shapes_are_event_errors(event: dict[str, object]) -> None:
    with pytest.raises(EventError):
        objects(event)


def test_silver_bucket_notifications_are_ignored_to_avoid_a_loop() -> None:
    event = load_event("s3_bronze_object_created")
    for record in event["Records"]:
        record["s3"]["bucket"]["name"] = SILVER_BUCKET
    assert objects(event) == []


def test_empty_records_name_nothing() -> None:
    assert objects({"Records": []}) == []
