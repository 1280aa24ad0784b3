"""Which days the gold layer holds, and the watermark the ``quotes`` view splits on.

Each compacted day has a manifest, ``LAKE/gold/quotes/dt=D/_manifest.json`` (Athena and
the local engine skip objects named ``_…``), listing the silver objects it was built
from with their size and modification time, and the Parquet file it wrote. A day is
*current* when its Parquet file exists and its silver objects are exactly the ones
listed; late or replayed silver makes it stale until compaction rewrites it.

The watermark W is the first day of silver that is not current (or the day after the
last gold day when every day is): ``quotes`` reads gold before W and silver from W on.
A stale day therefore moves W back to it, and the local engine gives silver-only
answers even before compaction has caught up; every gold day before W is current.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

from infra.local.athena.staging import LakeObject, lake_name

MANIFEST = "_manifest.json"
GOLD_FOLDER = ("gold", "quotes")
SILVER_FOLDER = ("silver", "quotes")
NO_GOLD = "0000-01-01"  # a watermark before every day: everything is read from silver


@dataclass(frozen=True, slots=True)
class Manifest:
    """What one compacted day was built from and what it wrote."""

    dt: str
    objects: tuple[tuple[str, int, int], ...]  # (path in the lake, size, mtime_ns)
    file: str  # the Parquet file's name inside the day's folder
    rows: int

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True) + "\n"


def gold_day(lake: Path, dt: str) -> Path:
    """``LAKE/gold/quotes/dt=D``."""
    return lake.joinpath(*GOLD_FOLDER, f"dt={dt}")


def fingerprint(lake: Path, objects: list[LakeObject]) -> tuple[tuple[str, int, int], ...]:
    """The silver objects of one day as a manifest lists them, in path order."""
    return tuple(sorted((lake_name(o.path, lake), o.size, o.mtime_ns) for o in objects))


def read_manifest(lake: Path, dt: str) -> Manifest | None:
    """The day's manifest, or None when it is missing or unreadable (then: not compacted)."""
    try:
        data = json.loads((gold_day(lake, dt) / MANIFEST).read_text(encoding="utf-8"))
        listed = tuple((str(p), int(s), int(m)) for p, s, m in data["objects"])
        return Manifest(str(data["dt"]), listed, str(data["file"]), int(data["rows"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def is_current(lake: Path, dt: str, objects: list[LakeObject]) -> bool:
    """Gold holds this day, built from exactly these silver objects."""
    manifest = read_manifest(lake, dt)
    return (
        manifest is not None
        and (gold_day(lake, dt) / manifest.file).is_file()
        and manifest.objects == fingerprint(lake, objects)
    )


def by_day(objects: list[LakeObject]) -> dict[str, list[LakeObject]]:
    """Silver objects grouped by their ``dt``."""
    days: dict[str, list[LakeObject]] = {}
    for obj in objects:
        days.setdefault(obj.partition, []).append(obj)
    return days


def gold_days(lake: Path) -> list[str]:
    """The days that have a manifest, in order."""
    folder = lake.joinpath(*GOLD_FOLDER)
    found = folder.glob(f"dt=*/{MANIFEST}") if folder.is_dir() else []
    return sorted(path.parent.name.removeprefix("dt=") for path in found)


def watermark(lake: Path, silver: dict[str, list[LakeObject]]) -> str:
    """The first day ``quotes`` reads from silver (see the module's docstring)."""
    pending = [dt for dt, objects in silver.items() if not is_current(lake, dt, objects)]
    if pending:
        return min(pending)
    compacted = gold_days(lake)
    if not compacted:
        return NO_GOLD
    return (date.fromisoformat(compacted[-1]) + timedelta(days=1)).isoformat()
