"""What gold saves and costs on AWS: dashboards over 30 days of history, and the compaction.

A dashboard query that spans history (the 30-day summary, coverage) reads 30 days of
silver CSV before gold; after, 29 days of gold Parquet (``gold_size_ratio`` times
smaller, the measurement of issue 12) plus today's silver. Athena bills both with its
10 MB minimum per query. The compaction pays one UNLOAD scan of each closed day, the
Step Functions transitions (a run per day, plus three for every silver object of today
that the late-data rule sees), and gold's storage. Prices and assumptions:
``infra/prices.yaml``; ``python -m infra.aws.costs`` prints this table under the main one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.aws import costs

TB = costs.TIB


@dataclass(frozen=True, slots=True)
class GoldCost:
    """Bytes per history query and dollars per month, before and after gold."""

    day_bytes: float
    query_before: float
    query_after: float
    dashboards_before: float
    dashboards_after: float
    compaction: float
    gold_growth: float


def _scanned(bytes_: float, p: Mapping[str, Any]) -> float:
    """What Athena bills for a query that reads ``bytes_``."""
    return max(float(p["athena"]["minimum_bytes_per_query"]), bytes_)


def gold_cost(s: costs.Scenario, p: Mapping[str, Any]) -> GoldCost:
    """The gold layer for one scenario."""
    a, g = p["assumptions"], p["gold"]
    days = int(a["days_per_month"])
    day = costs._month_bytes(s, a, "silver_line_bytes") / days
    history = int(g["history_days"])
    before = _scanned(history * day, p)
    after = _scanned((history - 1) * day / g["gold_size_ratio"] + day / 2, p)
    queries = a["dashboard_queries_per_day"] * g["history_queries_per_refresh"] * days
    tb = p["athena"]["per_tb_scanned"]
    return GoldCost(
        day_bytes=day,
        query_before=before,
        query_after=after,
        dashboards_before=queries * before / TB * tb,
        dashboards_after=queries * after / TB * tb,
        compaction=_compaction(s, p, day),
        gold_growth=days
        * day
        / g["gold_size_ratio"]
        / costs.GIB
        * p["s3"]["standard_per_gb_month"],
    )


def _compaction(s: costs.Scenario, p: Mapping[str, Any], day: float) -> float:
    """A month of compaction: UNLOAD scans, state transitions and S3 requests."""
    a, g = p["assumptions"], p["gold"]
    days = int(a["days_per_month"])
    unload = days * _scanned(day, p) / TB * p["athena"]["per_tb_scanned"]
    objects = costs._objects_per_minute(s, a) * costs._minutes(s, a)
    transitions = (
        days * g["transitions_per_closed_day"] + objects * g["transitions_per_live_object"]
    )
    states = transitions / 1e3 * p["stepfunctions"]["per_thousand_transitions"]
    requests = days * g["s3_requests_per_closed_day"] / 1e3 * p["s3"]["per_thousand_put"]
    return float(unload + states + requests)


def _mb(value: float) -> str:
    """Bytes as MB or GB."""
    return f"{value / 1e9:,.1f} GB" if value >= 1e9 else f"{value / 1e6:,.1f} MB"


def render_gold_table(p: Mapping[str, Any]) -> str:
    """The gold table, its assumptions and their source."""
    head = (
        "| Symbols | Polling | Silver per day | 30-day query, silver | with gold | "
        "Dashboards / month, silver | with gold | Compaction / month | Gold per extra month |"
        "\n|---:|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    rows = []
    for s in costs.scenarios():
        c = gold_cost(s, p)
        cells = [f"{s.symbols:,}", s.label, _mb(c.day_bytes), _mb(c.query_before)]
        cells += [_mb(c.query_after), costs._money(c.dashboards_before)]
        cells += [f"**{costs._money(c.dashboards_after)}**", costs._money(c.compaction)]
        cells += ["+" + costs._money(c.gold_growth)]
        rows.append("| " + " | ".join(cells) + " |")
    g = p["gold"]
    notes = [
        f"Dashboards: {g['history_queries_per_refresh']} queries spanning {g['history_days']} days "
        f"per refresh, {p['assumptions']['dashboard_queries_per_day']} refreshes a day, polling "
        "around the clock.",
        f"Gold is {g['gold_size_ratio']}x smaller than silver ({g['gold_size_ratio_source']}); "
        "Parquet lets Athena read only the columns a query uses, so this is an upper bound.",
        f"Step Functions: [{p['stepfunctions']['source']}]({p['stepfunctions']['source']}). "
        "Gold assumptions: "
        + ", ".join(f"{k}={v}" for k, v in g.items() if k != "gold_size_ratio_source")
        + ".",
    ]
    return "\n".join([head, *rows, "", *notes])
