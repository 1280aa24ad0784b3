"""Currencies: resolve Yahoo's minor units and name the FX pairs a tick needs.

Yahoo quotes some listings in minor units (``GBp`` pence, ``ZAc`` cents, ``ILA``
agorot); bronze carries the ISO code and the price in it. ``XXX=X`` is the USD→XXX
rate (units of XXX per 1 USD), so ``CAD=X`` is the USD→CAD rate.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

MINOR_UNITS: Mapping[str, tuple[str, int]] = {
    "GBp": ("GBP", 100),
    "GBX": ("GBP", 100),
    "ZAc": ("ZAR", 100),
    "ZAC": ("ZAR", 100),
    "ILA": ("ILS", 100),
}
USD = "USD"
CAD = "CAD"


def resolve_currency(code: str, price: float) -> tuple[str, float]:
    """Return the ISO code and the price in it; minor units are divided out in decimal."""
    major = MINOR_UNITS.get(code)
    if major is None:
        return code.upper(), price
    iso, factor = major
    # Decimal on the shortest repr: 1234.56 pence reads 12.3456, not 12.345600000000001.
    return iso, float(Decimal(repr(price)) / factor)


def fx_pair(currency: str) -> str | None:
    """The Yahoo symbol giving units of ``currency`` per USD; None for USD itself."""
    return None if currency in ("", USD) else f"{currency}=X"


def fx_pairs(currencies: Iterable[str]) -> list[str]:
    """Pairs to fetch for these ISO currencies: ``CAD=X`` always, then one per non-USD currency."""
    pairs = {f"{CAD}=X": None}
    for currency in sorted(set(currencies)):
        if (pair := fx_pair(currency)) is not None:
            pairs[pair] = None
    return list(pairs)


@dataclass(frozen=True, slots=True)
class FxRates:
    """Rates observed in one tick: units of each currency per 1 USD."""

    per_usd: Mapping[str, float]

    def rate(self, currency: str) -> float | None:
        """Units of ``currency`` per USD; 1 for USD; None when not observed."""
        return 1.0 if currency == USD else self.per_usd.get(currency)

    @property
    def usd_cad(self) -> float | None:
        """CAD per USD, as every bronze line carries it."""
        return self.per_usd.get(CAD)
