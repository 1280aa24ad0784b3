"""Run benchmarks: ``python -m bench [producer] [processor] [hostile] [gold]`` (all by default).

Each ``bench/bench_<name>.py`` has ``main() -> dict``; the figures are printed and
written to ``bench/results.json`` so the README's numbers can be traced to a run.
"""

from __future__ import annotations

import importlib
import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCHMARKS = ("producer", "processor", "hostile", "gold")
RESULTS = Path(__file__).with_name("results.json")


def run(names: list[str]) -> dict[str, Any]:
    """Run the named benchmarks and return their figures."""
    figures: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.python_implementation()} "
        f"{platform.python_version()}",
    }
    for name in names:
        print(f"== bench {name}", flush=True)
        module = importlib.import_module(f"bench.bench_{name}")
        figures[name] = {**module.main(), "when": figures["when"]}
    return figures


def main(argv: list[str]) -> int:
    """Entry point: unknown names are an error, not silently skipped."""
    names = argv or list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    figures = run(names)
    # Keep the figures of benchmarks not run this time: each README number stays traceable.
    if set(names) != set(BENCHMARKS) and RESULTS.exists():
        kept = json.loads(RESULTS.read_text(encoding="utf-8"))
        figures = {**kept, **{name: figures[name] for name in names}}
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
