"""A partition's small objects are read and cached together, with the per-object rows."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb
import pytest

from infra.local.athena import parsed
from infra.local.athena.canonical import read_canonical_sql
from infra.local.athena.opencsv import read_object
from infra.local.athena.parsed import ParsedCache
from infra.local.athena.staging import LakeObject
from processor.silver import format_line, header_line

COLUMNS = ("symbol", "name", "source")
DAY = "2026-11-30"
Row = tuple[str | None, ...]


def _write(lake: Path, name: str, rows: list[list[str]], tail: bytes = b"") -> LakeObject:
    path = lake / "silver" / "stats" / f"dt={DAY}" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((header_line(COLUMNS) + "".join(map(format_line, rows))).encode() + tail)
    return LakeObject.of(DAY, path)


def _small_lake(lake: Path) -> list[LakeObject]:
    """60 small objects, one with a line only the exact parser reads, and a large one."""
    objects = [_write(lake, f"{i:02d}.csv", [[f"S{i}", 'a "b", \\c', "q"]]) for i in range(60)]
    objects.append(_write(lake, "big.csv", [["B", "x" * 1000, "q"]] * 70))
    return objects


def _rows(conn: duckdb.DuckDBPyConnection, files: list[Path]) -> list[Row]:
    listed = ", ".join(f"'{f}'" for f in files)
    sql = f"SELECT symbol, name, source FROM read_parquet([{listed}])"
    return _sorted(tuple(row) for row in conn.execute(sql).fetchall())


def _sorted(rows: Iterable[Row]) -> list[Row]:
    return sorted(rows, key=lambda row: tuple((cell is None, cell or "") for cell in row))


def _exact(objects: list[LakeObject]) -> list[Row]:
    return _sorted(tuple(r) for o in objects for r in read_object(o.path.read_bytes(), 1, 3))


def test_small_objects_are_one_read_with_the_per_object_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a partition of many small objects and a large one
    objects = _small_lake(tmp_path / "lake")
    reads: list[int] = []

    def counting(paths: list[str], fields: int, columns: tuple[str, ...], skip: int) -> str:
        reads.append(len(paths))
        return read_canonical_sql(paths, fields, columns, skip)

    monkeypatch.setattr(parsed, "read_canonical_sql", counting)
    conn = duckdb.connect()
    # WHEN the partition is cached
    files = ParsedCache("silver_stats", COLUMNS, "dt", 1, tmp_path / "lake").sync(conn, objects)
    # THEN the small objects are one DuckDB read and one file, the large one its own
    assert sorted(reads) == [1, 60]
    assert len(files) == 2
    # AND the rows are those of the per-object path and of the exact parser
    batched = _rows(conn, files)
    monkeypatch.setattr(parsed, "SMALL_OBJECT", 0)
    alone = ParsedCache("silver_stats", COLUMNS, "dt", 1, tmp_path / "lake").sync(conn, objects)
    assert len(alone) == len(objects)
    assert not any(file.exists() for file in files if file not in alone)
    assert batched == _rows(conn, alone) == _exact(objects)


def test_a_changed_small_object_rereads_the_partition(tmp_path: Path) -> None:
    # GIVEN a cached partition of small objects
    lake = tmp_path / "lake"
    objects = _small_lake(lake)
    cache = ParsedCache("silver_stats", COLUMNS, "dt", 1, lake)
    conn = duckdb.connect()
    before = cache.sync(conn, objects)
    # WHEN one object changes, into one only the exact parser reads (a blank line)
    objects[7] = _write(lake, "07.csv", [["NEW", "n", "q"]], tail=b"\n")
    after = cache.sync(conn, objects)
    # THEN its partition's small objects are read again, exactly, and the old file is gone
    assert _rows(conn, after) == _exact(objects)
    assert ("NEW", "n", "q") in _rows(conn, after)
    (small,) = set(before) - set(after)
    assert not small.exists()
    # AND a deleted object is dropped the same way
    gone = objects.pop(3)
    gone.path.unlink()
    assert _rows(conn, cache.sync(conn, objects)) == _exact(objects)
