"""Packing lines into records and records into PutRecordBatch calls, at the limits."""

from __future__ import annotations

import pytest

from firehose.errors import LineTooLargeError
from firehose.packing import (
    MAX_BATCH_BYTES,
    MAX_BATCH_RECORDS,
    MAX_RECORD_BYTES,
    batch_records,
    billed_bytes,
    pack_lines,
)


def test_lines_are_never_split_and_records_stay_under_the_limit() -> None:
    lines = [f"1,SYM{i:05d},Name {i},NMS,USD,{i}.5\n" for i in range(60_000)]
    records = list(pack_lines(lines))
    assert all(len(r) <= MAX_RECORD_BYTES for r in records)
    assert b"".join(records).decode().splitlines(keepends=True) == lines
    assert all(r.endswith(b"\n") for r in records)


def test_a_line_of_exactly_the_record_limit_fits_alone() -> None:
    big = "x" * (MAX_RECORD_BYTES - 1) + "\n"
    records = list(pack_lines(["a\n", big, "b\n"]))
    assert [len(r) for r in records] == [2, MAX_RECORD_BYTES, 2]


def test_a_line_over_the_record_limit_is_an_error() -> None:
    with pytest.raises(LineTooLargeError):
        list(pack_lines(["x" * MAX_RECORD_BYTES + "\n"]))


def test_batches_stop_at_500_records() -> None:
    batches = list(batch_records([b"a\n"] * (MAX_BATCH_RECORDS * 2 + 1)))
    assert [len(b) for b in batches] == [500, 500, 1]


def test_batches_stop_at_4_mib() -> None:
    record = b"y" * MAX_RECORD_BYTES
    batches = list(batch_records([record] * 9))
    assert all(sum(map(len, b)) <= MAX_BATCH_BYTES for b in batches)
    assert [len(b) for b in batches] == [4, 4, 1]
    # 4 records of 1,000 KiB are 4,000 KiB: a fifth would pass 4 MiB.


def test_billed_bytes_stay_within_two_percent_for_a_large_tick() -> None:
    lines = [
        f"1,SYM{i:05d},Company number {i},NMS,USD,{i}.25,0.5,100,REGULAR\n" for i in range(10_000)
    ]
    records = list(pack_lines(lines))
    payload = sum(map(len, records))
    assert billed_bytes(records) <= payload * 1.02


def test_billed_bytes_round_each_record_up_to_5_kb() -> None:
    assert billed_bytes([b"x", b"y" * 5120, b"z" * 5121]) == 5120 + 5120 + 10240
