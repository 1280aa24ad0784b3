"""The stream contract's errors: one root, a child per way a send can fail.

- ``FirehoseError`` — root; anything ``firehose`` raises on purpose.
  - ``LineTooLargeError`` — one line cannot fit in a Firehose record.
  - ``DeliveryError`` — records could not be delivered (the call failed after its retries,
    or records were still refused and no dead-letter sink was given).
"""

from __future__ import annotations


class FirehoseError(Exception):
    """Root of every error the stream contract raises on purpose."""


class LineTooLargeError(FirehoseError, ValueError):
    """A line is larger than one Firehose record may be."""


class DeliveryError(FirehoseError):
    """Records could not be delivered to Firehose."""
