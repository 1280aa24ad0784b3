"""The fault matrix: every fault the simulated market can inject, through the producer.

Each case arms one fault, runs one invocation (one tick) against a fake Firehose on
both transports over HTTP and HTTPS, and checks the one promise that matters: every
requested symbol ends somewhere counted — delivered as a bronze line, or named
missing with a reason, or refused as a bad symbol — and nothing is both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from firehose.codec import BRONZE_FIELDS, decode_line
from infra.local.yahoo import (
    Patch,
    SimulatedMarket,
    drop_long_name,
    duplicate,
    empty_crumb,
    hang,
    html_200,
    invalid_cookie,
    invalid_crumb,
    omit,
    oversized_name,
    pad_names,
    rate_limit_text,
    rename,
    reorder,
    server_error,
    stub,
    too_many_requests,
    trade_time_at,
    truncated,
)
from producer.invocation import InvocationSummary, ProducerState, run_invocation
from producer.yahoo.parse import FIELD_LIMITS
from tests.firehose.fakes import FakeFirehose
from tests.producer.conftest import ServedMarket, fast_settings

LISTED = "AAPL,MSFT,VOD.L,SHOP.TO,ZZZZ,not a symbol"
REQUESTED = ["AAPL", "MSFT", "VOD.L", "SHOP.TO", "ZZZZ"]
KNOWN = {"AAPL", "MSFT", "VOD.L", "SHOP.TO"}
YEAR_2019 = 1_560_000_000
YEAR_2101 = 4_133_980_800


@dataclass(frozen=True)
class Case:
    """One fault: how to arm it, settings it needs, and what must be delivered."""

    arm: Callable[[SimulatedMarket], None]
    delivered: frozenset[str] = frozenset(KNOWN)
    settings: dict[str, Any] = field(default_factory=dict)
    warm: bool = False  # run one clean invocation first (a cached crumb to go stale)


def inject(
    fault: Any, on: Any = "quote", times: int | None = 1
) -> Callable[[SimulatedMarket], None]:
    return lambda market: market.inject(fault, on=on, times=times)


def both(*arms: Callable[[SimulatedMarket], None]) -> Callable[[SimulatedMarket], None]:
    def arm(market: SimulatedMarket) -> None:
        for one in arms:
            one(market)

    return arm


NOTHING = frozenset[str]()
POISON = Patch(frozenset({"MSFT"}), {"regularMarketPrice": "n/a"})
HUGE_CODES = Patch(frozenset({"MSFT"}), {"exchange": "X" * 100_000, "currency": "USD" * 999})

CASES: dict[str, Case] = {
    "none": Case(lambda market: None),
    "401 invalid crumb": Case(inject(invalid_crumb())),
    "401 invalid cookie": Case(inject(invalid_cookie())),
    "401 after renewal too": Case(inject(invalid_crumb(), times=2)),
    "stale crumb (rotated)": Case(lambda market: market.rotate_crumbs(), warm=True),
    "expired cookie": Case(lambda market: market.expire_cookies(), warm=True),
    "429 with Retry-After": Case(inject(too_many_requests(retry_after=1))),
    "429 without Retry-After": Case(inject(too_many_requests(), times=2)),
    "429 throughout": Case(
        inject(too_many_requests(), on=("quote", "chart"), times=None),
        delivered=NOTHING,
        settings={"rate_limit_trip": 3},
    ),
    "429 on v7, chart answers": Case(inject(too_many_requests(), times=None)),
    "crumb reads Too Many Requests": Case(inject(rate_limit_text(), on="crumb")),
    "crumb rate-limited throughout": Case(inject(rate_limit_text(), on="crumb", times=None)),
    "empty crumb": Case(inject(empty_crumb(), on="crumb")),
    "cookie 5xx": Case(inject(server_error(502), on="cookie")),
    "5xx once": Case(inject(server_error(503))),
    "5xx throughout v7": Case(inject(server_error(500), times=None)),
    "5xx everywhere": Case(
        inject(server_error(502), on=("quote", "chart"), times=None), delivered=NOTHING
    ),
    "hang once": Case(inject(hang(3.0)), settings={"timeout_seconds": 0.3}),
    "hang on chart": Case(
        both(inject(omit("MSFT"), times=None), inject(hang(3.0), on="chart", times=None)),
        delivered=frozenset(KNOWN - {"MSFT"}),
        settings={"timeout_seconds": 0.3, "max_attempts": 2},
    ),
    "truncated JSON": Case(inject(truncated())),
    "truncated JSON throughout v7": Case(inject(truncated(), times=None)),
    "HTML with 200": Case(inject(html_200(), times=2)),
    "HTML with 200 everywhere": Case(
        inject(html_200(), on=("quote", "chart"), times=None), delivered=NOTHING
    ),
    "omitted symbol": Case(inject(omit("AAPL"), times=None)),
    "price-less stub": Case(inject(stub("VOD.L"), times=None)),
    "malformed result": Case(
        inject(POISON, on=("quote", "chart"), times=None), delivered=frozenset(KNOWN - {"MSFT"})
    ),
    "reordered and duplicated": Case(both(inject(reorder()), inject(duplicate()))),
    "no longName": Case(inject(drop_long_name("SHOP.TO"), times=None)),
    "padded names": Case(inject(pad_names("AAPL"), times=None)),
    "hostile name": Case(inject(rename("MSFT", 'Evil, "Co"\\ \n\r\x00'), times=None)),
    "oversized name (2 MB)": Case(
        inject(oversized_name("AAPL"), on=("quote", "chart"), times=None)
    ),
    "oversized exchange and currency": Case(inject(HUGE_CODES, times=None)),
    "old trade time (2019)": Case(inject(trade_time_at("AAPL", YEAR_2019), times=None)),
    "future trade time (2101)": Case(inject(trade_time_at("MSFT", YEAR_2101), times=None)),
}


def invoke(
    server: ServedMarket, state: ProducerState, **overrides: Any
) -> tuple[InvocationSummary, FakeFirehose]:
    firehose = FakeFirehose()
    settings = fast_settings(server, symbols=LISTED, **overrides)
    summary = asyncio.run(run_invocation(settings, firehose=cast(Any, firehose), state=state))
    return summary, firehose


def delivered_symbols(firehose: FakeFirehose) -> list[str]:
    text = b"".join(firehose.accepted).decode()
    rows = [dict(zip(BRONZE_FIELDS, decode_line(line), strict=True)) for line in text.splitlines()]
    return [row["symbol"] for row in rows]


@pytest.mark.parametrize("name", list(CASES))
def test_every_requested_symbol_ends_somewhere_counted(
    name: str, yahoo_variants: ServedMarket
) -> None:
    case = CASES[name]
    state = ProducerState()
    if case.warm:
        invoke(yahoo_variants, state)
        state.last_sent.clear()  # else quotes that did not trade since would count as unchanged
    # GIVEN the fault armed on the market
    case.arm(yahoo_variants.market)
    # WHEN one invocation runs one tick
    summary, firehose = invoke(yahoo_variants, state, **case.settings)
    tick = summary.ticks[0]
    sent = delivered_symbols(firehose)
    # THEN every requested symbol is delivered once or named missing with a reason
    assert len(sent) == len(set(sent)), "a symbol delivered twice in one tick"
    assert set(sent).isdisjoint(tick.symbols_missing)
    assert sorted([*sent, *tick.symbols_missing]) == sorted(REQUESTED)
    assert sum(tick.missing_reasons.values()) == len(tick.symbols_missing)
    assert set(sent) == case.delivered
    # AND the entry that is not a symbol is refused by name, never fetched
    assert [bad["entry"] for bad in summary.bad_symbols] == ["not a symbol"]
    # AND a delivered line never carries a field beyond its limit
    assert all(len(line) < 2_000 for line in b"".join(firehose.accepted).decode().splitlines())
    assert tick.fields_truncated == _expected_truncations(name)


def _expected_truncations(name: str) -> dict[str, int]:
    """Which cases cut fields (each fault hits one symbol once per tick)."""
    if name.startswith("oversized name"):
        return {"name": 1}
    if name.startswith("oversized exchange"):
        return {"exchange": 1, "currency": 1}
    return {}


def test_field_limits_are_the_documented_ones() -> None:
    assert FIELD_LIMITS == {
        "symbol": 32,
        "name": 256,
        "exchange": 64,
        "currency": 8,
        "market_state": 32,
    }
