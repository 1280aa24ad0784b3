"""The whole pipeline on the embedded stack: what the market served is what silver holds."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from firehose.codec import BRONZE_FIELDS, decode_line
from infra.cli.main import main
from infra.local.pipeline import RunOptions, RunResult, run_pipeline
from infra.local.yahoo import DEMO_SYMBOLS, MarketServer, SimulatedMarket

pytestmark = pytest.mark.e2e

SILVER_HEADER = [
    "symbol", "name", "exchange", "currency", "price", "price_usd", "price_cad",
    "fx_usd_cad", "change_pct", "volume", "market_state", "trade_time", "fetched_at",
    "source_key", "source",
]  # fmt: skip
UNKNOWN = "ZZZZ"


@dataclass(frozen=True)
class Run:
    market: SimulatedMarket
    result: RunResult
    lake: Path


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    lake = tmp_path_factory.mktemp("lake")
    market = SimulatedMarket()
    with MarketServer(market) as server:
        options = RunOptions(ticks=2, interval=2.0, yahoo_url=server.url, lake=lake)
        yield Run(market, run_pipeline(options, say=lambda _: None), lake)


def _silver_files(lake: Path) -> list[Path]:
    return sorted((lake / "silver" / "quotes").glob("dt=*/*.csv"))


def _rows(lake: Path) -> list[dict[str, str]]:
    rows = []
    for path in _silver_files(lake):
        text = path.read_text(encoding="utf-8")
        reader = csv.reader(io.StringIO(text), escapechar="\\", doublequote=False)
        header, *body = list(reader)
        assert header == SILVER_HEADER
        dt = path.parent.name.removeprefix("dt=")
        rows += [{**dict(zip(header, line, strict=True)), "dt": dt} for line in body]
    return rows


def _epoch(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())


def _served_rate(market: SimulatedMarket, pair: str, text: str) -> float:
    rates = {rate for _, rate in market.served_fx(pair)}
    matching = [r for r in rates if abs(r - float(text)) < 1e-9]
    assert matching, f"{pair} {text} was never served ({sorted(rates)})"
    return matching[0]


def _bronze_fx_rate(lake: Path, row: dict[str, str]) -> str:
    """The fx_rate the producer put on the bronze line this silver row came from."""
    for line in (lake / "bronze" / row["source_key"]).read_text(encoding="utf-8").splitlines():
        fields = dict(zip(BRONZE_FIELDS, decode_line(line), strict=True))
        if fields["symbol"] == row["symbol"] and int(fields["trade_time"]) == _epoch(
            row["trade_time"]
        ):
            return fields["fx_rate"]
    raise AssertionError(f"no bronze line for {row['symbol']} in {row['source_key']}")


def test_silver_files_have_the_contract_header_and_partition(run: Run) -> None:
    files = _silver_files(run.lake)
    assert files
    for path in files:
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line == ",".join(f'"{c}"' for c in SILVER_HEADER)
    for row in _rows(run.lake):
        assert row["dt"] == row["trade_time"][:10]
        assert row["source_key"].startswith("quotes/dt=")
        assert (run.lake / "bronze" / row["source_key"]).is_file()


def test_every_silver_price_is_exactly_what_the_market_served(run: Run) -> None:
    rows = _rows(run.lake)
    served_symbols = set(DEMO_SYMBOLS) - {UNKNOWN}
    assert {r["symbol"] for r in rows} == served_symbols
    for row in rows:
        served = run.market.served_price(row["symbol"], _epoch(row["trade_time"]))
        assert served is not None, row
        expected = served / 100 if row["symbol"] == "VOD.L" else served
        assert float(row["price"]) == pytest.approx(expected, rel=1e-12)


def test_currency_conversion_uses_the_rates_served_in_the_run(run: Run) -> None:
    for row in _rows(run.lake):
        usd_cad = _served_rate(run.market, "CAD=X", row["fx_usd_cad"])
        price = float(row["price"])
        bronze_rate = _bronze_fx_rate(run.lake, row)
        pair = {"USD": None, "CAD": "CAD=X", "GBP": "GBP=X"}[row["currency"]]
        to_usd = 1.0 if pair is None else _served_rate(run.market, pair, bronze_rate)
        assert float(row["price_usd"]) == pytest.approx(price / to_usd, abs=1e-6)
        assert float(row["price_cad"]) == pytest.approx(price / to_usd * usd_cad, abs=1e-5)


def test_shop_is_cad_and_vodafone_is_gbp_in_pounds(run: Run) -> None:
    currencies = {r["symbol"]: r["currency"] for r in _rows(run.lake)}
    assert currencies["SHOP.TO"] == "CAD"
    assert currencies["VOD.L"] == "GBP"


def test_the_comma_bearing_name_is_intact(run: Run) -> None:
    names = {r["symbol"]: r["name"] for r in _rows(run.lake)}
    assert names["TMUS"] == "T-Mobile US, Inc."


def test_the_unknown_symbol_is_reported_missing(run: Run) -> None:
    assert len(run.result.ticks) == 2
    for summary in run.result.ticks:
        assert summary["symbols_missing"] == [UNKNOWN]


def test_latest_quotes_through_quotepipe_query(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = "SELECT symbol, price, trade_time FROM latest_quotes ORDER BY symbol"
    assert main(["query", "--lake", str(run.lake), "--format", "json", sql]) == 0
    latest = json.loads(capsys.readouterr().out)
    assert sorted(r["symbol"] for r in latest) == sorted(set(DEMO_SYMBOLS) - {UNKNOWN})
    newest: dict[str, dict[str, str]] = {}
    for row in _rows(run.lake):
        if row["trade_time"] > newest.get(row["symbol"], {}).get("trade_time", ""):
            newest[row["symbol"]] = row
    for row in latest:
        expected = newest[row["symbol"]]
        assert float(row["price"]) == float(expected["price"])
        assert str(row["trade_time"]).replace(" ", "T")[:19] == expected["trade_time"][:19]


def test_replaying_the_lake_leaves_silver_byte_identical(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p: p.read_bytes() for p in _silver_files(run.lake)}
    day = next(iter(before)).parent.name.removeprefix("dt=")
    assert main(["replay", "--from", day, "--to", day, "--lake", str(run.lake)]) == 0
    bronze = [p for p in (run.lake / "bronze" / "quotes" / f"dt={day}").iterdir() if p.is_file()]
    assert f"objects={len(bronze)} " in capsys.readouterr().out
    assert {p: p.read_bytes() for p in _silver_files(run.lake)} == before


def test_any_listing_runs_through_and_the_unknown_one_is_reported(tmp_path: Path) -> None:
    # GIVEN symbols on three venues no table lists, and the unknown one
    with MarketServer(SimulatedMarket()) as server:
        options = RunOptions(
            ticks=1,
            interval=0.0,
            symbols=("NVDA", "SAP.DE", "7203.T", UNKNOWN),
            yahoo_url=server.url,
            lake=tmp_path,
        )
        # WHEN the pipeline runs one tick
        result = run_pipeline(options, say=lambda _: None)
    # THEN the three reach silver, each with its exchange code and ISO currency
    rows = {r["symbol"]: (r["exchange"], r["currency"]) for r in _rows(tmp_path)}
    assert rows == {"NVDA": ("NMS", "USD"), "SAP.DE": ("GER", "EUR"), "7203.T": ("JPX", "JPY")}
    # AND the unknown one is reported missing by name
    assert result.ticks[0]["symbols_missing"] == [UNKNOWN]
