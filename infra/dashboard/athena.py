"""The dashboard's queries run by Athena itself, for ``quotepipe dashboard --athena``.

Each query is one execution: StartQueryExecution with the query's ``?`` values as
ExecutionParameters, GetQueryExecution until it ends, then every page of GetQueryResults
(``producer.athena``, the runner the scheduled backfill uses). Athena returns every
value as text with the column types beside it, so values are typed here the way the
local engine returns them, and the same renderer draws the page. What each execution
scanned is kept per panel, with its cost at the recorded Athena price
(``infra/prices.yaml``: per TB, 10 MB minimum). A query that does not succeed raises
``PanelQueryError`` naming the panel.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from infra.aws.costs import TIB
from infra.dashboard.data import PANELS, Scan
from infra.local.athena.engine import QueryResult
from infra.sqlfiles.catalog import SqlFile
from infra.sqlfiles.errors import AthenaError
from producer.athena import AthenaRunner, athena_reason, read_texts

_INTEGERS = ("tinyint", "smallint", "integer", "int", "bigint")
_FLOATS = ("double", "float", "real", "decimal")
# Athena type name → how its text becomes the Python value the local engine would return.
_CONVERT: dict[str, Callable[[str], Any]] = {
    **dict.fromkeys(_INTEGERS, int),
    **dict.fromkeys(_FLOATS, float),
    "boolean": lambda text: text == "true",
    "timestamp": datetime.fromisoformat,
    "date": date.fromisoformat,
}


class PanelQueryError(AthenaError):
    """A dashboard query Athena did not run: names the panel, the file and Athena's reason."""


def typed(text: str | None, athena_type: str) -> Any:
    """One value of GetQueryResults as the local engine would return it (NULL has no text)."""
    if text is None:
        return None
    kind = athena_type.split("(", 1)[0].strip().lower()
    return _CONVERT.get(kind, str)(text)


def read_results(client: Any, query_id: str) -> QueryResult:
    """Every page of a finished query, typed as the local engine would return it."""
    found = read_texts(client, query_id)
    rows = [tuple(typed(v, t) for v, t in zip(r, found.types, strict=True)) for r in found.rows]
    return QueryResult(found.columns, rows)


def panel_name(file: SqlFile) -> str:
    """How an error names a query: its panel's title and its file."""
    return f"panel {PANELS[file.path.stem][1]!r} ({file.name})"


class AthenaSource:
    """Athena as the dashboard's data source; ``scans`` adds up what each panel read."""

    def __init__(
        self,
        client: Any,
        *,
        workgroup: str,
        database: str,
        price: Mapping[str, Any],
        output_location: str | None = None,
        poll_seconds: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client, self.price = client, price
        self.runner = AthenaRunner(
            client=client,
            workgroup=workgroup,
            database=database,
            output_location=output_location,
            poll_seconds=poll_seconds,
            max_polls=600,
            sleep=sleep,
        )
        self.scans: dict[str, Scan] = {}

    def run(self, file: SqlFile, params: Sequence[str]) -> QueryResult:
        """One execution of ``file`` with ``params``, waited for and read page by page."""
        try:
            execution = self.runner.execute(file.statement, params)
            state = execution["Status"]["State"]
            if state != "SUCCEEDED":
                reason = athena_reason(execution["Status"])
                raise PanelQueryError(f"{panel_name(file)}: Athena query {state}: {reason}")
            self._bill(file.path.stem, execution)
            return read_results(self.client, execution["QueryExecutionId"])
        except (BotoCoreError, ClientError) as exc:
            raise PanelQueryError(f"{panel_name(file)}: Athena API error: {exc}") from exc

    def _bill(self, name: str, execution: Mapping[str, Any]) -> None:
        """Add one execution's scan and cost to its panel (Athena bills a minimum per query)."""
        scanned = int(execution.get("Statistics", {}).get("DataScannedInBytes", 0))
        billed = max(scanned, int(self.price["minimum_bytes_per_query"]))
        cost = billed / TIB * float(self.price["per_tb_scanned"])
        self.scans[name] = self.scans.get(name, Scan()).plus(scanned, cost)
