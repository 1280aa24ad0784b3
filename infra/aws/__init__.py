"""Deploy artefacts: the SAM template loader, the cost model and ``quotepipe athena apply``."""

from infra.aws.athena_apply import ApplyError, ApplySettings, apply_command, apply_sql
from infra.aws.template import (
    TEMPLATE_PATH,
    TemplateError,
    load_template,
    local_refs,
    properties,
    resolve,
    resource,
)

__all__ = [
    "TEMPLATE_PATH",
    "ApplyError",
    "ApplySettings",
    "TemplateError",
    "apply_command",
    "apply_sql",
    "load_template",
    "local_refs",
    "properties",
    "resolve",
    "resource",
]
