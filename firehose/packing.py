"""Pack bronze lines into Firehose records and records into PutRecordBatch calls.

Firehose bills every record rounded up to 5 KB, so many ``\\n``-terminated lines
share one record; a line is never split across records.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from firehose.errors import LineTooLargeError

MAX_RECORD_BYTES = 1_000 * 1024
MAX_BATCH_RECORDS = 500
MAX_BATCH_BYTES = 4 * 1024 * 1024
BILLING_UNIT_BYTES = 5 * 1024


def fits_record(line: str, max_record_bytes: int = MAX_RECORD_BYTES) -> bool:
    """Whether ``line`` can travel in one record (``pack_lines`` refuses it otherwise)."""
    return len(line.encode()) <= max_record_bytes


def pack_lines(lines: Iterable[str], max_record_bytes: int = MAX_RECORD_BYTES) -> Iterator[bytes]:
    """Yield records made of whole lines, each at most ``max_record_bytes``."""
    parts: list[bytes] = []
    size = 0
    for line in lines:
        data = line.encode()
        if len(data) > max_record_bytes:
            raise LineTooLargeError(f"line of {len(data)} bytes exceeds {max_record_bytes}")
        if size + len(data) > max_record_bytes:
            yield b"".join(parts)
            parts, size = [], 0
        parts.append(data)
        size += len(data)
    if parts:
        yield b"".join(parts)


def batch_records(
    records: Iterable[bytes],
    max_records: int = MAX_BATCH_RECORDS,
    max_bytes: int = MAX_BATCH_BYTES,
) -> Iterator[list[bytes]]:
    """Yield lists of records that fit one PutRecordBatch call."""
    batch: list[bytes] = []
    size = 0
    for record in records:
        if batch and (len(batch) == max_records or size + len(record) > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(record)
        size += len(record)
    if batch:
        yield batch


def billed_bytes(records: Iterable[bytes]) -> int:
    """Bytes Firehose bills for these records (each rounded up to 5 KB)."""
    return sum(-(-len(r) // BILLING_UNIT_BYTES) * BILLING_UNIT_BYTES for r in records)
