"""The quotepipe command line: options as the contract names them, errors that say what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.cli.main import main, parser


def test_run_defaults() -> None:
    args = parser().parse_args(["run"])
    assert (args.ticks, args.interval, args.symbols, args.lake) == (2, 5.0, (), Path("lake"))
    assert args.symbols_file is None and args.yahoo_url is None


def test_run_options_are_parsed() -> None:
    args = parser().parse_args(
        ["run", "--ticks", "3", "--interval", "0.5", "--symbols", "aapl, brk.b,,MSFT",
         "--yahoo-url", "http://localhost:9", "--lake", "/tmp/l"]
    )  # fmt: skip
    assert args.ticks == 3 and args.interval == 0.5
    assert args.symbols == ("aapl", "brk.b", "MSFT")
    assert args.yahoo_url == "http://localhost:9" and args.lake == Path("/tmp/l")


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--ticks", "0"],
        ["run", "--interval", "-1"],
        ["run", "--symbols", "A", "--symbols-file", "f.txt"],
        ["query"],
        ["replay", "--from", "2026-11-26"],
        ["replay", "--from", "26/11/2026", "--to", "2026-11-27"],
    ],
)
def test_bad_arguments_exit_with_usage(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        parser().parse_args(argv)
    assert exit_.value.code == 2


def test_replay_with_dates_reversed_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "--from", "2026-11-27", "--to", "2026-11-26", "--lake", "x"]) == 2
    assert "--from is after --to" in capsys.readouterr().err


def test_replay_without_a_target_says_how(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRONZE_BUCKET", raising=False)
    monkeypatch.delenv("SILVER_BUCKET", raising=False)
    assert main(["replay", "--from", "2026-11-26", "--to", "2026-11-26"]) == 2
    assert "--bronze-bucket" in capsys.readouterr().err
