"""`quotepipe run --dashboard` serves the live page beside the pipeline, then until stopped."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.support import REPO

pytestmark = pytest.mark.e2e
QUOTEPIPE = Path(sys.executable).parent / "quotepipe"


def _lines_until(run: subprocess.Popen[str], prefix: str, seen: list[str]) -> str:
    """Read stdout until a line starts with ``prefix``; that line."""
    assert run.stdout is not None
    for line in run.stdout:
        seen.append(line)
        if line.startswith(prefix):
            return line
    pytest.fail(f"no {prefix!r} line; stdout: {seen}; stderr: {run.communicate()[1]}")


def test_run_prints_the_url_and_serves_the_ticks_until_sigterm(tmp_path: Path) -> None:
    # GIVEN a one-tick run asking for the dashboard on any free port
    lake = str(tmp_path / "lake")
    argv = [str(QUOTEPIPE), "run", "--ticks", "1", "--interval", "0",
            "--symbols", "AAPL,SHOP.TO", "--lake", lake, "--dashboard", "0"]  # fmt: skip
    run = subprocess.Popen(
        argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    seen: list[str] = []
    try:
        # WHEN the URL is printed before the first tick and the run has finished
        url = _lines_until(run, "dashboard: http://127.0.0.1:", seen).split()[1]
        assert not any(line.startswith("tick 1/1") for line in seen)
        _lines_until(run, "dashboard live at ", seen)
        with urllib.request.urlopen(url + "api/panels", timeout=30) as answer:
            page = json.load(answer)
        run.send_signal(signal.SIGTERM)
        run.communicate(timeout=60)
    finally:
        run.kill()
    # THEN the page served the tick's quotes, and stopping the dashboard is a clean exit
    assert page["errors"] == {}
    assert 'data-rows="2"' in page["panels"]["latest"]
    assert run.returncode == 0
