"""Silver objects read as OpenCSVSerde reads them, and where the local engine's files go.

An object in the processor's canonical form (``canonical``) is read by DuckDB's CSV
reader, which gives the same cells on such lines; any other object is parsed by Python
with ``opencsv.read_object`` (DuckDB's CSV reader cannot follow OpenCSVSerde there) and its
rows staged, with a NULL mask per row, in a plain CSV that DuckDB reads back.
A partitioned table's rows are then cached as Parquet (``parsed``); a table without
partitions (``sessions``, a few KB) is loaded straight into a DuckDB table each time.
"""

from __future__ import annotations

import csv
import hashlib
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO

from infra.local.athena.opencsv import read_object

CACHE_DIR = ".cache"


@dataclass(frozen=True, slots=True)
class LakeObject:
    """One object Athena would read: its partition value and what identifies its bytes."""

    partition: str
    path: Path
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, partition: str, path: Path) -> LakeObject:
        """Stat the object now."""
        stat = path.stat()
        return cls(partition, path, stat.st_size, stat.st_mtime_ns)

    def key(self, lake: Path) -> str:
        """Changes whenever the object is replaced, rewritten or touched."""
        text = f"{lake_name(self.path, lake)}\0{self.size}\0{self.mtime_ns}"
        return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


@lru_cache(maxsize=4096)
def _real_folder(folder: Path) -> Path:
    return folder.resolve()


def lake_name(path: Path, lake: Path) -> str:
    """An object's path inside the lake, its folder resolved once.

    Resolving each of a month's 1,200 objects took 0.17 s of every engine start (measured).
    """
    return (_real_folder(path.parent) / path.name).relative_to(_real_folder(lake)).as_posix()


def cache_dir(lake: Path) -> Path:
    """Where the local engine keeps staging, parsed and spill files: ``LAKE/.cache/``."""
    return lake.resolve() / CACHE_DIR


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def write_staged_rows(
    objects: Iterable[tuple[str, Path]], skip_lines: int, width: int, out: IO[str]
) -> int:
    """Every row as OpenCSVSerde reads it, in plain CSV; the row count.

    Each staged row starts with a tag (the partition value, or the object's cache key)
    and the NULL mask, then the cells.
    """
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    count = 0
    for tag, path in objects:
        for row in read_object(path.read_bytes(), skip_lines, width):
            mask = "".join("1" if cell is None else "0" for cell in row)
            writer.writerow([tag, mask, *(cell or "" for cell in row)])
            count += 1
    return count


def read_staged_sql(staged: Path, columns: tuple[str, ...]) -> str:
    """A SELECT of the staged CSV: the tag as ``c0``, masked cells as NULL, named columns."""
    types = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(columns) + 2))
    cells = ", ".join(
        f"CASE WHEN substr(c1, {i}, 1) = '1' THEN NULL ELSE c{i + 1} END AS \"{name}\""
        for i, name in enumerate(columns, start=1)
    )
    return (
        f"SELECT c0, {cells} FROM read_csv({_quote(str(staged))}, "
        f"columns = {{{types}}}, header = false, delim = ',', quote = '\"', escape = '\"', "
        "allow_quoted_nulls = false, auto_detect = false)"
    )


def staging_file(lake: Path, prefix: str) -> IO[str]:
    """A staging file of this load only (two engines on one lake never share one)."""
    cache_dir(lake).mkdir(parents=True, exist_ok=True)
    return tempfile.NamedTemporaryFile(  # the caller closes it before DuckDB reads it
        "w", suffix=".csv", prefix=f"{prefix}-", dir=cache_dir(lake),
        encoding="utf-8", newline="", delete=False,
    )  # fmt: skip
