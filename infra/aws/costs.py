"""Monthly AWS cost of quotepipe for a few sizes, from list prices recorded with their date.

``python -m infra.aws.costs`` prints a markdown table (100 / 1,000 / 10,000 symbols, polled every
minute or every 10 seconds) followed by the prices' date and sources and every assumption.
Prices and assumptions live in ``infra/prices.yaml``; this module only does arithmetic.
Each row is priced twice: polling around the clock, and following sessions (the template's
default: the schedule's window, FOLLOW_SESSIONS, a US listing's session minutes; an
invocation with every exchange closed returns at once). 10-second polling is 6 ticks per
invocation, so the producer stays up (and is billed) for most of each minute it polls.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PRICES_PATH = Path(__file__).parent.parent / "prices.yaml"
GIB = 1024**3
TIB = 1024**4
SIZES = (100, 1_000, 10_000)
POLLING = (("1 min", 1), ("10 s", 6))  # label, ticks per minute


@dataclass(frozen=True, slots=True)
class Scenario:
    """How many symbols, polled how often."""

    symbols: int
    ticks_per_minute: int
    label: str
    follow_sessions: bool = False


@dataclass(frozen=True, slots=True)
class Cost:
    """Dollars per month by service; ``s3_growth`` is what each further month kept adds."""

    lambda_: float
    firehose: float
    s3: float
    athena: float
    cloudwatch: float
    s3_growth: float
    scan_capped: bool

    @property
    def total(self) -> float:
        """Everything for the first month."""
        return self.lambda_ + self.firehose + self.s3 + self.athena + self.cloudwatch


def load_prices(path: Path | None = None) -> dict[str, Any]:
    """Read the recorded prices and assumptions."""
    data: dict[str, Any] = yaml.safe_load((path or PRICES_PATH).read_text(encoding="utf-8"))
    return data


def _minutes(s: Scenario, a: Mapping[str, Any]) -> int:
    """Minutes a month that poll Yahoo: all of them, or the session's."""
    if s.follow_sessions:
        return int(a["session_minutes_per_month"])
    return int(a["days_per_month"]) * 24 * 60


def _idle_invocations(s: Scenario, a: Mapping[str, Any]) -> int:
    """Scheduled invocations that find every exchange closed and return at once."""
    return int(a["schedule_minutes_per_month"]) - _minutes(s, a) if s.follow_sessions else 0


def _memory_gb(s: Scenario, a: Mapping[str, Any]) -> float:
    """Function memory in GB for this many symbols."""
    large = s.symbols >= a["large_from_symbols"]
    return float(a["large_memory_mb" if large else "small_memory_mb"]) / 1024


def _tick_seconds(s: Scenario, a: Mapping[str, Any]) -> float:
    """One poll: batches of symbols, a few in flight at a time."""
    rounds = math.ceil(math.ceil(s.symbols / a["yahoo_batch_size"]) / a["yahoo_concurrency"])
    return float(a["producer_overhead_seconds"] + rounds * a["yahoo_seconds_per_batch"])


def _invocation_seconds(s: Scenario, a: Mapping[str, Any]) -> float:
    """Billed producer time per invocation, sleeps between ticks included."""
    interval = 60 / s.ticks_per_minute
    return (s.ticks_per_minute - 1) * interval + _tick_seconds(s, a)


def _bronze_per_minute(s: Scenario, a: Mapping[str, Any]) -> int:
    """Bronze bytes Firehose receives each minute."""
    return int(s.symbols * a["bronze_line_bytes"] * s.ticks_per_minute)


