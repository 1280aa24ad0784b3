"""`quotepipe replay --lake`: bronze on disk re-processed into silver on disk, through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.cli.main import main
from tests.processor.helpers import TRADE_2019, line

DAY = "2026-11-26"


def put(lake: Path, name: str, body: bytes) -> Path:
    """A bronze object of ``DAY`` in the lake."""
    path = lake / "bronze" / "quotes" / f"dt={DAY}" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path


def replay(lake: Path) -> int:
    return main(["replay", "--from", DAY, "--to", DAY, "--lake", str(lake)])


def query(lake: Path, sql: str, capsys: pytest.CaptureFixture[str]) -> list[str]:
    capsys.readouterr()
    assert main(["query", "--lake", str(lake), "--format", "csv", sql]) == 0
    return capsys.readouterr().out.splitlines()


def test_a_2019_trade_is_rejected_and_shows_in_silver_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a lake whose bronze holds a good quote and one traded in 2019
    put(tmp_path, "a", (line() + line(trade_time=TRADE_2019, fetched_at=TRADE_2019 + 40)).encode())
    # WHEN it is replayed
    assert replay(tmp_path) == 0
    assert "rows_rejected=1" in capsys.readouterr().out
    # THEN a query of silver_rejected shows the line with its reason
    rows = query(tmp_path, "SELECT reason, line_number FROM silver_rejected", capsys)
    assert rows[1:] == ["trade_time_out_of_range,2"]
    assert query(tmp_path, "SELECT count(*) AS n FROM silver_quotes", capsys)[1:] == ["1"]
