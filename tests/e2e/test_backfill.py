"""`quotepipe backfill` end to end: gaps made on the simulated market, filled through the stack.

GIVEN a market on a set clock (Wednesday 2026-11-25, 15:00 UTC: New York, Toronto and
London in session; one trade a minute on the minute) and `quotepipe run` ticking at
15:00, 15:02, 15:04 and 15:06 with AAPL halted from 15:02:30 to 15:04:30, the lake
misses 15:01, 15:03 and 15:05 for every symbol and AAPL also 15:04. Yahoo's bars hold
trades for 15:01 and 15:05 and, for AAPL, nulls for 15:03 and 15:04 (the halt).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from firehose.codec import BronzeQuote, encode_line
from firehose.sender import send_lines
from infra.cli.main import main
from infra.local.athena.engine import LocalAthena
from infra.local.embedded import LakeDelivery, processor_environment
from infra.local.stack import LocalStack
from infra.local.yahoo import MarketServer, SimulatedMarket
from tests.infra.local.yahoo.test_market import FakeClock

pytestmark = pytest.mark.e2e

T0 = int(datetime(2026, 11, 25, 15, 0, tzinfo=UTC).timestamp())
DAY = "2026-11-25"
SYMBOLS = ("AAPL", "SHOP.TO", "VOD.L")
RUN_MINUTES = (0, 2, 4, 6)
GAPS = {"AAPL": (1, 3, 4, 5), "SHOP.TO": (1, 3, 5), "VOD.L": (1, 3, 5)}
RANGE = ["--from", "2026-11-25T15:00:00Z", "--to", "2026-11-25T15:07:00Z"]


@dataclass
class Scene:
    clock: FakeClock
    market: SimulatedMarket
    url: str
    lake: Path
    covered_before: dict[str, int]
    first: tuple[int, str]  # exit code and output of the first backfill


def _run(url: str, lake: Path) -> None:
    args = ["run", "--ticks", "1", "--interval", "0", "--symbols", ",".join(SYMBOLS)]
    assert main([*args, "--yahoo-url", url, "--lake", str(lake)]) == 0


def _covered(lake: Path) -> dict[str, int]:
    with LocalAthena(lake) as athena:
        rows = athena.query(f"SELECT symbol, covered_minutes FROM coverage WHERE dt = '{DAY}'")
    return {str(symbol): int(count) for symbol, count in rows.rows}


def _backfill(*args: str) -> tuple[int, str]:
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = main(["backfill", *args])
    return code, out.getvalue()


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    clock = FakeClock(T0)
    market = SimulatedMarket(clock=clock, sessions=True, trade_interval=60)
    lake = tmp_path_factory.mktemp("lake")
    with MarketServer(market) as server:
        for minute in RUN_MINUTES:
            clock.now = T0 + minute * 60 + 30
            _run(server.url, lake)
            if minute == 2:
                market.halt("AAPL")
            if minute == 4:
                market.resume("AAPL")
        before = _covered(lake)
        first = _backfill(*RANGE, "--yahoo-url", server.url, "--lake", str(lake))
        yield Scene(clock, market, server.url, lake, before, first)


def _quotes(lake: Path, symbol: str) -> dict[int, dict[str, Any]]:
    with LocalAthena(lake) as athena:
        result = athena.query(
            "SELECT * FROM quotes WHERE symbol = ? AND dt = ?", [f"'{symbol}'", f"'{DAY}'"]
        )
    rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
    return {int(row["trade_time"].replace(tzinfo=UTC).timestamp()): row for row in rows}


def _bar_closes(market: SimulatedMarket, symbol: str) -> dict[int, float | None]:
    answer = market.bars(symbol, T0, T0 + 600)
    assert answer is not None and answer[0] == 200
    result = answer[1]["chart"]["result"][0]
    closes = result["indicators"]["quote"][0]["close"]
    return dict(zip(result["timestamp"], closes, strict=True))


def test_coverage_rises_by_exactly_the_gap(scene: Scene) -> None:
    code, out = scene.first
    assert code == 0, out
    after = _covered(scene.lake)
    assert {s: after[s] - scene.covered_before[s] for s in SYMBOLS} == {
        s: len(gap) for s, gap in GAPS.items()
    }
    assert after["AAPL"] == len(RUN_MINUTES) - 1 + len(GAPS["AAPL"])  # 15:02 twice, once


def test_the_report_accounts_for_every_minute(scene: Scene) -> None:
    _, out = scene.first
    assert "AAPL: 4 minutes missing: 2 from bars, 2 with the previous close, 0 not available" in out
    assert "VOD.L: 3 minutes missing: 3 from bars, 0 with the previous close" in out
    assert (
        "summary: minutes missing 10, filled from bars 8, filled with previous close 2, "
        "not available 0, lines sent 10"
    ) in out
    assert "silver rows 10, rejected 0" in out


def test_rows_are_bar_rows_at_the_bars_close(scene: Scene) -> None:
    rows = _quotes(scene.lake, "AAPL")
    closes = _bar_closes(scene.market, "AAPL")
    for minute in (1, 5):
        row = rows[T0 + minute * 60]
        assert (row["source"], row["price"]) == ("bar_1m", closes[T0 + minute * 60])
        assert row["volume"] > 0
    halted = scene.market.served_price("AAPL", T0 + 120)  # the last trade before the halt
    for minute in (3, 4):
        row = rows[T0 + minute * 60]
        assert closes[T0 + minute * 60] is None
        assert (row["source"], row["price"], row["volume"]) == ("bar_1m", halted, 0)
    assert {rows[T0 + m * 60]["source"] for m in (0, 2, 6)} == {"quote"}  # 4: halted


def test_fx_comes_from_the_same_minutes_fx_bar(scene: Scene) -> None:
    usd_cad = _bar_closes(scene.market, "CAD=X")
    usd_gbp = _bar_closes(scene.market, "GBP=X")
    for minute in GAPS["VOD.L"]:
        at = T0 + minute * 60
        shop, vod = _quotes(scene.lake, "SHOP.TO")[at], _quotes(scene.lake, "VOD.L")[at]
        assert shop["fx_usd_cad"] == usd_cad[at]
        assert shop["price_usd"] == pytest.approx(shop["price"] / usd_cad[at], abs=1e-6)
        pence = _bar_closes(scene.market, "VOD.L")[at]
        assert pence is not None  # VOD.L traded in that minute
        assert vod["currency"] == "GBP" and vod["price"] == pytest.approx(pence / 100)
        assert vod["price_usd"] == pytest.approx(vod["price"] / usd_gbp[at], abs=1e-6)
    assert len({usd_cad[T0 + m * 60] for m in GAPS["VOD.L"]}) > 1  # the rates do move


def test_a_second_backfill_adds_nothing(scene: Scene) -> None:
    before = sorted(p for p in scene.lake.rglob("*") if p.is_file() and "logs" not in p.parts)
    charts = len(scene.market.requests("chart"))
    code, out = _backfill(*RANGE, "--yahoo-url", scene.url, "--lake", str(scene.lake))
    assert code == 0, out
    assert "summary: minutes missing 0," in out and "lines sent 0" in out
    for symbol in SYMBOLS:
        assert f"{symbol}: nothing missing" in out
    after = sorted(p for p in scene.lake.rglob("*") if p.is_file() and "logs" not in p.parts)
    assert after == before
    assert len(scene.market.requests("chart")) == charts  # nothing missing: Yahoo not asked


def test_a_live_quote_beats_a_bar_row(scene: Scene) -> None:
    # GIVEN AAPL's 15:05 bar row, WHEN the live quote of that moment lands late (it was
    # in flight while backfill ran), THEN `quotes` shows the live quote.
    at = T0 + 5 * 60
    bar_row = _quotes(scene.lake, "AAPL")[at]
    live = BronzeQuote(
        symbol="AAPL", name="Apple Inc.", exchange="NMS", currency="USD", price=1.5,
        change_pct=0.1, volume=7, market_state="REGULAR", trade_time=at,
        fetched_at=at + 1, fx_rate=1.0, fx_usd_cad=1.4,
    )  # fmt: skip
    with LocalStack() as stack:
        send_lines(stack.client("firehose"), stack.names.delivery_stream, [encode_line(live)])
        LakeDelivery.open(stack, scene.lake, processor_environment(stack)).deliver()
    row = _quotes(scene.lake, "AAPL")[at]
    assert (row["source"], row["price"]) == ("quote", 1.5)
    assert bar_row["source"] == "bar_1m"


def test_a_range_yahoo_refuses_is_reported(scene: Scene, tmp_path: Path) -> None:
    # GIVEN a session 40 days before the market's clock (Yahoo keeps 1m bars ~30 days),
    # and the symbol in a file, spelt as a user might
    (tmp_path / "symbols.txt").write_text("aapl\n", encoding="utf-8")
    old = ["--from", "2026-10-16T13:30:00Z", "--to", "2026-10-16T20:00:00Z"]
    code, out = _backfill(*old, "--symbols-file", str(tmp_path / "symbols.txt"),
                          "--yahoo-url", scene.url, "--lake", str(scene.lake))  # fmt: skip
    assert code == 1
    assert "AAPL: Yahoo refused the range (HTTP 422): 1m data not available" in out
    assert "within the last 30 days.; 390 missing minutes not filled" in out
    assert "summary: minutes missing 390, filled from bars 0" in out
    assert "not available 390, lines sent 0" in out
