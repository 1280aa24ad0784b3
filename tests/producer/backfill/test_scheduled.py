"""The scheduled backfill end to end: Athena (Stubber) says what silver covers, the
simulated market serves the bars, moto's Firehose writes what the handler sends to bronze.

GIVEN a market on a set clock that opened its books at 15:00 UTC on Wednesday 2026-11-25
(New York, Toronto and London in session; one trade a minute) and a run at 18:10:20 with
the defaults (3 hours back, a 60 s Firehose buffer plus a 240 s margin), the window is
[15:11, 18:05). Silver (as Athena answers) covers AAPL except 16:00, 16:01 and 17:30,
VOD.L until London's 16:30 close except 15:40, and SHOP.TO not at all; nobody is covered
in the margin 18:05-18:10.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from firehose.codec import decode_line
from infra.local.yahoo import MarketServer, SimulatedMarket
from producer import backfill_handler
from producer.backfill import COVERED_MINUTES, Window
from producer.backfill.scheduled import BackfillEvent
from producer.errors import AthenaQueryError, SettingsError
from producer.settings import BackfillSettings
from tests.infra.local.yahoo.test_market import FakeClock
from tests.support import lambda_context

OPEN = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 25, 18, 10, 20, tzinfo=UTC)
START, END = datetime(2026, 11, 25, 15, 11, tzinfo=UTC), datetime(2026, 11, 25, 18, 5, tzinfo=UTC)
LONDON_CLOSE = datetime(2026, 11, 25, 16, 30, tzinfo=UTC)
GAPS = {"AAPL": ("16:00", "16:01", "17:30"), "VOD.L": ("15:40",)}
PARAMETERS = [
    "'2026-11-25'",
    "'2026-11-25'",
    "TIMESTAMP '2026-11-25 15:11:00'",
    "TIMESTAMP '2026-11-25 18:05:00'",
]
COLUMNS = [("symbol", "varchar"), ("exchange", "varchar"), ("minute", "timestamp")]


def _minutes(start: datetime, end: datetime) -> list[datetime]:
    count = int((end - start).total_seconds() // 60)
    return [start + timedelta(minutes=i) for i in range(count)]


def _at(hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return OPEN.replace(hour=hour, minute=minute)


def covered_rows(gaps: dict[str, tuple[str, ...]]) -> list[tuple[str, str, datetime]]:
    """What silver holds in the window: AAPL and VOD.L (until its close) but their gaps."""
    rows = []
    for symbol, exchange, end in (("AAPL", "NMS", END), ("VOD.L", "LSE", LONDON_CLOSE)):
        holes = {_at(t) for t in gaps.get(symbol, ())}
        rows += [(symbol, exchange, m) for m in _minutes(START, end) if m not in holes]
    return rows


def results_page(rows: list[tuple[str, str, datetime]], *, first: bool, token: str | None) -> Any:
    """One GetQueryResults page as Athena sends it: text values, the header row on page 1."""
    texts = [[s, e, f"{m:%Y-%m-%d %H:%M:%S}.000"] for s, e, m in rows]
    if first:
        texts.insert(0, [name for name, _ in COLUMNS])
    info = [{"Name": n, "Type": t, "Label": n} for n, t in COLUMNS]
    page: dict[str, Any] = {
        "ResultSet": {
            "Rows": [{"Data": [{"VarCharValue": v} for v in row]} for row in texts],
            "ResultSetMetadata": {"ColumnInfo": info},
        }
    }
    if token:
        page["NextToken"] = token
    return page


def stub_athena(athena: Any, rows: list[tuple[str, str, datetime]], params: list[str]) -> Stubber:
    """Athena as the runner meets it: started, running once, succeeded, two pages."""
    stub = Stubber(athena)
    expected = {
        "QueryString": COVERED_MINUTES,
        "WorkGroup": "quotepipe",
        "QueryExecutionContext": {"Database": "quotepipe", "Catalog": "AwsDataCatalog"},
        "ExecutionParameters": params,
    }
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-1"}, expected)
    for state in ("RUNNING", "SUCCEEDED"):
        answer = {"QueryExecution": {"QueryExecutionId": "q-1", "Status": {"State": state}}}
        stub.add_response("get_query_execution", answer, {"QueryExecutionId": "q-1"})
    half = len(rows) // 2
    pages = [(rows[:half], True, "next"), (rows[half:], False, None)]
    for part, first, token in pages:
        expected_page = {"QueryExecutionId": "q-1", **({} if first else {"NextToken": "next"})}
        page = results_page(part, first=first, token=token)
        stub.add_response("get_query_results", page, expected_page)
    stub.activate()
    return stub


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(OPEN.timestamp())


@pytest.fixture
def market_server(clock: FakeClock) -> Iterator[MarketServer]:
    market = SimulatedMarket(clock=clock, sessions=True, trade_interval=60)
    with MarketServer(market) as server:
        clock.now = NOW.timestamp()
        yield server


@pytest.fixture
def aws(moto_endpoint: str, market_server: MarketServer, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Bronze bucket and delivery stream in moto, the backfill's environment, Athena's client."""
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bronze")
    boto3.client("firehose").create_delivery_stream(
        DeliveryStreamName="quotes",
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/firehose",
            "BucketARN": "arn:aws:s3:::bronze",
            "Prefix": "quotes/",
        },
    )
    for name, value in {
        "SYMBOLS": "aapl,SHOP.TO,VOD.L",
        "DELIVERY_STREAM_NAME": "quotes",
        "BRONZE_BUCKET": "bronze",
        "YAHOO_BASE_URL": market_server.url,
        "YAHOO_COOKIE_URL": market_server.url,
        "ATHENA_WORKGROUP": "quotepipe",
        "ATHENA_DATABASE": "quotepipe",
        "ATHENA_POLL_SECONDS": "0.01",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(backfill_handler, "datetime", _FixedNow)
    return s3


class _FixedNow(datetime):
    """The handler's wall clock, at the market's time."""

    @classmethod
    def now(cls, tz: Any = None) -> _FixedNow:
        return cls.fromtimestamp(NOW.timestamp(), tz)


def _athena() -> Any:
    _, _, athena = backfill_handler._clients(os.environ["AWS_ENDPOINT_URL"])
    return athena


def sent(s3: Any) -> dict[str, set[datetime]]:
    """Minutes per symbol of every bronze line in bronze, checking each is a bar row."""
    found: dict[str, set[datetime]] = {}
    listing = s3.list_objects_v2(Bucket="bronze", Prefix="quotes/").get("Contents", [])
    for obj in listing:
        body = s3.get_object(Bucket="bronze", Key=obj["Key"])["Body"].read().decode()
        for line in body.splitlines():
            fields = decode_line(line)
            assert fields[13] == "bar_1m"
            found.setdefault(fields[1], set()).add(datetime.fromtimestamp(int(fields[9]), UTC))
    return found


def test_the_hourly_run_sends_exactly_the_missing_session_minutes_of_its_window(aws: Any) -> None:
    stub = stub_athena(_athena(), covered_rows(GAPS), PARAMETERS)
    # WHEN the schedule invokes the backfill
    summary = backfill_handler.lambda_handler({}, lambda_context())
    # THEN Athena was asked about [15:11, 18:05) and every answer page was read
    stub.assert_no_pending_responses()
    assert (summary["window_from"], summary["window_to"]) == (
        "2026-11-25T15:11:00Z",
        "2026-11-25T18:05:00Z",
    )
    # AND bronze holds one bar row per missing session minute: AAPL's and VOD.L's gaps,
    # and all of SHOP.TO's window (its exchange from the chart's meta), nothing in the margin
    # and nothing after London's close
    assert sent(aws) == {
        "AAPL": {_at(t) for t in GAPS["AAPL"]},
        "VOD.L": {_at("15:40")},
        "SHOP.TO": set(_minutes(START, END)),
    }
    assert summary["lines_sent"] == 3 + 1 + len(_minutes(START, END))
    assert summary["minutes_missing"] == summary["lines_sent"]
    assert summary["symbol_errors"] == {} and summary["records_failed"] == 0


def test_nothing_is_fetched_or_sent_when_silver_has_every_minute(
    aws: Any, market_server: MarketServer
) -> None:
    rows = covered_rows({}) + [("SHOP.TO", "TOR", m) for m in _minutes(START, END)]
    stub_athena(_athena(), rows, PARAMETERS)
    summary = backfill_handler.lambda_handler({}, lambda_context())
    assert summary["minutes_missing"] == 0 and summary["lines_sent"] == 0
    assert not market_server.market.requests("chart")
    assert sent(aws) == {}


def test_a_manual_run_takes_its_range_and_symbols_from_the_event_but_keeps_the_margin(
    aws: Any,
) -> None:
    params = [*PARAMETERS[:2], "TIMESTAMP '2026-11-25 16:00:00'", PARAMETERS[3]]
    rows = [r for r in covered_rows(GAPS) if r[0] == "AAPL" and r[2] >= _at("16:00")]
    stub_athena(_athena(), rows, params)
    event = {"from": "2026-11-25T16:00Z", "to": "2026-11-25T19:00Z", "symbols": ["AAPL"]}
    summary = backfill_handler.lambda_handler(event, lambda_context())
    assert summary["window_to"] == "2026-11-25T18:05:00Z"
    assert sent(aws) == {"AAPL": {_at(t) for t in GAPS["AAPL"]}}


def test_a_failed_athena_query_fails_the_invocation_and_sends_nothing(aws: Any) -> None:
    stub = Stubber(_athena())
    stub.add_response("start_query_execution", {"QueryExecutionId": "q-2"})
    failed = {"State": "FAILED", "AthenaError": {"ErrorMessage": "TABLE_NOT_FOUND: quotes"}}
    answer = {"QueryExecution": {"QueryExecutionId": "q-2", "Status": failed}}
    stub.add_response("get_query_execution", answer)
    stub.activate()
    with pytest.raises(AthenaQueryError, match="TABLE_NOT_FOUND: quotes"):
        backfill_handler.lambda_handler({}, lambda_context())
    assert sent(aws) == {}


@pytest.mark.parametrize(
    ("event", "start", "end"),
    [
        ({}, "2026-11-25T15:11", "2026-11-25T18:05"),
        ({"from": "2026-11-25", "to": "2026-11-25T12:00+01:00"},
         "2026-11-25T00:00", "2026-11-25T11:00"),
        ({"from": "2026-11-25T18:00Z"}, "2026-11-25T18:00", "2026-11-25T18:05"),
        ({"from": "2026-11-25T18:07Z"}, "2026-11-25T18:07", "2026-11-25T18:07"),
    ],
)  # fmt: skip
def test_the_window_never_reaches_into_the_buffer_and_margin(
    event: dict[str, str], start: str, end: str
) -> None:
    window = BackfillEvent.parse(event).window(NOW, BackfillSettings.from_env({}))
    expected = (datetime.fromisoformat(start + "Z"), datetime.fromisoformat(end + "Z"))
    assert window == Window(*(int(moment.timestamp()) for moment in expected))


def test_the_margin_grows_with_the_firehose_buffer() -> None:
    settings = BackfillSettings.from_env({"FIREHOSE_BUFFER_SECONDS": "900"})
    window = BackfillEvent().window(NOW, settings)
    # 18:10:20 less 900 + 240 seconds is 17:51:20: the last whole minute ends at 17:51
    assert window.end == int(datetime(2026, 11, 25, 17, 51, tzinfo=UTC).timestamp())


@pytest.mark.parametrize("event", [{"from": "yesterday"}, {"symbols": 5}, {"to": "2026-13-01"}])
def test_a_bad_event_is_refused_before_any_io(event: dict[str, Any]) -> None:
    with pytest.raises(SettingsError):
        BackfillEvent.parse(event)
