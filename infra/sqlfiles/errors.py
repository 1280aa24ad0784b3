"""Errors of the local Athena engine, each naming the SQL (and file) it came from.

- ``AthenaError``: the root; ``str()`` is a message fit for a user.
- ``SqlError``: a statement failed to parse or run (DuckDB's message, converted).
- ``UnsupportedSqlError``: the statement is valid Athena SQL that cannot run on one
  machine (DDL, MSCK, a function with no faithful DuckDB equivalent).
- ``ParameterError``: the ``?`` execution parameters do not fit the statement.
"""

from __future__ import annotations

from pathlib import Path

_SHOWN_SQL_CHARS = 2000


class AthenaError(Exception):
    """Root of every local-Athena failure."""

    def __init__(self, message: str, *, sql: str = "", source: Path | None = None) -> None:
        self.message, self.sql, self.source = message, sql, source
        super().__init__(self._render())

    def _render(self) -> str:
        """The message, then where the statement came from and the statement itself."""
        where = f" (in {self.source})" if self.source else ""
        shown = self.sql.strip()
        if len(shown) > _SHOWN_SQL_CHARS:
            shown = shown[:_SHOWN_SQL_CHARS] + " …"
        return f"{self.message}{where}\n--- statement ---\n{shown}" if shown else self.message


class SqlError(AthenaError):
    """A statement failed to parse or to run."""


class UnsupportedSqlError(SqlError):
    """Valid Athena SQL that the local engine cannot run faithfully."""


class ParameterError(AthenaError):
    """Execution parameters that do not fit the statement."""
