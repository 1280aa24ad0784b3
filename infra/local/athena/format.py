"""Query results as text: an aligned table for people, CSV and JSON for programs.

Values print the way Athena's console shows them: timestamps as
``2026-11-26 14:30:05.000``, NULL as ``NULL`` in the table, empty in CSV, ``null``
in JSON.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from infra.local.athena.engine import QueryResult

Format = Literal["table", "csv", "json"]
FORMATS: tuple[Format, ...] = ("table", "csv", "json")


def _text(value: Any) -> str:
    """One value as Athena shows it; NULL as the empty string."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="milliseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _json_value(value: Any) -> Any:
    """JSON keeps numbers and booleans; times and decimals become text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return float(value) if isinstance(value, Decimal) else _text(value)


def _table(result: QueryResult) -> str:
    """Columns padded to their widest cell; numbers right-aligned."""
    cells = [[_text(v) if v is not None else "NULL" for v in row] for row in result.rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(result.columns)]
    numeric = [
        all(isinstance(row[i], int | float | Decimal) or row[i] is None for row in result.rows)
        for i in range(len(result.columns))
    ]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)
        ]
        return " | ".join(parts).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    body = [line(r) for r in cells]
    count = f"({len(cells)} row{'s' if len(cells) != 1 else ''})"
    return "\n".join([line(list(result.columns)), rule, *body, count])


def _csv(result: QueryResult) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    writer.writerows([_text(v) for v in row] for row in result.rows)
    return out.getvalue().rstrip("\n")


def _json(result: QueryResult) -> str:
    rows = [
        {c: _json_value(v) for c, v in zip(result.columns, row, strict=True)} for row in result.rows
    ]
    return json.dumps(rows, ensure_ascii=False, indent=2)


def format_result(result: QueryResult, fmt: Format) -> str:
    """The result in one of ``FORMATS``."""
    formatters = {"table": _table, "csv": _csv, "json": _json}
    if fmt not in formatters:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return formatters[fmt](result)
