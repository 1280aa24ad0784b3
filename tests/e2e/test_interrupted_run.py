"""`quotepipe run` stopped between ticks keeps every tick it finished, and says so."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import REPO

pytestmark = pytest.mark.e2e
QUOTEPIPE = Path(sys.executable).parent / "quotepipe"  # the console script, as a user runs it


def _start_run(lake: Path) -> subprocess.Popen[str]:
    """Three ticks a minute apart: the signal lands while the run sleeps after tick 1."""
    argv = [str(QUOTEPIPE), "run", "--ticks", "3", "--interval", "120",
            "--symbols", "AAPL,SHOP.TO", "--lake", str(lake)]  # fmt: skip
    return subprocess.Popen(
        argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _wait_for_tick_one(run: subprocess.Popen[str]) -> list[str]:
    assert run.stdout is not None
    seen = []
    for line in run.stdout:
        seen.append(line)
        if line.startswith("tick 1/3"):
            return seen
    pytest.fail(f"no 'tick 1/3' line; stdout: {seen}; stderr: {run.communicate()[1]}")


def _lake_files(lake: Path, *folders: str) -> list[Path]:
    return [p for p in lake.joinpath(*folders).rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("sent", "code", "name"), [(signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM")]
)
def test_a_signal_after_tick_one_leaves_tick_one_in_the_lake(
    tmp_path: Path, sent: signal.Signals, code: int, name: str
) -> None:
    # GIVEN a run of three ticks that has finished its first
    lake = tmp_path / "lake"
    run = _start_run(lake)
    try:
        _wait_for_tick_one(run)
        # WHEN it is interrupted
        run.send_signal(sent)
        _, err = run.communicate(timeout=60)
    finally:
        run.kill()
    # THEN tick 1 is in the lake, and one line on stderr says what happened
    assert run.returncode == code
    assert _lake_files(lake, "bronze", "quotes")
    assert _lake_files(lake, "silver", "quotes")
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert name in lines[0] and "tick 1 is in" in lines[0] and str(lake) in lines[0]


# The handlers keep boto3 clients for the life of the process, as a warm Lambda does, so a
# second pipeline in the pytest process would call the first one's stopped moto: the
# failing run gets a process of its own, with tick 2's trigger made to fail.
FAIL_TICK_TWO = """
import sys
from infra.cli.main import main
from infra.local.stack import BronzeTrigger

drain, calls = BronzeTrigger.drain, []

def failing_drain(self):
    calls.append(1)
    if len(calls) == 2:
        raise RuntimeError("processor queue unreachable")
    return drain(self)

BronzeTrigger.drain = failing_drain
sys.exit(main(sys.argv[1:]))
"""


def test_an_error_in_tick_two_leaves_tick_one_in_the_lake(tmp_path: Path) -> None:
    # GIVEN a run whose second tick fails after the producer has sent its quotes
    lake = tmp_path / "lake"
    argv = [sys.executable, "-c", FAIL_TICK_TWO, "run", "--ticks", "3", "--interval", "0",
            "--symbols", "AAPL", "--lake", str(lake)]  # fmt: skip
    # WHEN it runs
    run = subprocess.run(argv, check=False, cwd=REPO, capture_output=True, text=True, timeout=120)
    # THEN it fails, tick 1 is in the lake and the last console line says so
    assert run.returncode != 0 and "processor queue unreachable" in run.stderr
    assert _lake_files(lake, "bronze", "quotes")
    assert _lake_files(lake, "silver", "quotes")
    last = run.stdout.strip().splitlines()[-1]
    assert last.startswith("run failed in tick 2") and "tick 1 is in" in last


def test_two_runs_started_together_keep_separate_logs(tmp_path: Path) -> None:
    # GIVEN two runs on one lake, started at the same moment
    lakes = [tmp_path / "lake"] * 2
    argv = ["run", "--ticks", "1", "--interval", "0", "--symbols", "AAPL"]
    runs = [
        subprocess.Popen([str(QUOTEPIPE), *argv, "--lake", str(lake)], cwd=REPO,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for lake in lakes
    ]  # fmt: skip
    # WHEN both finish
    errors = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    # THEN each has its own log, every line of it whole JSON
    logs = sorted((tmp_path / "lake" / "logs").glob("run-*.jsonl"))
    assert len(logs) == 2
    for log in logs:
        lines = log.read_text(encoding="utf-8").splitlines()
        assert lines and all(json.loads(line) for line in lines)


def test_the_console_shows_tick_lines_and_the_handlers_json_goes_to_the_log(
    tmp_path: Path,
) -> None:
    # GIVEN a symbols file, whose check imports the producer's symbol parsing before the run
    symbols = tmp_path / "symbols.txt"
    symbols.write_text("AAPL\nVOD.L\n", encoding="utf-8")
    lake = tmp_path / "lake"
    argv = [str(QUOTEPIPE), "run", "--ticks", "1", "--interval", "0",
            "--symbols-file", str(symbols), "--lake", str(lake)]  # fmt: skip
    # WHEN the run finishes
    run = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    # THEN the console has no JSON document, and the run's log has the handlers' lines
    assert run.returncode == 0, run.stderr
    assert "tick 1/1: 2/2 quotes sent" in run.stdout
    assert not [line for line in run.stdout.splitlines() if line.startswith("{")]
    (log,) = (lake / "logs").glob("run-*.jsonl")
    messages = [json.loads(line).get("message") for line in log.read_text().splitlines()]
    assert "invocation done" in messages
