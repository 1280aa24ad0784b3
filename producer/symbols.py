"""Symbol lists: read from env, a file or an S3 object, normalised to Yahoo's spelling.

Normalising makes results matchable whatever case or class separator the user
wrote: ``brk.b`` → ``BRK-B``, while exchange suffixes stay (``VOD.L``, ``TECK.B.TO`` →
``TECK-B.TO``). The S3 list is cached across warm invocations and re-read only when
its ETag changes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from producer.errors import SymbolListError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from mypy_boto3_s3 import S3Client

    from producer.settings import ProducerSettings

# Yahoo exchange suffixes that follow a dot (everything else after a dot is a share class).
_SUFFIX_TEXT = (
    "L T V F TO CN NE DE PA AS HK AX SW MI MC ST OL CO HE IR BR LS VI SA MX NS BO KS KQ TW "
    "TWO SS SZ SI JK KL BK NZ TA JO BE DU HM MU SG IL IS QA SR CA AT PR WA BD ME RG TL VS IC "
    "NX XC BA SN CL LM SAU SAT AQ XA"
)
EXCHANGE_SUFFIXES = frozenset(_SUFFIX_TEXT.split())
_VALID = re.compile(r"^[A-Z0-9^][A-Z0-9.=^&-]{0,23}$")
_SPLIT = re.compile(r"[,;\r\n]+")


@dataclass(frozen=True, slots=True)
class SymbolList:
    """Normalised symbols in input order plus the entries that were refused, with reasons."""

    symbols: tuple[str, ...]
    bad: tuple[tuple[str, str], ...] = ()


def normalise_symbol(raw: str) -> str:
    """Return Yahoo's spelling of one symbol (upper case, share class with a dash)."""
    text = raw.strip().upper()
    base, dot, suffix = text.rpartition(".")
    if dot and base and suffix in EXCHANGE_SUFFIXES:
        return f"{base.replace('.', '-')}.{suffix}"
    return text.replace(".", "-")


def normalise_symbols(entries: Iterable[str], max_symbols: int = 10_000) -> SymbolList:
    """Normalise, validate and de-duplicate entries, keeping order and reporting refusals."""
    seen: dict[str, None] = {}
    bad: list[tuple[str, str]] = []
    for entry in entries:
        if not entry.strip():
            continue
        symbol = normalise_symbol(entry)
        if not _VALID.match(symbol):
            bad.append((entry, "invalid symbol"))
        elif symbol not in seen and len(seen) >= max_symbols:
            bad.append((entry, f"over the {max_symbols}-symbol limit"))
        else:
            seen[symbol] = None
    return SymbolList(tuple(seen), tuple(bad))


def parse_symbol_text(text: str) -> list[str]:
    """Split a list written one per line or comma-separated; ``#`` starts a comment."""
    lines = (line.partition("#")[0] for line in text.splitlines())
    return [item for line in lines for item in _SPLIT.split(line) if item]


class SymbolSource:
    """Loads the configured list; keeps the last S3 copy and its ETag for warm invocations."""

    def __init__(self) -> None:
        self._s3_cache: dict[str, tuple[str, SymbolList]] = {}

    def load(self, settings: ProducerSettings, s3: S3Client | None = None) -> SymbolList:
        """Return the list from SYMBOLS_SOURCE when set, else from SYMBOLS."""
        source = settings.symbols_source.strip()
        if source.startswith("s3://"):
            if s3 is None:
                raise SymbolListError(f"{source} needs an S3 client")
            return self._load_s3(s3, source, settings.max_symbols)
        if source:
            return normalise_symbols(parse_symbol_text(_read_file(source)), settings.max_symbols)
        return normalise_symbols(parse_symbol_text(settings.symbols), settings.max_symbols)

    def _load_s3(self, s3: S3Client, url: str, max_symbols: int) -> SymbolList:
        """Read the object only when its ETag differs from the cached copy's."""
        bucket, _, key = url.removeprefix("s3://").partition("/")
        cached = self._s3_cache.get(url)
        try:
            etag = s3.head_object(Bucket=bucket, Key=key)["ETag"]
            if cached is not None and cached[0] == etag:
                return cached[1]
            answer: Any = s3.get_object(Bucket=bucket, Key=key)
            text = answer["Body"].read().decode("utf-8-sig")
        except (ClientError, BotoCoreError) as exc:
            raise SymbolListError(f"cannot read symbol list {url}: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise SymbolListError(f"symbol list {url} is not UTF-8") from exc
        loaded = normalise_symbols(parse_symbol_text(text), max_symbols)
        self._s3_cache[url] = (answer.get("ETag", etag), loaded)
        return loaded


def _read_file(path: str) -> str:
    """Read a local list, converting OS errors into the producer's error family."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SymbolListError(f"cannot read symbol list {path}: {exc}") from exc
