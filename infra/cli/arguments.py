"""Checking the command line before anything starts: one line per mistake, exit code 2.

argparse's ``type=`` converters run while the arguments are parsed, so a bad value is
refused before the stack starts or a lake file is read; ``ArgumentTypeError`` makes
argparse name the argument in the message.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

# A symbols file is a short text list; a bigger file is almost surely the wrong file.
MAX_SYMBOLS_FILE_BYTES = 10 * 1024 * 1024
# `probe` sends its symbols in one v7 call; Yahoo's clients send at most 100 per call.
MAX_PROBE_SYMBOLS = 100
# A CA bundle is a few hundred KB of PEM at most (certifi's is about 300 KB).
MAX_CA_BUNDLE_BYTES = 4 * 1024 * 1024
_PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line on stderr (``-h`` still prints the usage)."""

    def error(self, message: str) -> NoReturn:
        """Name what is wrong in one line and exit 2, as argparse does."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} -h)\n")


def http_url(text: str) -> str:
    """An ``http://`` or ``https://`` URL with a host, as ``--yahoo-url`` needs."""
    try:
        parts = urlsplit(text.strip())
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a URL: {exc}") from exc
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise argparse.ArgumentTypeError(f"{text!r} is not an http:// or https:// URL with a host")
    return text.strip()


def utc_time(text: str) -> datetime:
    """An ISO-8601 time in UTC (``2026-11-25T14:30Z``); no offset means UTC, a date midnight."""
    # Imported here: the producer's logger binds to stdout when first imported, which must
    # happen inside `run`'s redirection of the handlers' output, not when the CLI parses.
    from producer.backfill.gaps import parse_utc

    try:
        return parse_utc(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO-8601 time such as 2026-11-25T14:30:00Z"
        ) from None


def _read_at_most(path: Path, limit: int) -> bytes:
    """Up to ``limit + 1`` bytes of a file given as an argument: one more says it is too big."""
    try:
        with path.open("rb") as file:
            return file.read(limit + 1)
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {exc.strerror}") from exc


def symbols_file(text: str) -> Path:
    """A readable UTF-8 text file holding at least one symbol."""
    path = Path(text)
    data = _read_at_most(path, MAX_SYMBOLS_FILE_BYTES)
    if len(data) > MAX_SYMBOLS_FILE_BYTES:
        raise argparse.ArgumentTypeError(f"{text} is larger than {MAX_SYMBOLS_FILE_BYTES} bytes")
    _check_symbols_text(text, data)
    return path


def _check_symbols_text(name: str, data: bytes) -> None:
    # UTF-16 of ASCII decodes as UTF-8 with a NUL after each letter: refuse NULs too.
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        decoded = "\0"
    if "\0" in decoded:
        raise argparse.ArgumentTypeError(
            f"{name} is not UTF-8 text (binary, or UTF-16?): save it as UTF-8, one symbol a line"
        )
    from producer.symbols import parse_symbol_text  # the producer's own reading of the list

    if not parse_symbol_text(decoded):
        raise argparse.ArgumentTypeError(f"{name} holds no symbols")


def existing_lake(text: str) -> Path:
    """A lake folder that exists, for commands that only read one."""
    path = Path(text)
    if not path.is_dir():
        what = "is not a folder" if path.exists() else "does not exist"
        raise argparse.ArgumentTypeError(
            f"lake {text} {what} (write one with: quotepipe run --lake {text})"
        )
    return path


def lake_to_write(text: str) -> Path:
    """A lake folder that exists or can be created: not a file."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"lake {text} is a file, not a folder")
    return path


def probe_symbols(text: str) -> tuple[str, ...]:
    """A comma list of 1 to 100 valid symbols, in Yahoo's spelling."""
    from producer.symbols import normalise_symbols

    found = normalise_symbols(text.split(","))
    if found.bad:
        raise argparse.ArgumentTypeError(f"{found.bad[0][0].strip()!r} is not a symbol")
    if not found.symbols:
        raise argparse.ArgumentTypeError("names no symbol")
    if len(found.symbols) > MAX_PROBE_SYMBOLS:
        raise argparse.ArgumentTypeError(f"at most {MAX_PROBE_SYMBOLS} symbols (one v7 call)")
    return found.symbols


def ca_bundle(text: str) -> Path:
    """A readable PEM file holding at least one certificate."""
    path = Path(text)
    data = _read_at_most(path, MAX_CA_BUNDLE_BYTES)
    if len(data) > MAX_CA_BUNDLE_BYTES or _PEM_CERTIFICATE not in data:
        raise argparse.ArgumentTypeError(f"{text} is not a PEM file of CA certificates")
    return path


def port_number(text: str) -> int:
    """A TCP port, 0 (any free port) to 65535."""
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0-65535)")
    return int(text)


MAX_REFRESH_SECONDS = 3600.0


def refresh_seconds(text: str) -> float:
    """How often a live page asks for fresh panels: 0.1 s to an hour."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0.1 <= value <= MAX_REFRESH_SECONDS:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"must be from 0.1 to {MAX_REFRESH_SECONDS:.0f} seconds")
    return value
