"""``sql/setup`` on one machine: the database becomes a DuckDB schema, and the external
table becomes a table loaded from the lake's files exactly as OpenCSVSerde reads them.

The DDL stays the single source of truth: column names, the header skip, the SerDe
settings and the partition projection are read from ``CREATE EXTERNAL TABLE``; a
setting the local engine cannot honour is refused by name rather than ignored.
``s3://${SILVER_BUCKET}/…`` maps to ``LAKE/silver/…`` (``${X_BUCKET}`` → ``LAKE/x``).
A table without partitions reads the objects directly in its ``LOCATION``, plus the
packaged reference objects (``infra.sqlfiles.reference``) that apply uploads there.
Staging files go to ``LAKE/.cache/`` (the lake contract), the only place besides the
lake's objects that the confined DuckDB connection may read.
"""

from __future__ import annotations

import csv
import re
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlglot import exp

from infra.local.athena.opencsv import read_object
from infra.sqlfiles.catalog import SqlFile
from infra.sqlfiles.errors import UnsupportedSqlError
from infra.sqlfiles.reference import references_in

OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
SERDE_DEFAULTS = {"separatorChar": ",", "quoteChar": '"', "escapeChar": "\\"}
CATALOG = "awsdatacatalog"
CACHE_DIR = ".cache"
_BUCKET_URL = re.compile(r"s3://\$\{([A-Z][A-Z0-9_]*)_BUCKET\}/(.*)")
_TEMPLATE_TAIL = re.compile(r"(.*)/([A-Za-z0-9_]+=)\$\{([a-z_]+)\}/")
_PROJECTION = {"type": "date", "format": "yyyy-MM-dd", "interval": "1", "interval.unit": "DAYS"}


@dataclass(frozen=True, slots=True)
class ExternalTable:
    """What the local engine needs from a ``CREATE EXTERNAL TABLE``."""

    name: str
    columns: tuple[str, ...]
    partition: str  # "" for a table without partitions
    folder_url: str  # storage.location.template up to the partition folder, or LOCATION
    folder_prefix: str  # e.g. "dt="
    skip_lines: int
    range_start: str


def _string(node: exp.Expr | None) -> str:
    return node.name if node is not None else ""


def _properties(create: exp.Create) -> dict[str, str]:
    props = create.args["properties"].expressions if create.args.get("properties") else []
    return {_string(p.this): _string(p.args.get("value")) for p in props if type(p) is exp.Property}


def _check_serde(create: exp.Create, file: SqlFile) -> None:
    """Only OpenCSVSerde with its default characters is emulated."""
    serde = create.find(exp.RowFormatSerdeProperty)
    if serde is None or _string(serde.this) != OPEN_CSV_SERDE:
        found = _string(serde.this) if serde else "no ROW FORMAT SERDE"
        raise UnsupportedSqlError(f"SerDe {found} is not emulated locally", source=file.path)
    props = serde.args.get("serde_properties")
    for prop in props.expressions if props else []:
        key, value = _string(prop.this), _string(prop.args.get("value"))
        if SERDE_DEFAULTS.get(key) != value:
            raise UnsupportedSqlError(
                f"SERDEPROPERTIES {key}={value!r} is not emulated locally", source=file.path
            )


def _check_projection(props: dict[str, str], partition: str, file: SqlFile) -> str:
    """Daily date projection up to NOW is emulated; return the range start."""
    wanted = {f"projection.{partition}.{k}": v for k, v in _PROJECTION.items()}
    wanted["projection.enabled"] = "true"
    for key, value in wanted.items():
        if props.get(key) != value:
            raise UnsupportedSqlError(
                f"TBLPROPERTIES {key}={props.get(key)!r} is not emulated locally "
                f"(expected {value!r})",
                source=file.path,
            )
    start, _, end = props.get(f"projection.{partition}.range", "").partition(",")
    if end.strip() != "NOW":
        raise UnsupportedSqlError(f"projection.{partition}.range must end at NOW", source=file.path)
    return start.strip()


def external_table(create: exp.Create, file: SqlFile) -> ExternalTable:
    """Read and check the DDL of an external table."""
    _check_serde(create, file)
    props = _properties(create)
    parted = create.find(exp.PartitionedByProperty)
    partitions = [c.name for c in parted.find_all(exp.ColumnDef)] if parted else []
    schema = create.this
    table = ExternalTable(
        name=schema.this.name,
        columns=tuple(c.name for c in schema.expressions),
        partition="",
        folder_url=_location(create, file),
        folder_prefix="",
        skip_lines=int(props.get("skip.header.line.count", "0")),
        range_start="",
    )
    return _projected(table, partitions, props, file) if partitions else table


def _location(create: exp.Create, file: SqlFile) -> str:
    """The table's ``LOCATION`` without its trailing ``/``."""
    location = create.find(exp.LocationProperty)
    if location is None:
        raise UnsupportedSqlError("an external table needs a LOCATION", source=file.path)
    return _string(location.this).rstrip("/")


def _projected(
    table: ExternalTable, partitions: list[str], props: dict[str, str], file: SqlFile
) -> ExternalTable:
    """A partitioned table: one partition column, projected by its location template."""
    tail = _TEMPLATE_TAIL.fullmatch(props.get("storage.location.template", ""))
    if len(partitions) != 1 or not tail or tail.group(3) != partitions[0]:
        raise UnsupportedSqlError(
            "only one partition column with a storage.location.template ending in "
            "'/<name>=${<name>}/' is emulated locally",
            source=file.path,
        )
    return replace(
        table,
        partition=partitions[0],
        folder_url=tail.group(1),
        folder_prefix=tail.group(2),
        range_start=_check_projection(props, partitions[0], file),
    )


