"""The Grafana dashboard and alert rules: importable, and every query runs as Athena gets it.

Each panel's, variable's and alert rule's SQL is expanded the way Grafana and the Athena
plugin expand it (``tests.infra.grafana.plugin``), then run by the local engine over the
golden lake; each panel must return the columns its visualisation reads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.local.athena.engine import LocalAthena, QueryResult
from tests.infra.grafana.plugin import as_sent, expand_macros, grafana_range
from tests.sql.golden_lake import KEY_C, quote, write_golden_lake, write_object
from tests.support import REPO

GRAFANA = REPO / "infra" / "grafana"
DASHBOARD = json.loads((GRAFANA / "quotepipe.json").read_text(encoding="utf-8"))
ALERTS = yaml.safe_load((GRAFANA / "provisioning" / "alerting" / "quotepipe.yaml").read_text())
PLUGIN = "grafana-athena-datasource"
END = datetime(2026, 11, 26, 15, 0)  # Thanksgiving: New York closed, Toronto open
# What each panel's visualisation reads (table columns, or time + the series' fields).
READS = {
    "Latest prices": {"symbol", "name", "price", "price_usd", "change_pct", "trade_time"},
    "Price per symbol (USD, 5-minute close)": {"time", "symbol", "close"},
    "Top movers": {"symbol", "change_pct"},
    "Freshness": {"symbol", "quote_age_seconds", "fetch_age_seconds"},
    "Daily summary (USD)": {"symbol", "dt", "open", "high", "low", "close"},
    "Coverage — worst symbols": {"symbol", "coverage"},
    "Pipeline health (per hour of bronze arrival)": {"time", "silver_rows", "rejected_rows"},
}
PRUNED = re.compile(r"\bdt (BETWEEN|=) date_format\(\$__time(From|To)\(\)")


@pytest.fixture(scope="module")
def athena(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAthena]:
    """GIVEN the golden lake plus quotes of a Toronto listing and an always-open one."""
    lake = write_golden_lake(tmp_path_factory.mktemp("grafana") / "lake")
    rows = [
        quote("SHOP.TO", "2026-11-26T14:50:00Z", "150.0", "107.0", fetched="2026-11-26T14:50:02Z",
              key=KEY_C, exchange="TOR", currency="CAD"),
        quote("BTC-USD", "2026-11-26T14:00:00Z", "90000", "90000", fetched="2026-11-26T14:00:01Z",
              key=KEY_C, exchange="CCC"),
    ]  # fmt: skip
    write_object(lake, "2026-11-26", "grafana.csv", rows)
    with LocalAthena(lake) as engine:
        yield engine


def variable(name: str) -> dict[str, Any]:
    """One template variable of the dashboard."""
    found: dict[str, Any] = next(v for v in DASHBOARD["templating"]["list"] if v["name"] == name)
    return found


def run(athena: LocalAthena, sql: str, symbols: list[str], hours: float = 48) -> QueryResult:
    """A query as Athena receives it from Grafana, run on the local engine."""
    sent = as_sent(sql, {"symbol": symbols, "__interval": ["5m"]}, grafana_range(END, hours))
    assert "$" not in sent.replace("[^/]*$'", ""), sent  # every variable and macro expanded
    return athena.query(sent)


def test_the_dashboard_has_what_grafana_requires_to_import() -> None:
    assert DASHBOARD["uid"] and DASHBOARD["title"] and DASHBOARD["schemaVersion"] >= 36
    ids = [p["id"] for p in DASHBOARD["panels"]]
    assert len(set(ids)) == len(ids) == len(READS)
    for panel in DASHBOARD["panels"]:
        assert set(panel) >= {"type", "title", "gridPos", "datasource", "targets"}, panel["title"]
        assert panel["datasource"] == {"type": PLUGIN, "uid": "${datasource}"}
        for target in panel["targets"]:
            assert target["rawSQL"].strip() and target["refId"]
            assert target["datasource"] == panel["datasource"]
            assert target["format"] == (0 if panel["type"] == "timeseries" else 1)
    source = variable("datasource")
    assert (source["type"], source["query"]) == ("datasource", PLUGIN)
    symbol = variable("symbol")
    assert (
        symbol["multi"] and symbol["includeAll"] and symbol["datasource"]["uid"] == "${datasource}"
    )
    assert "latest_quotes" in symbol["query"]["rawSQL"]


def test_the_macros_expand_as_the_plugin_expands_them() -> None:
    # the plugin's own test vectors (pkg/athena/macros_test.go)
    hour = (datetime(2021, 6, 23, 0, 0), datetime(2021, 6, 23, 1, 0))
    assert expand_macros("$__timeFilter(starttime)", hour) == (
        "starttime BETWEEN TIMESTAMP '2021-06-23 00:00:00' AND TIMESTAMP '2021-06-23 01:00:00'"
    )
    assert expand_macros("$__timeGroup(starttime, '1m')", hour) == (
        "FROM_UNIXTIME(FLOOR(TO_UNIXTIME(starttime)/60)*60)"
    )
    assert expand_macros("$__timeFrom() $__timeTo()", hour) == (
        "TIMESTAMP '2021-06-23 00:00:00' TIMESTAMP '2021-06-23 01:00:00'"
    )
    assert expand_macros("$__dateFilter(d)", hour) == (
        "d BETWEEN date '2021-06-23' AND date '2021-06-23'"
    )


def test_the_symbol_variable_lists_every_symbol(athena: LocalAthena) -> None:
    values = run(athena, variable("symbol")["query"]["rawSQL"], [])
    assert [r[0] for r in values.rows] == ["AAPL", "BTC-USD", "SHOP.TO", "TMUS", "VOD.L"]


@pytest.mark.parametrize("panel", DASHBOARD["panels"], ids=lambda p: str(p["title"]))
def test_every_panel_returns_what_its_visualisation_reads(
    athena: LocalAthena, panel: dict[str, Any]
) -> None:
    symbols = [r[0] for r in run(athena, variable("symbol")["query"]["rawSQL"], []).rows]
    sql = panel["targets"][0]["rawSQL"]
    assert PRUNED.search(sql), "dt must be restricted with a predicate Athena prunes on"
    result = run(athena, sql, symbols)
    assert set(result.columns) >= READS[panel["title"]], result.columns
    assert result.rows, "no rows over the golden lake"
    if "time" in result.columns:
        times = [r[result.columns.index("time")] for r in result.rows]
        assert all(isinstance(t, datetime) for t in times) and times == sorted(times)


def test_the_symbol_variable_narrows_the_panels(athena: LocalAthena) -> None:
    latest = next(p for p in DASHBOARD["panels"] if p["title"] == "Latest prices")
    result = run(athena, latest["targets"][0]["rawSQL"], ["SHOP.TO", "VOD.L"])
    assert [r[0] for r in result.rows] == ["SHOP.TO", "VOD.L"]


def alert_sql(uid: str) -> tuple[str, dict[str, Any]]:
    """An alert rule's query and its threshold condition."""
    rule = next(r for g in ALERTS["groups"] for r in g["rules"] if r["uid"] == uid)
    query, condition = rule["data"]
    assert query["datasourceUid"] == "quotepipe-athena" and condition["datasourceUid"] == "__expr__"
    return query["model"]["rawSQL"], condition["model"]["conditions"][0]["evaluator"]


