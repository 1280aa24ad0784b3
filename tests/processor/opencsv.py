"""A reader that parses silver CSV the way Athena's OpenCSVSerde does (opencsv 2.3 CSVParser).

OpenCSVSerde configures ``CSVParser(separator=',', quotechar='"', escape='\\\\',
strictQuotes=false, ignoreLeadingWhiteSpace=true)``; Hadoop's line reader first
splits the file at LF, CR or CRLF. This is a line-for-line port of
``CSVParser.parseLine`` so tests can check the writer against the real rules.
"""

from __future__ import annotations

import re

SEPARATOR, QUOTE, ESCAPE = ",", '"', "\\"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# java.lang.Character.isWhitespace: space separators except no-break ones, plus these controls
_JAVA_SPACE = frozenset("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \u1680\u2028\u2029\u205f\u3000") | {
    chr(c) for c in range(0x2000, 0x200B) if c != 0x2007
}


class UnterminatedQuoteError(ValueError):
    """opencsv's "Un-terminated quoted field at end of CSV line"."""

    def __init__(self, tokens: list[str]) -> None:
        super().__init__("un-terminated quoted field")
        self.tokens = tokens


def _escapable(line: str, in_quotes: bool, i: int) -> bool:
    return in_quotes and len(line) > i + 1 and line[i + 1] in (QUOTE, ESCAPE)


def _escaped_quote(line: str, in_quotes: bool, i: int) -> bool:
    return in_quotes and len(line) > i + 1 and line[i + 1] == QUOTE


def _embedded_quote(line: str, i: int) -> bool:
    """opencsv's "tricky case of an embedded quote in the middle: a,bc"d"ef,g"."""
    # Java's `i > 2` counts UTF-16 units: a character beyond the BMP is two of them.
    java_i = i + sum(1 for char in line[:i] if ord(char) > 0xFFFF)
    return (
        java_i > 2 and line[i - 1] != SEPARATOR and len(line) > i + 1 and line[i + 1] != SEPARATOR
    )


def parse_line(line: str) -> list[str]:
    """opencsv 2.3 ``CSVParser.parseLine`` with OpenCSVSerde's settings."""
    tokens: list[str] = []
    sb: list[str] = []
    in_quotes = in_field = False
    i = 0
    while i < len(line):
        c = line[i]
        if c == ESCAPE:
            if _escapable(line, in_quotes or in_field, i):
                sb.append(line[i + 1])
                i += 1
        elif c == QUOTE:
            if _escaped_quote(line, in_quotes or in_field, i):
                sb.append(line[i + 1])
                i += 1
            else:
                if _embedded_quote(line, i):
                    if sb and all(ch in _JAVA_SPACE for ch in sb):
                        sb = []  # ignoreLeadingWhiteSpace
                    else:
                        sb.append(c)
                in_quotes = not in_quotes
            in_field = not in_field
        elif c == SEPARATOR and not in_quotes:
            tokens.append("".join(sb))
            sb = []
            in_field = False
        else:
            sb.append(c)  # strictQuotes is false: text outside quotes is kept
            in_field = True
        i += 1
    if in_quotes:
        raise UnterminatedQuoteError(tokens)
    tokens.append("".join(sb))
    return tokens


def read_row(line: str, width: int) -> list[str | None]:
    """One table row as Athena shows it: missing columns and a broken quoted column on are NULL."""
    if not line:
        return [None] * width
    try:
        tokens: list[str | None] = list(parse_line(line))
    except UnterminatedQuoteError as error:
        tokens = list(error.tokens)
    return (tokens + [None] * width)[:width]


def read_table(text: str, width: int, *, skip_header: bool = True) -> list[list[str | None]]:
    """A whole file: split at LF/CR/CRLF first, then each line parsed on its own."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the file's final line break ends the last row, it does not add one
    return [read_row(line, width) for line in lines[1 if skip_header else 0 :]]
