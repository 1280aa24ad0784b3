"""What the local engine loads from the lake, and when: only what a query can read.

Gold (Parquet) is a view over its files, read by DuckDB itself. A partitioned
OpenCSVSerde table is a view over its parsed-rows cache (``parsed.ParsedCache``); it
starts with the days from the gold watermark on when a view bounded by the watermark
(``quotes``) reads it, and with nothing otherwise. A query that reaches such a table
by another way (``SELECT … FROM silver_quotes``, ``pipeline_health``) gets every day
loaded first. Loading parses only the objects not cached yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlglot import exp

from infra.local.athena.tables import (
    ExternalTable,
    create_plain_table,
    lake_objects,
    parquet_view_sql,
)
from infra.local.athena.watermark import NO_GOLD, by_day, watermark

WATERMARK = "GOLD_WATERMARK"
WATERMARK_TABLE = "silver_quotes"  # the silver the gold layer compacts
ALL_DAYS = ""


def referenced(tree: exp.Expr) -> set[str]:
    """The names of the tables and views a statement reads (CTE names excluded)."""
    ctes = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    names = {table.name.lower() for table in tree.find_all(exp.Table)}
    return names - ctes


@dataclass
class LakeTables:
    """The lake's tables in one DuckDB connection, loaded as queries need them."""

    lake: Path
    conn: Any
    tables: dict[str, ExternalTable] = field(default_factory=dict)
    loaded_since: dict[str, str] = field(default_factory=dict)  # table → first day loaded
    views: dict[str, set[str]] = field(default_factory=dict)  # view → names it reads
    bounded: set[str] = field(default_factory=set)  # views that hold the watermark
    watermark: str = NO_GOLD

    def add(self, table: ExternalTable) -> None:
        """Create the table: a Parquet view, a loaded plain table, or an empty view for now."""
        self.tables[table.name.lower()] = table
        if table.parquet:
            self.conn.execute(parquet_view_sql(table, self.lake))
        elif not table.partition:
            create_plain_table(self.conn, table, self.lake)
        else:
            self.conn.execute(table.parsed_cache(self.lake).view_sql([]))

    def find_watermark(self) -> str:
        """The gold watermark of the lake as it is now (``watermark.watermark``)."""
        table = self.tables.get(WATERMARK_TABLE)
        if table is not None:
            self.watermark = watermark(self.lake, by_day(lake_objects(table, self.lake)))
        return self.watermark

    def add_view(self, name: str, tree: exp.Expr, bounded: bool) -> None:
        """Remember what a view reads; a view bounded by the watermark loads its silver now."""
        self.views[name.lower()] = referenced(tree.expression) if tree.expression else set()
        if bounded:
            self.bounded.add(name.lower())
            for table in self._reached(self.views[name.lower()]):
                self._load(table, self.watermark)

    def prepare(self, tree: exp.Expr) -> None:
        """Load every day of each partitioned table the query reaches unbounded."""
        for table in self._reached(referenced(tree)):
            self._load(table, ALL_DAYS)

    def _reached(self, names: set[str]) -> set[str]:
        """Partitioned CSV tables reached through views, stopping at bounded views."""
        seen: set[str] = set()
        todo = [n for n in names if n not in self.bounded]
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            todo += [n for n in self.views.get(name, ()) if n not in self.bounded]
        return {n for n in seen if n in self.tables and self._parsed(self.tables[n])}

    @staticmethod
    def _parsed(table: ExternalTable) -> bool:
        return bool(table.partition) and not table.parquet

    def _load(self, name: str, since: str) -> None:
        """Make the table's view hold the days from ``since`` on (parsing what is new)."""
        loaded = self.loaded_since.get(name)
        if loaded is not None and loaded <= since:
            return
        table = self.tables[name]
        cache = table.parsed_cache(self.lake)
        files = cache.sync(self.conn, lake_objects(table, self.lake, since))
        self.conn.execute(cache.view_sql(files))
        self.loaded_since[name] = since
