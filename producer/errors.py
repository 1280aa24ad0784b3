"""Producer errors: one root so callers can catch the producer's failures as one family.

- ``QuotepipeProducerError`` — root.
  - ``SettingsError`` — a setting has an unusable value.
  - ``SymbolListError`` — the symbol list could not be read.
  - ``FetchError`` — a Yahoo request failed (``kind`` names why: ``http_429``,
    ``http_5xx``, ``http_status``, ``timeout``, ``connection``, ``bad_body``, ``budget``).
    - ``AuthError`` — Yahoo refused the cookie or crumb (401).
    - ``RateLimitedError`` — the tick stopped asking after repeated 429 answers.
    - ``RangeRefusedError`` — Yahoo refused a 1m bar range (422: over 7 days in one
      request, or older than about 30 days); the message is Yahoo's description.
  - ``MalformedQuoteError`` — one symbol's answer cannot become a quote.
  - ``AthenaQueryError`` — an Athena query did not succeed (``producer.athena``).

Delivery failures are ``firehose.DeliveryError``: the stream contract owns them.
"""

from __future__ import annotations


class QuotepipeProducerError(Exception):
    """Root of every error the producer raises on purpose."""


class SettingsError(QuotepipeProducerError, ValueError):
    """A setting cannot be used; raised before any I/O."""


class SymbolListError(QuotepipeProducerError):
    """The symbol list source could not be read."""


class FetchError(QuotepipeProducerError):
    """A Yahoo request failed after the retries its kind allows."""

    def __init__(self, kind: str, message: str, *, status: int | None = None, snippet: str = ""):
        detail = f" (status {status})" if status is not None else ""
        body = f": {snippet!r}" if snippet else ""
        super().__init__(f"{kind}: {message}{detail}{body}")
        self.kind = kind
        self.message = message
        self.status = status
        self.snippet = snippet


class AuthError(FetchError):
    """Yahoo answered 401: the cookie or crumb is not accepted."""


class RateLimitedError(FetchError):
    """Yahoo kept answering 429, so the tick stopped asking."""


class RangeRefusedError(FetchError):
    """Yahoo answered 422 to a 1m chart request: the range is too long or too old."""


class MalformedQuoteError(QuotepipeProducerError, ValueError):
    """One symbol's answer lacks what a bronze line needs."""


class AthenaQueryError(QuotepipeProducerError):
    """An Athena query failed, was cancelled or timed out, or the Athena API refused it."""
