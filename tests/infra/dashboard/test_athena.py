"""``quotepipe dashboard --athena``: the page from moto's Athena API, and failures (Stubber)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto.server import ThreadedMotoServer

from infra.aws.costs import TIB
from infra.cli.dashboard import athena_command
from infra.dashboard.athena import AthenaSource, PanelQueryError, typed
from infra.sqlfiles.catalog import load_section

AS_OF = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
PRICE = {"per_tb_scanned": 5.0, "minimum_bytes_per_query": 10_000_000}
MINIMUM_COST = 10_000_000 / TIB * 5.0
REGION = "us-east-1"

# What Athena answers for each query the page runs, in order: (name, type) then rows.
ANSWERS: list[tuple[list[tuple[str, str]], list[list[str | None]]]] = [
    (  # latest_prices
        [("symbol", "varchar"), ("name", "varchar"), ("price", "double"), ("volume", "bigint"),
         ("trade_time", "timestamp")],
        [["AAPL", "Apple Inc.", "235.08", "1000", "2026-11-30 14:59:00.000"]],
    ),
    ([("symbol", "varchar"), ("change_pct", "double")], [["AAPL", "-1.25"]]),  # top_movers
    ([("symbol", "varchar"), ("dt", "varchar"), ("close", "double")],
     [["AAPL", "2026-11-30", "235.08"]]),  # daily_30d
    ([("symbol", "varchar"), ("fetch_age_seconds", "bigint")], [["AAPL", "61"]]),  # freshness
    ([("arrival_hour", "timestamp"), ("silver_rows", "bigint")], [[None, "7"]]),  # health
    ([("symbol", "varchar"), ("coverage", "double")], [["AAPL", "0.5"]]),  # coverage_worst
    (  # intraday_ohlc of AAPL: two 5-minute buckets
        [("bucket_start", "timestamp"), ("open", "double"), ("high", "double"),
         ("low", "double"), ("close", "double"), ("samples", "bigint")],
        [["2026-11-30 14:50:00.000", "234.0", "236.0", "233.5", "235.0", "5"],
         ["2026-11-30 14:55:00.000", "235.0", "235.5", "234.9", "235.08", "5"]],
    ),
]  # fmt: skip


def athena_client(endpoint_url: str | None = None) -> Any:
    """An Athena client with throwaway credentials (moto or a Stubber answers it)."""
    return boto3.client(
        "athena",
        region_name=REGION,
        endpoint_url=endpoint_url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def athena_rows(columns: list[tuple[str, str]], rows: list[list[str | None]]) -> dict[str, Any]:
    """One result as moto's queue takes it: Athena's header row first, then the rows."""
    datum = [[{"VarCharValue": v} if v is not None else {} for v in r] for r in rows]
    return {
        "rows": [{"Data": [{"VarCharValue": n} for n, _ in columns]}]
        + [{"Data": d} for d in datum],
        "column_info": [{"Name": n, "Label": n, "Type": t} for n, t in columns],
    }


@pytest.fixture
def moto_athena() -> Iterator[tuple[Any, str]]:
    """GIVEN moto's Athena on 127.0.0.1 with a workgroup; yields (client, server URL)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        client = athena_client(endpoint_url=url)
        client.create_work_group(Name="dash", Configuration={})
        yield client, url
    finally:
        server.stop()


