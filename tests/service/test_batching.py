"""The dynamic batcher alone (no server): what goes into one model call, and what a request
gets back. Fast: a fake suggester that records its calls."""

import asyncio
import threading
import time

import pytest

from tasks.mesh_indexing.service.batching import DynamicBatcher
from tasks.mesh_indexing.suggesters import Suggestion


class FakeSuggester:
    """Echoes each text as its labels (``text:0``, ``text:1``, ...); records every call."""

    def __init__(self, seconds: float = 0.0, fail: bool = False) -> None:
        self.seconds = seconds
        self.fail = fail
        self.calls: list[tuple[list[str], int]] = []
        self.threads: set[str] = set()

    def __call__(self, texts: list[str], limit: int) -> list[list[Suggestion]]:
        self.calls.append((list(texts), limit))
        self.threads.add(threading.current_thread().name)
        time.sleep(self.seconds)
        if self.fail:
            raise RuntimeError("the model broke")
        return [[Suggestion(f"{t}:{i}", 1.0 - i / 100) for i in range(limit)] for t in texts]


def run(coroutine_function, *args):
    return asyncio.run(asyncio.wait_for(coroutine_function(*args), timeout=30))


async def _with_batcher(model, max_batch_size, max_wait, body):
    batcher = DynamicBatcher("p", model, max_batch_size, max_wait)
    batcher.start()
    try:
        return await body(batcher)
    finally:
        await batcher.stop()


def test_concurrent_requests_share_one_call_and_keep_their_own_limit():
    model = FakeSuggester()

    async def body(batcher):
        return await asyncio.gather(
            batcher.suggest(["a"], 1), batcher.suggest(["b", "c"], 3), batcher.suggest(["d"], 2)
        )

    a, bc, d = run(_with_batcher, model, 8, 0.05, body)
    assert model.calls == [(["a", "b", "c", "d"], 3)]  # one call, the largest limit
    assert [s.label for s in a[0]] == ["a:0"]
    assert [[s.label for s in r] for r in bc] == [["b:0", "b:1", "b:2"], ["c:0", "c:1", "c:2"]]
    assert [s.label for s in d[0]] == ["d:0", "d:1"]
    assert len(model.threads) == 1 and threading.current_thread().name not in model.threads


def test_a_full_batch_does_not_wait_and_arrivals_gather_while_the_model_runs():
    model = FakeSuggester(seconds=0.2)

    async def body(batcher):
        started = time.monotonic()
        first = asyncio.ensure_future(batcher.suggest(["x", "y"], 1))  # a full batch
        await asyncio.sleep(0.05)  # the model is busy with it
        rest = [asyncio.ensure_future(batcher.suggest([f"t{i}"], 1)) for i in range(6)]
        await asyncio.gather(first, *rest)
        return time.monotonic() - started

    seconds = run(_with_batcher, model, 2, 10.0, body)
    assert seconds < 5, "a full batch waited for max_wait"
    assert [len(texts) for texts, _ in model.calls] == [2, 2, 2, 2]


def test_the_event_loop_runs_while_the_model_works():
    model = FakeSuggester(seconds=0.5)

    async def body(batcher):
        ticks = 0

        async def tick():
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        ticker = asyncio.ensure_future(tick())
        await batcher.suggest(["a"], 1)
        ticker.cancel()
        return ticks

    assert run(_with_batcher, model, 4, 0.0, body) > 10


def test_a_failing_model_fails_its_batch_and_the_batcher_goes_on():
    model = FakeSuggester(fail=True)

    async def body(batcher):
        results = await asyncio.gather(
            batcher.suggest(["a"], 1), batcher.suggest(["b"], 1), return_exceptions=True
        )
        model.fail = False
        return results, await batcher.suggest(["c"], 1)

    (first, second), after = run(_with_batcher, model, 8, 0.05, body)
    assert isinstance(first, RuntimeError) and isinstance(second, RuntimeError)
    assert after[0][0].label == "c:0"


def test_a_cancelled_request_is_left_out_of_the_batch():
    model = FakeSuggester()

    async def body(batcher):
        gone = asyncio.ensure_future(batcher.suggest(["gone"], 1))
        await asyncio.sleep(0)  # queued
        gone.cancel()
        return await batcher.suggest(["kept"], 1)

    assert run(_with_batcher, model, 8, 0.05, body)[0][0].label == "kept:0"
    assert model.calls == [(["kept"], 1)]


def test_settings_are_checked():
    with pytest.raises(ValueError, match="max_batch_size"):
        DynamicBatcher("p", FakeSuggester(), 0, 0.01)
    with pytest.raises(ValueError, match="max_wait"):
        DynamicBatcher("p", FakeSuggester(), 1, -1)