def _objects_per_minute(s: Scenario, a: Mapping[str, Any]) -> int:
    """Bronze objects Firehose writes each minute (time- or size-triggered)."""
    by_size = math.ceil(_bronze_per_minute(s, a) / a["firehose_buffer_bytes"])
    return max(60 // int(a["firehose_buffer_seconds"]), int(by_size))


def lambda_cost(s: Scenario, p: Mapping[str, Any]) -> float:
    """Producer and processor requests and GB-seconds."""
    a, price = p["assumptions"], p["lambda"]
    minutes, objects, idle = _minutes(s, a), _objects_per_minute(s, a), _idle_invocations(s, a)
    per_object = a["processor_overhead_seconds"] + (
        _bronze_per_minute(s, a) / objects / 1e6 / a["processor_mb_per_second"]
    )
    seconds = _invocation_seconds(s, a) + objects * per_object
    requests = minutes * (1 + objects) + idle
    gb_seconds = (minutes * seconds + idle * a["idle_invocation_seconds"]) * _memory_gb(s, a)
    return float(requests / 1e6 * price["per_million_requests"]) + float(
        gb_seconds * price["per_gb_second_x86"]
    )


def firehose_cost(s: Scenario, p: Mapping[str, Any]) -> float:
    """Ingestion, every record rounded up to the billing increment."""
    a, price = p["assumptions"], p["firehose"]
    tick_bytes = s.symbols * a["bronze_line_bytes"]
    full, rest = divmod(tick_bytes, a["firehose_record_bytes"])
    unit = price["billing_increment_bytes"]
    billed = full * a["firehose_record_bytes"] + math.ceil(rest / unit) * unit
    ticks = _minutes(s, a) * s.ticks_per_minute
    return float(billed * ticks / GIB * price["per_gb_ingested"])


def _month_bytes(s: Scenario, a: Mapping[str, Any], line: str) -> float:
    """Bronze or silver bytes written in a month."""
    return float(s.symbols * a[line] * s.ticks_per_minute * _minutes(s, a))


def s3_cost(s: Scenario, p: Mapping[str, Any]) -> tuple[float, float]:
    """(first month: requests + storage filling up, each further month kept adds)."""
    a, price = p["assumptions"], p["s3"]
    objects = _objects_per_minute(s, a) * _minutes(s, a)
    queries = a["dashboard_queries_per_day"] * a["days_per_month"]
    athena_gets = queries * objects / a["days_per_month"] / 2
    requests = (2 * objects * price["per_thousand_put"] + objects * price["per_thousand_get"]) / 1e3
    requests += athena_gets * price["per_thousand_get"] / 1e3
    bronze, silver = (
        _month_bytes(s, a, "bronze_line_bytes"),
        _month_bytes(s, a, "silver_line_bytes"),
    )
    first = (bronze + silver) / 2 / GIB * price["standard_per_gb_month"]
    growth = (
        bronze * price["standard_ia_per_gb_month"] + silver * price["standard_per_gb_month"]
    ) / GIB
    return float(requests + first), float(growth)


def athena_cost(
    s: Scenario, p: Mapping[str, Any], cutoff: float = 1073741824
) -> tuple[float, bool]:
    """Dashboard queries that each scan today's partition; True when that passes ``cutoff``."""
    a, price = p["assumptions"], p["athena"]
    day = _month_bytes(s, a, "silver_line_bytes") / a["days_per_month"]
    per_query = max(float(price["minimum_bytes_per_query"]), day / 2)
    queries = a["dashboard_queries_per_day"] * a["days_per_month"]
    return float(queries * per_query / TIB * price["per_tb_scanned"]), day > cutoff


def cloudwatch_cost(s: Scenario, p: Mapping[str, Any]) -> float:
    """Alarms, custom metrics (EMF) and log ingestion."""
    a, price = p["assumptions"], p["cloudwatch"]
    minutes = _minutes(s, a)
    log_bytes = minutes * (
        s.ticks_per_minute * a["log_bytes_per_tick"]
        + _objects_per_minute(s, a) * a["log_bytes_per_object"]
    )
    fixed = (
        a["alarms"] * price["per_alarm_month"]
        + a["custom_metrics"] * price["per_custom_metric_month"]
    )
    return float(fixed + log_bytes / GIB * price["logs_per_gb_ingested"])


def monthly_cost(s: Scenario, p: Mapping[str, Any]) -> Cost:
    """Every service's monthly cost for one scenario."""
    s3_first, s3_growth = s3_cost(s, p)
    athena, capped = athena_cost(s, p)
    return Cost(
        lambda_=lambda_cost(s, p),
        firehose=firehose_cost(s, p),
        s3=s3_first,
        athena=athena,
        cloudwatch=cloudwatch_cost(s, p),
        s3_growth=s3_growth,
        scan_capped=capped,
    )


def scenarios() -> list[Scenario]:
    """The table's rows."""
    return [Scenario(n, ticks, label) for n in SIZES for label, ticks in POLLING]


def _money(value: float) -> str:
    """Dollars with cents, or '< $0.01'."""
    return "< $0.01" if 0 < value < 0.005 else f"${value:,.2f}"


def _row(s: Scenario, p: Mapping[str, Any]) -> str:
    """One markdown table row: around the clock, then the total following sessions."""
    c = monthly_cost(s, p)
    following = monthly_cost(dataclasses.replace(s, follow_sessions=True), p)
    athena = _money(c.athena) + (" †" if c.scan_capped else "")
    cells = [f"{s.symbols:,}", s.label, _money(c.lambda_), _money(c.firehose), _money(c.s3)]
    cells += [athena, _money(c.cloudwatch), f"**{_money(c.total)}**", "+" + _money(c.s3_growth)]
    cells += [f"**{_money(following.total)}**", "+" + _money(following.s3_growth)]
    return "| " + " | ".join(cells) + " |"


def render_table(p: Mapping[str, Any]) -> str:
    """The markdown table, the prices' provenance and the assumptions."""
    head = "| Symbols | Polling | Lambda | Firehose | S3 | Athena | CloudWatch | Total / month "
    head += "| S3 per extra month kept | Total, following sessions | S3 per extra month, "
    head += "following |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    rows = [_row(s, p) for s in scenarios()]
    return "\n".join([head, *rows, "", *_notes(p)])


def _notes(p: Mapping[str, Any]) -> list[str]:
    """Footnotes: the cutoff mark, where prices come from, what is assumed."""
    services = ("lambda", "firehose", "s3", "athena", "cloudwatch")
    sources = ", ".join(f"[{name}]({p[name]['source']})" for name in services)
    return [
        "S3 includes Athena's GET requests: each query reads every silver object of the day.",
        "† One day of silver is larger than the default BytesScannedCutoffPerQuery (1 GiB):",
        "raise it, or queries over today's partition are cancelled later in the day (the",
        "cost shown assumes they run). CSV cannot skip columns, so scans grow with rows.",
        f"Prices: {p['region']}, on-demand, no free tier, recorded {p['recorded']} ({sources}).",
        "Assumptions: " + ", ".join(f"{k}={v}" for k, v in p["assumptions"].items()) + ".",
    ]


def main(argv: Sequence[str] | None = None) -> None:
    """Print the cost table (optionally from another prices file)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prices", type=Path, default=PRICES_PATH)
    args = parser.parse_args(argv)
    prices = load_prices(args.prices)
    print(render_table(prices))
    from infra.aws.gold_costs import render_gold_table  # it builds on this module

    print("\n" + render_gold_table(prices))


if __name__ == "__main__":
    main()
