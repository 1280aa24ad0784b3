"""Athena on one machine: the SQL of ``sql/`` run by DuckDB over the lake on disk.

``LocalAthena(lake)`` opens an in-memory DuckDB in UTC and runs ``sql/setup``: the
database becomes a schema, ``silver_quotes`` a table loaded (when it opens) from
``LAKE/silver/quotes/dt=*/*`` exactly as OpenCSVSerde reads it (see ``opencsv``).
Then it creates the views of ``sql/views``, translated from Athena SQL by sqlglot.
``query`` takes one Athena statement and optional ``?`` execution parameters (SQL
literal text, as Athena's ExecutionParameters). The connection is confined to the
lake: it cannot read other files, reach the network or load extensions, and its
staging and spill files live under ``LAKE/.cache/``. Errors are ``AthenaError`` subclasses
(``infra.sqlfiles.errors``) naming the statement and file; statements that cannot run here
are refused by name, never answered differently.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import duckdb

from infra.local.athena.format import FORMATS, format_result
from infra.local.athena.loader import WATERMARK, LakeTables
from infra.local.athena.staging import cache_dir
from infra.local.athena.tables import CATALOG, create_database, setup_table
from infra.local.athena.translate import (
    bind_parameters,
    check_functions,
    check_query,
    parse_statement,
    to_duckdb,
)
from infra.sqlfiles.catalog import SQL_DIR, SqlFile, fill_placeholders, load_section, placeholders
from infra.sqlfiles.errors import AthenaError, SqlError

__all__ = ["AthenaError", "LocalAthena", "QueryResult", "format_result", "run_query_command"]

# DuckDB settings that make it answer like Athena engine v3.
SESSION_SETTINGS = (
    "SET TimeZone = 'UTC'",
    "SET integer_division = true",  # Trino: 7 / 2 = 3
    "SET default_null_order = 'nulls_last'",  # Trino: NULLs last, ASC and DESC
)


# About 128 MB of uncompressed rows (a quote row is ~120 bytes in DuckDB's vectors).
ROW_GROUP_ROWS = 1_048_576


def _confinement(lake: Path) -> tuple[str, ...]:
    """Settings that keep SQL inside the lake (DuckDB's "Securing DuckDB" page).

    ``allowed_directories`` and ``temp_directory`` must be set while external access
    is still on; ``lock_configuration`` (set after setup) stops SQL from undoing them.
    """
    return (
        f"SET allowed_directories = [{_quote(str(lake))}]",
        f"SET temp_directory = {_quote(str(cache_dir(lake) / 'duckdb'))}",
        "SET autoinstall_known_extensions = false",
        "SET autoload_known_extensions = false",
        "SET allow_community_extensions = false",
        "SET enable_external_access = false",
    )


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True, slots=True)
class QueryResult:
    """Column names and rows of one query, values as Python objects."""

    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)


class LocalAthena:
    """An in-memory DuckDB holding the tables and views of ``sql/`` over one lake."""

    def __init__(self, lake_dir: Path, *, sql_dir: Path = SQL_DIR) -> None:
        self.lake_dir, self.sql_dir = Path(lake_dir), sql_dir
        self.database = ""
        self._conn: Any = None
        self._tables: LakeTables | None = None

    @property
    def watermark(self) -> str:
        """The first day ``quotes`` reads from silver (days before it come from gold)."""
        return self._tables.watermark if self._tables else ""

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def open(self) -> None:
        """Start DuckDB and create the database, table and views of ``sql/``."""
        self._conn = duckdb.connect(":memory:")
        for setting in (*SESSION_SETTINGS, *_confinement(self.lake_dir.resolve())):
            self._conn.execute(setting)
        self._conn.execute(f"ATTACH ':memory:' AS {CATALOG}")
        self._tables = LakeTables(self.lake_dir, self._conn)
        for file in load_section("setup", self.sql_dir):
            self._setup(file)
        self._tables.find_watermark()
        for file in load_section("views", self.sql_dir):
            self._create_view(file)
        self._conn.execute("SET lock_configuration = true")

    def close(self) -> None:
        """Release DuckDB."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
            self._tables = None

    def _setup(self, file: SqlFile) -> None:
        tree = parse_statement(file.statement)
        try:
            database = create_database(self._conn, tree)
            if database is None:
                self._lake_tables().add(setup_table(file, tree))
            self.database = database or self.database
        except duckdb.Error as exc:
            raise SqlError(f"DuckDB: {exc}", sql=file.text, source=file.path) from exc
        except OSError as exc:  # the staging file under LAKE/.cache/
            message = f"cannot stage the lake's rows: {exc.strerror}: {exc.filename}"
            raise SqlError(message, sql=file.text, source=file.path) from exc

    def _lake_tables(self) -> LakeTables:
        if self._tables is None:
            raise AthenaError("LocalAthena is not open: use it as a context manager")
        return self._tables

    def _create_view(self, file: SqlFile) -> None:
        tables = self._lake_tables()
        bounded = WATERMARK in placeholders(file.statement)
        try:
            sql = fill_placeholders(file, {WATERMARK: tables.watermark})
            tree = parse_statement(sql)
            check_functions(tree, sql)
            tables.add_view(tree.this.name, tree, bounded)
            self._conn.execute(to_duckdb(tree, sql))
        except AthenaError as exc:
            raise type(exc)(exc.message, sql=file.text, source=file.path) from exc
        except duckdb.Error as exc:
            raise SqlError(f"DuckDB: {exc}", sql=file.text, source=file.path) from exc

    def query(
        self, sql: str, params: Sequence[str] = (), *, source: Path | None = None
    ) -> QueryResult:
        """Run one Athena query; ``params`` fill its ``?`` marks as Athena's ExecutionParameters."""
        if self._conn is None:
            raise AthenaError("LocalAthena is not open: use it as a context manager")
        try:
            tree, duck_sql = prepare_tree(sql, params)
            self._lake_tables().prepare(tree)
            cursor = self._conn.execute(duck_sql)
            columns = tuple(d[0] for d in cursor.description or ())
            return QueryResult(columns, cursor.fetchall())
        except AthenaError as exc:
            raise type(exc)(exc.message, sql=sql, source=source) from exc
        except duckdb.PermissionException as exc:
            message = (
                f"reading outside the lake {self.lake_dir}/ is not allowed: the local engine "
                f"reads the lake's tables only, with no network or extensions (DuckDB: {exc})"
            )
            raise SqlError(message, sql=sql, source=source) from exc
        except duckdb.Error as exc:
            raise SqlError(f"DuckDB: {exc}", sql=sql, source=source) from exc

    def explain(self, sql: str, params: Sequence[str] = ()) -> str:
        """DuckDB's physical plan of one Athena query: which files each scan reads."""
        tree, duck_sql = prepare_tree(sql, params)
        self._lake_tables().prepare(tree)
        return "\n".join(
            str(row[1]) for row in self._conn.execute(f"EXPLAIN {duck_sql}").fetchall()
        )

    def write_parquet(self, sql: str, target: Path) -> int:
        """Write one query's rows to a Parquet file in the lake: ZSTD, ~128 MB row groups.

        It reads what the engine loaded when it opened (silver from the watermark on),
        never loading more: compaction writes only days from the watermark on. Returns
        the number of rows written.
        """
        try:
            duck_sql = prepare_query(sql)
            written = self._conn.execute(
                f"COPY ({duck_sql}) TO {_quote(str(target))} "
                f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS})"
            ).fetchone()
            return int(written[0])
        except AthenaError as exc:
            raise type(exc)(exc.message, sql=sql) from exc
        except duckdb.Error as exc:
            raise SqlError(f"DuckDB: {exc}", sql=sql) from exc

    def query_file(self, file: SqlFile, params: Sequence[str] = ()) -> QueryResult:
        """Run one query of ``sql/`` (a dashboard), errors naming its file."""
        return self.query(file.statement, params, source=file.path)


