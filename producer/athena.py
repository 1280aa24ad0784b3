"""A small Athena query runner, for the scheduled backfill in the producer image.

One query is StartQueryExecution (``?`` values as ExecutionParameters, in a workgroup
and database), GetQueryExecution until it ends, then every page of GetQueryResults.
Values come back as Athena's text (NULL as None) with the column types beside them;
callers type them. The deploy tooling (``infra.aws.athena_apply``) and the dashboard
(``infra.dashboard.athena``) build on the same functions. Errors:
``producer.errors.AthenaQueryError`` when a query does not succeed or the API fails.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from producer.errors import AthenaQueryError

ENDED = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})
CATALOG = "AwsDataCatalog"


@dataclass(frozen=True, slots=True)
class TextResult:
    """A finished query's columns, their Athena types and its rows as text."""

    columns: tuple[str, ...]
    types: tuple[str, ...]
    rows: list[tuple[str | None, ...]]


def start_query(
    client: Any,
    sql: str,
    params: Sequence[str] = (),
    *,
    workgroup: str,
    database: str | None = None,
    output_location: str | None = None,
) -> str:
    """StartQueryExecution; no database context for a statement that creates the database."""
    request: dict[str, Any] = {"QueryString": sql, "WorkGroup": workgroup}
    if database:
        request["QueryExecutionContext"] = {"Database": database, "Catalog": CATALOG}
    if params:  # Athena refuses an empty ExecutionParameters list
        request["ExecutionParameters"] = list(params)
    if output_location:
        request["ResultConfiguration"] = {"OutputLocation": output_location}
    return str(client.start_query_execution(**request)["QueryExecutionId"])


def wait_for_query(
    client: Any,
    query_id: str,
    *,
    poll_seconds: float,
    max_polls: int,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Poll GetQueryExecution until the query ends; its final QueryExecution (with Statistics)."""
    for _ in range(max_polls):
        execution: dict[str, Any] = client.get_query_execution(QueryExecutionId=query_id)[
            "QueryExecution"
        ]
        if execution["Status"]["State"] in ENDED:
            return execution
        sleep(poll_seconds)
    reason = f"still running after {max_polls} polls"
    return {
        "QueryExecutionId": query_id,
        "Status": {"State": "TIMEOUT", "StateChangeReason": reason},
    }


def athena_reason(status: Mapping[str, Any]) -> str:
    """Athena's own words for why a query did not succeed."""
    error = status.get("AthenaError") or {}
    return str(error.get("ErrorMessage") or status.get("StateChangeReason") or "no reason given")


def read_texts(client: Any, query_id: str) -> TextResult:
    """Every page of a finished query; the header row Athena puts first is dropped."""
    columns: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    rows: list[tuple[str | None, ...]] = []
    pages = client.get_paginator("get_query_results").paginate(QueryExecutionId=query_id)
    for number, page in enumerate(pages):
        result = page["ResultSet"]
        if number == 0:
            info = result["ResultSetMetadata"]["ColumnInfo"]
            columns, types = tuple(c["Name"] for c in info), tuple(c["Type"] for c in info)
        texts = [tuple(d.get("VarCharValue") for d in row["Data"]) for row in result["Rows"]]
        if number == 0 and texts and texts[0] == columns:
            texts = texts[1:]
        rows += texts
    return TextResult(columns, types, rows)


@dataclass(frozen=True, kw_only=True)
class AthenaRunner:
    """Runs queries in one workgroup and database and returns their rows as text."""

    client: Any
    workgroup: str
    database: str
    output_location: str | None = None
    poll_seconds: float = 1.0
    max_polls: int = 240
    sleep: Callable[[float], None] = time.sleep

    def execute(self, sql: str, params: Sequence[str] = ()) -> dict[str, Any]:
        """Start and wait: the final QueryExecution, whatever its state, with its id."""
        query_id = start_query(
            self.client,
            sql,
            params,
            workgroup=self.workgroup,
            database=self.database,
            output_location=self.output_location,
        )
        execution = wait_for_query(
            self.client,
            query_id,
            poll_seconds=self.poll_seconds,
            max_polls=self.max_polls,
            sleep=self.sleep,
        )
        return {**execution, "QueryExecutionId": query_id}

    def query(self, sql: str, params: Sequence[str] = ()) -> TextResult:
        """Start, wait, read every page; a query that does not succeed raises."""
        try:
            execution = self.execute(sql, params)
            query_id, status = execution["QueryExecutionId"], execution["Status"]
            if status["State"] != "SUCCEEDED":
                raise AthenaQueryError(
                    f"Athena query {query_id} {status['State']}: {athena_reason(status)}"
                )
            return read_texts(self.client, query_id)
        except (BotoCoreError, ClientError) as exc:
            raise AthenaQueryError(f"Athena API error: {exc}") from exc
