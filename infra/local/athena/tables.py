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

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlglot import exp

from infra.local.athena.parsed import ParsedCache
from infra.local.athena.staging import (
    LakeObject,
    read_staged_sql,
    staging_file,
    write_staged_rows,
)
from infra.sqlfiles.catalog import SqlFile
from infra.sqlfiles.errors import UnsupportedSqlError
from infra.sqlfiles.reference import references_in

OPEN_CSV_SERDE = "org.apache.hadoop.hive.serde2.OpenCSVSerde"
SERDE_DEFAULTS = {"separatorChar": ",", "quoteChar": '"', "escapeChar": "\\"}
CATALOG = "awsdatacatalog"
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
    types: tuple[str, ...] = ()  # DuckDB types of a Parquet table's columns
    parquet: bool = False

    def parsed_cache(self, lake: Path) -> ParsedCache:
        """Where the parsed rows of a partitioned OpenCSVSerde table are kept."""
        return ParsedCache(self.name, self.columns, self.partition, self.skip_lines, lake)


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
    file_format = create.find(exp.FileFormatProperty)
    parquet = file_format is not None and _string(file_format.this).upper() == "PARQUET"
    if not parquet:
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
        types=tuple(c.args["kind"].sql(dialect="duckdb") for c in schema.expressions),
        parquet=parquet,
    )
    if parquet and not partitions:
        raise UnsupportedSqlError(
            "a Parquet table is emulated with partitions only", source=file.path
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


def lake_objects(table: ExternalTable, lake: Path, since: str = "") -> list[LakeObject]:
    """The objects of the partitions from ``since`` on (all without it), stated now."""
    return [LakeObject.of(v, p) for v, p in partition_files(table, lake) if v >= since]


def create_database(conn: Any, tree: exp.Expr) -> str | None:
    """``CREATE DATABASE`` as a DuckDB schema, made current; None for other statements."""
    if isinstance(tree, exp.Create) and str(tree.args.get("kind")) in {"DATABASE", "SCHEMA"}:
        name = str(tree.this.name)
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS {CATALOG}."{name}"')
        conn.execute(f'USE {CATALOG}."{name}"')
        return name
    return None


def setup_table(file: SqlFile, tree: exp.Expr) -> ExternalTable:
    """The external table a setup statement creates; anything else is refused."""
    if isinstance(tree, exp.Create) and tree.find(exp.ExternalProperty) is not None:
        return external_table(tree, file)
    raise UnsupportedSqlError(
        "only CREATE DATABASE and CREATE EXTERNAL TABLE are emulated in sql/setup", source=file.path
    )


def create_plain_table(conn: Any, table: ExternalTable, lake: Path) -> None:
    """A table without partitions (a few KB): its rows loaded into DuckDB on every open."""
    columns = ", ".join(f'"{name}" VARCHAR' for name in table.columns)
    conn.execute(f'CREATE OR REPLACE TABLE "{table.name}" ({columns})')
    files = partition_files(table, lake)
    if not files:
        return
    with staging_file(lake, table.name) as out:
        count = write_staged_rows(files, table.skip_lines, len(table.columns), out)
    try:
        if count:
            names = ", ".join(f'"{name}"' for name in table.columns)
            select = read_staged_sql(Path(out.name), table.columns)
            conn.execute(f'INSERT INTO "{table.name}" SELECT {names} FROM ({select})')
    finally:
        Path(out.name).unlink()


def parquet_view_sql(table: ExternalTable, lake: Path) -> str:
    """A Parquet table as a view over its objects, read natively by DuckDB.

    The objects are listed when the engine opens, as projection enumerates them
    (dates up to today, names not starting with ``.`` or ``_``); the ``dt=`` folder
    of each lets DuckDB skip the files a ``dt`` filter excludes while it plans.
    """
    files = [path for _, path in partition_files(table, lake)]
    typed = zip((*table.columns, table.partition), (*table.types, "VARCHAR"), strict=True)
    if not files:
        nulls = ", ".join(f'CAST(NULL AS {kind}) AS "{name}"' for name, kind in typed)
        return f'CREATE OR REPLACE VIEW "{table.name}" AS SELECT {nulls} WHERE false'
    names = ", ".join(f'CAST("{name}" AS {kind}) AS "{name}"' for name, kind in typed)
    listed = ", ".join(_quote(str(f)) for f in files)
    return (
        f'CREATE OR REPLACE VIEW "{table.name}" AS SELECT {names} FROM read_parquet([{listed}], '
        f"hive_partitioning = true, hive_types = {{'{table.partition}': 'VARCHAR'}})"
    )
