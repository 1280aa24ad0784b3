"""The files of ``sql/`` (setup, views, dashboards), the errors of running them, and the
packaged reference objects their tables read."""

from infra.sqlfiles.catalog import (
    SQL_DIR,
    SqlFile,
    fill_placeholders,
    load_apply_order,
    load_section,
    placeholders,
)
from infra.sqlfiles.errors import AthenaError, ParameterError, SqlError, UnsupportedSqlError
from infra.sqlfiles.reference import REFERENCE_OBJECTS, ReferenceObject

__all__ = [
    "REFERENCE_OBJECTS",
    "SQL_DIR",
    "AthenaError",
    "ParameterError",
    "ReferenceObject",
    "SqlError",
    "SqlFile",
    "UnsupportedSqlError",
    "fill_placeholders",
    "load_apply_order",
    "load_section",
    "placeholders",
]