def prepare_tree(sql: str, params: Sequence[str] = ()) -> tuple[Any, str]:
    """One Athena query with its parameters bound: its tree and its DuckDB SQL."""
    bound = bind_parameters(sql, params) if params or "?" in sql else sql
    tree = parse_statement(bound)
    check_query(tree, bound)
    return tree, to_duckdb(tree, bound)


def prepare_query(sql: str, params: Sequence[str] = ()) -> str:
    """The DuckDB SQL of one Athena query with its parameters bound, or an ``AthenaError``."""
    return prepare_tree(sql, params)[1]


def run_query_command(lake: Path, sql: str, fmt: str, params: Sequence[str] = ()) -> int:
    """``quotepipe query``: print the result, or one line of error and exit code 1.

    The statement is checked before the lake is read, so a typo costs no loading.
    """
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
    if fmt not in FORMATS:
        print(f"quotepipe query: unknown format {fmt!r}", file=sys.stderr)
        return 2
    try:
        prepare_query(sql, params)
        with LocalAthena(lake) as athena:
            result = athena.query(sql, params)
    except AthenaError as exc:
        # The user has the statement in front of them: the message alone, on one line.
        print(f"quotepipe query: SQL: {' '.join(exc.message.split())}", file=sys.stderr)
        return 1
    print(format_result(result, fmt))
    return 0
