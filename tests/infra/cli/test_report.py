"""The run summary counts the lake's objects by bucket and prefix, whatever the lake is called."""

from __future__ import annotations

from pathlib import Path

from infra.cli.report import summarise
from infra.local.pipeline import RunResult


def test_counts_by_bucket_even_when_the_lake_path_names_a_bucket() -> None:
    lake = Path("/data/bronze/silver/lake")
    files = [
        lake / "bronze/quotes/dt=2026-11-26/a",
        lake / "bronze/quotes/dt=2026-11-26/b",
        lake / "silver/quotes/dt=2026-11-26/a-1.csv",
        lake / "silver/rejected/dt=2026-11-26/a-1.csv",
    ]
    first_line = summarise(RunResult(lake=lake, market_url="", files=files)).splitlines()[0]
    assert first_line.endswith("2 bronze objects, 1 silver objects, 1 rejected objects")
