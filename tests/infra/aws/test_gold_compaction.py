"""The gold compaction state machine (infra/aws/gold_compaction.asl.json) and its role.

GIVEN the definition as the template deploys it (DefinitionSubstitutions rendered with the
stack's names), THEN every transition lands on a state of its scope, the stale path swaps
a day in the safe order (watermark down, UNLOAD to staging, old manifest out, data in,
manifest in, watermark up), its copy of the quotes view is sql/views/015's, and every
action it takes on every resource is allowed by GoldCompactionRole, which allows nothing
else.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from infra.aws.gold_view import (
    ASL_PATH,
    definition_view_parts,
    load_definition,
    render_view,
    view_parts,
)
from infra.aws.template import load_template, local_refs, properties, resolve
from infra.sqlfiles.catalog import SQL_DIR, SqlFile, fill_placeholders

INTEGRATIONS = "arn:aws:states:::"
ATHENA_SYNC = "arn:aws:states:::athena:startQueryExecution.sync"
STALE_PATH = [
    "LowerWatermark",
    "RecordLoweredWatermark",
    "Unload",
    "ListOldManifest",
    "DeleteOldManifest",
    "ListOldData",
    "DeleteOldData",
    "ListStagedData",
    "PublishData",
    "ListStagedManifest",
    "PublishManifest",
    "DecideWatermark",
    "MoveWatermark",
]


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    """infra/template.yaml."""
    return load_template()


@pytest.fixture(scope="module")
def refs(template: dict[str, Any]) -> dict[str, Any]:
    """The names the stack `quotepipe` gives its resources."""
    return local_refs(template)


@pytest.fixture(scope="module")
def definition(template: dict[str, Any], refs: dict[str, Any]) -> dict[str, Any]:
    """The definition with DefinitionSubstitutions filled in, as deployed."""
    subs = resolve(properties(template, "GoldCompaction")["DefinitionSubstitutions"], refs)
    raw = ASL_PATH.read_text(encoding="utf-8")
    for name, value in subs.items():
        raw = raw.replace(f"${{{name}}}", str(value))
    left = set(re.findall(r"\$\{(\w+)\}", raw))
    assert not left, f"substitutions the template does not define: {left}"
    rendered: dict[str, Any] = json.loads(raw)
    return rendered


def _scopes(states: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Each `States` block: the top level and every Map's item processor, nested."""
    yield states
    for state in states.values():
        if state["Type"] == "Map":
            yield from _scopes(state["ItemProcessor"]["States"])


