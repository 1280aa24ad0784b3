"""Settings precedence and currency rules."""

from __future__ import annotations

import pytest

from producer.currency import FxRates, fx_pairs, resolve_currency
from producer.errors import SettingsError
from producer.settings import ProducerSettings


def test_explicit_beats_env_beats_default() -> None:
    env = {"YAHOO_BATCH_SIZE": "20", "YAHOO_CONCURRENCY": "3"}
    settings = ProducerSettings.from_env(env, concurrency=5)
    assert (settings.batch_size, settings.concurrency, settings.max_attempts) == (20, 5, 4)
    assert settings.yahoo_base_url == "https://query2.finance.yahoo.com"
    assert settings.yahoo_cookie_url == "https://fc.yahoo.com"


@pytest.mark.parametrize(
    ("env", "overrides"),
    [
        ({"YAHOO_BATCH_SIZE": "many"}, {}),
        ({}, {"concurrency": 0}),
        ({}, {"tick_budget_seconds": 0.0}),
        ({}, {"no_such_setting": 1}),
    ],
)
def test_unusable_settings_fail_early(env: dict[str, str], overrides: dict[str, object]) -> None:
    with pytest.raises(SettingsError):
        ProducerSettings.from_env(env, **overrides)


@pytest.mark.parametrize(
    ("code", "price", "expected"),
    [
        ("GBp", 1234.5, ("GBP", 12.345)),
        ("GBp", 1234.56, ("GBP", 12.3456)),
        ("ZAc", 412150.0, ("ZAR", 4121.5)),
        ("ILA", 1015.0, ("ILS", 10.15)),
        ("USD", 1.5, ("USD", 1.5)),
        ("cad", 2.0, ("CAD", 2.0)),
    ],
)
def test_minor_units_resolve(code: str, price: float, expected: tuple[str, float]) -> None:
    assert resolve_currency(code, price) == expected


def test_fx_pairs_always_include_cad_and_skip_usd() -> None:
    assert fx_pairs([]) == ["CAD=X"]
    assert fx_pairs(["USD", "GBP", "CAD", "EUR"]) == ["CAD=X", "EUR=X", "GBP=X"]


def test_rates() -> None:
    rates = FxRates({"CAD": 1.4, "GBP": 0.79})
    assert rates.rate("USD") == 1.0
    assert rates.rate("GBP") == 0.79
    assert rates.rate("EUR") is None
    assert rates.usd_cad == 1.4
    assert FxRates({}).usd_cad is None
