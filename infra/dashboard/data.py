"""What the dashboard shows: the queries of ``sql/dashboards`` run by one data source.

A data source is anything with ``run(file, params) -> QueryResult``: the local engine
over a lake (``LocalSource``) or Athena itself (``infra.dashboard.athena``). ``collect``
asks it for every panel of one UTC day, so the page is rendered the same way from both.
With ``tolerant=True`` (the live server) a failing query is kept as that panel's error
instead of stopping the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol

from infra.local.athena.engine import LocalAthena, QueryResult
from infra.sqlfiles.catalog import SQL_DIR, SqlFile, load_section
from infra.sqlfiles.errors import AthenaError

COVERAGE_DAYS = 7
# One chart query per symbol: 500 symbols took 20 s of a 6M-row lake's dashboard (measured),
# and a page of 500 charts helps nobody. Grafana's symbol variable picks any symbol.
MAX_CHARTS = 24
# Query file (without .sql) → the panel that shows it, in page order.
PANELS = {
    "latest_prices": ("latest", "Latest prices"),
    "intraday_ohlc": ("charts", "Intraday price, 5-minute OHLC (USD)"),
    "top_movers": ("movers", "Top movers"),
    "daily_30d": ("daily", "Daily summary, last 30 days (USD)"),
    "freshness": ("freshness", "Freshness"),
    "pipeline_health": ("health", "Pipeline health (per hour of bronze arrival)"),
    "coverage_worst": ("coverage", f"Coverage — worst symbols of the last {COVERAGE_DAYS} days"),
}
EMPTY = QueryResult(())


class Source(Protocol):
    """Runs one dashboard query with its ``?`` values (Athena execution parameters)."""

    def run(self, file: SqlFile, params: Sequence[str]) -> QueryResult:
        """The rows of ``file`` with ``params`` bound, or an ``AthenaError``."""
        ...


@dataclass(frozen=True, slots=True)
class Scan:
    """What Athena read for one panel: queries run and bytes scanned in all."""

    queries: int = 0
    bytes_scanned: int = 0
    cost_usd: float = 0.0

    def plus(self, scanned: int, cost_usd: float) -> Scan:
        """This scan and one more query."""
        return Scan(self.queries + 1, self.bytes_scanned + scanned, self.cost_usd + cost_usd)


@dataclass(frozen=True, slots=True)
class DashboardData:
    """Everything the page shows, queried once."""

    day: str
    as_of: datetime
    results: dict[str, QueryResult]
    charts: dict[str, QueryResult]
    errors: dict[str, str] = field(default_factory=dict)  # query name → message
    symbols_shown: int = 0  # symbols on the day, of which the first MAX_CHARTS get a chart
    scans: dict[str, Scan] = field(default_factory=dict)  # query name → Athena's bill
    origin: str = "the lake's silver data"


class LocalSource:
    """The local engine over one lake, as a data source."""

    def __init__(self, athena: LocalAthena) -> None:
        self.athena = athena

    def run(self, file: SqlFile, params: Sequence[str]) -> QueryResult:
        """One query on DuckDB."""
        return self.athena.query_file(file, params)

    def newest_day(self) -> str | None:
        """The newest ``dt`` with a quote: ``quotes`` reads gold for closed days, not all silver."""
        newest = self.athena.query("SELECT max(dt) FROM quotes").rows[0][0]
        return str(newest) if newest else None


def sql_string(text: str) -> str:
    """A SQL string literal, as an Athena execution parameter."""
    return "'" + text.replace("'", "''") + "'"


def shift(day: str, days: int) -> str:
    """``day`` moved by ``days`` (ISO dates)."""
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def parameters(day: str, as_of: datetime) -> dict[str, list[str]]:
    """The ``?`` values of each dashboard query (but the per-symbol chart) for one day."""
    moment = f"TIMESTAMP '{as_of.astimezone(UTC):%Y-%m-%d %H:%M:%S}'"
    return {
        "latest_prices": [sql_string(shift(day, -1))],
        "top_movers": [sql_string(day)],
        "daily_30d": [sql_string(shift(day, -29)), sql_string(day)],
        "freshness": [moment, sql_string(shift(day, -1))],
        "pipeline_health": [sql_string(shift(day, -1)), sql_string(day)],
        "coverage_worst": [sql_string(shift(day, 1 - COVERAGE_DAYS)), sql_string(day)],
    }


class _Runner:
    """Runs queries for ``collect``, keeping errors per query when asked to."""

    def __init__(self, source: Source, tolerant: bool) -> None:
        self.source, self.tolerant = source, tolerant
        self.errors: dict[str, str] = {}

    def __call__(self, file: SqlFile, params: Sequence[str]) -> QueryResult:
        try:
            return self.source.run(file, params)
        except AthenaError as exc:
            if not self.tolerant:
                raise
            self.errors.setdefault(file.path.stem, " ".join(exc.message.split()))
            return EMPTY


def collect(
    source: Source,
    day: str,
    as_of: datetime,
    *,
    sql_dir: Path = SQL_DIR,
    tolerant: bool = False,
) -> DashboardData:
    """Run every dashboard query for one UTC day, then a chart for each of the first symbols."""
    files = {f.path.stem: f for f in load_section("dashboards", sql_dir)}
    run = _Runner(source, tolerant)
    results = {name: run(files[name], params) for name, params in parameters(day, as_of).items()}
    symbols = [row[0] for row in results["latest_prices"].rows]
    chart = files["intraday_ohlc"]
    charts = {s: run(chart, [sql_string(s), sql_string(day)]) for s in symbols[:MAX_CHARTS]}
    return DashboardData(day, as_of, results, charts, errors=run.errors, symbols_shown=len(symbols))


def collect_lake(athena: LocalAthena, as_of: datetime, *, tolerant: bool = False) -> DashboardData:
    """Every panel for the lake's newest day (today, UTC, for an empty lake)."""
    source = LocalSource(athena)
    day = source.newest_day() or as_of.astimezone(UTC).date().isoformat()
    return collect(source, day, as_of, sql_dir=athena.sql_dir, tolerant=tolerant)
