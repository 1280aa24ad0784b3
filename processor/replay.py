"""Re-process the bronze objects of a date range into silver, e.g. after a processor fix.

Bronze is partitioned by arrival date (``quotes/dt=YYYY-MM-DD/``). Output keys and
bytes depend only on the bronze object, so a second replay leaves silver
byte-identical. An S3 error stops the replay (it is raised); run it again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from processor.bronze import BronzeObject
from processor.errors import BronzeReadError
from processor.observe import summarize
from processor.process import process_object
from processor.settings import Settings

Progress = Callable[[int, int, str], None]
"""Called after each object with (done, total, bronze key)."""


def replay(
    s3: Any,
    bronze_bucket: str,
    silver_bucket: str,
    start: date,
    end: date,
    *,
    progress: Progress | None = None,
    settings: Settings | None = None,
) -> dict[str, int]:
    """Process every bronze object that arrived from ``start`` to ``end`` (inclusive)."""
    settings = settings or Settings.from_env(silver_bucket=silver_bucket)
    objects = list(list_bronze(s3, bronze_bucket, settings.bronze_prefix, start, end))
    reports = []
    for done, obj in enumerate(objects, 1):
        reports.append(process_object(s3, obj, settings))
        if progress is not None:
            progress(done, len(objects), obj.key)
    totals = summarize(reports)
    totals["silver_objects"] = sum(len(r.silver_keys) for r in reports)
    totals["rejected_objects"] = sum(len(r.rejected_keys) for r in reports)
    return totals


def list_bronze(
    s3: Any, bucket: str, prefix: str, start: date, end: date
) -> Iterator[BronzeObject]:
    """Bronze objects of each arrival date in the range, dates and keys in order."""
    for day in _days(start, end):
        for key in sorted(_keys(s3, bucket, f"{prefix}dt={day.isoformat()}/")):
            yield BronzeObject(bucket, key)


def _days(start: date, end: date) -> Iterator[date]:
    for offset in range((end - start).days + 1):
        yield start + timedelta(days=offset)


def _keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    try:
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        return [o["Key"] for page in pages for o in page.get("Contents", []) if o["Key"][-1] != "/"]
    except (BotoCoreError, ClientError) as exc:
        raise BronzeReadError(f"listing s3://{bucket}/{prefix}: {exc}") from exc
