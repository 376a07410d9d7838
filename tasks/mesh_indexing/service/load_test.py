"""The service under load, as its users meet it (``scripts/benchmarks/bench_serve.py``): a
real `allennlp serve-mesh` process on loopback, clients that each send one abstract per
request at a set concurrency, and beside it, in the same run, the batched rate of
`allennlp predict` on the same archive and abstracts (the rate dynamic batching should come
close to).

Clients are threads with one keep-alive connection each (``http.client``: little CPU per
request, so on a small machine the clients take little from the server). Every level sends a
fixed number of requests; a request is an error unless it gets 200 with JSON results.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlencode

from multitask.perf.measure import median, percentile

PROJECT = "bench"
READY_TIMEOUT_S = 600.0
REQUEST_TIMEOUT_S = 120.0


@dataclass
class Level:
    concurrency: int
    requests: int
    seconds: float
    latencies_ms: list[float]
    errors: int

    def row(self, batched_rate: Optional[float]) -> dict[str, Any]:
        rate = self.requests / self.seconds
        return {
            "concurrency": self.concurrency,
            "requests": self.requests,
            "abstracts/s": rate,
            "x batched": rate / batched_rate if batched_rate else None,
            "p50 ms": percentile(self.latencies_ms, 50) if self.latencies_ms else None,
            "p95 ms": percentile(self.latencies_ms, 95) if self.latencies_ms else None,
            "p99 ms": percentile(self.latencies_ms, 99) if self.latencies_ms else None,
            "errors": self.errors,
        }


class ServerProcess:
    """`allennlp serve-mesh` serving one archive as project ``bench``."""

    def __init__(
        self,
        archive: str,
        threads: Optional[int],
        max_batch_size: int,
        max_wait_ms: float,
        log: Path,
    ) -> None:
        self.port = free_port()
        command = [
            str(Path(sys.executable).with_name("allennlp")), "serve-mesh",
            "--project", f"{PROJECT}={archive}", "--host", "127.0.0.1", "--port", str(self.port),
            "--max-batch-size", str(max_batch_size), "--max-wait-ms", str(max_wait_ms),
            "--no-access-log", "--examples", "none",
        ]  # fmt: skip
        if threads:
            command += ["--threads", str(threads)]
        log.parent.mkdir(parents=True, exist_ok=True)
        self.log = log
        with open(log, "wb") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ}
            )

    def wait_until_ready(self) -> float:
        started = time.monotonic()
        while time.monotonic() - started < READY_TIMEOUT_S:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; its log: {self.log}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/readyz")
                if connection.getresponse().status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"the server was not ready in {READY_TIMEOUT_S} s; log: {self.log}")

    def rss_mb(self) -> float:
        """Resident memory of the server process now (``/proc``)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
        raise RuntimeError("no VmRSS in /proc status")

    def stop(self) -> int:
        """SIGTERM, as a supervisor stops it; the exit status (0 for a graceful stop)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return -9
        return self.process.returncode


def load_level(port: int, texts: list[str], concurrency: int, requests: int) -> Level:
    """``requests`` suggest calls, ``concurrency`` at a time, texts taken in turn."""
    next_index = iter(range(requests))
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_S)
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                break
            body = urlencode({"text": texts[index % len(texts)], "limit": "10"})
            started = time.perf_counter()
            ok = False
            try:
                connection.request(
                    "POST",
                    f"/v1/projects/{PROJECT}/suggest",
                    body=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                )
                response = connection.getresponse()
                payload = response.read()
                ok = response.status == 200 and "results" in json.loads(payload)
            except (OSError, http.client.HTTPException, ValueError):
                connection.close()
                connection = http.client.HTTPConnection(
                    "127.0.0.1", port, timeout=REQUEST_TIMEOUT_S
                )
            elapsed = 1000.0 * (time.perf_counter() - started)
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Level(concurrency, requests, time.perf_counter() - started, latencies, errors[0])


def batched_rate(
    archive: str, inputs: list[dict[str, Any]], batch_size: int, runs: int
) -> dict[str, Any]:
    """`allennlp predict --batch-size N` in this process: the median abstracts/s of ``runs``
    passes over ``inputs`` (one warm-up pass first); the predictor is dropped afterwards."""
    import gc

    from allennlp.predictors import Predictor

    from multitask.perf.prediction import predict_all

    predictor = Predictor.from_path(archive, predictor_name="mesh_indexer")
    predict_all(predictor, inputs[:batch_size], batch_size)
    rates = []
    for _ in range(runs):
        started = time.perf_counter()
        predict_all(predictor, inputs, batch_size)
        rates.append(len(inputs) / (time.perf_counter() - started))
    del predictor
    gc.collect()
    return {"batch_size": batch_size, "runs": rates, "abstracts/s": median(rates)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
