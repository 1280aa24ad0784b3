"""The scheduled backfill in infra/template.yaml, after the SAM transform.

GIVEN the template as CloudFormation sees it, THEN the backfill is the producer image with
its own command, runs alone on its own schedule in the producer's time zone, reads what
the covered-minutes query needs and writes only what a producer tick writes, and its
environment names the stack's workgroup, database, stream and buffer interval.
"""

from __future__ import annotations

from typing import Any

from infra.aws.template import load_template, local_refs, properties, resolve
from producer.settings import BackfillSettings, ProducerSettings
from tests.infra.aws.test_template import _allow_statements, _of_type


def _actions(role: dict[str, Any]) -> dict[str, list[Any]]:
    """Each allowed action of a role and the resources it is allowed on."""
    found: dict[str, list[Any]] = {}
    for statement in _allow_statements(role):
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        targets = statement["Resource"]
        for action in actions:
            found.setdefault(action, []).extend(targets if isinstance(targets, list) else [targets])
    return found


def test_backfill_is_the_producer_image_with_its_own_handler(template: dict[str, Any]) -> None:
    backfill = template["Resources"]["BackfillFunction"]
    producer = template["Resources"]["ProducerFunction"]
    assert backfill["Metadata"]["Dockerfile"] == producer["Metadata"]["Dockerfile"]
    command = backfill["Properties"]["ImageConfig"]["Command"]
    assert command == ["producer.backfill_handler.lambda_handler"]


def test_backfill_runs_alone_after_each_session_hour(cfn: dict[str, Any]) -> None:
    schedule = _of_type(cfn, "AWS::Scheduler::Schedule")["BackfillFunctionHourly"]["Properties"]
    assert schedule["Target"]["Arn"] == {"Fn::GetAtt": ["BackfillFunction", "Arn"]}
    assert schedule["ScheduleExpression"] == {"Ref": "BackfillScheduleExpression"}
    assert schedule["ScheduleExpressionTimezone"] == {"Ref": "ScheduleTimezone"}
    assert cfn["Parameters"]["BackfillScheduleExpression"]["Default"] == (
        "cron(10 4-17 ? * MON-FRI *)"
    )
    function = cfn["Resources"]["BackfillFunction"]["Properties"]
    assert function["ReservedConcurrentExecutions"] == 1
    assert function["Timeout"] == {"Ref": "BackfillTimeoutSeconds"}
    assert function["MemorySize"] == {"Ref": "BackfillMemoryMB"}
    alarm = cfn["Resources"]["BackfillErrorsAlarm"]["Properties"]
    assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": "BackfillFunction"}}]
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert "BackfillFunctionName" in cfn["Outputs"]


def test_backfill_role_reads_the_query_and_writes_what_a_tick_writes(cfn: dict[str, Any]) -> None:
    allowed = _actions(cfn["Resources"]["BackfillRole"])
    workgroup = [{"Fn::Sub": _arn("athena", "workgroup/${AthenaWorkGroup}")}]
    for action in ("StartQueryExecution", "GetQueryExecution", "GetQueryResults"):
        assert allowed.pop(f"athena:{action}") == workgroup
    tables = {"quotes", "quotes_silver", "gold_quotes", "${SilverQuotesTable}", "${SessionsTable}"}
    glue = {_arn("glue", "catalog"), _arn("glue", "database/${GlueDatabase}")}
    glue |= {_arn("glue", f"table/${{GlueDatabase}}/{table}") for table in tables}
    for action in ("GetDatabase", "GetTable", "GetTables", "GetPartitions"):
        assert {r["Fn::Sub"] for r in allowed.pop(f"glue:{action}")} == glue
    assert allowed.pop("firehose:PutRecordBatch") == [{"Fn::GetAtt": ["DeliveryStream", "Arn"]}]
    assert _subs(allowed.pop("s3:GetObject")) == {
        "${SilverBucket.Arn}/quotes/*",
        "${SilverBucket.Arn}/reference/sessions/*",
        "${AthenaResultsBucket.Arn}/results/*",
        "${BronzeBucket.Arn}/${SymbolsObjectKey}",
    }
    assert _subs(allowed.pop("s3:PutObject")) == {
        "${AthenaResultsBucket.Arn}/results/*",
        "${BronzeBucket.Arn}/errors/producer/*",
    }
    assert _subs(allowed.pop("s3:AbortMultipartUpload")) == {"${AthenaResultsBucket.Arn}/results/*"}
    buckets = [{"Fn::GetAtt": [b, "Arn"]} for b in ("SilverBucket", "AthenaResultsBucket")]
    assert allowed.pop("s3:ListBucket") == buckets
    assert allowed.pop("s3:GetBucketLocation") == buckets
    log_group = [{"Fn::GetAtt": ["BackfillLogGroup", "Arn"]}]
    assert allowed.pop("logs:CreateLogStream") == allowed.pop("logs:PutLogEvents") == log_group
    assert allowed == {}


def _arn(service: str, resource: str) -> str:
    return f"arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{resource}"


def _subs(targets: list[Any]) -> set[str]:
    return {t["Fn::Sub"] for t in targets}


def test_backfill_environment_names_the_stacks_resources_and_settings() -> None:
    loaded = load_template()
    refs = local_refs(loaded)
    env = resolve(properties(loaded, "BackfillFunction")["Environment"], refs, loaded)
    variables = {k: str(v) for k, v in env["Variables"].items()}
    assert variables["POWERTOOLS_SERVICE_NAME"] == "backfill"
    assert variables["DELIVERY_STREAM_NAME"] == "quotepipe-bronze"
    assert variables["BRONZE_BUCKET"] == refs["BronzeBucket"]
    assert variables["ATHENA_WORKGROUP"] == "quotepipe"
    assert variables["ATHENA_DATABASE"] == "quotepipe"
    backfill = BackfillSettings.from_env(variables)
    assert backfill.buffer_seconds == 60  # the stream's BufferIntervalSeconds
    assert (backfill.lookback_hours, backfill.margin_seconds) == (3, 240)
    producer = ProducerSettings.from_env(variables)
    assert producer.symbols and producer.delivery_stream_name == "quotepipe-bronze"