def test_the_freshness_alert_watches_open_exchanges_only(athena: LocalAthena) -> None:
    sql, evaluator = alert_sql("quotepipe-stale-quotes")
    result = run(athena, sql, [], hours=48)
    # New York is closed on Thanksgiving (AAPL, TMUS, VOD.L are NMS in the golden lake);
    # Toronto is open and BTC-USD's exchange has no calendar, so it is always open.
    assert dict(result.rows) == {"SHOP.TO": 598, "BTC-USD": 3599}
    assert evaluator == {"type": "gt", "params": [900]}


def test_the_coverage_alert_reads_yesterday(athena: LocalAthena) -> None:
    sql, evaluator = alert_sql("quotepipe-coverage-low")
    result = run(athena, sql, [], hours=48)
    assert result.rows == [("AAPL", 0.0)]  # 2026-11-25: its quotes all came after the close
    assert evaluator == {"type": "lt", "params": [0.99]}


def test_the_provisioning_files_name_the_plugin_and_the_dashboard() -> None:
    sources = yaml.safe_load((GRAFANA / "provisioning/datasources/athena.yaml").read_text())
    (source,) = sources["datasources"]
    assert (source["type"], source["uid"]) == (PLUGIN, "quotepipe-athena")
    assert source["jsonData"]["database"] == "quotepipe"
    providers = yaml.safe_load((GRAFANA / "provisioning/dashboards/quotepipe.yaml").read_text())
    assert providers["providers"][0]["type"] == "file"
    assert Path(GRAFANA / "quotepipe.json").is_file()
