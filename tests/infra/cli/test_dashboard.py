"""The dashboard file: every panel renders with data in headless Chromium, no console errors."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from infra.cli.dashboard import dashboard_command, duration, write_dashboard
from tests.infra.chromium import evaluate, open_tab
from tests.sql.coverage_lake import write_coverage_lake
from tests.sql.golden_lake import write_golden_lake

PANELS = ["latest", "charts", "movers", "daily", "freshness", "health", "coverage"]
AS_OF = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
PROBE = """JSON.stringify([...document.querySelectorAll('section.panel')].map(p => ({
  id: p.id.replace('panel-', ''), rows: Number(p.dataset.rows),
  cells: p.querySelectorAll('td').length, candles: p.querySelectorAll('svg .candle').length,
  empty: p.querySelectorAll('.empty').length})))"""


async def _open(ws_url: str, page_url: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Load ``page_url`` in a new tab; the panels it shows and the errors it raised."""
    async with aiohttp.ClientSession() as http, http.ws_connect(ws_url, max_msg_size=0) as ws:
        page = await open_tab(ws, page_url)
        return json.loads(await evaluate(page, PROBE)), page.errors()


def open_page(ws_url: str, path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Synchronous wrapper for the tests."""
    return asyncio.run(asyncio.wait_for(_open(ws_url, path.resolve().as_uri()), 120))


def test_every_panel_renders_with_data_and_no_errors(browser: str, tmp_path: Path) -> None:
    lake = write_golden_lake(tmp_path / "lake")
    page = write_dashboard(lake, tmp_path / "dashboard.html", as_of=AS_OF)
    panels, errors = open_page(browser, page)
    assert errors == []
    assert [p["id"] for p in panels] == PANELS
    for shown in panels:
        assert shown["rows"] > 0, shown
        assert shown["empty"] == 0, shown
        assert shown["cells" if shown["id"] != "charts" else "candles"] > 0, shown
    by_id = {p["id"]: p for p in panels}
    assert by_id["latest"]["rows"] == 4
    assert by_id["charts"]["rows"] == 4  # every symbol with a USD price on the day
    assert by_id["charts"]["candles"] == 5  # AAPL has two 5-minute buckets
    # 2026-11-20..26: only AAPL had a session day (11-25), its quotes all after the close
    assert by_id["coverage"]["rows"] == 1


def test_the_probe_sees_console_errors(browser: str, tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text("<html><body><script>console.error('boom')</script></body></html>")
    _, errors = open_page(browser, page)
    assert len(errors) == 1


def test_page_is_self_contained(tmp_path: Path) -> None:
    lake = write_golden_lake(tmp_path / "lake")
    html = write_dashboard(lake, tmp_path / "d.html", as_of=AS_OF).read_text(encoding="utf-8")
    assert "<script" not in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert "T-Mobile US, Inc. &quot;Class \\A\\&quot; \\\\" in html  # escaped, intact


def test_coverage_panel_marks_symbols_under_the_target(tmp_path: Path) -> None:
    lake = write_coverage_lake(tmp_path / "lake")
    html = write_dashboard(lake, tmp_path / "d.html", as_of=AS_OF).read_text(encoding="utf-8")
    coverage = html[html.index('id="panel-coverage"') :]
    assert "Coverage — worst symbols of the last 7 days" in coverage
    assert "UTC days 2026-11-22 to 2026-11-28" in coverage  # the lake's newest dt
    symbols = [row.split("<td>", 2)[1].split("<", 1)[0] for row in coverage.split("<tr")[2:]]
    assert symbols == ["BTC-USD", "SHOP.TO", "MISSED", "GAPPY", "FULL", "EARLY"]
    assert coverage.count('<tr class="gap">') == 5  # all but EARLY, which covered 100 %
    assert '<td class="num" title="1.0">100.00%</td>' in coverage


def test_empty_lake_renders_empty_panels(tmp_path: Path) -> None:
    html = write_dashboard(tmp_path / "none", tmp_path / "d.html", as_of=AS_OF).read_text()
    assert html.count('data-rows="0"') == len(PANELS)


def test_command_writes_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lake = write_golden_lake(tmp_path / "lake")
    out = tmp_path / "out" / "dashboard.html"
    assert dashboard_command(lake, out) == 0
    assert out.exists()
    assert str(out) in capsys.readouterr().out


def test_duration() -> None:
    assert [duration(s) for s in (0, 59, 61, 3600, 53640)] == [
        *("0m 00s", "0m 59s", "1m 01s", "1h 00m", "14h 54m"),
    ]
