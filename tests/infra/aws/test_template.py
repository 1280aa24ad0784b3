"""infra/template.yaml after the SAM transform, run offline with aws-sam-translator.

GIVEN the template as `sam build` leaves it (ImageUri filled in), WHEN the SAM transform
expands it, THEN the CloudFormation it yields has image functions, the S3 trigger with
retries ending in a queue, the alarms, and IAM without wildcards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from infra.aws.template import TEMPLATE_PATH, local_refs, properties, resolve
from tests.support import REPO

ALARM_METRICS = {
    ("AWS/Lambda", "Errors"),
    ("quotepipe", "SymbolsMissing"),
    ("AWS/Firehose", "DeliveryToS3.DataFreshness"),
    ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    ("quotepipe", "RejectedRows"),
    ("quotepipe", "SessionQuotes"),
    ("quotepipe", "SessionSymbols"),
    ("AWS/States", "ExecutionsFailed"),
    ("AWS/States", "ExecutionsTimedOut"),
}
# Glue authorises a table read on the account's catalog as well as on the database and
# table: the one resource a role may name that is not the stack's own.
GLUE_CATALOG = {"Fn::Sub": "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:catalog"}


def _of_type(cfn: dict[str, Any], type_: str) -> dict[str, dict[str, Any]]:
    """Resources of one type, by logical ID."""
    return {k: v for k, v in cfn["Resources"].items() if v["Type"] == type_}


def test_functions_are_container_images(cfn: dict[str, Any]) -> None:
    functions = _of_type(cfn, "AWS::Lambda::Function")
    assert set(functions) == {"ProducerFunction", "ProcessorFunction", "BackfillFunction"}
    for fn in functions.values():
        assert fn["Properties"]["PackageType"] == "Image"
        assert "ImageUri" in fn["Properties"]["Code"]
        assert "Runtime" not in fn["Properties"]


@pytest.mark.parametrize(
    "logical_id", ["ProducerFunction", "ProcessorFunction", "BackfillFunction"]
)
def test_sam_build_finds_each_dockerfile(template: dict[str, Any], logical_id: str) -> None:
    meta = template["Resources"][logical_id]["Metadata"]
    context = (TEMPLATE_PATH.parent / meta["DockerContext"]).resolve()
    assert context == REPO
    assert (context / meta["Dockerfile"]).is_file()
    assert meta["DockerTag"]


def test_producer_runs_on_schedule_one_at_a_time(cfn: dict[str, Any]) -> None:
    schedule = _of_type(cfn, "AWS::Scheduler::Schedule")["ProducerFunctionTick"]["Properties"]
    assert schedule["Target"]["Arn"] == {"Fn::GetAtt": ["ProducerFunction", "Arn"]}
    assert schedule["ScheduleExpression"] == {"Ref": "ScheduleExpression"}
    producer = cfn["Resources"]["ProducerFunction"]["Properties"]
    assert producer["ReservedConcurrentExecutions"] == 1
    assert producer["Timeout"] == {"Ref": "ProducerTimeoutSeconds"}
    invoke = cfn["Resources"]["ProducerFunctionEventInvokeConfig"]["Properties"]
    assert invoke["MaximumRetryAttempts"] == 0
    assert producer["DeadLetterConfig"]["TargetArn"] == {
        "Fn::GetAtt": ["ProducerDeadLetterQueue", "Arn"]
    }


def test_bronze_objects_trigger_the_processor(cfn: dict[str, Any]) -> None:
    bronze = cfn["Resources"]["BronzeBucket"]["Properties"]
    (trigger,) = bronze["NotificationConfiguration"]["LambdaConfigurations"]
    assert trigger["Event"] == "s3:ObjectCreated:*"
    assert trigger["Function"] == {"Fn::GetAtt": ["ProcessorFunction", "Arn"]}
    assert trigger["Filter"]["S3Key"]["Rules"] == [{"Name": "prefix", "Value": "quotes/"}]
    permission = _of_type(cfn, "AWS::Lambda::Permission")
    (grant,) = (p["Properties"] for p in permission.values())
    assert grant["Principal"] == "s3.amazonaws.com"
    assert grant["SourceAccount"] == {"Ref": "AWS::AccountId"}


def test_processor_retries_end_in_its_dead_letter_queue(cfn: dict[str, Any]) -> None:
    invoke = cfn["Resources"]["ProcessorFunctionEventInvokeConfig"]["Properties"]
    assert invoke["MaximumRetryAttempts"] == 2
    queue_arn = {"Fn::GetAtt": ["ProcessorDeadLetterQueue", "Arn"]}
    assert invoke["DestinationConfig"]["OnFailure"]["Destination"] == queue_arn
    sends = [
        s
        for s in _allow_statements(cfn["Resources"]["ProcessorRole"])
        if s["Action"] == "sqs:SendMessage"
    ]
    assert [s["Resource"] for s in sends] == [queue_arn]


def test_processor_writes_only_its_three_silver_prefixes(cfn: dict[str, Any]) -> None:
    from processor.process import REJECTED_PREFIX, SILVER_PREFIX
    from processor.stats import STATS_PREFIX

    (write,) = [
        s
        for s in _allow_statements(cfn["Resources"]["ProcessorRole"])
        if "s3:PutObject" in s["Action"]
    ]
    prefixes = (SILVER_PREFIX, REJECTED_PREFIX, STATS_PREFIX)
    assert write["Resource"] == [{"Fn::Sub": f"${{SilverBucket.Arn}}/{p}*"} for p in prefixes]


def test_every_alarm_notifies_the_topic(cfn: dict[str, Any]) -> None:
    alarms = _of_type(cfn, "AWS::CloudWatch::Alarm")
    seen = {metric for a in alarms.values() for metric in _alarm_metrics(a["Properties"])}
    assert seen == ALARM_METRICS
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    dead_letter_queues = {
        a["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for a in alarms.values()
        if a["Properties"].get("Namespace") == "AWS/SQS"
    }
    assert dead_letter_queues == {"ProducerDeadLetterQueue", "ProcessorDeadLetterQueue"}


def _alarm_metrics(alarm: dict[str, Any]) -> list[tuple[str, str]]:
    """(namespace, metric) of a plain alarm, or of each metric a metric-math alarm reads."""
    if "MetricName" in alarm:
        return [(alarm["Namespace"], alarm["MetricName"])]
    stats = [m["MetricStat"]["Metric"] for m in alarm["Metrics"] if "MetricStat" in m]
    return [(m["Namespace"], m["MetricName"]) for m in stats]


def test_coverage_alarm_divides_answered_by_polled_in_session_over_an_hour(
    cfn: dict[str, Any],
) -> None:
    alarm = cfn["Resources"]["CoverageAlarm"]["Properties"]
    by_id = {m["Id"]: m for m in alarm["Metrics"]}
    assert by_id["coverage"]["Expression"] == "100 * quotes / symbols"
    assert {by_id[i]["MetricStat"]["Period"] for i in ("quotes", "symbols")} == {3600}
    assert alarm["ComparisonOperator"] == "LessThanThreshold"
    assert alarm["Threshold"] == {"Ref": "CoverageThresholdPercent"}
    sources = (REPO / "producer" / "metrics.py").read_text()
    assert '"SessionQuotes"' in sources and '"SessionSymbols"' in sources


def test_the_schedule_follows_sessions_in_a_time_zone(cfn: dict[str, Any]) -> None:
    schedule = _of_type(cfn, "AWS::Scheduler::Schedule")["ProducerFunctionTick"]["Properties"]
    assert schedule["ScheduleExpressionTimezone"] == {"Ref": "ScheduleTimezone"}
    env = cfn["Resources"]["ProducerFunction"]["Properties"]["Environment"]["Variables"]
    assert env["FOLLOW_SESSIONS"] == {"Ref": "FollowSessions"}
    assert cfn["Parameters"]["FollowSessions"]["Default"] == "true"


@pytest.mark.parametrize(
    ("metric", "service"), [("SymbolsMissing", "producer"), ("RejectedRows", "processor")]
)
def test_custom_metric_alarms_match_what_the_code_emits(
    template: dict[str, Any], metric: str, service: str
) -> None:
    alarm = next(
        p
        for p in (properties(template, k) for k in template["Resources"])
        if p.get("MetricName") == metric
    )
    assert alarm["Namespace"] == "quotepipe"
    assert alarm["Dimensions"] == [{"Name": "service", "Value": service}]
    env = properties(template, f"{service.capitalize()}Function")["Environment"]["Variables"]
    assert env["POWERTOOLS_SERVICE_NAME"] == service
    globals_env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert globals_env["POWERTOOLS_METRICS_NAMESPACE"] == "quotepipe"
    sources = "".join(p.read_text() for p in (REPO / service).glob("*.py"))
    assert f'"{metric}"' in sources, f"{service}/ no longer emits {metric}"


def _policy_documents(role: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Inline policy documents of a role or policy resource."""
    props = role["Properties"]
    if "PolicyDocument" in props:
        yield props["PolicyDocument"]
    for policy in props.get("Policies", []):
        yield policy["PolicyDocument"]


