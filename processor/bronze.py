"""Reading a bronze object as a stream of blocks of whole lines, gzip or not, never whole.

Firehose may compress (``.gz`` keys, gzip magic bytes). Lines are handed on in
blocks of whole lines (a Python step per block, not per line); the processor decodes
them so one bad byte rejects one line, not the object. Memory is bounded per line as
well as per block: the stream is read in chunks of at most ``MAX_LINE_BYTES``, so any
line wholly inside a chunk fits, and only the line a chunk cuts is finished with a
bounded ``readline``. A longer line is never held: it comes out as a ``LongLine``
(its first ``KEEP_BYTES`` and its length) while the reader skips to the next line
break. Any failure to read — S3, the connection, a corrupt gzip member — is a
``BronzeReadError``.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, Protocol

from botocore.exceptions import BotoCoreError, ClientError

from processor.errors import BronzeReadError

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"  # some tools start a text file with it; it is no part of a line
READ_BUFFER = 1 << 20
BLOCK_SIZE = 1 << 18  # bytes per block of lines: big enough to amortise, small for memory
MAX_LINE_BYTES = 64 * 1024
"""Longest line read, line end excluded. Producer lines are about 110 bytes and bounded
by the producer's field limits; a longer line is foreign or hostile."""
KEEP_BYTES = 1024  # how much of a too-long line the rejected row keeps
_SKIP_STEP = 1 << 16  # bytes per read while skipping the rest of a too-long line
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

    blocks: Iterator[Block]
    arrival_date: str


class LongLine(NamedTuple):
    """A line longer than ``MAX_LINE_BYTES``: its start and its length, never the whole."""

    head: bytes
    length: int  # bytes, line end excluded


Block = bytes | LongLine
"""What ``read_blocks`` yields: whole lines, or one line too long to hold."""


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


def read_blocks(
    body: Readable, *, gzipped: bool = False, max_line: int = MAX_LINE_BYTES
) -> Iterator[Block]:
    """Whole lines of ``body`` about ``BLOCK_SIZE`` bytes at a time, a ``LongLine`` alone."""
    return _guarded(_gather(_pieces(_stream(body, gzipped), max_line)))


def _stream(body: Readable, gzipped: bool) -> io.BufferedReader[Any]:
    buffered: io.BufferedReader[Any] = io.BufferedReader(_Raw(body), READ_BUFFER)
    if gzipped or buffered.peek(2)[:2] == GZIP_MAGIC:
        buffered = io.BufferedReader(gzip.GzipFile(fileobj=buffered, mode="rb"), READ_BUFFER)
    return buffered


def _pieces(stream: io.BufferedReader[Any], limit: int) -> Iterator[Block]:
    """Chunks of whole lines, each line at most ``limit`` bytes, and ``LongLine``s."""
    if stream.peek(3)[:3] == UTF8_BOM:  # here, not in _stream: a corrupt gzip fails guarded
        stream.read(3)
    while chunk := stream.read(min(limit, BLOCK_SIZE)):
        if chunk[-1:] == b"\n":
            yield chunk
            continue
        cut = chunk.rfind(b"\n") + 1
        room = limit + 1 - (len(chunk) - cut)  # what the cut line may still hold, plus its \n
        rest = stream.readline(room)
        if len(rest) < room or rest[-1:] == b"\n":  # the cut line ends in time, or the object does
            yield chunk + rest
            continue
        if cut:
            yield chunk[:cut]
        yield _skip_line(stream, chunk[cut:] + rest)


def _skip_line(stream: io.BufferedReader[Any], start: bytes) -> LongLine:
    """Read on to the end of a too-long line, keeping its head and counting its bytes."""
    length = len(start)
    while more := stream.readline(_SKIP_STEP):
        if more[-1:] == b"\n":
            return LongLine(start[:KEEP_BYTES], length + len(more) - 1)
        length += len(more)
    return LongLine(start[:KEEP_BYTES], length)


def _gather(pieces: Iterable[Block]) -> Iterator[Block]:
    """Join chunks into blocks of at most ``BLOCK_SIZE`` (or one chunk); a ``LongLine`` alone."""
    pending: list[bytes] = []
    size = 0
    for piece in pieces:
        if isinstance(piece, LongLine):
            if pending:
                yield b"".join(pending)
                pending, size = [], 0
            yield piece
            continue
        if pending and size + len(piece) > BLOCK_SIZE:
            yield b"".join(pending)
            pending, size = [], 0
        pending.append(piece)
        size += len(piece)
    if pending:
        yield b"".join(pending)


def _guarded(chunks: Iterable[Block]) -> Iterator[Block]:
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
