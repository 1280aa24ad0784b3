"""One bronze object end to end on moto S3: rows, rejections, duplicates, dates, idempotence."""

from __future__ import annotations

import gzip
from typing import Any

import pytest

from processor.bronze import BronzeObject
from processor.errors import BronzeReadError, SilverWriteError
from processor.output import object_name
from processor.process import REJECTED_COLUMNS, process_object
from processor.settings import Settings
from processor.silver import SILVER_COLUMNS
from tests.processor.helpers import (
    BRONZE_BUCKET,
    BRONZE_KEY,
    FETCH,
    SILVER_BUCKET,
    TRADE,
    line,
    put_bronze,
    raw_line,
    silver_objects,
)
from tests.processor.opencsv import read_table

SETTINGS = Settings(silver_bucket=SILVER_BUCKET)
DAY = 86_400
NAME = object_name(BRONZE_KEY)


def run(s3: Any, key: str = BRONZE_KEY, settings: Settings = SETTINGS) -> Any:
    return process_object(s3, BronzeObject(BRONZE_BUCKET, key), settings)


MIXED = "".join(
    [
        line(),
        line(),  # in-file duplicate
        line(symbol="RY.TO", name="Royal Bank of Canada", currency="CAD", fx_rate=1.3987),
        line(trade_time=TRADE + DAY, fetched_at=FETCH + DAY),  # next day
        raw_line("1", "TMUS", "short"),
        line(price=float("nan")),
        line(currency="GBP", fx_rate=None),
        "9,future,format\n",
    ]
)


def test_every_line_ends_in_exactly_one_place(s3: Any) -> None:
    put_bronze(s3, BRONZE_KEY, MIXED)
    report = run(s3)
    assert (report.lines_in, report.rows_written, report.rows_rejected, report.duplicates) == (
        8, 3, 4, 1,
    )  # fmt: skip
    assert report.balanced
    assert report.reasons == {
        "bad_price": 1,
        "missing_fx_rate": 1,
        "unknown_version": 1,
        "wrong_column_count": 1,
    }


def test_a_two_date_object_writes_one_silver_object_per_date(s3: Any) -> None:
    put_bronze(s3, BRONZE_KEY, MIXED)
    report = run(s3)
    assert report.silver_keys == (
        f"quotes/dt=2026-11-26/{NAME}.csv",
        f"quotes/dt=2026-11-27/{NAME}.csv",
    )
    assert report.rejected_keys == (f"rejected/dt=2026-11-26/{NAME}.csv",)
    objects = silver_objects(s3)
    day1 = read_table(objects[report.silver_keys[0]].decode(), len(SILVER_COLUMNS))
    day2 = read_table(objects[report.silver_keys[1]].decode(), len(SILVER_COLUMNS))
    assert [r[0] for r in day1] == ["TMUS", "RY.TO"]
    assert [r[11] for r in day2] == ["2026-11-27T14:30:05Z"]
    assert all(r[-2:] == [BRONZE_KEY, "quote"] for r in day1 + day2)


def test_silver_files_carry_the_contract_header(s3: Any) -> None:
    put_bronze(s3, BRONZE_KEY, line())
    (key,) = run(s3).silver_keys
    first = silver_objects(s3)[key].decode().splitlines()[0]
    assert first == ",".join(f'"{c}"' for c in SILVER_COLUMNS)


def test_rejected_rows_keep_the_raw_line_reason_and_lineage(s3: Any) -> None:
    put_bronze(s3, BRONZE_KEY, line() + line(symbol="bad sym") + "\x00oops\r\n")
    (key,) = run(s3).rejected_keys
    rows = read_table(silver_objects(s3)[key].decode(), len(REJECTED_COLUMNS))
    assert [r[0] for r in rows] == ["bad_symbol", "unknown_version"]
    assert rows[0][2] == line(symbol="bad sym").rstrip("\n")
    assert rows[1][2] == " oops"
    assert [(r[3], r[4]) for r in rows] == [(BRONZE_KEY, "2"), (BRONZE_KEY, "3")]
    assert [r[5] for r in rows] == [str(len(rows[0][2])), "5"]


def test_blank_lines_are_counted_not_written(s3: Any) -> None:
    # GIVEN blank lines (LF and CRLF) before, between and after two good lines
    put_bronze(s3, BRONZE_KEY, "\n\n" + line() + "\r\n\n" + line(symbol="AAPL") + "\n")
    report = run(s3)
    # THEN they balance the report as blank lines and no rejected object is written
    assert (report.lines_in, report.rows_written, report.blank_lines) == (7, 2, 5)
    assert (report.rows_rejected, report.rejected_keys, report.balanced) == (0, (), True)


def test_a_rejected_row_keeps_the_first_kib_and_the_length(s3: Any) -> None:
    # GIVEN a bad line of 30,000 two-byte characters (60 KB) and a 100 KB line
    put_bronze(s3, BRONZE_KEY, "1," + "é" * 30_000 + "\n" + "x" * 100_000 + "\n")
    report = run(s3)
    (key,) = report.rejected_keys
    rows = read_table(silver_objects(s3)[key].decode(), len(REJECTED_COLUMNS))
    # THEN each row holds at most 1 KiB of its line, cut on a character, and the line's length
    assert [r[0] for r in rows] == ["wrong_column_count", "line_too_long"]
    assert rows[0][2] == "1," + "é" * 511 and rows[0][5] == "60002"
    assert rows[1][2] == "x" * 1024 and rows[1][5] == "100000"
    assert report.reasons == {"line_too_long": 1, "wrong_column_count": 1}


