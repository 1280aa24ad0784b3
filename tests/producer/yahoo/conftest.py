"""The whole client suite runs on both transports, over HTTP and HTTPS."""

from __future__ import annotations

import pytest

from tests.producer.conftest import ServedMarket


@pytest.fixture
def yahoo(yahoo_variants: ServedMarket) -> ServedMarket:
    """The local market, once per transport and scheme."""
    return yahoo_variants
