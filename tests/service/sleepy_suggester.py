"""A suggester for the server tests (``--include-package sleepy_suggester`` in the server's
process; importing it registers it). Its answers can be predicted from the text, each model
call takes a set time, its first call (the server's warm-up) can be held until a gate file
appears, so the test decides when loading ends, and every call is logged with its size."""

import json
import time
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any, Optional

from tasks.mesh_indexing.suggesters import Suggester, Suggestion

GATE_TIMEOUT_S = 120.0


def expected(labels: Sequence[str], text: str) -> list[Suggestion]:
    """What :class:`SleepySuggester` answers for ``text``: its labels rotated by the text's
    length, scored 0.9, 0.8, ..."""
    shift = len(text) % len(labels)
    order = list(labels[shift:]) + list(labels[:shift])
    return [Suggestion(label, round(0.9 - 0.1 * rank, 6)) for rank, label in enumerate(order)]


@Suggester.register("test_sleepy")
class SleepySuggester(Suggester):
    def __init__(
        self,
        labels: list[str],
        seconds: float = 0.0,
        gate: Optional[str] = None,
        log: Optional[str] = None,
    ) -> None:
        self.labels = list(labels)
        self.seconds = seconds
        self.gate = gate
        self.log = log

    @property
    def trained(self) -> bool:
        return True

    def config(self) -> dict[str, Any]:
        return {"type": "test_sleepy", "labels": self.labels, "seconds": self.seconds}

    def fit(self, texts: Sequence[str], label_sets: Sequence[Collection[str]]) -> None:
        pass

    def suggest(self, texts: Sequence[str], limit: int) -> list[list[Suggestion]]:
        if self.gate is not None:
            deadline = time.monotonic() + GATE_TIMEOUT_S
            while not Path(self.gate).exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        if self.log is not None:
            with open(self.log, "a") as out:
                out.write(json.dumps({"size": len(texts), "started": time.time()}) + "\n")
        time.sleep(self.seconds)
        return [expected(self.labels, text)[:limit] for text in texts]

    def save(self, directory: Path) -> None:
        pass

    def load(self, directory: Path) -> None:
        pass
