"""One small statistics object per bronze object: what ``pipeline_health`` counts.

``stats/dt=<arrival date>/<name>.csv`` in the silver bucket (``<name>`` as the object's
silver and rejected objects), in the silver dialect (``format_line``): a header and one
row of the ``ObjectReport`` counts. It is keyed by the bronze object's *arrival* date
(the ``dt=`` of its key, else its LastModified), never the processing date: the health
panel groups by arrival hour, a replay of the same object must rewrite the same key
with the same bytes, and the silver rows of one object may span several trade dates.

It is written after the silver and rejected objects are complete, so a stats row means
its object's silver is there; a failed write fails the object, which is then retried
and writes the same objects again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from processor.output import PartWriter
from processor.silver import clean_text, format_line, header_line

if TYPE_CHECKING:
    from processor.process import ObjectReport

STATS_PREFIX = "stats/"
STATS_COLUMNS = (
    *("source_key", "lines_in", "rows_written", "rows_rejected"),
    *("rejected_not_written", "duplicates", "blank_lines"),
)


def stats_key(arrival_date: str, name: str) -> str:
    """The key of a bronze object's statistics in the silver bucket."""
    return f"{STATS_PREFIX}dt={arrival_date}/{name}.csv"


def stats_row(report: ObjectReport) -> list[str]:
    """The one data row, in ``STATS_COLUMNS`` order (``source_key`` cleaned as silver's)."""
    counts = (
        *(report.lines_in, report.rows_written, report.rows_rejected),
        *(report.rejected_not_written, report.duplicates, report.blank_lines),
    )
    return [clean_text(report.key), *map(str, counts)]


def write_stats(s3: Any, bucket: str, key: str, report: ObjectReport) -> None:
    """Put the statistics object (one PutObject: it is a few hundred bytes)."""
    writer = PartWriter(s3, bucket, key, part_size=1 << 30, header=header_line(STATS_COLUMNS))
    writer.write([format_line(stats_row(report))])
    writer.close()
