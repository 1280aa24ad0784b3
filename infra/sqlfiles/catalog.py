"""The files of ``sql/``: which run in which order, and the deploy-time placeholders.

``sql/setup/*.sql`` then ``sql/views/*.sql`` are applied in file-name order, one
statement per file; ``sql/dashboards/*.sql`` are queries, never applied.
``${UPPER_CASE}`` names (``${SILVER_BUCKET}``) are deploy-time placeholders filled by
``quotepipe athena apply``; lower-case ``${dt}`` is Athena's own partition-projection
template and is left as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from infra.sqlfiles.errors import AthenaError

# infra/sqlfiles/sql: in the repository a symlink to the top-level sql/ (resolved to it),
# in an installed wheel the files themselves (package data).
SQL_DIR = (Path(__file__).parent / "sql").resolve()
APPLY_SECTIONS = ("setup", "views")
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
_COMMENT_LINE = re.compile(r"^\s*--.*$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class SqlFile:
    """One statement of ``sql/`` and the file it lives in."""

    path: Path
    text: str

    @property
    def name(self) -> str:
        """``section/file.sql``: how reports and errors name the statement."""
        return f"{self.path.parent.name}/{self.path.name}"

    @property
    def statement(self) -> str:
        """The statement without full-line comments or a trailing ``;``, as sent to Athena."""
        body = _COMMENT_LINE.sub("", self.text).strip()
        return body.removesuffix(";").rstrip()


def load_section(section: str, sql_dir: Path = SQL_DIR) -> list[SqlFile]:
    """The files of one section of ``sql/`` in file-name order."""
    paths = sorted((sql_dir / section).glob("*.sql"))
    return [SqlFile(path, path.read_text(encoding="utf-8")) for path in paths]


def load_apply_order(sql_dir: Path = SQL_DIR) -> list[SqlFile]:
    """Setup, then views: the order in which Athena must see them."""
    return [file for section in APPLY_SECTIONS for file in load_section(section, sql_dir)]


def placeholders(text: str) -> set[str]:
    """The deploy-time placeholder names a statement uses."""
    return set(PLACEHOLDER.findall(text))


def fill_placeholders(file: SqlFile, values: Mapping[str, str]) -> str:
    """The statement with every ``${NAME}`` replaced; a missing value is an error."""
    missing = sorted(placeholders(file.statement) - values.keys())
    if missing:
        raise AthenaError(f"no value for placeholder(s) {', '.join(missing)}", source=file.path)
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], file.statement)
