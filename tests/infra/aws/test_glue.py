"""The Glue table in the template, sql/'s DDL and the silver writer describe the same table.

GIVEN the DDL of `silver_quotes` in sql/setup/ and the silver writer's columns, WHEN the
template's SilverQuotesTable is rendered with the stack's bucket name, THEN columns,
partition, SerDe, SerDe properties, location and table properties are equal.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from infra.aws.template import load_template, local_refs, properties, resolve
from tests.support import REPO

_PAIR = re.compile(r"'((?:[^'\\]|\\.)*)'\s*=\s*'((?:[^'\\]|\\.)*)'")


def _ddl() -> str:
    """The CREATE statement of silver_quotes in sql/setup/."""
    for path in sorted((REPO / "sql" / "setup").glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        if re.search(r"CREATE\s+EXTERNAL\s+TABLE[^(]*\bsilver_quotes\b", text, re.I):
            return text
    raise AssertionError("no CREATE EXTERNAL TABLE silver_quotes in sql/setup/")


def _hive_string(text: str) -> str:
    """A Hive/Athena DDL string literal's value (backslash escapes undone)."""
    return re.sub(r"\\(.)", r"\1", text)


def _section(ddl: str, start: str, end: str) -> str:
    """Text between two DDL keywords (case-insensitive)."""
    match = re.search(start + r"(.*?)" + end, ddl, re.I | re.S)
    assert match, f"DDL lacks {start}"
    return match.group(1)


def _pairs(text: str) -> dict[str, str]:
    """`'key' = 'value'` pairs of SERDEPROPERTIES / TBLPROPERTIES."""
    return {_hive_string(k): _hive_string(v) for k, v in _PAIR.findall(text)}


def _parse_ddl(ddl: str, bucket: str) -> dict[str, Any]:
    """The parts of the DDL a Glue TableInput also holds."""
    ddl = ddl.replace("${SILVER_BUCKET}", bucket)
    columns = _section(ddl, r"silver_quotes\s*\(", r"\)\s*(?:COMMENT|PARTITIONED)")
    return {
        "columns": re.findall(r"(\w+)\s+(\w+)\s*,?", columns),
        "partition": re.findall(r"(\w+)\s+(\w+)", _section(ddl, r"PARTITIONED BY\s*\(", r"\)")),
        "serde": _section(ddl, r"ROW FORMAT SERDE\s*'", r"'"),
        "serde_properties": _pairs(_section(ddl, r"SERDEPROPERTIES\s*\(", r"\)\s*STORED")),
        "location": _section(ddl, r"LOCATION\s*'", r"'"),
        "table_properties": _pairs(_section(ddl, r"TBLPROPERTIES\s*\(", r"\)\s*;?\s*$")),
    }


@pytest.fixture(scope="module")
def glue() -> dict[str, Any]:
    """SilverQuotesTable's TableInput, rendered as the stack `quotepipe` would create it."""
    template = load_template()
    refs = local_refs(template)
    table: dict[str, Any] = resolve(properties(template, "SilverQuotesTable"), refs, template)
    table_input: dict[str, Any] = table["TableInput"]
    return table_input | {"bucket": refs["SilverBucket"]}


@pytest.fixture(scope="module")
def ddl(glue: dict[str, Any]) -> dict[str, Any]:
    """sql/'s DDL with its bucket placeholder set to the same bucket."""
    return _parse_ddl(_ddl(), glue["bucket"])


def test_columns_match_the_ddl(glue: dict[str, Any], ddl: dict[str, Any]) -> None:
    glue_columns = [(c["Name"], c["Type"]) for c in glue["StorageDescriptor"]["Columns"]]
    assert glue_columns == [(name, kind.lower()) for name, kind in ddl["columns"]]
    glue_partition = [(c["Name"], c["Type"]) for c in glue["PartitionKeys"]]
    assert glue_partition == [(name, kind.lower()) for name, kind in ddl["partition"]]


def test_columns_match_the_silver_writer(glue: dict[str, Any]) -> None:
    from processor.silver import SILVER_COLUMNS

    assert [c["Name"] for c in glue["StorageDescriptor"]["Columns"]] == list(SILVER_COLUMNS)


def test_serde_matches_the_ddl(glue: dict[str, Any], ddl: dict[str, Any]) -> None:
    serde = glue["StorageDescriptor"]["SerdeInfo"]
    assert serde["SerializationLibrary"] == ddl["serde"]
    assert serde["Parameters"] == ddl["serde_properties"]
    assert serde["Parameters"] == {"separatorChar": ",", "quoteChar": '"', "escapeChar": "\\"}


def test_location_and_projection_match_the_ddl(glue: dict[str, Any], ddl: dict[str, Any]) -> None:
    assert glue["StorageDescriptor"]["Location"] == ddl["location"]
    parameters = dict(glue["Parameters"])
    assert parameters.pop("EXTERNAL") == "TRUE"
    assert parameters == ddl["table_properties"]
    assert parameters["storage.location.template"] == f"s3://{glue['bucket']}/quotes/dt=${{dt}}/"


def test_ddl_parser_reads_escaped_literals() -> None:
    parsed = _pairs(r"'escapeChar' = '\\', 'quoteChar' = '\'', 'x' = 'a,b'")
    assert parsed == {"escapeChar": "\\", "quoteChar": "'", "x": "a,b"}