def _allow_statements(role: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Allow statements, with `!If [cond, statement, NoValue]` unwrapped."""
    for document in _policy_documents(role):
        for entry in document["Statement"]:
            statement = entry["Fn::If"][1] if "Fn::If" in entry else entry
            if statement["Effect"] == "Allow":
                yield statement


def _as_list(value: Any) -> list[Any]:
    """A policy field that may be one value or a list."""
    return value if isinstance(value, list) else [value]


def _names_in(value: Any) -> set[str]:
    """Logical IDs and pseudo parameters an intrinsic expression refers to."""
    if isinstance(value, list):
        return set().union(*(_names_in(v) for v in value)) if value else set()
    if not isinstance(value, dict):
        return set()
    if "Ref" in value:
        return {value["Ref"]}
    if "Fn::GetAtt" in value:
        return {value["Fn::GetAtt"][0]}
    if "Fn::Sub" in value:
        sub = value["Fn::Sub"]
        text, variables = (sub, {}) if isinstance(sub, str) else sub
        found = {name.split(".")[0] for name in re.findall(r"\$\{([^}!]+)\}", text)}
        return found | _names_in(list(variables.values()))
    return _names_in(list(value.values()))


def _iam_resources(cfn: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every role and policy in the transformed template."""
    types = ("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")
    return {k: v for k, v in cfn["Resources"].items() if v["Type"] in types}


def test_iam_has_no_wildcard_actions_and_no_managed_policies(cfn: dict[str, Any]) -> None:
    roles = _iam_resources(cfn)
    assert {"ProducerRole", "ProcessorRole", "FirehoseRole", "BackfillRole"} <= set(roles)
    for logical_id, role in roles.items():
        assert not role["Properties"].get("ManagedPolicyArns"), logical_id
        for statement in _allow_statements(role):
            for action in _as_list(statement["Action"]):
                assert "*" not in action, f"{logical_id}: {action}"


def test_iam_resources_are_the_stacks_own(cfn: dict[str, Any]) -> None:
    own = set(cfn["Resources"]) | {"AWS::StackName"}
    for logical_id, role in _iam_resources(cfn).items():
        for statement in _allow_statements(role):
            for target in _as_list(statement["Resource"]):
                assert target != "*", f"{logical_id}: {statement}"
                if target == GLUE_CATALOG:  # Glue actions only, beside the stack's own database
                    assert all(a.startswith("glue:") for a in _as_list(statement["Action"]))
                    others = [r for r in _as_list(statement["Resource"]) if r != GLUE_CATALOG]
                    assert others and all(_names_in(r) & own for r in others), statement
                    continue
                assert _names_in(target) & own, f"{logical_id}: {target}"


def test_every_bucket_is_encrypted_private_tls_only_and_expiring(cfn: dict[str, Any]) -> None:
    buckets = _of_type(cfn, "AWS::S3::Bucket")
    assert set(buckets) == {"BronzeBucket", "SilverBucket", "AthenaResultsBucket", "GoldBucket"}
    policies = {
        p["Properties"]["Bucket"]["Ref"]: p["Properties"]["PolicyDocument"]
        for p in _of_type(cfn, "AWS::S3::BucketPolicy").values()
    }
    for logical_id, bucket in buckets.items():
        props = bucket["Properties"]
        assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert all(props["PublicAccessBlockConfiguration"].values())
        assert props["LifecycleConfiguration"]["Rules"]
        (deny,) = policies[logical_id]["Statement"]
        assert deny["Effect"] == "Deny"
        assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_bronze_moves_to_a_cheaper_class_and_results_expire(template: dict[str, Any]) -> None:
    (bronze,) = properties(template, "BronzeBucket")["LifecycleConfiguration"]["Rules"]
    assert bronze["Transitions"] == [
        {
            "StorageClass": {"Ref": "BronzeTransitionStorageClass"},
            "TransitionInDays": {"Ref": "BronzeTransitionDays"},
        }
    ]
    (results,) = properties(template, "AthenaResultsBucket")["LifecycleConfiguration"]["Rules"]
    assert results["ExpirationInDays"] == {"Ref": "AthenaResultsRetentionDays"}


def test_firehose_writes_bronze_by_day_with_error_prefix(template: dict[str, Any]) -> None:
    refs = local_refs(template, **{"FirehoseRole.Arn": "arn:aws:iam::123456789012:role/f"})
    stream = resolve(properties(template, "DeliveryStream"), refs, template)
    s3 = stream["ExtendedS3DestinationConfiguration"]
    assert s3["BucketARN"] == f"arn:aws:s3:::{refs['BronzeBucket']}"
    assert s3["Prefix"] == "quotes/dt=!{timestamp:yyyy-MM-dd}/"
    assert s3["ErrorOutputPrefix"] == (
        "errors/firehose/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/"
    )
    assert s3["BufferingHints"] == {"IntervalInSeconds": 60, "SizeInMBs": 5}
    assert s3["CloudWatchLoggingOptions"]["Enabled"] is True
    assert stream["DeliveryStreamName"] == "quotepipe-bronze"


def test_athena_workgroup_enforces_results_and_scan_limit(template: dict[str, Any]) -> None:
    config = properties(template, "AthenaWorkGroup")["WorkGroupConfiguration"]
    assert config["EnforceWorkGroupConfiguration"] is True
    assert config["BytesScannedCutoffPerQuery"] == {"Ref": "BytesScannedCutoffPerQuery"}
    location = config["ResultConfiguration"]["OutputLocation"]
    assert location == {"Fn::Sub": "s3://${AthenaResultsBucket}/results/"}


def test_function_environment_names_the_stacks_resources(template: dict[str, Any]) -> None:
    refs = local_refs(template)
    producer = resolve(properties(template, "ProducerFunction")["Environment"], refs, template)
    assert producer["Variables"]["DELIVERY_STREAM_NAME"] == "quotepipe-bronze"
    assert producer["Variables"]["BRONZE_BUCKET"] == refs["BronzeBucket"]
    assert "SYMBOLS_SOURCE" not in producer["Variables"]
    processor = resolve(properties(template, "ProcessorFunction")["Environment"], refs, template)
    assert processor["Variables"]["SILVER_BUCKET"] == refs["SilverBucket"]
    assert processor["Variables"]["BRONZE_PREFIX"] == "quotes/"


def test_gold_compaction_runs_daily_after_midnight_utc_and_on_late_silver(
    cfn: dict[str, Any],
) -> None:
    schedules = _of_type(cfn, "AWS::Scheduler::Schedule")
    daily = schedules["GoldCompactionDaily"]["Properties"]
    assert daily["ScheduleExpression"] == "cron(15 0 * * ? *)"
    assert daily["ScheduleExpressionTimezone"] == "UTC"
    assert daily["Target"]["Arn"] == {"Ref": "GoldCompaction"}
    assert daily["Target"]["Input"] == {"Fn::Sub": '{"lookback_days": ${GoldLookbackDays}}'}
    rule = _of_type(cfn, "AWS::Events::Rule")["GoldCompactionLateSilver"]["Properties"]
    assert rule["EventPattern"]["detail-type"] == ["Object Created"]
    assert rule["EventPattern"]["detail"]["bucket"]["name"] == [{"Ref": "SilverBucket"}]
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Ref": "GoldCompaction"}
    silver = cfn["Resources"]["SilverBucket"]["Properties"]
    assert silver["NotificationConfiguration"]["EventBridgeConfiguration"] == {
        "EventBridgeEnabled": True
    }
    machine = cfn["Resources"]["GoldCompaction"]["Properties"]
    assert machine["RoleArn"] == {"Fn::GetAtt": ["GoldCompactionRole", "Arn"]}
    assert machine["StateMachineType"] == "STANDARD"


def test_gold_compaction_failures_raise_an_alarm(cfn: dict[str, Any]) -> None:
    alarm = cfn["Resources"]["GoldCompactionFailedAlarm"]["Properties"]
    stats = [m["MetricStat"]["Metric"] for m in alarm["Metrics"] if "MetricStat" in m]
    assert {m["MetricName"] for m in stats} == {"ExecutionsFailed", "ExecutionsTimedOut"}
    for metric in stats:
        assert metric["Dimensions"] == [
            {"Name": "StateMachineArn", "Value": {"Ref": "GoldCompaction"}}
        ]
    assert alarm["Threshold"] == 1


def test_gold_keeps_versions_a_week_and_staging_two_days(template: dict[str, Any]) -> None:
    rules = properties(template, "GoldBucket")["LifecycleConfiguration"]["Rules"]
    by_id = {r["Id"]: r for r in rules}
    assert by_id["expire-overwritten-versions"]["NoncurrentVersionExpiration"] == {
        "NoncurrentDays": 7
    }
    assert by_id["expire-staging"]["Prefix"] == "quotes/.staging/"
    assert template["Resources"]["GoldBucket"]["DeletionPolicy"] == "Retain"
