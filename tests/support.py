"""What the whole suite shares: the repository root, recorded payloads, a Lambda context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from infra.local.stack import LocalContext

REPO = Path(__file__).resolve().parent.parent
EVENTS = REPO / "tests" / "events"


def load_event(name: str) -> Any:
    """A recorded-shape JSON payload from tests/events/ (``name`` with or without ``.json``)."""
    path = EVENTS / (name if name.endswith(".json") else f"{name}.json")
    return orjson.loads(path.read_bytes())


def lambda_context(function_name: str = "quotepipe-test", timeout: float = 60.0) -> LocalContext:
    """The context the embedded stack hands to handlers: what Powertools and the handlers read."""
    return LocalContext(function_name, timeout_seconds=timeout)
