"""Dead letters back to the stream: S3 in moto, a Firehose that refuses some records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import boto3
import pytest
from moto import mock_aws

from firehose.resend import ObjectOutcome, resend_dead_letters, split_lines
from firehose.sender import Backoff, S3DeadLetter, send_lines
from tests.firehose.fakes import FakeFirehose

NO_WAIT = Backoff(max_attempts=3, sleep=lambda _: None)
BUCKET = "bronze"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET)
        yield client


def lines(tag: str, count: int, width: int = 20) -> list[str]:
    return [f"1,{tag}{i:0{width}d}\n" for i in range(count)]


def put(s3: Any, key: str, body: list[str]) -> None:
    s3.put_object(Bucket=BUCKET, Key=key, Body="".join(body).encode())


def keys(s3: Any) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_dead_letters_written_by_the_sender_go_back_and_are_deleted(s3: Any) -> None:
    # GIVEN records Firehose refused on every attempt, dead-lettered by send_lines
    refusing = FakeFirehose(fail_plan=[[0], [0], [0]])
    sent = lines("A", 3)
    report = send_lines(refusing, "quotes", sent, S3DeadLetter(s3, BUCKET), NO_WAIT)  # type: ignore[arg-type]
    assert len(report.dead_letter_keys) == 1
    # WHEN they are resent to a stream that now takes them
    healthy = FakeFirehose()
    resent = resend_dead_letters(s3, healthy, BUCKET, "quotes", backoff=NO_WAIT)  # type: ignore[arg-type]
    # THEN every line arrives once and the object is gone
    assert b"".join(healthy.accepted).decode().splitlines(keepends=True) == sent
    assert resent.deleted == report.dead_letter_keys
    assert resent.lines_sent == 3
    assert keys(s3) == []


def test_refused_records_stay_alone_in_their_object_until_a_later_run(s3: Any) -> None:
    # GIVEN two dead letters, one large enough for two records, and one outside the range
    small = lines("S", 5)
    large = lines("L", 60_000)  # ~1.6 MB: two records
    put(s3, "errors/producer/dt=2026-11-27/a.csv", small)
    put(s3, "errors/producer/dt=2026-11-28/b.csv", large)
    put(s3, "errors/producer/dt=2026-11-29/c.csv", lines("C", 2))
    # AND a Firehose that keeps refusing the second record of the large object
    firehose = FakeFirehose(fail_plan=[[], [1], [0], [0]])
    seen: list[ObjectOutcome] = []
    # WHEN the days 27 and 28 are resent
    report = resend_dead_letters(
        s3,
        firehose,  # type: ignore[arg-type]
        BUCKET,
        "quotes",
        since=date(2026, 11, 27),
        until=date(2026, 11, 28),
        on_object=seen.append,
        backoff=NO_WAIT,
    )
    # THEN the small object is deleted, the large one keeps only its refused lines
    assert [o.key for o in seen] == [
        "errors/producer/dt=2026-11-27/a.csv",
        "errors/producer/dt=2026-11-28/b.csv",
    ]
    assert report.deleted == ["errors/producer/dt=2026-11-27/a.csv"]
    kept = s3.get_object(Bucket=BUCKET, Key="errors/producer/dt=2026-11-28/b.csv")["Body"].read()
    left = split_lines(kept)
    delivered = b"".join(firehose.accepted).decode().splitlines(keepends=True)
    assert sorted(delivered + left) == sorted(small + large)
    assert report.kept == {
        "errors/producer/dt=2026-11-28/b.csv": f"{len(left)} lines still refused"
    }
    assert "errors/producer/dt=2026-11-29/c.csv" in keys(s3)
    # WHEN a later run finds the stream healthy
    again = FakeFirehose()
    resend_dead_letters(s3, again, BUCKET, "quotes", until=date(2026, 11, 28), backoff=NO_WAIT)  # type: ignore[arg-type]
    # THEN the rest arrives, each line exactly once over both runs
    delivered += b"".join(again.accepted).decode().splitlines(keepends=True)
    assert sorted(delivered) == sorted(small + large)
    assert keys(s3) == ["errors/producer/dt=2026-11-29/c.csv"]


def test_an_object_the_stream_cannot_take_is_reported_and_the_rest_go_on(s3: Any) -> None:
    put(s3, "errors/producer/dt=2026-11-27/a.csv", lines("A", 2))
    s3.put_object(Bucket=BUCKET, Key="errors/producer/dt=2026-11-27/bad.csv", Body=b"\xff\xfe")
    report = resend_dead_letters(s3, FakeFirehose(), BUCKET, "quotes", backoff=NO_WAIT)  # type: ignore[arg-type]
    assert report.deleted == ["errors/producer/dt=2026-11-27/a.csv"]
    assert list(report.kept) == ["errors/producer/dt=2026-11-27/bad.csv"]
    assert "UnicodeDecodeError" in report.kept["errors/producer/dt=2026-11-27/bad.csv"]


def test_split_lines_gives_a_last_line_its_newline_and_keeps_other_breaks() -> None:
    assert split_lines(b"1,a\x1cb\n1,c") == ["1,a\x1cb\n", "1,c\n"]
