"""Send the producer's dead letters back to the stream, deleting each object once delivered.

``S3DeadLetter`` keeps records Firehose refused as ``<prefix>dt=YYYY-MM-DD/….csv``
objects of whole bronze lines. ``resend_dead_letters`` reads each object under the
prefix (optionally only the ``dt`` days in a range), sends its lines with
``send_lines`` and deletes the object only after every line was delivered. Records
Firehose still refuses after the retries are written back over the same object,
alone, so running the command again sends only what is left: nothing this command
delivers is delivered twice by it (Firehose itself stays at-least-once, and the
processor de-duplicates). One object that cannot be read, sent or deleted is
reported by key and reason; the others go on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from firehose.errors import FirehoseError
from firehose.sender import Backoff, send_lines

if TYPE_CHECKING:
    from mypy_boto3_firehose import FirehoseClient
    from mypy_boto3_s3 import S3Client

DEFAULT_PREFIX = "errors/producer/"
_DT = re.compile(r"(?:^|/)dt=(\d{4}-\d{2}-\d{2})/")


@dataclass(frozen=True)
class ObjectOutcome:
    """What happened to one dead-letter object."""

    key: str
    lines_sent: int = 0
    lines_left: int = 0
    error: str = ""

    @property
    def deleted(self) -> bool:
        """Every line was delivered and the object is gone."""
        return not self.error and self.lines_left == 0


@dataclass
class ResendReport:
    """Every object looked at, in key order; the totals a CLI prints."""

    outcomes: list[ObjectOutcome] = field(default_factory=list)

    @property
    def lines_sent(self) -> int:
        """Lines delivered to the stream by this run."""
        return sum(o.lines_sent for o in self.outcomes)

    @property
    def deleted(self) -> list[str]:
        """Keys delivered in full and deleted."""
        return [o.key for o in self.outcomes if o.deleted]

    @property
    def kept(self) -> dict[str, str]:
        """Keys still in the bucket, with why (an error, or lines Firehose still refused)."""
        return {
            o.key: o.error or f"{o.lines_left} lines still refused"
            for o in self.outcomes
            if not o.deleted
        }


@dataclass
class _Refused:
    """A dead-letter sink that keeps refused records in memory for the object's rewrite."""

    records: list[bytes] = field(default_factory=list)

    def write(self, records: Sequence[bytes]) -> str:
        self.records.extend(records)
        return "(kept in the object)"


def resend_dead_letters(
    s3: S3Client,
    firehose: FirehoseClient,
    bucket: str,
    stream: str,
    *,
    prefix: str = DEFAULT_PREFIX,
    since: date | None = None,
    until: date | None = None,
    on_object: Callable[[ObjectOutcome], None] | None = None,
    backoff: Backoff | None = None,
) -> ResendReport:
    """Resend every dead letter under ``s3://bucket/prefix`` (``dt`` within since..until)."""
    report = ResendReport()
    for key in _keys(s3, bucket, prefix, since, until):
        outcome = _resend_one(s3, firehose, bucket, stream, key, backoff=backoff)
        report.outcomes.append(outcome)
        if on_object is not None:
            on_object(outcome)
    return report


def _keys(
    s3: S3Client, bucket: str, prefix: str, since: date | None, until: date | None
) -> Iterator[str]:
    """Object keys under the prefix whose ``dt=`` day is in range (any day without a range)."""
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    for page in pages:
        for item in page.get("Contents", []):
            if _in_range(item["Key"], since, until):
                yield item["Key"]


def _in_range(key: str, since: date | None, until: date | None) -> bool:
    """A key's ``dt=`` day within the inclusive range; keys without a day only unranged."""
    if since is None and until is None:
        return True
    found = _DT.search(key)
    if found is None:
        return False
    day = date.fromisoformat(found.group(1))
    return (since is None or day >= since) and (until is None or day <= until)


def _resend_one(
    s3: S3Client,
    firehose: FirehoseClient,
    bucket: str,
    stream: str,
    key: str,
    *,
    backoff: Backoff | None,
) -> ObjectOutcome:
    """Send one object's lines; delete it when all went, else keep only what was refused."""
    refused = _Refused()
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        sent = send_lines(firehose, stream, split_lines(body), refused, backoff).lines_sent
        if refused.records:
            left = b"".join(refused.records)
            s3.put_object(Bucket=bucket, Key=key, Body=left)
            return ObjectOutcome(key, sent, lines_left=len(split_lines(left)))
        s3.delete_object(Bucket=bucket, Key=key)
    except (ClientError, BotoCoreError, FirehoseError, UnicodeDecodeError) as exc:
        return ObjectOutcome(key, error=f"{type(exc).__name__}: {exc}"[:300])
    return ObjectOutcome(key, sent)


def split_lines(body: bytes) -> list[str]:
    """The bronze lines of a dead-letter object, each ending in ``\\n``.

    Split at ``\\n`` only, as records are packed (``str.splitlines`` also splits at
    characters a name may hold); a last line without its ``\\n`` gets one back, so it
    cannot run into the next line of a record.
    """
    return [line + "\n" for line in body.decode("utf-8").split("\n") if line.strip()]
