"""An S3 event → processed bronze objects → the summary the handler returns.

Any failure is raised, so Lambda retries the event and then sends it to the
on-failure destination; processing a bronze key always writes the same silver keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from processor.events import bronze_objects
from processor.observe import summarize
from processor.process import ObjectReport, process_object
from processor.settings import Settings


class Watcher(Protocol):
    """Who hears about each processed object."""

    def processed(self, report: ObjectReport) -> None:
        """An object is done."""


def handle_event(
    event: Mapping[str, Any], s3: Any, settings: Settings, watcher: Watcher
) -> dict[str, Any]:
    """Process every bronze object the event names."""
    objects = bronze_objects(
        event, prefix=settings.bronze_prefix, skip_bucket=settings.silver_bucket
    )
    reports = []
    for obj in objects:
        report = process_object(s3, obj, settings)
        watcher.processed(report)
        reports.append(report)
    return summarize(reports)
