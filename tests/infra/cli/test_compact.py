"""`quotepipe compact` from the command line: progress, summary, closed days only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from infra.cli.main import main
from tests.sql.golden_lake import write_golden_lake


def test_compact_shows_progress_then_a_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lake = write_golden_lake(tmp_path / "lake")
    assert main(["compact", "--lake", str(lake)]) == 0
    out, err = capsys.readouterr()
    assert "[1/2] dt=2026-11-25: 1 silver object(s), 2 rows" in err
    assert "[2/2] dt=2026-11-26: 3 silver object(s), 8 rows" in err
    assert out.startswith("gold: compacted 2 day(s), 10 rows")
    assert main(["compact", "--lake", str(lake), "--from", "2026-11-26", "--to", "2026-11-26"]) == 0
    assert capsys.readouterr().out.strip() == "gold: nothing to compact (1 day(s) already current)"


def test_compact_refuses_a_day_still_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lake = write_golden_lake(tmp_path / "lake")
    today = datetime.now(UTC).date().isoformat()
    assert main(["compact", "--lake", str(lake), "--to", today]) == 2
    assert "--to must be a closed day" in capsys.readouterr().err
    assert not (lake / "gold").exists()
