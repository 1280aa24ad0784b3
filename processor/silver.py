"""The silver CSV dialect: text that reads back unchanged through Athena's OpenCSVSerde.

OpenCSVSerde parses each line with opencsv 2.3 (separator ``,``, quote ``"``,
escape ``\\``) after the file was split at LF, CR and CRLF. So:

- every field is quoted, one row per line, ``\\n`` at the end;
- ``\\`` and ``"`` inside a field are written ``\\\\`` and ``\\"`` — never ``""``,
  which opencsv would only read right by accident;
- text carries no line break or control character (each becomes a space), so a
  row can never be split; every other character passes unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import chain
from typing import NamedTuple

_SEP = "\x00"  # never in cleaned text: lets a whole row be escaped in three calls
# Unicode category Cc (C0, DEL, C1) plus the line and paragraph separators.
CONTROL_CHARS = frozenset(map(chr, chain(range(0x20), range(0x7F, 0xA0), (0x2028, 0x2029))))
_CONTROL_TABLE = str.maketrans(dict.fromkeys(CONTROL_CHARS, " "))
_FIELD = re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL)  # one quoted field, escapes and all
_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)


class SilverRow(NamedTuple):
    """One silver row, every column already text, in contract order."""

    symbol: str
    name: str
    exchange: str
    currency: str
    price: str
    price_usd: str
    price_cad: str
    fx_usd_cad: str
    change_pct: str
    volume: str
    market_state: str
    trade_time: str
    fetched_at: str
    source_key: str
    source: str


SILVER_COLUMNS: tuple[str, ...] = SilverRow._fields


def clean_text(text: str) -> str:
    """Replace line breaks and control characters by spaces: a row must stay one line."""
    return text.translate(_CONTROL_TABLE)


def clean_name(text: str) -> str:
    """Clean text, then trim and collapse inner whitespace: Yahoo pads names."""
    return " ".join(clean_text(text).split())


def escape(field: str) -> str:
    """Backslash-escape the two characters opencsv treats specially inside quotes."""
    return field.replace("\\", "\\\\").replace('"', '\\"')


def format_fields(fields: Sequence[str]) -> str:
    """Fields quoted, escaped and comma-joined, no line end: rows are built of such pieces."""
    plain = '","'.join(fields)
    if plain.count('"') == 2 * len(fields) - 2 and "\\" not in plain:
        return '"' + plain + '"'  # the usual row: nothing to escape
    joined = _SEP.join(fields)
    if joined.count(_SEP) != len(fields) - 1:
        return '"' + '","'.join(map(escape, fields)) + '"'
    return '"' + escape(joined).replace(_SEP, '","') + '"'


def format_line(fields: Sequence[str]) -> str:
    """One CSV line, every field quoted and escaped, ending in ``\\n``."""
    return format_fields(fields) + "\n"


def parse_line(line: str) -> list[str]:
    """The fields of a line ``format_line`` wrote: its exact inverse, to read rows back."""
    return [_UNESCAPE.sub(r"\1", field) for field in _FIELD.findall(line)]


def header_line(columns: Sequence[str]) -> str:
    """The header row, written like any other row."""
    return format_line(columns)