def _tasks(states: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, state) of every Task, at any depth."""
    for scope in _scopes(states):
        yield from ((n, s) for n, s in scope.items() if s["Type"] == "Task")


def _targets(state: dict[str, Any]) -> list[str]:
    """The states a state can go to next."""
    found = [state.get("Next"), state.get("Default")]
    found += [c["Next"] for c in state.get("Choices", []) + state.get("Catch", [])]
    return [t for t in found if t]


def test_every_transition_lands_in_its_scope_and_every_state_is_reached() -> None:
    definition = load_definition()
    assert definition["QueryLanguage"] == "JSONata"
    top = {"StartAt": definition["StartAt"], "States": definition["States"]}
    blocks = [top] + [
        s["ItemProcessor"]
        for scope in _scopes(definition["States"])
        for s in scope.values()
        if s["Type"] == "Map"
    ]
    for block in blocks:
        states, reached, todo = block["States"], set(), [block["StartAt"]]
        while todo:
            name = todo.pop()
            assert name in states, f"{name} is not a state of its scope"
            if name not in reached:
                reached.add(name)
                todo += _targets(states[name])
        assert reached == set(states), f"never reached: {set(states) - reached}"
        ends = [n for n, s in states.items() if s["Type"] in ("Succeed", "Fail") or s.get("End")]
        assert ends, "a scope without an end"


def test_it_uses_athena_sync_and_s3_sdk_calls_only() -> None:
    used = {s["Resource"] for _, s in _tasks(load_definition()["States"])}
    assert used == {
        ATHENA_SYNC,
        f"{INTEGRATIONS}aws-sdk:s3:listObjectsV2",
        f"{INTEGRATIONS}aws-sdk:s3:getObject",
        f"{INTEGRATIONS}aws-sdk:s3:putObject",
        f"{INTEGRATIONS}aws-sdk:s3:copyObject",
        f"{INTEGRATIONS}aws-sdk:s3:deleteObject",
        f"{INTEGRATIONS}aws-sdk:sfn:listExecutions",
    }


def test_a_stale_day_is_swapped_behind_the_watermark_in_a_safe_order() -> None:
    day = load_definition()["States"]["CompactEachDay"]["ItemProcessor"]["States"]
    path, name = [], "LowerWatermark"
    while name in STALE_PATH:
        path.append(name)
        name = day[name].get("Next") or day[name]["Default"]
    assert path == STALE_PATH
    assert day["LowerFirst"]["Choices"][0]["Next"] == "LowerWatermark"
    assert day["LowerFirst"]["Default"] == "Unload"  # the day is already read from silver
    # each list feeds a Map that copies or deletes every key it found
    for listing, each in [("ListOldData", "DeleteOldData"), ("ListStagedData", "PublishData")]:
        assert day[listing]["Resource"].endswith("s3:listObjectsV2")
        assert day[listing]["Next"] == each and day[each]["Type"] == "Map"
    (copy,) = day["PublishData"]["ItemProcessor"]["States"].values()
    assert copy["Resource"].endswith("s3:copyObject")
    # the watermark is raised only after the manifest, and the view before the state object
    # when lowering, the state object before the view when raising
    assert day["MoveWatermark"]["Default"] == "RecordWatermark"
    assert day["RecordWatermark"]["Next"] == "RaiseWatermark"
    assert day["RaiseWatermark"]["Resource"] == ATHENA_SYNC


def test_the_current_check_pages_through_silver_before_the_unload() -> None:
    day = load_definition()["States"]["CompactEachDay"]["ItemProcessor"]["States"]
    assert day["ListSilverPage"]["Next"] == "StageManifestPage"
    assert day["MorePages"]["Choices"][0]["Next"] == "NextPage"
    assert day["NextPage"]["Next"] == "ListSilverPage"
    body = day["ListSilverPage"]["Assign"]["pageBody"]
    assert "ETag" in body and "Key" in body
    (missing,) = day["ReadManifestPage"]["Catch"]
    assert missing["ErrorEquals"] == ["S3.NoSuchKeyException"]


def test_its_view_is_sql_views_quotes(definition: dict[str, Any]) -> None:
    assert definition_view_parts(load_definition()) == view_parts()
    path = SQL_DIR / "views" / "015_quotes.sql"
    filled = fill_placeholders(
        SqlFile(path, path.read_text(encoding="utf-8")), {"GOLD_WATERMARK": "2026-11-05"}
    )
    assert render_view("2026-11-05") == re.sub(r"\s+", " ", filled).strip()
    day = definition["States"]["CompactEachDay"]["ItemProcessor"]["States"]
    assert day["LowerWatermark"]["Arguments"]["QueryString"] == "{% $join($viewParts, $day) %}"


def test_unload_writes_quotes_silver_sorted_zstd_into_this_runs_staging(
    definition: dict[str, Any], refs: dict[str, Any]
) -> None:
    unload = definition["States"]["CompactEachDay"]["ItemProcessor"]["States"]["Unload"]
    sql = unload["Arguments"]["QueryString"]
    gold = properties(load_template(), "GoldQuotesTable")["TableInput"]
    columns = ", ".join(c["Name"] for c in gold["StorageDescriptor"]["Columns"])
    assert f"UNLOAD (SELECT {columns} FROM quotes_silver WHERE dt = '\" & $day & \"'" in sql
    assert "ORDER BY symbol, trade_time)" in sql
    assert f"TO 's3://{refs['GoldBucket']}/\" & $staging & \"data/'" in sql
    assert "format = 'PARQUET', compression = 'ZSTD'" in sql
    staging = definition["States"]["CompactEachDay"]["ItemProcessor"]["States"]["StartDay"]
    assert (
        "'quotes/.staging/dt=' & $states.input & '/' & $states.context.Execution.Name"
        in (staging["Assign"]["staging"])
    )
    assert unload["Arguments"]["WorkGroup"] == refs["AthenaWorkGroup"]


# What Athena itself does with the caller's credentials for each statement.
VIEW_TABLES = {"quotes_silver": ["silver_quotes"]}  # views read through to their tables


def _arn_s3(bucket: str, key: str | None = None) -> str:
    return f"arn:aws:s3:::{bucket}" + (f"/{key}" if key is not None else "")


def _key_pattern(expr: str, listed: str) -> str:
    """A sample key for an argument: literal, `'literal' & …`, `$staging & …`, a listed key."""
    if not expr.startswith("{%"):
        return expr
    literal = re.match(r"\{%\s*'([^']*)'", expr)
    if literal:
        return literal.group(1) + "*"
    if re.match(r"\{%\s*\$staging\b", expr):
        return "quotes/.staging/*"
    return listed


def _athena_needs(sql: str, refs: dict[str, Any], glue: str) -> list[tuple[str, str]]:
    """Actions Athena needs for one statement of the state machine."""
    workgroup = f"arn:aws:athena:us-east-1:123456789012:workgroup/{refs['AthenaWorkGroup']}"
    database = refs["GlueDatabase"]
    needs = [(a, workgroup) for a in ("athena:StartQueryExecution", "athena:GetQueryExecution")]
    needs += [("athena:StopQueryExecution", workgroup)]
    needs += [
        ("glue:GetDatabase", f"{glue}:catalog"),
        ("glue:GetDatabase", f"{glue}:database/{database}"),
    ]
    results = refs["AthenaResultsBucket"]
    needs += [
        ("s3:PutObject", _arn_s3(results, "results/x")),
        ("s3:GetObject", _arn_s3(results, "results/x")),
    ]
    needs += [("s3:AbortMultipartUpload", _arn_s3(results, "results/x"))]
    needs += [(a, _arn_s3(results)) for a in ("s3:ListBucket", "s3:GetBucketLocation")]
    tables = re.findall(r"\bFROM (\w+)", sql)
    tables += [t for table in tables for t in VIEW_TABLES.get(table, [])]
    if "CREATE OR REPLACE VIEW quotes" in sql:
        tables.append("quotes")
        for action in ("glue:CreateTable", "glue:UpdateTable"):
            needs += [
                (action, f"{glue}:{r}")
                for r in ("catalog", f"database/{database}", f"table/{database}/quotes")
            ]
    needs += [("glue:GetTable", f"{glue}:{r}") for r in ("catalog", f"database/{database}")]
    needs += [("glue:GetTable", f"{glue}:table/{database}/{t}") for t in tables]
    if "silver_quotes" in tables:
        silver = refs["SilverBucket"]
        needs += [("s3:GetObject", _arn_s3(silver, "quotes/dt=x/y.csv"))]
        needs += [(a, _arn_s3(silver)) for a in ("s3:ListBucket", "s3:GetBucketLocation")]
    if sql.startswith('{% "UNLOAD'):
        gold = refs["GoldBucket"]
        staged = _arn_s3(gold, "quotes/.staging/dt=x/run/data/part")
        needs += [
            (a, staged)
            for a in ("s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts")
        ]
        needs += [
            (a, _arn_s3(gold))
            for a in ("s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads")
        ]
    return needs


def _needs(definition: dict[str, Any], refs: dict[str, Any], sm_name: str) -> list[tuple[str, str]]:
    """Every (IAM action, resource ARN) a run of the definition can use."""
    glue = "arn:aws:glue:us-east-1:123456789012"
    needs: list[tuple[str, str]] = []
    for scope in _scopes(definition["States"]):
        for name, state in scope.items():
            if state["Type"] != "Task":
                continue
            resource, args = state["Resource"], state["Arguments"]
            if resource == ATHENA_SYNC:
                sql = args["QueryString"]
                if "$viewParts" in sql:  # the view statement, joined at run time
                    sql = "2026-11-05".join(definition_view_parts(definition))
                needs += _athena_needs(sql, refs, glue)
            elif resource.endswith("sfn:listExecutions"):
                arn = f"arn:aws:states:us-east-1:123456789012:stateMachine:{sm_name}"
                needs.append(("states:ListExecutions", arn))
            elif resource.endswith("s3:listObjectsV2"):
                bucket = (
                    re.search(r"'Bucket': '([^']+)'", str(args)) if isinstance(args, str) else None
                )
                needs.append(
                    ("s3:ListBucket", _arn_s3(bucket.group(1) if bucket else args["Bucket"]))
                )
            else:
                needs += _object_needs(name, resource, args, refs)
    return needs


def _object_needs(
    name: str, resource: str, args: dict[str, Any], refs: dict[str, Any]
) -> list[tuple[str, str]]:
    """An object call's actions; keys of a Map item are the keys its listing found."""
    listed = "quotes/.staging/*" if name.startswith("Copy") else "quotes/dt=*"
    key = _arn_s3(args["Bucket"], _key_pattern(args["Key"], listed))
    action = resource.rsplit(":", 1)[1]
    if action == "copyObject":
        return [
            ("s3:GetObject", _arn_s3(refs["GoldBucket"], "quotes/.staging/*")),
            ("s3:PutObject", key),
        ]
    return [
        (
            {
                "getObject": "s3:GetObject",
                "putObject": "s3:PutObject",
                "deleteObject": "s3:DeleteObject",
            }[action],
            key,
        )
    ]


def test_the_role_allows_exactly_what_the_definition_does(
    template: dict[str, Any], refs: dict[str, Any], definition: dict[str, Any]
) -> None:
    role = resolve(properties(template, "GoldCompactionRole"), refs, template)
    (policy,) = role["Policies"]
    statements = policy["PolicyDocument"]["Statement"]
    sm_name = resolve(properties(template, "GoldCompaction")["Name"], refs, template)
    used: set[str] = set()
    for action, arn in _needs(definition, refs, sm_name):
        allowing = [
            s
            for s in statements
            if s["Effect"] == "Allow"
            and action in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
            and any(
                fnmatch.fnmatchcase(arn, r)
                for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
            )
        ]
        assert allowing, f"GoldCompactionRole does not allow {action} on {arn}"
        used.update(s["Sid"] for s in allowing)
    assert used == {s["Sid"] for s in statements}, "statements nothing in the definition needs"
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "states.amazonaws.com"
    }
