"""The processor's on-failure queue on a lake: ``DIR/dead-letters/processor/*.json``.

In AWS, an S3 event the processor failed on three times lands in
``ProcessorDeadLetterQueue`` as a Lambda invocation record. On a lake the same
record is one JSON file in this folder, written by ``put`` (``invocation_record``
builds it in AWS's shape), so ``quotepipe redrive --lake DIR`` takes the lake's
failures the way it takes the queue's messages: ``receive``, then ``delete`` each
one only after it was processed.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FOLDER = Path("dead-letters") / "processor"


@dataclass(frozen=True)
class Letter:
    """One message of an on-failure queue: its id, its body and how to delete it."""

    id: str
    body: str
    handle: str


def invocation_record(
    event: dict[str, Any], error: BaseException, *, function_arn: str, attempts: int = 3
) -> dict[str, Any]:
    """What Lambda sends an on-failure destination after the last retry of ``event``."""
    return {
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": f"{function_arn}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "responsePayload": {"errorMessage": str(error), "errorType": type(error).__name__},
    }


class LakeDeadLetters:
    """The lake's on-failure folder, read like a queue: every file once per run."""

    def __init__(self, lake: Path) -> None:
        self.folder = lake / FOLDER
        self._received = False

    def put(self, record: dict[str, Any]) -> Path:
        """Keep one invocation record; names sort by arrival."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.json"
        path.write_text(json.dumps(record), encoding="utf-8")
        return path

    def receive(self) -> list[Letter]:
        """Every record, oldest first, on the first call; nothing after (a queue drained)."""
        if self._received or not self.folder.is_dir():
            return []
        self._received = True
        return [
            Letter(path.name, path.read_text(encoding="utf-8", errors="replace"), str(path))
            for path in sorted(self.folder.glob("*.json"))
        ]

    def delete(self, letter: Letter) -> None:
        """Remove a record that was handled."""
        Path(letter.handle).unlink(missing_ok=True)

    def release(self, letter: Letter) -> None:
        """Nothing to do: a file left in place stays visible."""
