"""Dynamic batching: the texts of concurrent requests for one project go to the model
together, so a hundred clients sending one abstract each get the throughput of one batched
`allennlp predict`, not of a hundred calls with one abstract.

One :class:`DynamicBatcher` per project. Requests put their texts in its queue and await
their answers; a single worker task takes up to ``max_batch_size`` texts, waiting at most
``max_wait`` after the oldest arrived (texts that queued while the model was busy are
already past that, so under load nothing waits), and runs the suggester on them in the
project's own thread. One model call at a time per project (models are not thread-safe,
and the event loop is never blocked by one).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Optional

from tasks.mesh_indexing.service.metrics import ServiceMetrics
from tasks.mesh_indexing.suggesters import Suggestion

logger = logging.getLogger(__name__)

SuggestFunction = Callable[[list[str], int], list[list[Suggestion]]]


class ShuttingDown(Exception):
    """The server stopped before this text's batch could run."""


@dataclass
class _Pending:
    text: str
    limit: int
    future: asyncio.Future = field(repr=False)
    arrived: float


class DynamicBatcher:
    """Gathers texts into model batches for one project.

    # Parameters

    project_id : `str`
        Names the project in logs and metrics.
    suggest : `SuggestFunction`
        ``suggest(texts, limit)``: the suggester's, called in this batcher's thread.
    max_batch_size : `int`
        The most texts per model call.
    max_wait : `float`
        Seconds a batch waits for more texts after its oldest text arrived.
    """

    def __init__(
        self,
        project_id: str,
        suggest: SuggestFunction,
        max_batch_size: int,
        max_wait: float,
        metrics: Optional[ServiceMetrics] = None,
    ) -> None:
        if max_batch_size < 1:
            raise ValueError(f"max_batch_size must be at least 1, got {max_batch_size}")
        if max_wait < 0:
            raise ValueError(f"max_wait must not be negative, got {max_wait}")
        self.project_id = project_id
        self._suggest = suggest
        self.max_batch_size = max_batch_size
        self.max_wait = max_wait
        self._metrics = metrics
        self._pending: deque[_Pending] = deque()
        self._wakeup = asyncio.Event()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"suggest-{project_id}")
        self._task: Optional[asyncio.Task] = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(
            self._run(), name=f"batcher-{self.project_id}"
        )

    async def stop(self) -> None:
        """Fail what still waits (the server's graceful shutdown lets in-flight requests
        finish first, so normally nothing does) and end the worker."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self._fail(list(self._pending), ShuttingDown("the server is shutting down"))
        self._pending.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def suggest(self, texts: Sequence[str], limit: int) -> list[list[Suggestion]]:
        """At most ``limit`` suggestions for each text, best first, computed in whichever
        batches the texts fall into."""
        if self._task is None or self._task.done():
            raise ShuttingDown("the project's batch worker is not running")
        loop = asyncio.get_running_loop()
        now = loop.time()
        items = [_Pending(text, limit, loop.create_future(), now) for text in texts]
        self._pending.extend(items)
        self._update_queue_gauge()
        self._wakeup.set()
        # a cancelled request cancels its futures: the worker skips them
        return list(await asyncio.gather(*(item.future for item in items)))

    # ---- the worker ---------------------------------------------------------------------------
    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await self._wait_for_a_batch(loop)
            batch = self._take()
            if not batch:
                continue
            texts = [item.text for item in batch]
            limit = max(item.limit for item in batch)
            started = loop.time()
            try:
                results = await loop.run_in_executor(self._executor, self._suggest, texts, limit)
                if len(results) != len(batch):
                    raise RuntimeError(
                        f"the suggester answered {len(results)} lists for {len(batch)} texts"
                    )
            except asyncio.CancelledError:
                self._fail(batch, ShuttingDown("the server is shutting down"))
                raise
            except Exception as error:
                logger.exception(
                    "project %s: a batch of %d texts failed", self.project_id, len(batch)
                )
                self._fail(batch, error)
                continue
            finally:
                if self._metrics is not None:
                    self._metrics.batch_size.labels(self.project_id).observe(len(batch))
                    self._metrics.batch_seconds.labels(self.project_id).observe(
                        loop.time() - started
                    )
            for item, suggestions in zip(batch, results):
                if not item.future.done():
                    item.future.set_result(suggestions[: item.limit])

    async def _wait_for_a_batch(self, loop: asyncio.AbstractEventLoop) -> None:
        """Until a full batch waits, or the oldest text has waited ``max_wait``."""
        while not self._pending:
            self._wakeup.clear()
            await self._wakeup.wait()
        deadline = self._pending[0].arrived + self.max_wait
        while len(self._pending) < self.max_batch_size:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return
            self._wakeup.clear()
            try:
                await asyncio.wait_for(self._wakeup.wait(), remaining)
            except TimeoutError:
                return

    def _take(self) -> list[_Pending]:
        batch: list[_Pending] = []
        while self._pending and len(batch) < self.max_batch_size:
            item = self._pending.popleft()
            if not item.future.done():  # not cancelled by a client that went away
                batch.append(item)
        self._update_queue_gauge()
        return batch

    def _fail(self, items: list[_Pending], error: BaseException) -> None:
        for item in items:
            if not item.future.done():
                item.future.set_exception(error)

    def _update_queue_gauge(self) -> None:
        if self._metrics is not None:
            self._metrics.queued.labels(self.project_id).set(len(self._pending))