def queue_results(url: str) -> None:
    """Queue the answers through moto's own API, as its docs say."""
    body = {"region": REGION, "results": [athena_rows(c, r) for c, r in ANSWERS]}
    request = urllib.request.Request(
        f"{url}/moto-api/static/athena/query-results",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 201


def test_the_page_from_athena(moto_athena: tuple[Any, str], tmp_path: Path) -> None:
    client, url = moto_athena
    queue_results(url)
    out = tmp_path / "site" / "dashboard.html"
    code = athena_command(workgroup="dash", database="quotepipe", output_location=None,
                          out=out, client=client, as_of=AS_OF, sleep=lambda _: None)  # fmt: skip
    assert code == 0
    html = out.read_text(encoding="utf-8")
    assert 'id="panel-latest" data-rows="1"' in html
    assert '<td class="num">235.08</td>' in html and "2026-11-30 14:59:00" in html
    assert html.count('class="candle"') == 2
    assert '<td class="num" title="0.5">50.00%</td>' in html  # coverage typed as a DOUBLE
    assert "from Athena (workgroup dash, database quotepipe)" in html
    # moto scans nothing: every query is billed Athena's 10 MB minimum
    footer = html[html.index('<footer id="scans">') :]
    assert footer.count("<tr data-panel=") == 7
    assert f"${MINIMUM_COST:.6f}" in footer and f"total ${7 * MINIMUM_COST:.6f}" in footer
    ids = client.list_query_executions(WorkGroup="dash")["QueryExecutionIds"]
    sent = [client.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]
    params = {tuple(e.get("ExecutionParameters", [])) for e in sent}
    assert ("'2026-11-30'",) in params  # top_movers, for today's UTC date
    assert ("'AAPL'", "'2026-11-30'") in params  # the chart of the symbol shown


def _stubbed() -> tuple[Any, Stubber]:
    client = athena_client()
    return client, Stubber(client)


def _start(stub: Stubber, query_id: str) -> None:
    stub.add_response("start_query_execution", {"QueryExecutionId": query_id}, {
        "QueryString": ANY, "WorkGroup": "dash", "QueryExecutionContext": ANY,
        "ExecutionParameters": ANY})  # fmt: skip


def _ended(stub: Stubber, query_id: str, status: dict[str, Any], scanned: int = 0) -> None:
    execution = {"QueryExecutionId": query_id, "Status": status,
                 "Statistics": {"DataScannedInBytes": scanned}}  # fmt: skip
    stub.add_response("get_query_execution", {"QueryExecution": execution}, {
        "QueryExecutionId": query_id})  # fmt: skip


def _page(columns: list[str], rows: list[list[str]], token: str | None) -> dict[str, Any]:
    page: dict[str, Any] = {
        "ResultSet": {
            "Rows": [{"Data": [{"VarCharValue": v} for v in r]} for r in rows],
            "ResultSetMetadata": {"ColumnInfo": [{"Name": c, "Type": "varchar"} for c in columns]},
        }
    }
    return {**page, "NextToken": token} if token else page


def test_every_page_of_results_is_read_and_the_scan_billed() -> None:
    client, stub = _stubbed()
    _start(stub, "q1")
    _ended(stub, "q1", {"State": "SUCCEEDED"}, scanned=123_456_789)
    stub.add_response("get_query_results", _page(["symbol"], [["symbol"], ["AAPL"]], "t2"),
                      {"QueryExecutionId": "q1"})  # fmt: skip
    stub.add_response("get_query_results", _page(["symbol"], [["MSFT"]], None),
                      {"QueryExecutionId": "q1", "NextToken": "t2"})  # fmt: skip
    source = AthenaSource(client, workgroup="dash", database="quotepipe", price=PRICE)
    latest = next(f for f in load_section("dashboards") if f.path.stem == "latest_prices")
    with stub:
        result = source.run(latest, ["'2026-11-29'"])
    stub.assert_no_pending_responses()
    assert result.columns == ("symbol",)
    assert result.rows == [("AAPL",), ("MSFT",)]  # the header row of page 1 is not data
    scan = source.scans["latest_prices"]
    assert (scan.queries, scan.bytes_scanned) == (1, 123_456_789)
    assert scan.cost_usd == pytest.approx(123_456_789 / TIB * 5.0)


def test_a_failed_query_names_the_panel_and_leaves_the_old_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    client, stub = _stubbed()
    _start(stub, "q1")
    message = "TABLE_NOT_FOUND: line 12:10: Table 'awsdatacatalog.quotepipe.quotes' does not exist"
    _ended(stub, "q1", {"State": "FAILED", "AthenaError": {"ErrorMessage": message}})
    out = tmp_path / "dashboard.html"
    out.write_text("the page of an earlier run")
    with stub:
        code = athena_command(workgroup="dash", database="quotepipe", output_location=None,
                              out=out, client=client, as_of=AS_OF)  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "panel 'Latest prices' (dashboards/latest_prices.sql): Athena query FAILED" in err
    assert message in err
    assert out.read_text() == "the page of an earlier run"
    assert [p.name for p in tmp_path.iterdir()] == ["dashboard.html"]  # no temporary left


def test_an_api_error_names_the_panel() -> None:
    client, stub = _stubbed()
    stub.add_client_error("start_query_execution", "InvalidRequestException",
                          "WorkGroup dash is disabled.")  # fmt: skip
    source = AthenaSource(client, workgroup="dash", database="quotepipe", price=PRICE)
    movers = next(f for f in load_section("dashboards") if f.path.stem == "top_movers")
    with stub, pytest.raises(PanelQueryError, match=r"panel 'Top movers' .*WorkGroup dash is disa"):
        source.run(movers, ["'2026-11-30'"])


def test_values_are_typed_as_the_local_engine_returns_them() -> None:
    assert typed("1000", "bigint") == 1000
    assert typed("0.5", "double") == 0.5
    assert typed("2026-11-30 14:59:00.000", "timestamp") == datetime(2026, 11, 30, 14, 59)
    assert typed(None, "double") is None
    assert typed("2026-11-30", "varchar") == "2026-11-30"
    assert typed("true", "boolean") is True


def test_no_region_is_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN an environment where boto3 cannot pick a region
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    out = tmp_path / "page.html"
    code = athena_command(workgroup="wg", database="db", output_location=None, out=out)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and not out.exists()
    assert len(err) == 1 and "region" in err[0]
