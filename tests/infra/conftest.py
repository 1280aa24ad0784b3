"""Fixtures shared by the tests of infra/: a headless Chromium for the dashboard pages."""

from tests.infra.chromium import browser, chromium

__all__ = ["browser", "chromium"]
