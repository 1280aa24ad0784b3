"""The files of ``sql/`` (setup, views, dashboards) and the errors of running them."""

from infra.sqlfiles.catalog import (
    SQL_DIR,
    SqlFile,
    fill_placeholders,
    load_apply_order,
    load_section,
    placeholders,
)
from infra.sqlfiles.errors import AthenaError, ParameterError, SqlError, UnsupportedSqlError

__all__ = [
    "SQL_DIR",
    "AthenaError",
    "ParameterError",
    "SqlError",
    "SqlFile",
    "UnsupportedSqlError",
    "fill_placeholders",
    "load_apply_order",
    "load_section",
    "placeholders",
]
