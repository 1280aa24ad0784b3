"""Bronze → silver: S3 events, bronze parsing, validation, silver/rejected writers, replay."""

from processor.bronze import MAX_LINE_BYTES, BronzeObject, LongLine, read_blocks
from processor.dispatch import handle_event
from processor.errors import (
    BronzeReadError,
    EventError,
    ProcessorError,
    SettingsError,
    SilverWriteError,
)
from processor.events import bronze_objects
from processor.output import object_name
from processor.process import REJECTED_COLUMNS, ObjectReport, process_object
from processor.replay import Failure, Replayed, ReplayWatcher, list_bronze, replay
from processor.settings import Settings
from processor.silver import SILVER_COLUMNS, SilverRow, clean_name, clean_text, format_line
from processor.validate import Reason, Rejection, Validator

__all__ = [
    "MAX_LINE_BYTES",
    "REJECTED_COLUMNS",
    "SILVER_COLUMNS",
    "BronzeObject",
    "BronzeReadError",
    "EventError",
    "Failure",
    "LongLine",
    "ObjectReport",
    "ProcessorError",
    "Reason",
    "Rejection",
    "ReplayWatcher",
    "Replayed",
    "Settings",
    "SettingsError",
    "SilverRow",
    "SilverWriteError",
    "Validator",
    "bronze_objects",
    "clean_name",
    "clean_text",
    "format_line",
    "handle_event",
    "list_bronze",
    "object_name",
    "process_object",
    "read_blocks",
    "replay",
]