def lake_folder(url: str, lake: Path) -> Path:
    """``s3://${SILVER_BUCKET}/quotes`` → ``LAKE/silver/quotes``."""
    found = _BUCKET_URL.fullmatch(url)
    if not found:
        raise UnsupportedSqlError(f"location {url!r} has no ${{X_BUCKET}} to map onto the lake")
    return lake.resolve() / found.group(1).lower() / found.group(2)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def partition_files(table: ExternalTable, lake: Path) -> list[tuple[str, Path]]:
    """(partition value, file) for every object Athena would read, in order.

    Athena reads the objects directly in each projected partition folder (or in the
    ``LOCATION`` of a table without partitions), skipping names that start with ``.``
    or ``_``; projected values are the valid dates from the range start up to today (UTC).
    """
    if not table.partition:
        return [("", path) for path in _plain_files(table, lake)]
    folder = lake_folder(table.folder_url, lake)
    today = datetime.now(UTC).date().isoformat()
    found = []
    for part in sorted(folder.glob(f"{table.folder_prefix}*")):
        value = part.name.removeprefix(table.folder_prefix)
        if part.is_dir() and _is_projected(value, table.range_start, today):
            found += [(value, f) for f in _objects(part)]
    return found


def _objects(folder: Path) -> list[Path]:
    """The objects Athena reads in one folder: files not named ``.…`` or ``_…``."""
    files = sorted(f for f in folder.iterdir() if f.is_file()) if folder.is_dir() else []
    return [f for f in files if not f.name.startswith((".", "_"))]


def _plain_files(table: ExternalTable, lake: Path) -> list[Path]:
    """A table without partitions: its lake objects, and the packaged reference objects.

    A reference object (e.g. producer/sessions.csv) is read from the installed package
    rather than copied into the lake, so a lake needs no setup and opening one writes
    nothing into it. This keeps DuckDB confined: Python reads every object, here and in
    the lake alike, and DuckDB sees only the staged rows under ``LAKE/.cache/``. The
    packaged copy wins over a lake object of the same name, as a fresh apply would.
    """
    references = {ref.key.rsplit("/", 1)[1]: ref.path for ref in references_in(table.folder_url)}
    lake_files = {f.name: f for f in _objects(lake_folder(table.folder_url, lake))}
    return [path for _, path in sorted((lake_files | references).items())]


def _is_projected(value: str, start: str, today: str) -> bool:
    """``yyyy-MM-dd`` dates inside the projection range, as Athena enumerates them."""
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        return False
    return parsed.isoformat() == value and start <= value <= today


def cache_dir(lake: Path) -> Path:
    """Where the local engine keeps staging and spill files: ``LAKE/.cache/``."""
    return lake.resolve() / CACHE_DIR


def _write_rows(table: ExternalTable, files: list[tuple[str, Path]], out: IO[str]) -> int:
    """Every row as OpenCSVSerde reads it, in plain CSV with a NULL mask; the row count.

    Each staged row starts with the partition value ('' without partitions) and the mask.
    """
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    count = 0
    for value, path in files:
        for row in read_object(path.read_bytes(), table.skip_lines, len(table.columns)):
            mask = "".join("1" if cell is None else "0" for cell in row)
            writer.writerow([value, mask, *(cell or "" for cell in row)])
            count += 1
    return count


def create_table(conn: Any, table: ExternalTable, lake: Path) -> None:
    """A DuckDB table holding what Athena would read from the lake (all VARCHAR)."""
    names = [*table.columns, *filter(None, [table.partition])]
    columns = ", ".join(f'"{name}" VARCHAR' for name in names)
    conn.execute(f'CREATE OR REPLACE TABLE "{table.name}" ({columns})')
    files = partition_files(table, lake)
    if not files:
        return  # no objects, nothing to stage
    cache_dir(lake).mkdir(parents=True, exist_ok=True)
    # A unique name per load: two engines on one lake never share a staging file.
    staging = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed before DuckDB reads it
        "w", suffix=".csv", prefix=f"{table.name}-", dir=cache_dir(lake),
        encoding="utf-8", newline="", delete=False,
    )  # fmt: skip
    with staging as out:
        count = _write_rows(table, files, out)
    try:
        if count:
            conn.execute(_insert_sql(table, Path(out.name)))
    finally:
        Path(out.name).unlink()


def _insert_sql(table: ExternalTable, staged: Path) -> str:
    """Read the staged CSV back, turning masked cells into NULL."""
    types = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(table.columns) + 2))
    cells = ", ".join(
        f"CASE WHEN substr(c1, {i}, 1) = '1' THEN NULL ELSE c{i + 1} END"
        for i in range(1, len(table.columns) + 1)
    )
    partition = ", c0" if table.partition else ""
    return (
        f'INSERT INTO "{table.name}" SELECT {cells}{partition} '
        f"FROM read_csv({_quote(str(staged))}, "
        f"columns = {{{types}}}, header = false, delim = ',', quote = '\"', escape = '\"', "
        "allow_quoted_nulls = false, auto_detect = false)"
    )


def apply_setup(conn: Any, file: SqlFile, tree: exp.Expr, lake: Path) -> str | None:
    """Run one setup statement locally; return the database name it creates, if any."""
    if isinstance(tree, exp.Create) and str(tree.args.get("kind")) in {"DATABASE", "SCHEMA"}:
        name = tree.this.name
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS {CATALOG}."{name}"')
        conn.execute(f'USE {CATALOG}."{name}"')
        return str(name)
    if isinstance(tree, exp.Create) and tree.find(exp.ExternalProperty) is not None:
        create_table(conn, external_table(tree, file), lake)
        return None
    raise UnsupportedSqlError(
        "only CREATE DATABASE and CREATE EXTERNAL TABLE are emulated in sql/setup", source=file.path
    )
