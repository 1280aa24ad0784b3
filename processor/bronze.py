"""Reading a bronze object as a stream of lines, gzip or not, never whole.

Firehose may compress (``.gz`` keys, gzip magic bytes). Lines are bytes, handed
on one by one (``read_lines``) or in blocks of whole lines (``read_blocks``, the
processor's path: a Python step per block, not per line); the processor decodes
them so one bad byte rejects one line, not the object. Any failure to read —
S3, the connection, a corrupt gzip member — is a ``BronzeReadError``.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from processor.errors import BronzeReadError

GZIP_MAGIC = b"\x1f\x8b"
READ_BUFFER = 1 << 20
BLOCK_SIZE = 1 << 18  # bytes per block of lines: big enough to amortise, small for memory
_KEY_DATE = re.compile(r"(?:^|/)dt=(\d{4}-\d{2}-\d{2})/")


class Readable(Protocol):
    """What a bronze stream needs: botocore's StreamingBody or any binary file."""

    def read(self, amt: int | None = ..., /) -> bytes:
        """Up to ``amt`` bytes; empty at the end."""
        ...


@dataclass(frozen=True, slots=True)
class BronzeObject:
    """An S3 object the processor was told about."""

    bucket: str
    key: str


@dataclass(frozen=True, slots=True)
class OpenedBronze:
    """A bronze object being read: its blocks of lines and the date it arrived."""

    blocks: Iterator[bytes]
    arrival_date: str


class _Raw(io.RawIOBase):
    """Adapts a ``read(n)`` body to ``RawIOBase`` so the C buffered reader splits lines."""

    def __init__(self, body: Readable) -> None:
        self._body = body

    def readable(self) -> bool:
        """Always: this is a read stream."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` from the body, converting transport errors where they enter."""
        try:
            data = self._body.read(len(buffer))
        except (BotoCoreError, ClientError, OSError) as exc:
            raise BronzeReadError(f"reading bronze failed: {exc}") from exc
        buffer[: len(data)] = data
        return len(data)


def open_bronze(s3: Any, obj: BronzeObject) -> OpenedBronze:
    """Start streaming ``obj`` from S3."""
    try:
        answer = s3.get_object(Bucket=obj.bucket, Key=obj.key)
    except (BotoCoreError, ClientError) as exc:
        raise BronzeReadError(f"s3://{obj.bucket}/{obj.key}: {exc}") from exc
    return OpenedBronze(
        blocks=read_blocks(answer["Body"], gzipped=obj.key.endswith(".gz")),
        arrival_date=arrival_date(obj.key, answer.get("LastModified")),
    )


def read_lines(body: Readable, *, gzipped: bool = False) -> Iterator[bytes]:
    """Lines of ``body`` with their ``\\n``, decompressing when named or sniffed as gzip."""
    return _guarded(_stream(body, gzipped))


def read_blocks(body: Readable, *, gzipped: bool = False) -> Iterator[bytes]:
    """Whole lines of ``body`` with their ``\\n``, about ``BLOCK_SIZE`` bytes at a time."""
    return _guarded(_blocks(_stream(body, gzipped)))


def _stream(body: Readable, gzipped: bool) -> io.BufferedIOBase:
    buffered = io.BufferedReader(_Raw(body), READ_BUFFER)
    if gzipped or buffered.peek(2)[:2] == GZIP_MAGIC:
        return io.BufferedReader(gzip.GzipFile(fileobj=buffered, mode="rb"), READ_BUFFER)
    return buffered


def _blocks(stream: io.BufferedIOBase) -> Iterator[bytes]:
    while block := stream.read(BLOCK_SIZE):
        if block[-1:] != b"\n":
            block += stream.readline()  # finish the last line: a block holds whole lines
        yield block


def _guarded(chunks: Iterable[bytes]) -> Iterator[bytes]:
    try:
        yield from chunks
    except (OSError, EOFError, zlib.error) as exc:
        raise BronzeReadError(f"bronze stream is corrupt or truncated: {exc}") from exc


def arrival_date(key: str, last_modified: datetime | None) -> str:
    """The date the object arrived: the ``dt=`` of its key, else S3's LastModified."""
    found = _KEY_DATE.search(key)
    if found:
        return found.group(1)
    if last_modified is not None:
        return last_modified.date().isoformat()
    return "1970-01-01"
