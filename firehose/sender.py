"""Send bronze lines to Firehose with PutRecordBatch, resending only what failed.

Errors (``firehose.errors``): ``DeliveryError`` when a call fails for good (a permanent
error code), when records are still refused after the retries and no dead-letter sink is
given, or when the dead letter itself cannot be written.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from firehose.errors import DeliveryError
from firehose.packing import batch_records, pack_lines

if TYPE_CHECKING:
    from mypy_boto3_firehose import FirehoseClient
    from mypy_boto3_s3 import S3Client

DEFAULT_MAX_ATTEMPTS = 4
DEFAULT_BASE_DELAY = 0.2
DEFAULT_MAX_DELAY = 5.0


@dataclass
class SendReport:
    """What one ``send_lines`` call delivered, retried and gave up on."""

    lines_sent: int = 0
    records_sent: int = 0
    bytes_sent: int = 0
    records_failed: int = 0
    retries: int = 0
    dead_letter_keys: list[str] = field(default_factory=list)


class DeadLetterSink(Protocol):
    """Where records Firehose keeps refusing go; returns where it put them."""

    def write(self, records: Sequence[bytes]) -> str: ...


@dataclass(frozen=True)
class S3DeadLetter:
    """Keeps records Firehose would not take, in the bronze bucket, so nothing is lost."""

    s3: S3Client
    bucket: str
    prefix: str = "errors/producer/"

    def write(self, records: Sequence[bytes]) -> str:
        """Store the records as one object and return its key."""
        now = datetime.now(UTC)
        key = f"{self.prefix}dt={now:%Y-%m-%d}/{now:%H%M%S}-{uuid.uuid4().hex}.csv"
        try:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=b"".join(records))
        except (ClientError, BotoCoreError) as exc:
            raise DeliveryError(f"dead letter to s3://{self.bucket}/{key} failed: {exc}") from exc
        return key


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with full jitter between resend attempts."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    base_delay: float = DEFAULT_BASE_DELAY
    max_delay: float = DEFAULT_MAX_DELAY
    sleep: Callable[[float], None] = time.sleep

    def wait(self, attempt: int) -> None:
        """Sleep before resend number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        self.sleep(random.uniform(0, ceiling))


def _put_batch(client: FirehoseClient, stream: str, records: Sequence[bytes]) -> list[int]:
    """Send one batch and return the positions of the records that failed."""
    try:
        answer = client.put_record_batch(
            DeliveryStreamName=stream, Records=[{"Data": r} for r in records]
        )
    except ClientError as exc:
        if _is_permanent(exc):
            raise DeliveryError(f"PutRecordBatch to {stream} failed: {exc}") from exc
        return list(range(len(records)))  # throttled or 5xx: the whole call failed
    except BotoCoreError:
        return list(range(len(records)))
    if not answer.get("FailedPutCount"):
        return []
    responses = answer["RequestResponses"]
    return [i for i, resp in enumerate(responses) if resp.get("ErrorCode")]


def _is_permanent(exc: ClientError) -> bool:
    code = exc.response.get("Error", {}).get("Code", "")
    return code in {
        "ResourceNotFoundException",
        "InvalidArgumentException",
        "AccessDeniedException",
    }


def _send_batch(
    client: FirehoseClient, stream: str, batch: list[bytes], backoff: Backoff, report: SendReport
) -> list[bytes]:
    """Send one batch, resending only failed records; return those that never got through."""
    pending = batch
    for attempt in range(1, backoff.max_attempts + 1):
        if attempt > 1:
            report.retries += 1
            backoff.wait(attempt - 1)
        failed = set(_put_batch(client, stream, pending))
        _count_delivered(report, [r for i, r in enumerate(pending) if i not in failed])
        pending = [r for i, r in enumerate(pending) if i in failed]
        if not pending:
            break
    return pending


def _count_delivered(report: SendReport, records: list[bytes]) -> None:
    report.records_sent += len(records)
    report.bytes_sent += sum(len(r) for r in records)
    report.lines_sent += sum(r.count(b"\n") for r in records)


def send_lines(
    client: FirehoseClient,
    stream_name: str,
    lines: Iterable[str],
    dead_letter: DeadLetterSink | None = None,
    backoff: Backoff | None = None,
) -> SendReport:
    """Pack lines into records, send them in API-sized batches and account for every one."""
    backoff = backoff or Backoff()
    report = SendReport()
    for batch in batch_records(pack_lines(lines)):
        failed = _send_batch(client, stream_name, batch, backoff, report)
        if failed:
            report.records_failed += len(failed)
            if dead_letter is None:
                raise DeliveryError(f"{len(failed)} records to {stream_name} failed after retries")
            report.dead_letter_keys.append(dead_letter.write(failed))
    return report
