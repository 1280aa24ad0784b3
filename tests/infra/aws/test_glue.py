"""The Glue tables in the template and sql/'s DDL describe the same tables.

GIVEN the DDL of `silver_quotes`, `sessions`, `gold_quotes` and `silver_stats` in
sql/setup/ (and the silver and stats writers' columns), WHEN the template's
SilverQuotesTable, SessionsTable, GoldQuotesTable and SilverStatsTable are rendered
with the stack's bucket names, THEN columns, partition,
SerDe, SerDe properties, storage formats, location and table properties are equal.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from infra.aws.template import load_template, local_refs, properties, resolve
from infra.sqlfiles.reference import REFERENCE_OBJECTS
from tests.support import REPO

_PAIR = re.compile(r"'((?:[^'\\]|\\.)*)'\s*=\s*'((?:[^'\\]|\\.)*)'")


# Logical ID in the template → table name in sql/setup.
TABLES = {
    "SilverQuotesTable": "silver_quotes",
    "SessionsTable": "sessions",
    "GoldQuotesTable": "gold_quotes",
    "SilverStatsTable": "silver_stats",
}
# What Athena's `STORED AS PARQUET` means in Glue (and what it writes for such a table).
PARQUET = {
    "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
}


def _ddl(name: str) -> str:
    """The CREATE statement of table ``name`` in sql/setup/."""
    for path in sorted((REPO / "sql" / "setup").glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        if re.search(rf"CREATE\s+EXTERNAL\s+TABLE[^(]*\b{name}\b", text, re.I):
            return text
    raise AssertionError(f"no CREATE EXTERNAL TABLE {name} in sql/setup/")


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


def _partition(ddl: str) -> list[tuple[str, str]]:
    """The PARTITIONED BY columns; none for a table without partitions."""
    if not re.search(r"PARTITIONED BY", ddl, re.I):
        return []
    return re.findall(r"(\w+)\s+(\w+)", _section(ddl, r"PARTITIONED BY\s*\(", r"\)"))


def _serde(ddl: str) -> tuple[str, dict[str, str]]:
    """The SerDe and its properties; `STORED AS PARQUET` names Parquet's, without any."""
    if re.search(r"STORED AS PARQUET", ddl, re.I):
        return PARQUET["SerializationLibrary"], {}
    serde = _section(ddl, r"ROW FORMAT SERDE\s*'", r"'")
    return serde, _pairs(_section(ddl, r"SERDEPROPERTIES\s*\(", r"\)\s*STORED"))


def _parse_ddl(ddl: str, name: str, buckets: dict[str, str]) -> dict[str, Any]:
    """The parts of the DDL a Glue TableInput also holds."""
    for placeholder, bucket in buckets.items():
        ddl = ddl.replace(f"${{{placeholder}}}", bucket)
    columns = _section(ddl, rf"{name}\s*\(", r"\)\s*(?:COMMENT|PARTITIONED|ROW FORMAT)")
    serde, serde_properties = _serde(ddl)
    return {
        "columns": re.findall(r"(\w+)\s+(\w+)\s*,?", columns),
        "partition": _partition(ddl),
        "serde": serde,
        "serde_properties": serde_properties,
        "location": _section(ddl, r"LOCATION\s*'", r"'"),
        "table_properties": _pairs(_section(ddl, r"TBLPROPERTIES\s*\(", r"\)\s*;?\s*$")),
    }


def _glue(logical_id: str) -> dict[str, Any]:
    """A Glue table's TableInput, rendered as the stack `quotepipe` would create it."""
    template = load_template()
    refs = local_refs(template)
    table: dict[str, Any] = resolve(properties(template, logical_id), refs, template)
    table_input: dict[str, Any] = table["TableInput"]
    buckets = {"SILVER_BUCKET": refs["SilverBucket"], "GOLD_BUCKET": refs["GoldBucket"]}
    return table_input | {"bucket": refs["SilverBucket"], "buckets": buckets}


