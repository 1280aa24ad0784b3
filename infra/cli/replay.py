"""`quotepipe replay`: re-process bronze into silver for a date range, on AWS or on the lake.

Objects that cannot be processed are named and skipped; the command processes the
rest, prints the totals, lists the skipped objects and exits 1. On a lake, each
object's silver, rejected and stats files are written to disk as soon as it is done, so an
interrupted replay keeps what it finished.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from processor.errors import ProcessorError
    from processor.process import ObjectReport
    from processor.replay import Replayed


@dataclass(frozen=True)
class _Progress:
    """Prints each object's outcome; on a lake, also copies its outputs to disk."""

    s3: Any
    silver_bucket: str
    lake_silver: Path | None = None

    def processed(self, done: int, total: int, report: ObjectReport) -> None:
        """Report the object and, on a lake, write its outputs now."""
        if self.lake_silver is not None:
            for key in (*report.silver_keys, *report.rejected_keys, report.stats_key):
                path = self.lake_silver / key
                path.parent.mkdir(parents=True, exist_ok=True)
                self.s3.download_file(self.silver_bucket, key, str(path))
        print(f"[{done}/{total}] {report.key}", file=sys.stderr, flush=True)

    def failed(self, done: int, total: int, key: str, error: ProcessorError) -> None:
        """Name the object that could not be processed."""
        print(f"[{done}/{total}] {key}: FAILED: {error}", file=sys.stderr, flush=True)


def _replay(
    s3: Any, bronze: str, silver: str, start: date, end: date, *, lake: Path | None
) -> Replayed:
    from processor.replay import replay

    progress = _Progress(s3, silver, None if lake is None else lake / "silver")
    return replay(s3, bronze, silver, start, end, watcher=progress)


def _replay_lake(lake: Path, start: date, end: date) -> Replayed:
    """Load the lake's bronze into the embedded stack; replay, writing silver back as it goes."""
    from infra.local.stack.lake import upload_folder
    from infra.local.stack.moto_server import LocalStack

    with LocalStack() as stack:
        s3, names = stack.client("s3"), stack.names
        upload_folder(s3, lake / "bronze", names.bronze_bucket, stack.definition.bronze_prefix)
        return _replay(s3, names.bronze_bucket, names.silver_bucket, start, end, lake=lake)


def replay_command(
    start: date, end: date, *, lake: Path | None, bronze: str | None, silver: str | None
) -> int:
    """Replay and print the summary; returns the exit code (1 when an object was skipped)."""
    from processor.errors import ProcessorError

    try:
        if lake is not None:
            done = _replay_lake(lake, start, end)
        elif bronze and silver:
            done = _replay(boto3.client("s3"), bronze, silver, start, end, lake=None)
        else:
            print(
                "quotepipe replay: give --lake DIR, or --bronze-bucket and --silver-bucket "
                "(or BRONZE_BUCKET and SILVER_BUCKET) to replay on AWS",
                file=sys.stderr,
            )
            return 2
    except ProcessorError as exc:
        print(f"quotepipe replay: {exc}", file=sys.stderr)
        return 1
    return _report(done, start, end)


def _report(done: Replayed, start: date, end: date) -> int:
    if not done.summary.get("objects") and not done.failures:
        print(f"quotepipe replay: no bronze objects from {start} to {end}", file=sys.stderr)
    print(" ".join(f"{k}={v}" for k, v in done.summary.items()))
    if not done.failures:
        return 0
    print(
        f"quotepipe replay: {len(done.failures)} bronze object(s) could not be processed "
        "and were skipped (the rest were replayed):",
        file=sys.stderr,
    )
    for failure in done.failures:
        print(f"  {failure.key}: {failure.error}", file=sys.stderr)
    return 1
