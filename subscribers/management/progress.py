"""A plain progress line on stderr for long commands (no extra dependency)."""

import sys
import time


class Progress:
    def __init__(self, total: int | None, label: str, stream=None, every: float = 0.5):
        self.total, self.label, self.count = total, label, 0
        self.stream = stream or sys.stderr
        self.every, self._last = every, 0.0
        self.started = time.monotonic()

    def step(self, n: int = 1) -> None:
        self.count += n
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            self._draw()

    def _draw(self, end: str = "\r") -> None:
        if self.total:
            width = 30
            filled = int(width * min(self.count, self.total) / self.total)
            bar = "#" * filled + "-" * (width - filled)
            text = f"{self.label} [{bar}] {self.count}/{self.total}"
        else:
            text = f"{self.label}: {self.count}"
        rate = self.count / max(time.monotonic() - self.started, 1e-6)
        self.stream.write(f"{text}  {rate:.1f}/s{end}")
        self.stream.flush()

    def done(self) -> None:
        self._draw(end="\n")
