"""Instruments of the simulated market: static metadata as Yahoo reports it.

Exchanges, time zones and names mirror what Yahoo's v7 quote answers carry, so
the producer meets the same quirks locally as in AWS: a comma in a name, a
CAD listing, a pence-priced (``GBp``) and a cents-priced (``ZAc``) listing, FX
pairs quoted as USD→XXX. Any other well-formed symbol is invented on demand
(``synthetic_instrument``): its exchange and currency follow Yahoo's suffix (``.TO``
Toronto CAD, ``.L`` London GBp, ``.DE`` Xetra EUR, ``.T`` Tokyo JPY, none a US
listing in USD), so ``SYM00001``-style lists scale the market to thousands of
instruments without a table. Symbols whose base is all ``Z`` (``ZZZZ``, ``ZZZ.TO``)
stay unknown, so the 'missing' path can always be shown.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

SYNTHETIC_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9&-]{0,11}(\.[A-Z]{1,3})?")
"""Symbols the market invents on demand when ``synthetic=True`` (FX pairs excepted)."""
UNKNOWN_PATTERN = re.compile(r"Z+(\.[A-Z]{1,3})?")
"""Well-formed symbols the market never serves."""


@dataclass(frozen=True)
class Venue:
    """Where an instrument trades: the exchange fields Yahoo repeats on every quote."""

    exchange: str
    full_name: str
    timezone: str
    tz_short: str
    gmt_offset_ms: int
    market: str
    source_name: str


NASDAQ = Venue(
    "NMS",
    "NasdaqGS",
    "America/New_York",
    "EST",
    -18_000_000,
    "us_market",
    "Nasdaq Real Time Price",
)
TORONTO = Venue(
    "TOR", "Toronto", "America/Toronto", "EST", -18_000_000, "ca_market", "Toronto Real Time"
)
LONDON = Venue("LSE", "LSE", "Europe/London", "GMT", 0, "gb_market", "Delayed Quote")
JOHANNESBURG = Venue(
    "JNB", "Johannesburg", "Africa/Johannesburg", "SAST", 7_200_000, "za_market", "Delayed Quote"
)
XETRA = Venue("GER", "XETRA", "Europe/Berlin", "CET", 3_600_000, "de_market", "Delayed Quote")
TOKYO = Venue("JPX", "Tokyo", "Asia/Tokyo", "JST", 32_400_000, "jp_market", "Delayed Quote")
FX_VENUE = Venue("CCY", "CCY", "Europe/London", "GMT", 0, "ccy_market", "Delayed Quote")

SUFFIXES: dict[str, tuple[Venue, str, tuple[float, float]]] = {
    "": (NASDAQ, "USD", (5.0, 500.0)),
    ".TO": (TORONTO, "CAD", (5.0, 300.0)),
    ".L": (LONDON, "GBp", (50.0, 5_000.0)),  # pence, as Yahoo quotes London
    ".DE": (XETRA, "EUR", (5.0, 400.0)),
    ".T": (TOKYO, "JPY", (300.0, 30_000.0)),
}
"""Where an invented listing trades, its currency and its price range, by suffix."""


@dataclass(frozen=True)
class Instrument:
    """One tradable symbol; ``price`` is the previous close in Yahoo's units (pence for GBp)."""

    symbol: str
    short_name: str
    long_name: str | None
    currency: str
    price: float
    venue: Venue
    quote_type: str = "EQUITY"
    decimals: int = 2
    volatility: float = 0.0005
    volume: int = 1_000_000

    @property
    def type_disp(self) -> str:
        """Yahoo's display label for the quote type."""
        return "Currency" if self.quote_type == "CURRENCY" else "Equity"


def _fx(code: str, rate: float, decimals: int = 4) -> Instrument:
    """A USD→``code`` pair the way Yahoo quotes ``XXX=X``: no longName, volume 0."""
    return Instrument(
        symbol=f"{code}=X",
        short_name=f"USD/{code}",
        long_name=None,
        currency=code,
        price=rate,
        venue=FX_VENUE,
        quote_type="CURRENCY",
        decimals=decimals,
        volatility=0.0002,
        volume=0,
    )


EQUITIES: tuple[Instrument, ...] = (
    Instrument("AAPL", "Apple Inc.", "Apple Inc.", "USD", 234.93, NASDAQ, volume=28_481_377),
    Instrument("MSFT", "Microsoft Corporation", "Microsoft Corporation", "USD", 427.99, NASDAQ),
    Instrument("TMUS", "T-Mobile US, Inc.", "T-Mobile US, Inc.", "USD", 246.02, NASDAQ),
    Instrument("SHOP.TO", "SHOPIFY INC", "Shopify Inc.", "CAD", 160.55, TORONTO),
    Instrument("RY.TO", "ROYAL BANK OF CANADA", "Royal Bank of Canada", "CAD", 178.21, TORONTO),
    Instrument(
        "VOD.L",
        "VODAFONE GROUP PLC",
        "Vodafone Group Public Limited Company",
        "GBp",
        72.36,
        LONDON,
        volume=61_226_914,
    ),
)
"""The demo equities: every currency case the producer must resolve except ZAc."""

EXTRA_EQUITIES: tuple[Instrument, ...] = (
    Instrument(
        "NPN.JO", "NASPERS-N-", "Naspers Limited", "ZAc", 412_150.0, JOHANNESBURG, volume=1_204_551
    ),
)
"""Served but not in the demo list: a cents-priced listing for minor-unit tests."""

FX_PAIRS: tuple[Instrument, ...] = (
    _fx("CAD", 1.4012),
    _fx("GBP", 0.7945),
    _fx("EUR", 0.9512),
    _fx("CHF", 0.8815),
    _fx("ZAR", 18.1204),
    _fx("JPY", 154.212, decimals=3),
)

DEFAULT_INSTRUMENTS: tuple[Instrument, ...] = EQUITIES + EXTRA_EQUITIES + FX_PAIRS

UNKNOWN_SYMBOL = "ZZZZ"
"""A well-formed symbol the market never serves (the 'missing' case)."""

DEMO_SYMBOLS: tuple[str, ...] = (*(i.symbol for i in EQUITIES), UNKNOWN_SYMBOL)


def synthetic_symbols(count: int, start: int = 1) -> tuple[str, ...]:
    """Names of ``count`` synthetic instruments, for large-list tests and benchmarks."""
    if count < 0 or start < 0 or start + count > 100_000:
        raise ValueError("synthetic symbols range over SYM00000..SYM99999")
    return tuple(f"SYM{n:05d}" for n in range(start, start + count))


def synthetic_instrument(symbol: str, seed: int) -> Instrument | None:
    """Invent a listing for a well-formed ``symbol`` with a known suffix; ``None`` otherwise."""
    if not SYNTHETIC_PATTERN.fullmatch(symbol) or UNKNOWN_PATTERN.fullmatch(symbol):
        return None
    base, dot, suffix = symbol.rpartition(".")
    if not dot:
        base, suffix = symbol, ""
    if f".{suffix}" not in SUFFIXES and suffix:
        return None
    venue, currency, (low, high) = SUFFIXES[f".{suffix}" if suffix else ""]
    rng = random.Random(f"{seed}:meta:{symbol}")
    return Instrument(
        symbol=symbol,
        short_name=f"{base} SYNTHETIC",
        long_name=f"{base.title()} Holdings (synthetic)",
        currency=currency,
        price=round(rng.uniform(low, high), 2),
        venue=venue,
        volume=rng.randrange(10_000, 5_000_000),
    )
