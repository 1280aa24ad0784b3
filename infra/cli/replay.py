"""`quotepipe replay`: re-process bronze into silver for a date range, on AWS or on the lake."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import boto3


def _progress(done: int, total: int, key: str) -> None:
    print(f"[{done}/{total}] {key}", file=sys.stderr, flush=True)


def _replay(s3: Any, bronze: str, silver: str, start: date, end: date) -> dict[str, Any]:
    from processor.replay import replay

    summary: dict[str, Any] = replay(s3, bronze, silver, start, end, progress=_progress)
    return summary


def _replay_lake(lake: Path, start: date, end: date) -> dict[str, Any]:
    """Load the lake's bronze into the embedded stack, replay, and write silver back."""
    from infra.local.stack.lake import download_bucket, upload_folder
    from infra.local.stack.moto_server import LocalStack

    with LocalStack() as stack:
        s3, names = stack.client("s3"), stack.names
        upload_folder(s3, lake / "bronze", names.bronze_bucket, stack.definition.bronze_prefix)
        summary = _replay(s3, names.bronze_bucket, names.silver_bucket, start, end)
        download_bucket(s3, names.silver_bucket, lake / "silver")
    return summary


def replay_command(
    start: date, end: date, *, lake: Path | None, bronze: str | None, silver: str | None
) -> int:
    """Replay and print the summary; returns the exit code."""
    if lake is not None:
        summary = _replay_lake(lake, start, end)
    elif bronze and silver:
        summary = _replay(boto3.client("s3"), bronze, silver, start, end)
    else:
        print(
            "quotepipe replay: give --lake DIR, or --bronze-bucket and --silver-bucket "
            "(or BRONZE_BUCKET and SILVER_BUCKET) to replay on AWS",
            file=sys.stderr,
        )
        return 2
    if not summary.get("objects"):
        print(f"quotepipe replay: no bronze objects from {start} to {end}", file=sys.stderr)
    print(" ".join(f"{k}={v}" for k, v in summary.items()))
    return 0
