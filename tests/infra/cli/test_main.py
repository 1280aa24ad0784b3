"""The quotepipe command line: options as the contract names them, errors that say what to do."""

from __future__ import annotations

import subprocess
import sys
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


def test_replay_with_dates_reversed_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    argv = ["replay", "--from", "2026-11-27", "--to", "2026-11-26", "--lake", str(tmp_path)]
    assert main(argv) == 2
    assert "--from is after --to" in capsys.readouterr().err


def test_replay_without_a_target_says_how(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRONZE_BUCKET", raising=False)
    monkeypatch.delenv("SILVER_BUCKET", raising=False)
    assert main(["replay", "--from", "2026-11-26", "--to", "2026-11-26"]) == 2
    assert "--bronze-bucket" in capsys.readouterr().err


def _one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    """Run ``quotepipe argv``; return the exit code and its only stderr line."""
    try:
        code = main(argv)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert captured.out == ""
    return code, lines[0]


@pytest.fixture
def symbol_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "binary": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe",
        "utf16": "AAPL\nMSFT\n".encode("utf-16"),
        "utf16le": "AAPL\nMSFT\n".encode("utf-16-le"),  # no BOM: valid UTF-8 with NULs
        "empty": b"# nothing but a comment\n",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return {name: tmp_path / name for name in files} | {"missing": tmp_path / "missing.txt"}


@pytest.mark.parametrize("kind", ["missing", "binary", "utf16", "utf16le", "empty"])
def test_a_bad_symbols_file_is_one_line_before_the_stack_starts(
    capsys: pytest.CaptureFixture[str], symbol_files: dict[str, Path], kind: str
) -> None:
    path, lake = symbol_files[kind], symbol_files[kind].parent / "lake"
    code, line = _one_line_error(capsys, ["run", "--symbols-file", str(path), "--lake", str(lake)])
    assert code == 2
    assert "--symbols-file" in line and str(path) in line
    assert not lake.exists()  # refused before the run touched anything


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["run", "--yahoo-url", "not a url"], "--yahoo-url"),
        (["run", "--yahoo-url", "ftp://example.com"], "--yahoo-url"),
        (["run", "--yahoo-url", "http://localhost:port"], "--yahoo-url"),
        (["run", "--interval", "inf"], "--interval"),
        (["run", "--interval", "nan"], "--interval"),
        (["run", "--interval", "1e300"], "--interval"),
        (["run", "--interval", "soon"], "--interval"),
        (["run", "--ticks", "many"], "--ticks"),
        (["run", "--dashboard", "70000"], "--dashboard"),
        (["dashboard", "--serve", "--port", "-1"], "--port"),
        (["dashboard", "--serve", "--refresh", "0"], "--refresh"),
        (["dashboard", "--serve", "--refresh", "nan"], "--refresh"),
    ],
)
def test_bad_run_values_are_one_line_naming_the_argument(
    capsys: pytest.CaptureFixture[str], argv: list[str], named: str
) -> None:
    code, line = _one_line_error(capsys, argv)
    assert code == 2
    assert named in line


def test_a_run_lake_that_is_a_file_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "lake").write_text("not a folder")
    code, line = _one_line_error(capsys, ["run", "--lake", str(tmp_path / "lake")])
    assert code == 2 and "--lake" in line


@pytest.mark.parametrize("command", ["query", "dashboard"])
def test_a_lake_that_does_not_exist_is_said_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    lake = tmp_path / "does" / "not" / "exist"
    argv = [command, "--lake", str(lake)] + (["SELECT 1"] if command == "query" else [])
    code, line = _one_line_error(capsys, argv)
    assert code == 2
    assert "--lake" in line and "does not exist" in line and str(lake) in line


def test_the_default_lake_is_checked_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, line = _one_line_error(capsys, ["query", "SELECT 1"])
    assert code == 2 and "lake does not exist" in line
    code, line = _one_line_error(capsys, ["dashboard"])
    assert code == 2 and "lake does not exist" in line


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("SELECT 'unterminated FROM quotes", []),
        ('SELECT "unterminated FROM quotes', []),
        ("SELECT * FROM quotes WHERE symbol = ?", ["'AAPL"]),
    ],
)
def test_unreadable_sql_is_one_line_before_the_lake_is_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, sql: str, params: list[str]
) -> None:
    argv = ["query", "--lake", str(tmp_path), *(f"--param={p}" for p in params), sql]
    code, line = _one_line_error(capsys, argv)
    assert code == 1
    assert line.startswith("quotepipe query: SQL: ")


QUOTEPIPE = Path(sys.executable).parent / "quotepipe"


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--interval", "nan"],
        ["run", "--yahoo-url", "not a url"],
        ["query", "--lake", ".", "SELECT 'unterminated"],
    ],
)
def test_the_console_script_shows_no_traceback(tmp_path: Path, argv: list[str]) -> None:
    done = subprocess.run(
        [str(QUOTEPIPE), *argv], check=False, cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode in {1, 2}
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
