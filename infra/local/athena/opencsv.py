"""Read silver objects the way Athena's OpenCSVSerde does, bug for bug.

Athena splits an object into lines at LF, CR or CRLF, skips the first
``skip.header.line.count`` lines of every object, and hands each line to a fresh
opencsv 2.3 ``CSVReader`` (separator ``,``, quote ``"``, escape ``\\``,
``strictQuotes=false``, ``ignoreLeadingWhiteSpace=true``). So: ``""`` inside quotes
is a ``"``; ``\\`` escapes only ``"`` and ``\\`` and any other backslash is dropped;
an unclosed quote turns that column and the rest into NULL; a blank line is an
all-NULL row; missing columns are NULL and extra ones are ignored.

DuckDB's CSV reader takes one escape character and cannot reproduce this, so
``tables.create_table`` parses each object here with ``read_object`` and stages the rows
(with a NULL mask per row) in a plain CSV that DuckDB loads.
"""

from __future__ import annotations

import re
import unicodedata

SEPARATOR, QUOTE, ESCAPE = ",", '"', "\\"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_JAVA_SPACE_CONTROLS = frozenset("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f")
_JAVA_NON_BREAKING = frozenset("\u00a0\u2007\u202f")
_BMP_LIMIT = 0xFFFF
# The silver writer's own form: every field quoted, only \" and \\ escapes. For such a
# line opencsv's rules reduce to "take each quoted field, unescape", so a regex reads it.
_FIELD_BODY = r'"(?:[^"\\]|\\["\\])*"'
_CANONICAL = re.compile(f"{_FIELD_BODY}(?:,{_FIELD_BODY})*")
_FIELD = re.compile(r'"((?:[^"\\]|\\["\\])*)"')
_ESCAPED = re.compile(r'\\(["\\])')

Row = list[str | None]


def split_lines(text: str) -> list[str]:
    """Hadoop's line split: LF, CR or CRLF end a line; a final terminator adds no line."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _java_is_whitespace(char: str) -> bool:
    """Java's ``Character.isWhitespace``, which opencsv uses (not ``str.isspace``)."""
    if char in _JAVA_SPACE_CONTROLS:
        return True
    if char in _JAVA_NON_BREAKING:
        return False
    return unicodedata.category(char) in {"Zs", "Zl", "Zp"}


def _utf16_index(line: str, index: int) -> int:
    """Java counts UTF-16 units: characters beyond the BMP take two."""
    return index + sum(1 for char in line[:index] if ord(char) > _BMP_LIMIT)


def _is_embedded_quote(line: str, i: int) -> bool:
    """opencsv's 'quote in the middle of a field' test (``a,bc"d"ef,g``)."""
    return (
        _utf16_index(line, i) > 2
        and line[i - 1] != SEPARATOR
        and len(line) > i + 1
        and line[i + 1] != SEPARATOR
    )


def parse_line(line: str) -> list[str]:
    """opencsv 2.3 ``parseLineMulti`` on one line; an unclosed last field is dropped."""
    if _CANONICAL.fullmatch(line):
        return [_ESCAPED.sub(r"\1", f) if "\\" in f else f for f in _FIELD.findall(line)]
    return parse_line_slowly(line)


def parse_line_slowly(line: str) -> list[str]:
    """opencsv 2.3's state machine, character by character, for any line at all."""
    tokens: list[str] = []
    field: list[str] = []
    in_quotes = in_field = False
    i = 0
    while i < len(line):
        char = line[i]
        nxt = line[i + 1] if i + 1 < len(line) else ""
        if char == ESCAPE:
            if (in_quotes or in_field) and nxt in (QUOTE, ESCAPE):
                field.append(nxt)
                i += 1
        elif char == QUOTE:
            if (in_quotes or in_field) and nxt == QUOTE:
                field.append(nxt)
                i += 1
            else:
                if _is_embedded_quote(line, i):
                    if field and all(map(_java_is_whitespace, field)):
                        field.clear()
                    else:
                        field.append(char)
                in_quotes = not in_quotes
            in_field = not in_field
        elif char == SEPARATOR and not in_quotes:
            tokens.append("".join(field))
            field.clear()
            in_field = False
        else:
            field.append(char)
            in_field = True
        i += 1
    if not in_quotes:
        tokens.append("".join(field))
    return tokens


def parse_record(line: str, width: int) -> Row:
    """One line as OpenCSVSerde's row of ``width`` columns (NULL where missing)."""
    values: Row = list(parse_line(line)[:width]) if line else []
    return values + [None] * (width - len(values))


def read_object(data: bytes, skip_lines: int, width: int) -> list[Row]:
    """Every row of one object, header lines skipped, as Athena would return them."""
    text = data.decode("utf-8", errors="replace")
    return [parse_record(line, width) for line in split_lines(text)[skip_lines:]]
