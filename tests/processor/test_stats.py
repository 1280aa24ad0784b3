"""The per-object stats the processor writes for pipeline_health, on moto S3.

GIVEN a bronze object WHEN it is processed THEN ``stats/dt=<arrival date>/<name>.csv``
holds a header and one row whose counts are the ObjectReport's, readable by
OpenCSVSerde, and processing it again rewrites the same bytes.
"""

from __future__ import annotations

from typing import Any

from processor.bronze import BronzeObject
from processor.output import object_name
from processor.process import ObjectReport, process_object
from processor.settings import Settings
from processor.silver import clean_text
from processor.stats import STATS_COLUMNS
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

DAY = 86_400
# Two trade dates, an in-object duplicate, two rejected lines, blank lines.
BODY = "".join(
    [
        line(),
        line(),
        "\n\r\n",
        line(symbol="RY.TO", name="Royal Bank of Canada", currency="CAD", fx_rate=1.3987),
        line(trade_time=TRADE + DAY, fetched_at=FETCH + DAY),
        raw_line("1", "TMUS", "short"),
        "9,future,format\n",
    ]
)


def run(s3: Any, key: str = BRONZE_KEY, settings: Settings | None = None) -> ObjectReport:
    settings = settings or Settings(silver_bucket=SILVER_BUCKET)
    return process_object(s3, BronzeObject(BRONZE_BUCKET, key), settings)


def stats_of(s3: Any, report: ObjectReport) -> list[list[str | None]]:
    """The stats object's rows as Athena reads them (header skipped)."""
    body = silver_objects(s3, "stats/")[report.stats_key].decode()
    assert body.splitlines()[0] == ",".join(f'"{c}"' for c in STATS_COLUMNS)
    return read_table(body, len(STATS_COLUMNS))


def test_the_stats_row_holds_the_reports_counts_under_the_arrival_date(s3: Any) -> None:
    put_bronze(s3, BRONZE_KEY, BODY)
    report = run(s3)
    # One object, keyed by its arrival date (2026-11-26) though its rows span two trade dates
    assert report.stats_key == f"stats/dt=2026-11-26/{object_name(BRONZE_KEY)}.csv"
    assert len(report.silver_keys) == 2
    assert stats_of(s3, report) == [
        [BRONZE_KEY, "8", "3", "2", "0", "1", "2"],
    ]
    assert report.balanced
    counts = (
        *(report.lines_in, report.rows_written, report.rows_rejected),
        *(report.rejected_not_written, report.duplicates, report.blank_lines),
    )
    assert tuple(int(n or "") for n in stats_of(s3, report)[0][1:]) == counts == (8, 3, 2, 0, 1, 2)


def test_rejected_lines_past_the_limit_are_counted_in_the_stats(s3: Any) -> None:
    put_bronze(s3, BRONZE_KEY, line() + "9,x\n" * 25)
    report = run(s3, settings=Settings(silver_bucket=SILVER_BUCKET, max_rejected_rows=10))
    assert stats_of(s3, report)[0][1:] == ["26", "1", "25", "15", "0", "0"]


def test_reprocessing_rewrites_the_same_stats_bytes(s3: Any) -> None:
    put_bronze(s3, BRONZE_KEY, BODY)
    first = run(s3)
    before = silver_objects(s3, "stats/")
    again = run(s3)
    assert again.stats_key == first.stats_key
    assert silver_objects(s3, "stats/") == before


def test_a_hostile_key_reads_back_as_silvers_source_key(s3: Any) -> None:
    # S3 keys may hold quotes, backslashes, commas and control characters.
    key = 'quotes/dt=2026-11-26/odd "name", with \\ and\ttab-2026-11-26-14-30-05-x'
    put_bronze(s3, key, line())
    report = run(s3, key)
    (silver,) = report.silver_keys
    silver_row = read_table(silver_objects(s3, silver)[silver].decode(), 15)[0]
    assert stats_of(s3, report)[0][0] == silver_row[13] == clean_text(key)


def test_an_object_without_a_dated_key_uses_its_last_modified_date(s3: Any) -> None:
    put_bronze(s3, "quotes/manual-upload", line())
    report = run(s3, "quotes/manual-upload")
    modified = s3.head_object(Bucket=BRONZE_BUCKET, Key="quotes/manual-upload")["LastModified"]
    assert report.stats_key.startswith(f"stats/dt={modified.date().isoformat()}/")
