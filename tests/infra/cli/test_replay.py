"""`quotepipe replay --lake`: bronze on disk re-processed into silver on disk, through the CLI."""

from __future__ import annotations

import gzip
import importlib
from pathlib import Path
from typing import Any

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
    # AND silver_stats holds the object's counts under its arrival date
    stats = "SELECT dt, lines_in, rows_written, rows_rejected FROM silver_stats"
    assert query(tmp_path, stats, capsys)[1:] == [f"{DAY},2,1,1"]


def silver_files(lake: Path) -> list[str]:
    """Silver and rejected files of the lake, relative to its silver folder (stats left out)."""
    found = (p.relative_to(lake / "silver").as_posix() for p in lake.rglob("silver/**/*.csv"))
    return sorted(name for name in found if not name.startswith("stats/"))


def test_replay_goes_past_a_truncated_gzip_names_it_and_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a truncated gzip bronze object between two good ones
    put(tmp_path, "a", line().encode())
    put(tmp_path, "b.gz", gzip.compress(line().encode() * 50)[:-30])
    put(tmp_path, "c", line(symbol="AAPL").encode())
    # WHEN the day is replayed
    code = replay(tmp_path)
    out, err = capsys.readouterr()
    # THEN it exits 1, names the corrupt object, and both good objects reached the lake
    assert code == 1
    assert f"quotes/dt={DAY}/b.gz: bronze stream is corrupt or truncated" in err
    assert "objects=2 " in out and "failed_objects=1" in out
    assert [f.split("/")[-1][:2] for f in silver_files(tmp_path)] == ["a-", "c-"]
    # AND so did their stats objects, which pipeline_health reads
    stats = sorted(p.name[:2] for p in (tmp_path / "silver" / "stats" / f"dt={DAY}").iterdir())
    assert stats == ["a-", "c-"]


def test_objects_replayed_before_an_interruption_are_already_in_the_lake(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN two bronze objects and a replay interrupted (Ctrl-C) while on the second
    put(tmp_path, "a", line().encode())
    put(tmp_path, "b", line(symbol="AAPL").encode())
    module = importlib.import_module("processor.replay")  # the package re-exports a function

    real = module.process_object

    def interrupt_on_b(s3: Any, obj: Any, settings: Any) -> Any:
        if obj.key.endswith("/b"):
            raise KeyboardInterrupt
        return real(s3, obj, settings)

    monkeypatch.setattr(module, "process_object", interrupt_on_b)
    # WHEN the replay is interrupted THEN it exits as Ctrl-C does
    assert replay(tmp_path) == 130
    # AND the first object's silver is already on disk
    assert [f.split("/")[-1][:2] for f in silver_files(tmp_path)] == ["a-"]


def test_rejected_objects_from_before_raw_length_still_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a rejected object of the old five columns next to a new one
    old = tmp_path / "silver" / "rejected" / f"dt={DAY}" / "old.csv"
    old.parent.mkdir(parents=True)
    old.write_text(
        '"reason","detail","raw_line","source_key","line_number"\n'
        '"bad_price","x","1,T","quotes/old","7"\n'
    )
    put(tmp_path, "a", b"1,T\n")
    assert replay(tmp_path) == 0
    # WHEN silver_rejected is queried THEN the old row reads raw_length as NULL
    rows = query(
        tmp_path,
        "SELECT source_key, raw_length IS NULL AS old FROM silver_rejected ORDER BY 1",
        capsys,
    )
    assert rows[1:] == [f"quotes/dt={DAY}/a,false", "quotes/old,true"]
