"""Silver and rejected objects, streamed to S3 in parts so memory never follows row count.

Each output key gets a ``PartWriter``: lines collect in a buffer; a full buffer
becomes one multipart part; an object that never fills one part is a single
PutObject; across the dates of one output, about one part is buffered in all.
Either way the bytes are the same, so a re-run rewrites identical objects. On
failure every open multipart upload is aborted and the error raised.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from types import TracebackType
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from processor.errors import SilverWriteError
from processor.silver import header_line

CONTENT_TYPE = "text/csv; charset=utf-8"
_UNSAFE = re.compile(r"[^A-Za-z0-9._=-]+")
MIN_PART_SIZE = 5 * 1024 * 1024  # S3's smallest part, the last one excepted


def object_name(bronze_key: str) -> str:
    """The output name for a bronze key: readable, and unique even across prefixes."""
    base = bronze_key.rsplit("/", 1)[-1].removesuffix(".gz")
    digest = hashlib.sha256(bronze_key.encode()).hexdigest()[:12]
    return f"{_UNSAFE.sub('_', base)[:120]}-{digest}"


class PartWriter:
    """One output object, uploaded as it grows."""

    def __init__(self, s3: Any, bucket: str, key: str, *, part_size: int, header: str) -> None:
        self.s3, self.bucket, self.key, self.part_size = s3, bucket, key, part_size
        self.rows = 0
        self._buffer = io.BytesIO(header.encode())
        self._buffer.seek(0, io.SEEK_END)
        self._upload_id: str | None = None
        self._parts: list[dict[str, Any]] = []

    def write(self, lines: list[str]) -> None:
        """Append rows; send a part once the buffer holds one."""
        self.rows += len(lines)
        # Line by line: one non-ASCII name would send a whole joined batch down the slow encoder.
        self._buffer.write(b"".join(map(str.encode, lines)))
        if self._buffer.tell() >= self.part_size:
            self.send_part()

    @property
    def buffered(self) -> int:
        """Bytes written but not yet sent."""
        return self._buffer.tell()

    def close(self) -> None:
        """Finish the object: one PutObject if it stayed small, else complete the upload."""
        if self._upload_id is None:
            self._call("put_object", Body=self._rewound(), ContentType=CONTENT_TYPE)
        else:
            if self._buffer.tell():
                self.send_part()
            self._call(
                "complete_multipart_upload",
                UploadId=self._upload_id,
                MultipartUpload={"Parts": self._parts},
            )
            self._upload_id = None
        self._buffer = io.BytesIO()

    def abort(self) -> None:
        """Drop a half-written multipart upload so it leaves no orphaned parts."""
        if self._upload_id is not None:
            self._call("abort_multipart_upload", UploadId=self._upload_id)
            self._upload_id = None

    def send_part(self) -> None:
        """Upload the buffer as the next part, starting the multipart upload if need be."""
        if self._upload_id is None:
            started = self._call("create_multipart_upload", ContentType=CONTENT_TYPE)
            self._upload_id = started["UploadId"]
        number = len(self._parts) + 1
        sent = self._call(
            "upload_part", UploadId=self._upload_id, PartNumber=number, Body=self._rewound()
        )
        self._parts.append({"PartNumber": number, "ETag": sent["ETag"]})
        self._buffer.seek(0)
        self._buffer.truncate()  # reuse: a freed part-sized buffer fragments malloc's heap

    def _rewound(self) -> io.BytesIO:
        """The buffer as a file to upload: botocore reads it in place, without a copy."""
        self._buffer.seek(0)
        return self._buffer

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.s3, operation)(Bucket=self.bucket, Key=self.key, **kwargs)
        except (BotoCoreError, ClientError) as exc:
            raise SilverWriteError(f"{operation} s3://{self.bucket}/{self.key}: {exc}") from exc


class DatedOutputs:
    """The per-date objects one bronze object writes under one prefix (quotes/, rejected/)."""

    def __init__(
        self,
        s3: Any,
        *,
        bucket: str,
        prefix: str,
        name: str,
        columns: Sequence[str],
        part_size: int,
    ) -> None:
        self._s3, self._bucket, self._prefix, self._name = s3, bucket, prefix, name
        self._header = header_line(columns)
        self._part_size = part_size
        self.writers: dict[str, PartWriter] = {}

    def write(self, dt: str, line: str) -> None:
        """Append one line to the object of date ``dt``."""
        self.extend(dt, [line])

    def extend(self, dt: str, lines: list[str]) -> None:
        """Append lines to the object of date ``dt``, opening it with a header."""
        (self.writers.get(dt) or self._open(dt)).write(lines)
        if len(self.writers) > 1:
            self._bound_buffers()

    def close(self) -> None:
        """Finish every object, in date order."""
        for dt in sorted(self.writers):
            self.writers[dt].close()

    def abort(self) -> None:
        """Abort every unfinished upload; a failed abort must not hide the error behind it."""
        for writer in self.writers.values():
            try:
                writer.abort()
            except SilverWriteError:
                continue

    def keys(self) -> list[str]:
        """Keys of the objects written, in date order."""
        return [self.writers[dt].key for dt in sorted(self.writers)]

    def _bound_buffers(self) -> None:
        """Send the largest buffer early once all hold over a part: a finished date holds none."""
        buffers = self.writers.values()
        largest = max(buffers, key=lambda writer: writer.buffered)
        if largest.buffered >= MIN_PART_SIZE and sum(w.buffered for w in buffers) > self._part_size:
            largest.send_part()

    def _open(self, dt: str) -> PartWriter:
        key = f"{self._prefix}dt={dt}/{self._name}.csv"
        writer = PartWriter(
            self._s3, self._bucket, key, part_size=self._part_size, header=self._header
        )
        self.writers[dt] = writer
        return writer


class Outputs:
    """Silver and rejected outputs of one bronze object, as one context: all or abort."""

    def __init__(self, silver: DatedOutputs, rejected: DatedOutputs) -> None:
        self.silver, self.rejected = silver, rejected

    def __enter__(self) -> Outputs:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is not None:
            self._abort()
            return
        try:
            self.silver.close()
            self.rejected.close()
        except BaseException:
            self._abort()
            raise

    def _abort(self) -> None:
        self.silver.abort()
        self.rejected.abort()