@pytest.fixture(scope="module", params=sorted(TABLES))
def pair(request: pytest.FixtureRequest) -> tuple[dict[str, Any], dict[str, Any]]:
    """One table: its Glue TableInput and sql/'s DDL with the same bucket filled in."""
    glue = _glue(request.param)
    name = TABLES[request.param]
    assert glue["Name"] == name
    return glue, _parse_ddl(_ddl(name), name, glue["buckets"])


Pair = tuple[dict[str, Any], dict[str, Any]]


def test_columns_match_the_ddl(pair: Pair) -> None:
    glue, ddl = pair
    glue_columns = [(c["Name"], c["Type"]) for c in glue["StorageDescriptor"]["Columns"]]
    assert glue_columns == [(name, kind.lower()) for name, kind in ddl["columns"]]
    glue_partition = [(c["Name"], c["Type"]) for c in glue.get("PartitionKeys", [])]
    assert glue_partition == [(name, kind.lower()) for name, kind in ddl["partition"]]


def test_columns_match_the_silver_writer() -> None:
    from processor.silver import SILVER_COLUMNS

    columns = _glue("SilverQuotesTable")["StorageDescriptor"]["Columns"]
    assert [c["Name"] for c in columns] == list(SILVER_COLUMNS)


def test_stats_columns_match_the_stats_writer() -> None:
    from processor.stats import STATS_COLUMNS

    columns = _glue("SilverStatsTable")["StorageDescriptor"]["Columns"]
    assert [c["Name"] for c in columns] == list(STATS_COLUMNS)
    location = _glue("SilverStatsTable")["Parameters"]["storage.location.template"]
    assert location == f"s3://{_glue('SilverStatsTable')['bucket']}/stats/dt=${{dt}}/"


def test_serde_matches_the_ddl(pair: Pair) -> None:
    glue, ddl = pair
    serde = glue["StorageDescriptor"]["SerdeInfo"]
    assert serde["SerializationLibrary"] == ddl["serde"]
    assert serde.get("Parameters", {}) == ddl["serde_properties"]
    if glue["Name"] != "gold_quotes":
        assert serde["Parameters"] == {"separatorChar": ",", "quoteChar": '"', "escapeChar": "\\"}


def test_gold_is_parquet_typed_like_the_quotes_view() -> None:
    gold = _glue("GoldQuotesTable")
    storage = gold["StorageDescriptor"]
    assert storage["SerdeInfo"]["SerializationLibrary"] == PARQUET["SerializationLibrary"]
    assert (storage["InputFormat"], storage["OutputFormat"]) == (
        PARQUET["InputFormat"],
        PARQUET["OutputFormat"],
    )
    types = {c["Name"]: c["Type"] for c in storage["Columns"]}
    assert {types[c] for c in ("price", "price_usd", "price_cad", "fx_usd_cad")} == {"double"}
    assert (types["volume"], types["trade_time"], types["fetched_at"]) == (
        "bigint",
        "timestamp",
        "timestamp",
    )
    assert gold["Parameters"]["storage.location.template"] == (
        f"s3://{gold['buckets']['GOLD_BUCKET']}/quotes/dt=${{dt}}/"
    )


def test_location_and_properties_match_the_ddl(pair: Pair) -> None:
    glue, ddl = pair
    assert glue["StorageDescriptor"]["Location"] == ddl["location"]
    parameters = dict(glue["Parameters"])
    assert parameters.pop("EXTERNAL") == "TRUE"
    assert parameters == ddl["table_properties"]


def test_projection_and_reference_locations() -> None:
    quotes, sessions = _glue("SilverQuotesTable"), _glue("SessionsTable")
    template = quotes["Parameters"]["storage.location.template"]
    assert template == f"s3://{quotes['bucket']}/quotes/dt=${{dt}}/"
    # the folder `quotepipe athena apply` uploads producer/sessions.csv into
    (ref,) = REFERENCE_OBJECTS
    location = sessions["StorageDescriptor"]["Location"]
    assert location + ref.path.name == f"s3://{sessions['bucket']}/{ref.key}"
