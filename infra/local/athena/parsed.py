"""A partitioned OpenCSVSerde table's rows, parsed once and cached as Parquet.

The rows go to ``LAKE/.cache/tables/<table>/<partition>=<value>/``: a large object's to a
file of its own, ``<key>.parquet``, where the key hashes the object's path, size and
modification time; a partition's small objects (below ``SMALL_OBJECT``) all to one file,
``small-<key>.parquet``, keyed by every one of them, so that a changed, added or deleted
small object re-reads the partition's small objects. A file is written at most once until
its key changes, and a file whose key went is removed the next time its partition is
read. The ``<partition>=<value>`` folder lets DuckDB prune the cached files by ``dt``
while it plans a query.

Why one file for the small objects: a month of ``silver_stats`` is ~1,200 objects of
4 KB, and one DuckDB read plus one Parquet write per object took 2.4 s of a cold
``pipeline_health`` query (measured); one read of a partition's objects and one write
take 31 of each for the month.

Canonical objects (``canonical``) are read by DuckDB itself; a file with any other
object, or one DuckDB refuses after all, is written from the exact parser's rows of all
its objects (``staging``): a few KB each when small.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from infra.local.athena.canonical import canonical_fields, read_canonical_sql
from infra.local.athena.staging import (
    LakeObject,
    cache_dir,
    lake_name,
    read_staged_sql,
    staging_file,
    write_staged_rows,
)

STAGED = "quotepipe_staged"  # a temporary table of the engine's own connection
READERS = 2
SMALL_OBJECT = 64 * 1024  # bytes; a stats object is ~4 KB, a quotes object ~1 MB


@dataclass(frozen=True, slots=True)
class CachedFile:
    """One cached Parquet file and the objects whose rows it holds."""

    path: Path
    objects: tuple[LakeObject, ...]
    tag: str  # the staged rows' tag of these objects


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class ParsedCache:
    """The cached rows of one partitioned OpenCSVSerde table."""

    table: str
    columns: tuple[str, ...]
    partition: str
    skip_lines: int
    lake: Path

    @property
    def folder(self) -> Path:
        return cache_dir(self.lake) / "tables" / self.table

    def files(self, objects: list[LakeObject]) -> list[CachedFile]:
        """The cached files the objects' rows go to: large ones alone, small ones by partition."""
        small: dict[str, list[LakeObject]] = {}
        found: list[CachedFile] = []
        for obj in objects:
            if obj.size < SMALL_OBJECT:
                small.setdefault(obj.partition, []).append(obj)
            else:
                key = obj.key(self.lake)
                found.append(CachedFile(self._path(obj.partition, key), (obj,), key))
        for partition, group in small.items():
            text = "\0".join(
                f"{lake_name(o.path, self.lake)}\0{o.size}\0{o.mtime_ns}"
                for o in sorted(group, key=lambda o: o.path)
            )
            key = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]
            found.append(CachedFile(self._path(partition, f"small-{key}"), tuple(group), key))
        return found

    def _path(self, partition: str, name: str) -> Path:
        return self.folder / f"{self.partition}={partition}" / f"{name}.parquet"

    def sync(self, conn: Any, objects: list[LakeObject]) -> list[Path]:
        """The cached files of the objects, writing only those not cached yet."""
        files = self.files(objects)
        missing = [file for file in files if not file.path.is_file()]
        # Two at a time: DuckDB writes one file's Parquet while Python checks the next
        # one's bytes (a day of 39 objects: 0.54 s one by one, measured).
        with ThreadPoolExecutor(READERS) as pool:
            read = list(pool.map(lambda file: self._read_canonical(conn, file), missing))
        exact = [file for file, done in zip(missing, read, strict=True) if not done]
        if exact:
            self._parse(conn, exact)
        self._forget_others(files)
        return [file.path for file in files]

    def _read_canonical(self, conn: Any, file: CachedFile) -> bool:
        """Write a file of canonical objects read by DuckDB; False when it must be parsed."""
        by_fields: dict[int, list[str]] = {}
        for obj in file.objects:
            fields = canonical_fields(obj.path.read_bytes(), self.skip_lines)
            if not fields:
                return False
            by_fields.setdefault(fields, []).append(str(obj.path))
        select = " UNION ALL ".join(
            read_canonical_sql(paths, fields, self.columns, self.skip_lines)
            for fields, paths in sorted(by_fields.items())
        )
        try:
            with conn.cursor() as cursor:  # a connection of its own per thread
                self._copy(cursor, file.path, select)
        except duckdb.Error:  # e.g. changed between the check and the read: parse it exactly
            return False
        return True

    def _parse(self, conn: Any, files: list[CachedFile]) -> None:
        """Parse the files' objects in one pass, then write each file from its rows."""
        with staging_file(self.lake, self.table) as out:
            tagged = ((file.tag, obj.path) for file in files for obj in file.objects)
            write_staged_rows(tagged, self.skip_lines, len(self.columns), out)
        staged = Path(out.name)
        names = ", ".join(f'"{name}"' for name in self.columns)
        try:
            conn.execute(
                f"CREATE OR REPLACE TEMP TABLE {STAGED} AS {read_staged_sql(staged, self.columns)}"
            )
            for file in files:
                self._copy(
                    conn, file.path, f"SELECT {names} FROM {STAGED} WHERE c0 = {_quote(file.tag)}"
                )
        finally:
            conn.execute(f"DROP TABLE IF EXISTS {STAGED}")
            staged.unlink()

    def _copy(self, conn: Any, target: Path, select: str) -> None:
        """One file's rows, written under a temporary name and renamed into place."""
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.stem}-{os.getpid()}.tmp")
        try:
            conn.execute(f"COPY ({select}) TO {_quote(str(temp))} (FORMAT parquet)")
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        temp.replace(target)

    def _forget_others(self, files: list[CachedFile]) -> None:
        """Remove the cached files whose objects changed or went, in the partitions read."""
        keep = {file.path for file in files}
        for stale in _others(keep):
            stale.unlink(missing_ok=True)

    def view_sql(self, files: list[Path]) -> str:
        """A view over the cached files; without any, an empty one of the same columns."""
        names = ", ".join(f'"{name}"' for name in (*self.columns, self.partition))
        if not files:
            nulls = ", ".join(
                f'CAST(NULL AS VARCHAR) AS "{n}"' for n in (*self.columns, self.partition)
            )
            return f'CREATE OR REPLACE VIEW "{self.table}" AS SELECT {nulls} WHERE false'
        listed = ", ".join(_quote(str(f)) for f in files)
        return (
            f'CREATE OR REPLACE VIEW "{self.table}" AS SELECT {names} '
            f"FROM read_parquet([{listed}], hive_partitioning = true, "
            f"hive_types = {{'{self.partition}': 'VARCHAR'}})"
        )


def _others(keep: set[Path]) -> Iterator[Path]:
    """The Parquet files beside those kept that are not kept."""
    for folder in {path.parent for path in keep}:
        for path in folder.glob("*.parquet"):
            if path not in keep:
                yield path
