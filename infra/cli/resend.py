"""`quotepipe resend-dead-letters`: records Firehose refused, back to the stream.

The producer writes records Firehose refused after its retries to
``s3://BRONZE_BUCKET/errors/producer/dt=YYYY-MM-DD/…``; ``firehose.resend`` sends each
object's lines again and deletes the object once all of them went. This front end
prints a line per object as it goes, a summary, and exits 1 naming every object
that stays in the bucket, so running it again picks up exactly those.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from firehose.resend import DEFAULT_PREFIX, ObjectOutcome, resend_dead_letters

if TYPE_CHECKING:
    from firehose.resend import ResendReport

COMMAND = "quotepipe resend-dead-letters"


class _Progress:
    """Prints one line per object on stderr, numbered, as the report grows."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, outcome: ObjectOutcome) -> None:
        self.count += 1
        what = "deleted" if outcome.deleted else f"kept: {_reason(outcome)}"
        line = f"[{self.count}] {outcome.key}: {outcome.lines_sent} lines sent, {what}"
        print(line, file=sys.stderr, flush=True)


def _reason(outcome: ObjectOutcome) -> str:
    return outcome.error or f"{outcome.lines_left} lines still refused"


def _resend(bucket: str, stream: str, start: date | None, end: date | None) -> ResendReport:
    """Build the clients (region and credentials as boto3 finds them) and resend."""
    s3, firehose = boto3.client("s3"), boto3.client("firehose")
    return resend_dead_letters(
        s3, firehose, bucket, stream, since=start, until=end, on_object=_Progress()
    )


def _summary(report: ResendReport) -> str:
    counts = {
        "objects": len(report.outcomes),
        "deleted": len(report.deleted),
        "kept": len(report.kept),
        "lines_sent": report.lines_sent,
    }
    return " ".join(f"{name}={value}" for name, value in counts.items())


def resend_command(
    *, bucket: str | None, stream: str | None, start: date | None, end: date | None
) -> int:
    """Resend and report; 0 when every object went, 1 when some stay, 2 for a usage error."""
    if not bucket or not stream:
        print(
            f"{COMMAND}: give --bronze-bucket and --stream (or BRONZE_BUCKET and "
            "DELIVERY_STREAM_NAME)",
            file=sys.stderr,
        )
        return 2
    if start is not None and end is not None and start > end:
        print(f"{COMMAND}: --from is after --to", file=sys.stderr)
        return 2
    try:
        report = _resend(bucket, stream, start, end)
    except (BotoCoreError, ClientError) as exc:  # listing the bucket, or no region/credentials
        print(f"{COMMAND}: cannot read s3://{bucket}/{DEFAULT_PREFIX}: {exc}", file=sys.stderr)
        return 1
    if not report.outcomes:
        print(f"{COMMAND}: no dead letters under s3://{bucket}/{DEFAULT_PREFIX}", file=sys.stderr)
    print(_summary(report))
    for key, reason in report.kept.items():
        print(f"{COMMAND}: kept s3://{bucket}/{key}: {reason}", file=sys.stderr)
    return 1 if report.kept else 0
