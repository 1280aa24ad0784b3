"""The lake on disk: the stack's buckets as folders, ``DIR/bronze/<key>``, ``DIR/silver/<key>``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any


def bucket_keys(s3: Any, bucket: str, prefix: str = "") -> Iterator[str]:
    """Every key in ``bucket`` under ``prefix``, in key order."""
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            yield item["Key"]


def download_bucket(s3: Any, bucket: str, folder: Path) -> list[Path]:
    """Write every object of ``bucket`` to ``folder/<key>``; return the files written."""
    written = []
    for key in bucket_keys(s3, bucket):
        path = folder / key
        path.parent.mkdir(parents=True, exist_ok=True)
        s3.download_file(bucket, key, str(path))
        written.append(path)
    return written


def upload_folder(s3: Any, folder: Path, bucket: str, prefix: str = "") -> list[str]:
    """Put every file below ``folder/prefix`` into ``bucket`` under its relative key."""
    keys = []
    for path in sorted((folder / prefix).rglob("*") if (folder / prefix).exists() else []):
        if path.is_file():
            key = path.relative_to(folder).as_posix()
            s3.upload_file(str(path), bucket, key)
            keys.append(key)
    return keys
