"""The lake on disk: the stack's buckets as folders, ``DIR/bronze/<key>``, ``DIR/silver/<key>``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any


def bucket_keys(s3: Any, bucket: str, prefix: str = "") -> Iterator[str]:
    """Every key in ``bucket`` under ``prefix``, in key order."""
    for item in _bucket_items(s3, bucket, prefix):
        yield item["Key"]


class LakeMirror:
    """Copies the buckets' new or changed objects into the lake; call ``sync`` after each tick.

    Only objects whose ETag differs from the last copy are downloaded, so a tick costs
    what it wrote, not the whole bucket. boto3 downloads to a temporary name and renames,
    so a file in the lake is always a whole object.
    """

    def __init__(self, s3: Any, folders: dict[str, Path]) -> None:
        self._s3, self._folders = s3, folders
        self._copied: dict[tuple[str, str], str] = {}

    def sync(self) -> list[Path]:
        """Download what changed since the last call; return the files written."""
        written = []
        for bucket, folder in self._folders.items():
            for item in _bucket_items(self._s3, bucket):
                key, etag = item["Key"], item.get("ETag", "")
                if self._copied.get((bucket, key)) != etag:
                    written.append(_download(self._s3, bucket, key, folder))
                    self._copied[(bucket, key)] = etag
        return written


def _bucket_items(s3: Any, bucket: str, prefix: str = "") -> Iterator[dict[str, Any]]:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        yield from page.get("Contents", [])


def _download(s3: Any, bucket: str, key: str, folder: Path) -> Path:
    path = folder / key
    path.parent.mkdir(parents=True, exist_ok=True)
    s3.download_file(bucket, key, str(path))
    return path


def download_bucket(s3: Any, bucket: str, folder: Path) -> list[Path]:
    """Write every object of ``bucket`` to ``folder/<key>``; return the files written."""
    return [_download(s3, bucket, key, folder) for key in bucket_keys(s3, bucket)]


def upload_folder(s3: Any, folder: Path, bucket: str, prefix: str = "") -> list[str]:
    """Put every file below ``folder/prefix`` into ``bucket`` under its relative key."""
    keys = []
    for path in sorted((folder / prefix).rglob("*") if (folder / prefix).exists() else []):
        if path.is_file():
            key = path.relative_to(folder).as_posix()
            s3.upload_file(str(path), bucket, key)
            keys.append(key)
    return keys
