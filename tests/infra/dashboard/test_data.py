"""One renderer, any data source: a failing query becomes its panel's error when tolerated."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from infra.dashboard.data import Source, collect
from infra.dashboard.page import panels, render
from infra.local.athena.engine import QueryResult
from infra.sqlfiles.catalog import SqlFile
from infra.sqlfiles.errors import AthenaError

AS_OF = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


class FakeSource:
    """Every query answers one symbol; ``top_movers`` fails as Athena would."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def run(self, file: SqlFile, params: Sequence[str]) -> QueryResult:
        self.calls.append((file.path.stem, list(params)))
        if file.path.stem == "top_movers":
            raise AthenaError("COLUMN_NOT_FOUND: line 3:9: Column 'change_pct' cannot be resolved")
        if file.path.stem == "intraday_ohlc":
            return QueryResult(("bucket_start",), [])
        return QueryResult(("symbol",), [("AAPL",)])


def test_every_query_gets_its_parameters_then_one_chart_per_symbol() -> None:
    source = FakeSource()
    collect(source, "2026-11-26", AS_OF, tolerant=True)
    assert source.calls == [
        ("latest_prices", ["'2026-11-25'"]),
        ("top_movers", ["'2026-11-26'"]),
        ("daily_30d", ["'2026-10-28'", "'2026-11-26'"]),
        ("freshness", ["TIMESTAMP '2026-11-26 15:00:00'", "'2026-11-25'"]),
        ("pipeline_health", ["'2026-11-25'", "'2026-11-26'"]),
        ("coverage_worst", ["'2026-11-20'", "'2026-11-26'"]),
        ("intraday_ohlc", ["'AAPL'", "'2026-11-26'"]),
    ]


def test_a_tolerated_failure_shows_in_its_panel_only() -> None:
    source: Source = FakeSource()
    data = collect(source, "2026-11-26", AS_OF, tolerant=True)
    shown = panels(data)
    assert data.errors == {
        "top_movers": "COLUMN_NOT_FOUND: line 3:9: Column 'change_pct' cannot be resolved"
    }
    assert 'data-error="1"' in shown["movers"]
    assert "query top_movers failed: COLUMN_NOT_FOUND" in shown["movers"]
    assert all("data-error" not in html for key, html in shown.items() if key != "movers")
    assert 'data-rows="1"' in shown["latest"]
    assert "<script" not in render(data)  # a file carries no script; only the live page does


def test_without_tolerance_the_failure_stops_the_page() -> None:
    with pytest.raises(AthenaError, match="COLUMN_NOT_FOUND"):
        collect(FakeSource(), "2026-11-26", AS_OF)


class ManySymbols:
    """A day with 30 symbols, each with one 5-minute bar."""

    def __init__(self) -> None:
        self.charts: list[str] = []

    def run(self, file: SqlFile, params: Sequence[str]) -> QueryResult:
        if file.path.stem == "intraday_ohlc":
            self.charts.append(params[0])
            bar = (datetime(2026, 11, 26, 15, 0), 1.0, 2.0, 0.5, 1.5, 3)
            return QueryResult(("bucket_start", "open", "high", "low", "close", "samples"), [bar])
        return QueryResult(("symbol",), [(f"SYM{n:05d}",) for n in range(30)])


def test_charts_are_drawn_for_the_first_symbols_and_the_panel_says_so() -> None:
    source = ManySymbols()
    data = collect(source, "2026-11-26", AS_OF)
    # THEN one chart query per symbol shown, not per symbol of the day
    assert source.charts == [f"'SYM{n:05d}'" for n in range(24)]
    html = panels(data)["charts"]
    assert html.count("<figure") == 24
    assert "the first 24 of 30 symbols" in html
