"""What Athena can see: the ``dt`` range of the Glue tables' partition projection.

This is the one place the range is written down. The processor image carries only
``processor/`` and ``firehose/``, so the SQL and the template cannot be read at run
time; instead tests/processor/test_projection.py checks that every
``projection.dt.range`` in ``sql/setup/`` and ``infra/template.yaml`` equals
``PROJECTION_RANGE``. A row whose trade date falls outside it would be counted as
silver and seen by no query, so the validator rejects it (``trade_time_out_of_range``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

PROJECTION_START = date(2024, 1, 1)
"""The first ``dt`` Athena's projection reads; older rows would be invisible."""
PROJECTION_RANGE = f"{PROJECTION_START.isoformat()},NOW"
"""``projection.dt.range`` as the DDL and the template must spell it; ``NOW`` is query time."""
EARLIEST_VISIBLE_EPOCH = int(
    datetime.combine(PROJECTION_START, datetime.min.time(), UTC).timestamp()
)
