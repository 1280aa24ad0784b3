"""Processor worst cases: seconds per MB (of bronze as read, after gzip) for hostile objects.

Each input is built as a file, then processed by ``process_object`` through the
local-file stand-in for S3 of ``bench_processor`` in its own subprocess (so peak RSS
belongs to that run). Inputs, each about ``SIZE_MB`` MB uncompressed:

- ``normal``: the realistic object of ``bench_processor`` (the baseline);
- ``huge_lines``: 10 MB lines;
- ``all_blank``: nothing but newlines (what a gzip bomb of newlines expands to);
- ``all_bad_short``: ``x`` lines, the most rejected lines per MB;
- ``all_bad_wide``: 2 KB bad lines, the most rejected bytes per line kept;
- ``max_lines``: lines just under the 64 KiB limit, each one judged;
- ``not_utf8``: short lines each with an invalid byte, so every block is split line by line.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from bench.bench_processor import BRONZE_KEY, FileS3, make_bronze

SIZE_MB = 20
MB = 1_000_000


def _repeat(out: BinaryIO, piece: bytes) -> None:
    for _ in range(SIZE_MB * MB // len(piece)):
        out.write(piece)


INPUTS: dict[str, Callable[[BinaryIO], None]] = {
    "huge_lines": lambda out: _repeat(out, b"H" * (10 * MB - 1) + b"\n"),
    "all_blank": lambda out: _repeat(out, b"\n" * 4096),
    "all_bad_short": lambda out: _repeat(out, b"x\n"),
    "all_bad_wide": lambda out: _repeat(out, b"w" * 2047 + b"\n"),
    "max_lines": lambda out: _repeat(out, b"1," + b"m" * 65_000 + b"\n"),
    "not_utf8": lambda out: _repeat(out, b"1,\xff\n"),
}


def make_input(name: str, path: Path) -> None:
    """Write the named input to ``path``."""
    if name == "normal":
        make_bronze(path, SIZE_MB * MB // 110)
        return
    with path.open("wb") as out:
        INPUTS[name](out)


def _child(name: str, source: Path) -> None:
    from processor import BronzeObject, Settings, process_object

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        report = process_object(
            FileS3(source, Path(tmp)),
            BronzeObject("bench", BRONZE_KEY),
            Settings(silver_bucket="b"),
        )
        seconds = time.perf_counter() - started
        written = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    mb = source.stat().st_size / MB
    print(
        json.dumps(
            {
                "input": name,
                "mb_in": round(mb, 1),
                "lines": report.lines_in,
                "balanced": report.balanced,
                "seconds": round(seconds, 2),
                "seconds_per_mb": round(seconds / mb, 4),
                "mb_written": round(written / MB, 2),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


def _measure(name: str, source: Path) -> dict[str, Any]:
    answer = subprocess.run(
        [sys.executable, "-m", "bench.bench_hostile", "--child", name, str(source)],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(answer.stdout.strip().splitlines()[-1])
    return result


def main() -> dict[str, Any]:
    """Measure every input; print and return the figures."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("normal", *INPUTS):
            path = Path(tmp) / name
            make_input(name, path)
            results[name] = _measure(name, path)
            path.unlink()
            print(json.dumps(results[name]), flush=True)
    worst = max(results.values(), key=lambda r: float(r["seconds_per_mb"]))
    results["worst"] = {"input": worst["input"], "seconds_per_mb": worst["seconds_per_mb"]}
    return results


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2], Path(sys.argv[3]))
    else:
        print(json.dumps(main(), indent=2))
