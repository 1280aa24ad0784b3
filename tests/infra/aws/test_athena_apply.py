"""``quotepipe athena apply`` against moto (calls and order) and a stubbed Athena (failures)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from infra.aws.athena_apply import ApplyError, ApplySettings, apply_command, apply_sql
from infra.sqlfiles.catalog import load_apply_order
from producer.sessions import TABLE_PATH

SETTINGS = ApplySettings(
    workgroup="quotepipe",
    output_location="s3://results-bucket/athena/",
    placeholders={
        "SILVER_BUCKET": "my-silver",
        "GOLD_BUCKET": "my-gold",
        "GOLD_WATERMARK": "2026-11-20",
    },
)


@pytest.fixture(autouse=True)
def fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never reach for real AWS credentials, whatever the machine has."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture
def athena() -> Iterator[Any]:
    """GIVEN an Athena API (moto, in process) with the workgroup."""
    with mock_aws():
        client = boto3.client("athena", region_name="us-east-1")
        client.create_work_group(Name="quotepipe")
        yield client


def record_starts(client: Any) -> list[dict[str, Any]]:
    """Every StartQueryExecution request, in the order they were made."""
    calls: list[dict[str, Any]] = []
    client.meta.events.register(
        "provide-client-params.athena.StartQueryExecution",
        lambda params, **_: calls.append(dict(params)),
    )
    return calls


def test_applies_setup_then_views_in_file_order(athena: Any) -> None:
    starts = record_starts(athena)
    applied = apply_sql(athena, SETTINGS, sleep=lambda _: None)
    names = [f.name for f in load_apply_order()]
    assert [a.file for a in applied] == names
    assert names[:2] == ["setup/010_database.sql", "setup/020_silver_quotes.sql"]
    assert names[-1] == "views/060_coverage.sql"
    assert [c["QueryString"].split()[:3] for c in starts][:2] == [
        ["CREATE", "DATABASE", "IF"],
        ["CREATE", "EXTERNAL", "TABLE"],
    ]
    for applied_one in applied:
        state = athena.get_query_execution(QueryExecutionId=applied_one.query_execution_id)
        assert state["QueryExecution"]["Status"]["State"] == "SUCCEEDED"


def test_every_call_uses_workgroup_results_and_database(athena: Any) -> None:
    starts = record_starts(athena)
    apply_sql(athena, SETTINGS, sleep=lambda _: None)
    assert {c["WorkGroup"] for c in starts} == {"quotepipe"}
    assert {c["ResultConfiguration"]["OutputLocation"] for c in starts} == {
        "s3://results-bucket/athena/"
    }
    assert "QueryExecutionContext" not in starts[0]  # the database does not exist yet
    assert {c["QueryExecutionContext"]["Database"] for c in starts[1:]} == {"quotepipe"}


def test_placeholders_filled_and_comments_dropped(athena: Any) -> None:
    starts = record_starts(athena)
    apply_sql(athena, SETTINGS, sleep=lambda _: None)
    table = starts[1]["QueryString"]
    assert "LOCATION 's3://my-silver/quotes/'" in table
    assert "'s3://my-silver/quotes/dt=${dt}/'" in table  # Athena's own template stays
    assert all("${SILVER_BUCKET}" not in c["QueryString"] for c in starts)
    assert all(not c["QueryString"].lstrip().startswith("--") for c in starts)
    assert all(not c["QueryString"].rstrip().endswith(";") for c in starts)


def test_missing_placeholder_stops_before_any_call(athena: Any) -> None:
    starts = record_starts(athena)
    with pytest.raises(ApplyError) as raised:
        apply_sql(athena, ApplySettings(workgroup="quotepipe"), sleep=lambda _: None)
    assert "SILVER_BUCKET" in str(raised.value)
    assert starts == []


def test_stops_at_the_failing_statement_with_athenas_message() -> None:
    client = boto3.client("athena", region_name="us-east-1")
    files = load_apply_order()
    waits: list[float] = []
    with Stubber(client) as stub:
        for n, _ in enumerate(files[:2]):
            stub.add_response("start_query_execution", {"QueryExecutionId": f"q{n}"})
            stub.add_response("get_query_execution", _status(f"q{n}", "RUNNING"))
            stub.add_response("get_query_execution", _status(f"q{n}", "SUCCEEDED"))
        stub.add_response("start_query_execution", {"QueryExecutionId": "q2"})
        failed = _status("q2", "FAILED")
        failed["QueryExecution"]["Status"]["AthenaError"] = {
            "ErrorCategory": 2,
            "ErrorMessage": "line 1:8: mismatched input 'EXTERNAL'",
        }
        stub.add_response("get_query_execution", failed)
        with pytest.raises(ApplyError) as raised:
            apply_sql(client, SETTINGS, files, sleep=waits.append)
        stub.assert_no_pending_responses()
    message = str(raised.value)
    assert files[2].name in message
    assert "mismatched input 'EXTERNAL'" in message
    assert "CREATE EXTERNAL TABLE" in message
    assert waits == [1.0, 1.0]


def test_api_errors_are_reported_with_the_statement() -> None:
    client = boto3.client("athena", region_name="us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error("start_query_execution", "InvalidRequestException", "no workgroup")
        with pytest.raises(ApplyError, match=r"010_database\.sql.*no workgroup"):
            apply_sql(client, SETTINGS, sleep=lambda _: None)


def _status(query_id: str, state: str) -> dict[str, Any]:
    return {"QueryExecution": {"QueryExecutionId": query_id, "Status": {"State": state}}}


def test_command_dry_run_prints_statements(capsys: pytest.CaptureFixture[str]) -> None:
    code = apply_command(
        workgroup="wg", output_location=None, silver_bucket="b", gold_bucket="g", dry_run=True
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "-- setup/020_silver_quotes.sql" in out
    assert "s3://b/quotes/" in out
    size = TABLE_PATH.stat().st_size
    upload = (
        f"-- would upload sessions.csv ({size} bytes) to s3://b/reference/sessions/sessions.csv"
    )
    assert out.index(upload) < out.index("-- setup/010_database.sql")


SILVER = "my-silver"
SESSIONS_URL = f"s3://{SILVER}/reference/sessions/sessions.csv"


@pytest.fixture
def s3(athena: Any) -> Any:
    """GIVEN the silver and gold buckets in the same moto account as Athena."""
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket=SILVER)
    client.create_bucket(Bucket="my-gold")
    return client


def test_command_applies_and_reports(
    athena: Any, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    code = apply_command(
        workgroup="quotepipe",
        output_location=None,
        silver_bucket=SILVER,
        gold_bucket="my-gold",
        client=athena,
        s3=s3,
    )
    assert code == 0
    out = capsys.readouterr().out
    assert out.count("applied ") == len(load_apply_order())
    assert out.startswith(f"uploaded {SESSIONS_URL}\n")


def test_command_uploads_the_session_table_before_any_statement(athena: Any, s3: Any) -> None:
    calls: list[str] = []
    for client, event in ((s3, "s3.PutObject"), (athena, "athena.StartQueryExecution")):
        client.meta.events.register(
            f"before-call.{event}", lambda model, **_: calls.append(model.name)
        )
    apply_command(
        workgroup="quotepipe",
        output_location=None,
        silver_bucket=SILVER,
        gold_bucket="my-gold",
        client=athena,
        s3=s3,
    )
    assert calls[0] == "PutObject"
    assert calls.count("PutObject") == 1 and len(calls) == 1 + len(load_apply_order())
    stored = s3.get_object(Bucket=SILVER, Key="reference/sessions/sessions.csv")
    assert stored["Body"].read() == TABLE_PATH.read_bytes()  # the packaged bytes, as they are
    assert stored["ContentType"] == "text/csv"


def test_command_failed_upload_runs_no_statement(
    athena: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    starts = record_starts(athena)
    s3 = boto3.client("s3", region_name="us-east-1")  # no silver bucket in this account
    code = apply_command(
        workgroup="quotepipe",
        output_location=None,
        silver_bucket=SILVER,
        gold_bucket="my-gold",
        gold_watermark="2026-11-20",
        client=athena,
        s3=s3,
    )
    assert code == 1
    err = capsys.readouterr().err
    assert f"uploading sessions.csv to {SESSIONS_URL}" in err
    assert "NoSuchBucket" in err
    assert starts == []


def test_command_failure_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    code = apply_command(workgroup="wg", output_location=None, silver_bucket=None, dry_run=True)
    assert code == 1
    assert "SILVER_BUCKET" in capsys.readouterr().err


def _view_sql(athena: Any) -> str:
    """The quotes view statement of the last apply (moto keeps every query)."""
    ids = athena.list_query_executions()["QueryExecutionIds"]
    queries = [athena.get_query_execution(QueryExecutionId=i)["QueryExecution"] for i in ids]
    (view,) = [q["Query"] for q in queries if "CREATE OR REPLACE VIEW quotes AS" in q["Query"]]
    return str(view)


def test_apply_keeps_the_watermark_the_compaction_recorded(athena: Any, s3: Any) -> None:
    # GIVEN the AWS compaction moved W to 2026-11-20 (state/gold-watermark in the gold bucket)
    s3.put_object(Bucket="my-gold", Key="state/gold-watermark", Body=b"2026-11-20")
    # WHEN apply runs without --gold-watermark
    code = apply_command(
        workgroup="quotepipe",
        output_location=None,
        silver_bucket=SILVER,
        gold_bucket="my-gold",
        client=athena,
        s3=s3,
    )
    # THEN the view reads gold before 2026-11-20, not all of silver
    assert code == 0
    assert "WHERE dt < '2026-11-20'" in _view_sql(athena)


def test_apply_reads_all_silver_before_any_compaction(athena: Any, s3: Any) -> None:
    code = apply_command(
        workgroup="quotepipe",
        output_location=None,
        silver_bucket=SILVER,
        gold_bucket="my-gold",
        client=athena,
        s3=s3,
    )
    assert code == 0
    assert "WHERE dt >= '0000-01-01'" in _view_sql(athena)


def test_a_garbled_watermark_stops_apply_before_any_statement(
    athena: Any, s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    s3.put_object(Bucket="my-gold", Key="state/gold-watermark", Body=b"<html>")
    starts = record_starts(athena)
    code = apply_command(
        workgroup="quotepipe",
        output_location=None,
        silver_bucket=SILVER,
        gold_bucket="my-gold",
        client=athena,
        s3=s3,
    )
    assert code == 1
    assert starts == []
    assert "not a day" in capsys.readouterr().err


def test_the_state_machine_records_w_where_apply_reads_it() -> None:
    from infra.aws.gold_state import WATERMARK_KEY
    from infra.aws.gold_view import load_definition

    day = load_definition()["States"]["CompactEachDay"]["ItemProcessor"]["States"]
    keys = {day[s]["Arguments"]["Key"] for s in ("ReadWatermark", "RecordWatermark")}
    assert keys == {WATERMARK_KEY}
