"""Athena SQL on one machine: DuckDB runs ``sql/``, translated by sqlglot, over a local lake."""

from infra.local.athena.engine import LocalAthena, QueryResult, run_query_command
from infra.local.athena.format import FORMATS, format_result

__all__ = ["FORMATS", "LocalAthena", "QueryResult", "format_result", "run_query_command"]
