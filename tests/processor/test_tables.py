"""What the processor writes is what the tables read: date range and rejected columns.

``processor.partitions.PROJECTION_RANGE`` is the single source (the processor image
cannot read sql/ or the template at run time); every ``projection.dt.range`` in
sql/setup/ and in infra/template.yaml must spell it exactly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from infra.aws.template import load_template
from processor.partitions import EARLIEST_VISIBLE_EPOCH, PROJECTION_RANGE, PROJECTION_START
from processor.process import REJECTED_COLUMNS
from tests.support import REPO

_SQL_RANGE = re.compile(r"'projection\.dt\.range'\s*=\s*'([^']*)'")


def _template_ranges(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "projection.dt.range":
                yield str(value)
            else:
                yield from _template_ranges(value)
    elif isinstance(node, list):
        for item in node:
            yield from _template_ranges(item)


def test_every_sql_table_projects_the_processors_range() -> None:
    found = {
        path.name: _SQL_RANGE.findall(path.read_text(encoding="utf-8"))
        for path in sorted((REPO / "sql" / "setup").glob("*.sql"))
    }
    ranges = [r for per_file in found.values() for r in per_file]
    assert len(ranges) >= 2, found  # silver_quotes and silver_rejected at least
    assert set(ranges) == {PROJECTION_RANGE}, found


def test_every_glue_table_in_the_template_projects_the_processors_range() -> None:
    ranges = list(_template_ranges(load_template()["Resources"]))
    assert ranges, "no projection.dt.range in infra/template.yaml"
    assert set(ranges) == {PROJECTION_RANGE}


def test_the_earliest_epoch_is_midnight_utc_of_the_first_projected_day() -> None:
    from datetime import UTC, datetime

    first = datetime.fromtimestamp(EARLIEST_VISIBLE_EPOCH, UTC)
    assert (first.date(), first.time().isoformat()) == (PROJECTION_START, "00:00:00")


def test_the_rejected_table_reads_the_columns_the_processor_writes() -> None:
    ddl = (REPO / "sql" / "setup" / "030_silver_rejected.sql").read_text(encoding="utf-8")
    body = re.search(r"silver_rejected\s*\((.*?)\)\s*COMMENT", ddl, re.S)
    assert body
    assert tuple(re.findall(r"(\w+)\s+STRING", body.group(1))) == REJECTED_COLUMNS
