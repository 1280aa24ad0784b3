"""What Grafana and its Athena plugin do to a query's SQL before Athena sees it.

Grafana's frontend first replaces template variables (``${symbol:singlequote}``,
``$__interval``); the plugin's backend (grafana/athena-datasource ``pkg/athena/macros.go``,
through grafana/sqlds) then expands its macros for the query's time range, in UTC:

- ``$__timeFilter(c)`` → ``c BETWEEN TIMESTAMP 'yyyy-MM-dd HH:mm:ss' AND TIMESTAMP '…'``
- ``$__dateFilter(c)`` → ``c BETWEEN date 'yyyy-MM-dd' AND date '…'``
- ``$__timeFrom()`` / ``$__timeTo()`` → ``TIMESTAMP 'yyyy-MM-dd HH:mm:ss'``
- ``$__timeGroup(c, '5m')`` → ``FROM_UNIXTIME(FLOOR(TO_UNIXTIME(c)/300)*300)``
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

_MACRO = re.compile(r"\$__(\w+)\(")
_VARIABLE = re.compile(r"\$\{(\w+)(?::(\w+))?\}|\$(\w+)")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
Range = tuple[datetime, datetime]


def _stamp(moment: datetime) -> str:
    return f"TIMESTAMP '{moment:%Y-%m-%d %H:%M:%S}'"


def _seconds(interval: str) -> str:
    """An interval such as ``'5m'`` in seconds, printed as Go's ``%v`` prints a float."""
    text = interval.strip().strip("'")
    return f"{float(text[:-1]) * _UNITS[text[-1]]:g}"


def _time_group(args: Sequence[str], _: Range) -> str:
    step = _seconds(args[1])
    return f"FROM_UNIXTIME(FLOOR(TO_UNIXTIME({args[0]})/{step})*{step})"


MACROS: dict[str, Callable[[Sequence[str], Range], str]] = {
    "timeFilter": lambda a, r: f"{a[0]} BETWEEN {_stamp(r[0])} AND {_stamp(r[1])}",
    "dateFilter": lambda a, r: f"{a[0]} BETWEEN date '{r[0]:%Y-%m-%d}' AND date '{r[1]:%Y-%m-%d}'",
    "timeFrom": lambda a, r: _stamp(r[0]),
    "timeTo": lambda a, r: _stamp(r[1]),
    "timeGroup": _time_group,
    "unixEpochFilter": lambda a, r: (
        f"{a[0]} BETWEEN {r[0].timestamp():.0f} AND {r[1].timestamp():.0f}"
    ),
}


def _arguments(sql: str, start: int) -> tuple[list[str], int]:
    """The comma-separated arguments after ``(`` at ``start``, and where ``)`` is."""
    depth, quoted, args, current = 0, False, [], ""
    for index in range(start, len(sql)):
        char = sql[index]
        if char == "'":
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")":
            if depth == 0:
                args.append(current.strip())
                return [a for a in args if a], index
            depth -= 1
        elif not quoted and char == "," and depth == 0:
            args.append(current.strip())
            current = ""
            continue
        current += char
    raise ValueError(f"unclosed macro call at {start}")


def expand_macros(sql: str, time_range: Range) -> str:
    """The plugin's macro expansion for one time range (UTC); an unknown macro fails."""
    while found := _MACRO.search(sql):
        args, end = _arguments(sql, found.end())
        expanded = MACROS[found.group(1)](args, time_range)
        sql = sql[: found.start()] + expanded + sql[end + 1 :]
    return sql


def _format(values: Sequence[str], how: str | None) -> str:
    """Grafana's variable formats that quotepipe's queries use."""
    if how == "singlequote":  # Grafana escapes a quote inside a value with a backslash
        return ",".join("'" + v.replace("'", "\\'") + "'" for v in values)
    if how is None and len(values) == 1:
        return values[0]
    raise ValueError(f"format {how!r} of {values!r} is not one quotepipe's queries use")


def interpolate(sql: str, variables: Mapping[str, Sequence[str]]) -> str:
    """Grafana's template-variable replacement; macros (``$__name(``) are left to the plugin."""

    def replace(found: re.Match[str]) -> str:
        name = found.group(1) or found.group(3)
        if name.startswith("__") and name not in variables:  # a macro, or $__timeFilter
            return found.group(0)
        return _format(variables[name], found.group(2))

    return _VARIABLE.sub(replace, sql)


def as_sent(sql: str, variables: Mapping[str, Sequence[str]], time_range: Range) -> str:
    """The SQL Athena receives for a panel: variables, then macros."""
    return expand_macros(interpolate(sql, variables), time_range)


def grafana_range(end: datetime, hours: float) -> Range:
    """A dashboard time range ending at ``end`` (UTC, naive)."""
    return end - timedelta(hours=hours), end