def test_past_the_limit_rejected_lines_are_counted_not_written(s3: Any) -> None:
    put_bronze(s3, BRONZE_KEY, "bad\n" * 25 + line())
    report = run(s3, settings=Settings(silver_bucket=SILVER_BUCKET, max_rejected_rows=10))
    (key,) = report.rejected_keys
    assert len(read_table(silver_objects(s3)[key].decode(), len(REJECTED_COLUMNS))) == 10
    assert (report.rows_rejected, report.rejected_not_written, report.rows_written) == (25, 15, 1)
    assert report.reasons == {"unknown_version": 25}
    assert report.balanced


def test_undecodable_bytes_are_rejected_not_fatal(s3: Any) -> None:
    put_bronze(s3, BRONZE_KEY, line().encode() + b"1,\xff\xfe,x\n")
    report = run(s3)
    assert (report.rows_written, report.reasons) == (1, {"not_utf8": 1})


def test_processing_twice_writes_the_same_bytes(s3: Any) -> None:
    put_bronze(s3, BRONZE_KEY, MIXED)
    run(s3)
    first = silver_objects(s3)
    run(s3)
    assert silver_objects(s3) == first


def test_gzip_bronze_gives_the_same_rows(s3: Any) -> None:
    put_bronze(s3, BRONZE_KEY, MIXED)
    plain = run(s3)
    gz_key = BRONZE_KEY.replace("dt=2026-11-26/", "dt=2026-11-26/gz-") + ".gz"
    put_bronze(s3, gz_key, gzip.compress(MIXED.encode()))
    packed = run(s3, gz_key)
    assert (packed.rows_written, packed.rows_rejected, packed.duplicates) == (
        plain.rows_written, plain.rows_rejected, plain.duplicates,
    )  # fmt: skip
    objects = silver_objects(s3)
    body = objects[packed.silver_keys[0]].replace(gz_key.encode(), BRONZE_KEY.encode())
    assert body == objects[plain.silver_keys[0]]


def test_large_outputs_are_uploaded_in_parts(s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN ~6 MiB of silver output and 5 MiB parts
    lines = [line(symbol=f"S{i % 500}", trade_time=TRADE - i) for i in range(24_000)]
    put_bronze(s3, BRONZE_KEY, "".join(lines))
    calls: list[str] = []
    for name in ("put_object", "create_multipart_upload", "upload_part"):
        original = getattr(s3, name)
        monkeypatch.setattr(s3, name, _recording(original, name, calls))
    report = run(s3, settings=Settings(silver_bucket=SILVER_BUCKET, part_size_mb=5))
    # THEN the object went up in two parts and reads back whole
    assert calls.count("create_multipart_upload") == 1
    assert calls.count("upload_part") == 2
    (key,) = report.silver_keys
    body = silver_objects(s3)[key].decode()
    assert len(read_table(body, len(SILVER_COLUMNS))) == 24_000 == report.rows_written


def _recording(original: Any, name: str, calls: list[str]) -> Any:
    def call(**kwargs: Any) -> Any:
        calls.append(name)
        return original(**kwargs)

    return call


def test_a_missing_bronze_object_is_raised(s3: Any) -> None:
    with pytest.raises(BronzeReadError):
        run(s3, "quotes/dt=2026-11-26/gone")


def test_a_failed_write_is_raised_and_leaves_no_open_upload(s3: Any) -> None:
    put_bronze(s3, BRONZE_KEY, line())
    with pytest.raises(SilverWriteError):
        run(s3, settings=Settings(silver_bucket="no-such-bucket"))


def test_a_failed_part_aborts_the_upload(s3: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    lines = [line(symbol=f"S{i % 500}", trade_time=TRADE - i) for i in range(24_000)]
    put_bronze(s3, BRONZE_KEY, "".join(lines))

    def fail(**kwargs: Any) -> Any:
        raise ClientError({"Error": {"Code": "SlowDown", "Message": "x"}}, "UploadPart")

    monkeypatch.setattr(s3, "upload_part", fail)
    with pytest.raises(SilverWriteError):
        run(s3, settings=Settings(silver_bucket=SILVER_BUCKET, part_size_mb=5))
    assert not s3.list_multipart_uploads(Bucket=SILVER_BUCKET).get("Uploads")
    assert silver_objects(s3) == {}


def test_an_empty_object_writes_nothing(s3: Any) -> None:
    put_bronze(s3, BRONZE_KEY, b"")
    report = run(s3)
    assert (report.lines_in, report.silver_keys, report.rejected_keys) == (0, (), ())
    assert list(silver_objects(s3)) == [report.stats_key]  # zero counts, still an arrival


def test_block_boundaries_change_no_byte_or_line_number(
    s3: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a mixed object with an undecodable line, CRLF ends, blank and too-long lines
    # and no final newline
    body = (MIXED + "\n1,TMUS,\xff\n\n").encode().replace(b"\xc3\xbf", b"\xff") + (
        "z" * 70_000 + "\n" + line(symbol="CR").replace("\n", "\r\n") + "\r\n"
        + line(symbol="LAST").rstrip("\n")
    ).encode()  # fmt: skip
    put_bronze(s3, BRONZE_KEY, body)
    whole = run(s3)
    expected = silver_objects(s3)
    # WHEN the same object is read in blocks of a few lines
    monkeypatch.setattr("processor.bronze.BLOCK_SIZE", 100)
    blocked = run(s3)
    # THEN the outputs, counts and rejected line numbers are the same
    assert silver_objects(s3) == expected
    assert blocked == whole
    assert blocked.balanced
    assert blocked.reasons["not_utf8"] == blocked.reasons["line_too_long"] == 1
    assert blocked.blank_lines == 3
