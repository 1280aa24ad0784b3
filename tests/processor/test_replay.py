"""Replay: re-process a date range of bronze; a second replay leaves silver byte-identical."""

from __future__ import annotations

import gzip
from datetime import date
from typing import Any

from processor.errors import ProcessorError
from processor.process import ObjectReport
from processor.replay import list_bronze, replay
from tests.processor.helpers import (
    BRONZE_BUCKET,
    SILVER_BUCKET,
    TRADE,
    line,
    put_bronze,
    silver_objects,
)

DAY = 86_400
KEYS = {
    "quotes/dt=2026-11-25/quotepipe-bronze-1-2026-11-25-23-59-00-a": line(
        trade_time=TRADE - DAY, fetched_at=TRADE - DAY + 40
    ),
    "quotes/dt=2026-11-26/quotepipe-bronze-1-2026-11-26-14-30-05-b": line() + line(),
    "quotes/dt=2026-11-26/quotepipe-bronze-1-2026-11-26-14-31-05-c": line(symbol="bad sym"),
    "quotes/dt=2026-11-27/quotepipe-bronze-1-2026-11-27-00-00-05-d": line(),
    "errors/firehose/processing-failed/dt=2026-11-26/x": "not bronze\n",
}


class Recorder:
    """A replay watcher that remembers what it heard."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int, str]] = []
        self.failures: list[tuple[str, str]] = []

    def processed(self, done: int, total: int, report: ObjectReport) -> None:
        self.calls.append((done, total, report.key))

    def failed(self, done: int, total: int, key: str, error: ProcessorError) -> None:
        self.calls.append((done, total, key))
        self.failures.append((key, type(error).__name__))


def _seed(s3: Any) -> None:
    for key, body in KEYS.items():
        put_bronze(s3, key, body)


def test_replay_processes_only_the_dates_asked_for(s3: Any) -> None:
    _seed(s3)
    watcher = Recorder()
    done = replay(
        s3, BRONZE_BUCKET, SILVER_BUCKET, date(2026, 11, 25), date(2026, 11, 26), watcher=watcher
    )
    calls = watcher.calls
    assert done.failures == []
    assert done.summary == {
        "objects": 3,
        "lines_in": 4,
        "rows_written": 2,
        "rows_rejected": 1,
        "duplicates": 1,
        "blank_lines": 0,
        "silver_objects": 2,
        "rejected_objects": 1,
        "failed_objects": 0,
    }
    assert [c[:2] for c in calls] == [(1, 3), (2, 3), (3, 3)]
    assert [c[2][:20] for c in calls] == ["quotes/dt=2026-11-25", *["quotes/dt=2026-11-26"] * 2]


def test_a_second_replay_leaves_silver_byte_identical(s3: Any) -> None:
    _seed(s3)
    replay(s3, BRONZE_BUCKET, SILVER_BUCKET, date(2026, 11, 25), date(2026, 11, 27))
    first = silver_objects(s3)
    replay(s3, BRONZE_BUCKET, SILVER_BUCKET, date(2026, 11, 25), date(2026, 11, 27))
    assert silver_objects(s3) == first
    assert len(first) == 8  # three silver objects, one rejected, one stats per bronze object


def test_list_bronze_pages_through_many_objects(s3: Any) -> None:
    for i in range(1_005):
        put_bronze(s3, f"quotes/dt=2026-11-26/obj-{i:04d}", b"")
    found = list(list_bronze(s3, BRONZE_BUCKET, "quotes/", date(2026, 11, 26), date(2026, 11, 26)))
    assert len(found) == 1_005
    assert found[0].key == "quotes/dt=2026-11-26/obj-0000"


def test_an_empty_range_does_nothing(s3: Any) -> None:
    done = replay(s3, BRONZE_BUCKET, SILVER_BUCKET, date(2026, 11, 27), date(2026, 11, 26))
    assert done.summary["objects"] == 0


def test_a_corrupt_object_is_named_and_the_rest_replayed(s3: Any) -> None:
    # GIVEN a truncated gzip object between two good ones
    put_bronze(s3, "quotes/dt=2026-11-26/a", line())
    put_bronze(s3, "quotes/dt=2026-11-26/b.gz", gzip.compress(line().encode() * 50)[:-30])
    put_bronze(s3, "quotes/dt=2026-11-26/c", line(symbol="AAPL"))
    watcher = Recorder()
    # WHEN the day is replayed
    day = date(2026, 11, 26)
    done = replay(s3, BRONZE_BUCKET, SILVER_BUCKET, day, day, watcher=watcher)
    # THEN both good objects were processed, and the corrupt one is named and wrote nothing
    assert [f.key for f in done.failures] == ["quotes/dt=2026-11-26/b.gz"]
    assert "corrupt or truncated" in done.failures[0].error
    assert watcher.failures == [("quotes/dt=2026-11-26/b.gz", "BronzeReadError")]
    assert (done.summary["objects"], done.summary["failed_objects"]) == (2, 1)
    assert len(silver_objects(s3, "quotes/")) == len(silver_objects(s3, "stats/")) == 2
