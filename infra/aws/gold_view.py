"""The compaction state machine's copy of the ``quotes`` view, kept equal to sql/views.

The state machine moves the gold watermark with ``CREATE OR REPLACE VIEW quotes``, the
statement of ``sql/views/015_quotes.sql`` with ``${GOLD_WATERMARK}`` filled in. Step
Functions cannot read the repository, so the statement lives in the definition
(``infra/aws/gold_compaction.asl.json``, variable ``viewParts``): the statement on one
line, split at each watermark, which the state machine joins with the new day.
``python -m infra.aws.gold_view`` rewrites that copy after the view changes;
``--check`` exits 1 when it differs (the tests do the same).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from infra.sqlfiles.catalog import SQL_DIR, SqlFile

ASL_PATH = Path(__file__).with_name("gold_compaction.asl.json")
VIEW_FILE = "views/015_quotes.sql"
WATERMARK = "${GOLD_WATERMARK}"
PLAN_STATE = "Plan"


def view_parts(sql_dir: Path = SQL_DIR) -> list[str]:
    """The view statement on one line (comments dropped), split at each watermark."""
    path = sql_dir / VIEW_FILE
    statement = SqlFile(path, path.read_text(encoding="utf-8")).statement
    one_line = re.sub(r"\s+", " ", statement).strip()
    if "'" in one_line.replace(f"'{WATERMARK}'", ""):
        # The parts become JSONata string values; only the watermark literals may quote.
        raise ValueError(f"{VIEW_FILE}: quotes outside the watermark literal")
    return one_line.split(WATERMARK)


def render_view(watermark: str, sql_dir: Path = SQL_DIR) -> str:
    """The statement the state machine sends for ``watermark`` (what ``$join`` builds)."""
    return watermark.join(view_parts(sql_dir))


def load_definition(path: Path = ASL_PATH) -> dict[str, Any]:
    """The state machine definition (Amazon States Language, JSONata)."""
    definition: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return definition


def definition_view_parts(definition: dict[str, Any]) -> list[str]:
    """The copy of the view the definition holds."""
    parts: list[str] = definition["States"][PLAN_STATE]["Assign"]["viewParts"]
    return parts


def main(argv: Sequence[str] | None = None) -> int:
    """Rewrite (or with ``--check`` compare) the definition's copy of the view."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the copy differs")
    args = parser.parse_args(argv)
    definition = load_definition()
    if definition_view_parts(definition) == view_parts():
        return 0
    if args.check:
        print(f"{ASL_PATH.name}: viewParts differ from sql/{VIEW_FILE}", file=sys.stderr)
        return 1
    definition["States"][PLAN_STATE]["Assign"]["viewParts"] = view_parts()
    ASL_PATH.write_text(json.dumps(definition, indent=2) + "\n", encoding="utf-8")
    print(f"updated {ASL_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
