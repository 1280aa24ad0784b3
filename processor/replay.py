"""Re-process the bronze objects of a date range into silver, e.g. after a processor fix.

Bronze is partitioned by arrival date (``quotes/dt=YYYY-MM-DD/``). Output keys and
bytes depend only on the bronze object, so a second replay leaves silver
byte-identical. An object that cannot be processed (a truncated gzip, a failed
write) is named and skipped, and the replay goes on with the rest: one corrupt
object must not hold back a whole range. Each object is reported as soon as it is
done, so a caller can keep what is finished even if the replay is interrupted. An
error listing bronze stops the replay (it is raised); run it again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from processor.bronze import BronzeObject
from processor.errors import BronzeReadError, ProcessorError
from processor.observe import summarize
from processor.process import ObjectReport, process_object
from processor.settings import Settings


class ReplayWatcher(Protocol):
    """Who hears about each object as soon as it is done."""

    def processed(self, done: int, total: int, report: ObjectReport) -> None:
        """Object ``done`` of ``total`` was processed; its outputs are written."""

    def failed(self, done: int, total: int, key: str, error: ProcessorError) -> None:
        """Object ``done`` of ``total`` could not be processed and wrote nothing."""


@dataclass(frozen=True)
class Failure:
    """A bronze object replay skipped, and why."""

    key: str
    error: str


@dataclass
class Replayed:
    """What a replay did: totals over the processed objects and the objects it skipped."""

    summary: dict[str, int]
    failures: list[Failure] = field(default_factory=list)


def replay(
    s3: Any,
    bronze_bucket: str,
    silver_bucket: str,
    start: date,
    end: date,
    *,
    watcher: ReplayWatcher | None = None,
    settings: Settings | None = None,
) -> Replayed:
    """Process every bronze object that arrived from ``start`` to ``end`` (inclusive)."""
    settings = settings or Settings.from_env(silver_bucket=silver_bucket)
    objects = list(list_bronze(s3, bronze_bucket, settings.bronze_prefix, start, end))
    reports, failures = [], []
    for done, obj in enumerate(objects, 1):
        try:
            report = process_object(s3, obj, settings)
        except ProcessorError as exc:  # BronzeReadError, SilverWriteError: this object only
            failures.append(Failure(obj.key, str(exc)))
            if watcher is not None:
                watcher.failed(done, len(objects), obj.key, exc)
            continue
        reports.append(report)
        if watcher is not None:
            watcher.processed(done, len(objects), report)
    return Replayed(_totals(reports, failures), failures)


def _totals(reports: list[ObjectReport], failures: list[Failure]) -> dict[str, int]:
    totals = summarize(reports)
    totals["silver_objects"] = sum(len(r.silver_keys) for r in reports)
    totals["rejected_objects"] = sum(len(r.rejected_keys) for r in reports)
    totals["failed_objects"] = len(failures)
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
