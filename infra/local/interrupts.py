"""Stopping ``quotepipe run`` cleanly: SIGINT and SIGTERM become an exception.

SIGTERM's default action ends the process without unwinding, so the stack's servers
and the lake writer never learn of it; raising instead lets every ``with`` block close.
A signal that arrives while a tick is being written to the lake waits until the write
ends (``StopSignals.deferred``), so a tick is in the lake whole or not at all.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, Self

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """A stop signal. A KeyboardInterrupt, so handlers' ``except Exception`` lets it through."""

    def __init__(self, signum: int) -> None:
        self.signal = signal.Signals(signum)
        super().__init__(self.signal.name)

    @property
    def exit_code(self) -> int:
        """What a shell reports for a process ended by this signal: 128 + its number."""
        return 128 + int(self.signal)


class StopSignals:
    """While entered, SIGINT and SIGTERM raise ``Interrupted`` (main thread only)."""

    def __init__(self) -> None:
        self._saved: dict[int, Any] = {}
        self._deferring = False
        self._pending: int | None = None

    def __enter__(self) -> Self:
        # Python only lets the main thread install handlers; elsewhere signals keep theirs.
        if threading.current_thread() is threading.main_thread():
            for signum in STOP_SIGNALS:
                # A signal ignored by whoever started us (nohup, a shell's `&`) stays ignored.
                if signal.getsignal(signum) is not signal.SIG_IGN:
                    self._saved[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for signum, handler in self._saved.items():
            signal.signal(signum, handler)
        self._saved.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self._deferring:
            self._pending = signum
            return
        raise Interrupted(signum)

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Hold a stop signal until the block ends, then raise it."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False
        if self._pending is not None:
            raise Interrupted(self._pending)
