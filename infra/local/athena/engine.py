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
from infra.local.athena.tables import CATALOG, apply_setup, cache_dir
from infra.local.athena.translate import (
    bind_parameters,
    check_functions,
    check_query,
    parse_statement,
    to_duckdb,
)
from infra.sqlfiles.catalog import SQL_DIR, SqlFile, load_section
from infra.sqlfiles.errors import AthenaError, SqlError

__all__ = ["AthenaError", "LocalAthena", "QueryResult", "format_result", "run_query_command"]

# DuckDB settings that make it answer like Athena engine v3.
SESSION_SETTINGS = (
    "SET TimeZone = 'UTC'",
    "SET integer_division = true",  # Trino: 7 / 2 = 3
    "SET default_null_order = 'nulls_last'",  # Trino: NULLs last, ASC and DESC
)


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
        for file in load_section("setup", self.sql_dir):
            self._setup(file)
        for file in load_section("views", self.sql_dir):
            self._create_view(file)
        self._conn.execute("SET lock_configuration = true")

    def close(self) -> None:
        """Release DuckDB."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _setup(self, file: SqlFile) -> None:
        tree = parse_statement(file.statement)
        try:
            self.database = apply_setup(self._conn, file, tree, self.lake_dir) or self.database
        except duckdb.Error as exc:
            raise SqlError(f"DuckDB: {exc}", sql=file.text, source=file.path) from exc
        except OSError as exc:  # the staging file under LAKE/.cache/
            message = f"cannot stage the lake's rows: {exc.strerror}: {exc.filename}"
            raise SqlError(message, sql=file.text, source=file.path) from exc

    def _create_view(self, file: SqlFile) -> None:
        try:
            tree = parse_statement(file.statement)
            check_functions(tree, file.statement)
            self._conn.execute(to_duckdb(tree, file.statement))
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
            cursor = self._conn.execute(prepare_query(sql, params))
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

    def query_file(self, file: SqlFile, params: Sequence[str] = ()) -> QueryResult:
        """Run one query of ``sql/`` (a dashboard), errors naming its file."""
        return self.query(file.statement, params, source=file.path)


def prepare_query(sql: str, params: Sequence[str] = ()) -> str:
    """The DuckDB SQL of one Athena query with its parameters bound, or an ``AthenaError``."""
    bound = bind_parameters(sql, params) if params or "?" in sql else sql
    tree = parse_statement(bound)
    check_query(tree, bound)
    return to_duckdb(tree, bound)


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
