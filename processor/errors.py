"""The processor's errors: one root, a child per way a bronze object can fail.

- ``ProcessorError`` — root; anything the processor raises on purpose.
  - ``SettingsError`` — a setting is missing or out of range.
  - ``EventError`` — an invocation event has a shape the processor does not know.
  - ``BronzeReadError`` — reading a bronze object failed (S3, stream, gzip).
  - ``SilverWriteError`` — writing a silver or rejected object failed.

S3 errors are raised, never swallowed, so Lambda retries and then dead-letters.
A bad *line* is not an error: it becomes a rejected row.
"""

from __future__ import annotations


class ProcessorError(Exception):
    """Root of every error the processor raises on purpose."""


class SettingsError(ProcessorError, ValueError):
    """A setting is missing or invalid: fail before touching any data."""


class EventError(ProcessorError):
    """The invocation event is not one the processor understands."""


class BronzeReadError(ProcessorError):
    """The bronze object could not be read whole: retry rather than write half."""


class SilverWriteError(ProcessorError):
    """A silver or rejected object could not be written: retry the bronze object."""
