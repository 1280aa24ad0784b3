"""Event shapes: S3 notifications, the same in SQS, EventBridge, and the S3 test event."""

from __future__ import annotations

import json

import pytest

from processor.bronze import BronzeObject
from processor.errors import EventError
from processor.events import bronze_objects, event_kind, message_event, sqs_messages
from tests.processor.helpers import BRONZE_BUCKET, BRONZE_KEY, SILVER_BUCKET, load_event


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
    assert event_kind(event) == "test"
    assert objects(event) == []


def test_eventbridge_object_created() -> None:
    event = load_event("eventbridge_object_created")
    assert event_kind(event) == "eventbridge"
    assert objects(event) == [BronzeObject(BRONZE_BUCKET, BRONZE_KEY)]


def test_eventbridge_other_detail_types_name_nothing() -> None:
    event = {**load_event("eventbridge_object_created"), "detail-type": "Object Deleted"}
    assert objects(event) == []


def test_sqs_messages_carry_s3_events_and_test_events() -> None:
    event = load_event("sqs_s3_notifications")
    assert event_kind(event) == "sqs"
    messages = sqs_messages(event)
    assert [m[0] for m in messages] == [
        "059f36b4-87a3-44ab-83d2-661975830a7d",
        "2e1424d4-f796-459a-8184-9c92662be6da",
    ]
    assert objects(dict(message_event(messages[0][1]))) == [BronzeObject(BRONZE_BUCKET, BRONZE_KEY)]
    assert objects(dict(message_event(messages[1][1]))) == []


def test_sns_envelope_in_sqs_is_unwrapped() -> None:
    inner = load_event("s3_test_event")
    body = json.dumps({"Type": "Notification", "Message": json.dumps(inner)})
    assert message_event(body) == inner


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"Type": "Notification"}'])
def test_unreadable_sqs_bodies_are_event_errors(body: str) -> None:
    with pytest.raises(EventError):
        message_event(body)


def test_sqs_batch_is_not_a_plain_object_list() -> None:
    with pytest.raises(EventError):
        objects(load_event("sqs_s3_notifications"))


@pytest.mark.parametrize("event", [{}, {"foo": 1}, {"source": "aws.s3"}])
def test_unknown_shapes_are_event_errors(event: dict[str, object]) -> None:
    with pytest.raises(EventError):
        event_kind(event)


def test_silver_bucket_notifications_are_ignored_to_avoid_a_loop() -> None:
    event = load_event("s3_bronze_object_created")
    for record in event["Records"]:
        record["s3"]["bucket"]["name"] = SILVER_BUCKET
    assert objects(event) == []


def test_empty_records_name_nothing() -> None:
    assert objects({"Records": []}) == []
