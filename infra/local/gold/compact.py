"""``quotepipe compact``: each closed day of silver becomes one Parquet file in gold.

The rows are exactly ``quotes_silver``'s for the day (typed, one per symbol and
``trade_time`` by the view's own de-duplication rule), sorted by symbol and
``trade_time``, written by the local engine's DuckDB (ZSTD) to
``LAKE/gold/quotes/dt=D/part-00000.parquet``. Silver is read through the engine, so
OpenCSVSerde's rules (and hostile names) hold, and each object is parsed once.

Atomic and idempotent: the file is written under a hidden name (``.…``, which Athena and
the engine skip) and renamed over the old one, then the day's manifest (the silver
objects it was built from) is renamed into place. A day whose manifest matches its
silver is skipped; late silver makes it stale, and the next run rewrites it. Between
the two renames the day reads as stale, so the engine reads its silver: never a row
lost or counted twice.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlglot import exp

from infra.local.athena.engine import LocalAthena
from infra.local.athena.loader import WATERMARK_TABLE
from infra.local.athena.staging import LakeObject
from infra.local.athena.tables import ExternalTable, external_table, lake_objects
from infra.local.athena.translate import parse_statement
from infra.local.athena.watermark import Manifest, by_day, fingerprint, gold_day, is_current
from infra.sqlfiles.catalog import SQL_DIR, load_section
from infra.sqlfiles.errors import AthenaError

GOLD_FILE = "part-00000.parquet"
COLUMNS = (
    "symbol, name, exchange, currency, price, price_usd, price_cad, fx_usd_cad, change_pct, "
    "volume, market_state, trade_time, fetched_at, source_key, source"
)
Say = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class CompactedDay:
    """One day written to gold."""

    dt: str
    objects: int
    rows: int
    silver_bytes: int
    gold_bytes: int
    seconds: float


@dataclass
class CompactReport:
    """What a compaction wrote, and the days it found already current."""

    written: list[CompactedDay] = field(default_factory=list)
    current: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: days, rows and bytes written."""
        if not self.written:
            return f"gold: nothing to compact ({len(self.current)} day(s) already current)"
        rows = sum(d.rows for d in self.written)
        silver = sum(d.silver_bytes for d in self.written)
        gold = sum(d.gold_bytes for d in self.written)
        return (
            f"gold: compacted {len(self.written)} day(s), {rows:,} rows, "
            f"{silver / 1e6:.1f} MB of silver CSV into {gold / 1e6:.1f} MB of Parquet; "
            f"{len(self.current)} day(s) already current"
        )


def silver_table(sql_dir: Path = SQL_DIR) -> ExternalTable:
    """silver_quotes as sql/setup defines it: its folder, partition and projection."""
    for file in load_section("setup", sql_dir):
        tree = parse_statement(file.statement)
        external = isinstance(tree, exp.Create) and tree.find(exp.ExternalProperty)
        if external and isinstance(tree, exp.Create) and tree.this.this.name == WATERMARK_TABLE:
            return external_table(tree, file)
    raise AthenaError(f"sql/setup does not create {WATERMARK_TABLE}")


def closed_days(today: date | None = None) -> str:
    """The last closed day: yesterday in UTC."""
    return date.fromordinal((today or datetime.now(UTC).date()).toordinal() - 1).isoformat()


def _silver_days(lake: Path, start: str, end: str) -> dict[str, list[LakeObject]]:
    """The silver objects of each day in [start, end] (Athena's projection: up to today)."""
    table = silver_table()
    days = by_day(lake_objects(table, lake, start))
    return {dt: objects for dt, objects in days.items() if dt <= end}


def compact_lake(
    lake: Path, start: str = "", end: str = "", say: Say | None = None
) -> CompactReport:
    """Compact the days of silver from ``start`` to ``end`` (default: every closed day)."""
    tell = say or (lambda _line: None)
    days = _silver_days(lake, start, end or closed_days())
    report = CompactReport()
    stale = {dt: objs for dt, objs in days.items() if not is_current(lake, dt, objs)}
    report.current = sorted(days.keys() - stale.keys())
    if not stale:
        return report
    with LocalAthena(lake) as athena:  # loads silver from the watermark, the first stale day
        for number, dt in enumerate(sorted(stale), start=1):
            done = _write_day(athena, lake, dt, stale[dt])
            report.written.append(done)
            tell(
                f"[{number}/{len(stale)}] dt={dt}: {done.objects} silver object(s), "
                f"{done.rows:,} rows, {done.gold_bytes / 1e6:.2f} MB in {done.seconds:.1f} s"
            )
    return report


def _write_day(athena: LocalAthena, lake: Path, dt: str, objects: list[LakeObject]) -> CompactedDay:
    """Write one day's Parquet file, then its manifest, each under a hidden name first."""
    if dt < athena.watermark:  # cannot happen: a stale day is never before the watermark
        raise RuntimeError(f"dt={dt} is before the watermark {athena.watermark}")
    started = time.monotonic()
    folder = gold_day(lake, dt)
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".{GOLD_FILE}.{os.getpid()}.tmp"
    rows = athena.write_parquet(
        f"SELECT {COLUMNS} FROM quotes_silver WHERE dt = '{dt}' ORDER BY symbol, trade_time", temp
    )
    temp.replace(folder / GOLD_FILE)
    manifest = Manifest(dt, fingerprint(lake, objects), GOLD_FILE, rows)
    listed = folder / f".manifest.{os.getpid()}.tmp"
    listed.write_text(manifest.to_json(), encoding="utf-8")
    listed.replace(folder / "_manifest.json")
    return CompactedDay(
        dt,
        len(objects),
        rows,
        sum(o.size for o in objects),
        (folder / GOLD_FILE).stat().st_size,
        time.monotonic() - started,
    )
