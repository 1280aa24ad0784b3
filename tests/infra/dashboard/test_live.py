"""The live dashboard: a new tick shows on the open page without a reload (headless Chromium)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from infra.dashboard.live import LiveServer, snapshot
from tests.infra.chromium import Page, evaluate, open_tab
from tests.sql.golden_lake import bronze_key, quote, write_golden_lake, write_object

REFRESH = 0.5
NEW_PRICE = "321.09"
# Each symbol's row of the latest-prices panel, as the reader sees it.
LATEST = """JSON.stringify(Object.fromEntries([...document.querySelectorAll(
  '#panel-latest tbody tr')].map(tr => [tr.cells[0].textContent, tr.cells[4].textContent])))"""
CANDLES = "document.querySelectorAll('#panel-charts figure[data-symbol=\"AAPL\"] .candle').length"


@pytest.fixture
def lake(tmp_path: Path) -> Path:
    """GIVEN the golden lake (newest UTC day 2026-11-26)."""
    return write_golden_lake(tmp_path / "lake")


@pytest.fixture
def server(lake: Path) -> Iterator[LiveServer]:
    """GIVEN the live dashboard of that lake on a free port of 127.0.0.1."""
    live = LiveServer(lake, port=0, refresh=REFRESH).start()
    try:
        yield live
    finally:
        live.stop()


def new_tick(lake: Path) -> None:
    """A later AAPL quote, written as the pipeline writes a tick's silver object."""
    key = bronze_key("2026-11-26", "15:30:02", 9)
    row = quote("AAPL", "2026-11-26T15:30:00Z", NEW_PRICE, NEW_PRICE,
                fetched="2026-11-26T15:30:01Z", key=key)  # fmt: skip
    write_object(lake, "2026-11-26", "tick-9.csv", [row])


async def wait_until(page: Page, expression: str, expected: Any, seconds: float = 30) -> Any:
    """Poll the tab until ``expression`` gives ``expected``; the last value seen."""
    deadline = time.monotonic() + seconds
    value = await evaluate(page, expression)
    while value != expected and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        value = await evaluate(page, expression)
    return value


async def watch_new_tick(ws_url: str, server: LiveServer, lake: Path) -> dict[str, Any]:
    """Open the page, write a tick, see it arrive; what the page showed along the way."""
    async with aiohttp.ClientSession() as http, http.ws_connect(ws_url, max_msg_size=0) as ws:
        page = await open_tab(ws, server.url)
        await evaluate(page, "window.sameDocument = 'yes'")  # a reload would forget it
        before = json.loads(await evaluate(page, LATEST))
        candles_before = await evaluate(page, CANDLES)
        new_tick(lake)
        after = await wait_until(page, f"JSON.parse({LATEST})['AAPL']", NEW_PRICE)
        return {
            "before": before,
            "after": after,
            "candles": (candles_before, await wait_until(page, CANDLES, candles_before + 1)),
            "same_document": await evaluate(page, "window.sameDocument"),
            "loads": sum(e.get("method") == "Page.loadEventFired" for e in page.events),
            "status": await evaluate(page, "document.getElementById('live-status').textContent"),
            "errors": page.errors(),
        }


def test_a_new_tick_appears_without_a_reload(browser: str, server: LiveServer, lake: Path) -> None:
    seen = asyncio.run(asyncio.wait_for(watch_new_tick(browser, server, lake), 120))
    assert seen["before"]["AAPL"] == "103.00"  # the golden lake's newest AAPL quote
    assert seen["after"] == NEW_PRICE
    assert seen["candles"] == (2, 3)  # a new 5-minute bucket in AAPL's chart
    assert seen["same_document"] == "yes"
    assert seen["loads"] == 1
    assert seen["status"].startswith("live: updated 20")
    assert seen["errors"] == []


def test_server_binds_to_loopback_and_answers_json(server: LiveServer) -> None:
    assert server.url.startswith("http://127.0.0.1:")

    async def fetch() -> dict[str, Any]:
        async with aiohttp.ClientSession() as http, http.get(server.url + "api/panels") as r:
            assert r.headers["Cache-Control"] == "no-store"
            return dict(await r.json())

    answer = asyncio.run(fetch())
    assert list(answer["panels"]) == [
        *("latest", "charts", "movers", "daily", "freshness", "health", "coverage"),
    ]
    assert answer["title"] == "quotepipe dashboard — 2026-11-26"
    assert answer["errors"] == {}


def test_a_lake_that_cannot_load_shows_in_every_panel(tmp_path: Path) -> None:
    lake = write_golden_lake(tmp_path / "lake")
    (lake / ".cache").write_text("a file where the engine stages the lake's rows")
    data = snapshot(lake)
    assert "cannot stage the lake's rows" in data.errors["latest_prices"]
    assert set(data.errors) == {
        *("latest_prices", "intraday_ohlc", "top_movers", "daily_30d", "freshness"),
        *("pipeline_health", "coverage_worst"),
    }


def test_a_taken_port_is_an_os_error(server: LiveServer, lake: Path) -> None:
    with pytest.raises(OSError):
        LiveServer(lake, port=server.port).start()
