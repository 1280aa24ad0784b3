"""Each run writes its own log file: two runs on one lake never share one."""

from __future__ import annotations

import json
from pathlib import Path

from infra.local.embedded import run_log


def test_two_runs_in_the_same_second_write_two_intact_logs(tmp_path: Path) -> None:
    # GIVEN two runs on one lake that open their logs at once
    with run_log(tmp_path) as first, run_log(tmp_path) as second:
        # WHEN their handlers write interleaved lines
        for n in range(100):
            first.write(json.dumps({"run": 1, "n": n}) + "\n")
            second.write(json.dumps({"run": 2, "n": n}) + "\n")
    # THEN there are two files, each holding exactly its own run's lines
    files = sorted((tmp_path / "logs").glob("run-*.jsonl"))
    assert len(files) == 2
    runs = []
    for path in files:
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        assert [line["n"] for line in lines] == list(range(100))
        runs.append({line["run"] for line in lines})
    assert sorted(runs, key=min) == [{1}, {2}]
