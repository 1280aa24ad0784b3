"""`quotepipe backfill`'s command line: times read as UTC, mistakes refused in one line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from infra.cli.arguments import utc_time
from infra.cli.main import main


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-25T14:30:00Z", datetime(2026, 11, 25, 14, 30, tzinfo=UTC)),
        ("2026-11-25T09:30-05:00", datetime(2026, 11, 25, 14, 30, tzinfo=UTC)),
        ("2026-11-25T14:30", datetime(2026, 11, 25, 14, 30, tzinfo=UTC)),
        ("2026-11-25", datetime(2026, 11, 25, tzinfo=UTC)),
    ],
)
def test_times_are_read_as_utc(text: str, expected: datetime) -> None:
    assert utc_time(text) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--from", "yesterday", "--to", "2026-11-25"],
            "argument --from: 'yesterday' is not an ISO",
        ),
        (["--from", "2026-11-25", "--to", "2026-11-25"], "--from must be before --to"),
        (["--from", "2026-11-25", "--to", "2026-11-26", "--yahoo-url", "ftp://x"], "--yahoo-url"),
    ],
)
def test_mistakes_are_refused_in_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as stopped:
        code = main(["backfill", *args, "--lake", str(tmp_path)])
        raise SystemExit(code)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not any(tmp_path.iterdir())  # nothing read or written


def test_an_empty_lake_without_symbols_has_nothing_to_backfill(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["backfill", "--from", "2026-11-25", "--to", "2026-11-26", "--lake", str(tmp_path)])
    assert code == 1
    assert "nothing to backfill: no --symbols given and no symbol in" in capsys.readouterr().out
