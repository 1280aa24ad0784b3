"""A Firehose client that enforces the real API limits and fails on demand."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from firehose.packing import MAX_BATCH_BYTES, MAX_BATCH_RECORDS, MAX_RECORD_BYTES


@dataclass
class FakeFirehose:
    """Records what was accepted; ``fail_plan[i]`` lists positions to fail in call i."""

    fail_plan: list[Sequence[int]] = field(default_factory=list)
    accepted: list[bytes] = field(default_factory=list)
    calls: list[int] = field(default_factory=list)

    def put_record_batch(self, DeliveryStreamName: str, Records: list[dict[str, bytes]]) -> Any:
        data = [r["Data"] for r in Records]
        assert len(data) <= MAX_BATCH_RECORDS, "more than 500 records in one call"
        assert sum(map(len, data)) <= MAX_BATCH_BYTES, "more than 4 MiB in one call"
        assert all(len(d) <= MAX_RECORD_BYTES for d in data), "record over 1,000 KiB"
        failing = set(self.fail_plan.pop(0)) if self.fail_plan else set()
        self.calls.append(len(data))
        responses = []
        for i, d in enumerate(data):
            if i in failing:
                responses.append({"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "x"})
            else:
                self.accepted.append(d)
                responses.append({"RecordId": f"id-{len(self.accepted)}"})
        return {
            "FailedPutCount": len(failing & set(range(len(data)))),
            "RequestResponses": responses,
        }
