"""infra.aws.costs: the cost table comes from dated prices, and its arithmetic holds."""

from __future__ import annotations

import re
from typing import Any

import pytest

from infra.aws.costs import (
    Scenario,
    firehose_cost,
    lambda_cost,
    load_prices,
    main,
    monthly_cost,
    render_table,
)


@pytest.fixture(scope="module")
def prices() -> dict[str, Any]:
    """infra/prices.yaml."""
    return load_prices()


def test_every_price_has_a_date_and_a_source(prices: dict[str, Any]) -> None:
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", prices["recorded"])
    assert prices["region"] == "us-east-1"
    for service in ("lambda", "firehose", "s3", "athena", "cloudwatch"):
        assert prices[service]["source"].startswith("https://aws.amazon.com/")


def test_firehose_bills_each_record_in_5_kb_steps(prices: dict[str, Any]) -> None:
    # 100 symbols x 110 B = 11,000 B per tick: one record, billed as 15 KiB.
    one_minute = Scenario(100, 1, "1 min")
    ticks = 30 * 24 * 60
    expected = 3 * 5120 * ticks / 1024**3 * prices["firehose"]["per_gb_ingested"]
    assert firehose_cost(one_minute, prices) == pytest.approx(expected)


def test_sub_minute_polling_keeps_the_producer_running(prices: dict[str, Any]) -> None:
    # 6 ticks 10 s apart: ~50 s billed per minute instead of ~1 s.
    every_minute = lambda_cost(Scenario(100, 1, "1 min"), prices)
    every_10s = lambda_cost(Scenario(100, 6, "10 s"), prices)
    assert every_10s > 20 * every_minute


def test_following_sessions_polls_a_fraction_of_the_month(prices: dict[str, Any]) -> None:
    around = Scenario(1_000, 1, "1 min")
    following = Scenario(1_000, 1, "1 min", follow_sessions=True)
    a = prices["assumptions"]
    share = a["session_minutes_per_month"] / (a["days_per_month"] * 24 * 60)
    # Firehose bills per tick, so it scales exactly with the minutes polled
    assert firehose_cost(following, prices) == pytest.approx(firehose_cost(around, prices) * share)
    # Lambda also pays for the idle invocations of the window, so a little more than the share
    assert share * lambda_cost(around, prices) < lambda_cost(following, prices)
    assert lambda_cost(following, prices) < 0.5 * lambda_cost(around, prices)
    assert monthly_cost(following, prices).total < monthly_cost(around, prices).total


def test_costs_grow_with_symbols(prices: dict[str, Any]) -> None:
    totals = [monthly_cost(Scenario(n, 1, "1 min"), prices).total for n in (100, 1_000, 10_000)]
    assert totals == sorted(totals)


def test_table_has_a_row_per_size_and_polling(prices: dict[str, Any]) -> None:
    table = render_table(prices)
    rows = [line for line in table.splitlines() if re.match(r"\| [\d,]+ \|", line)]
    assert len(rows) == 6
    assert "recorded 2026-11-26" in table
    assert "bronze_line_bytes=110" in table


def test_main_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    main([])
    assert capsys.readouterr().out.startswith("| Symbols | Polling | Lambda |")


def test_gold_reads_history_ratio_times_less(prices: dict[str, Any]) -> None:
    from infra.aws.gold_costs import gold_cost

    c = gold_cost(Scenario(1_000, 1, "1 min"), prices)
    g = prices["gold"]
    # 1,000 symbols x 250 B x 1,440 minutes: 360 MB of silver a day
    assert c.day_bytes == pytest.approx(360e6)
    assert c.query_before == pytest.approx(30 * c.day_bytes)
    assert c.query_after == pytest.approx(29 * c.day_bytes / g["gold_size_ratio"] + c.day_bytes / 2)
    assert c.dashboards_before / c.dashboards_after == pytest.approx(c.query_before / c.query_after)
    assert c.dashboards_after < c.dashboards_before / 10


def test_compaction_pays_one_scan_per_closed_day_and_the_live_object_filter(
    prices: dict[str, Any],
) -> None:
    from infra.aws.gold_costs import gold_cost

    small, large = (gold_cost(Scenario(n, 1, "1 min"), prices) for n in (100, 10_000))
    athena = prices["athena"]["per_tb_scanned"] / 1024**4
    unload_difference = 30 * (large.day_bytes - small.day_bytes) * athena
    # the same number of silver objects (one per minute): only the UNLOAD scans differ
    assert large.compaction - small.compaction == pytest.approx(unload_difference)
    filter_cost = 30 * 1440 * 3 / 1e3 * prices["stepfunctions"]["per_thousand_transitions"]
    assert small.compaction > filter_cost


def test_main_prints_the_gold_table(capsys: pytest.CaptureFixture[str]) -> None:
    main([])
    out = capsys.readouterr().out
    assert "| Symbols | Polling | Silver per day | 30-day query, silver | with gold |" in out
    assert "6.7 MB of ZSTD Parquet" in out
