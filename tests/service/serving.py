"""A real `allennlp serve-mesh` process for the service tests: started on 127.0.0.1 and a
free port, its output in a log file, stopped with SIGTERM (killed only if it hangs)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import pytest
import requests
from paths import PROJECT_ROOT

HERE = Path(__file__).resolve().parent
ALLENNLP = Path(sys.executable).with_name("allennlp")
PROBLEM = "application/problem+json"
TIMEOUT = 30  # seconds any single HTTP call may take


class Server:
    def __init__(
        self,
        process: subprocess.Popen,
        port: int,
        log: Path,
        gate: Optional[Path] = None,
        calls: Optional[Path] = None,
    ):
        self.process = process
        self.url = f"http://127.0.0.1:{port}"
        self.port = port
        self.log = log
        self.gate = gate
        self.calls = calls

    def api(self, path: str) -> str:
        return f"{self.url}/v1/{path}"

    def wait_for(self, path: str, status: int, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the server exited:\n{self.log_text()[-3000:]}"
            try:
                if requests.get(self.url + path, timeout=5).status_code == status:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        log = self.log_text()[-3000:]
        pytest.fail(f"{path} did not answer {status} within {seconds} s:\n{log}")

    def batch_sizes(self) -> list[int]:
        """Texts per call of the sleepy suggester so far (the warm-up included)."""
        if not self.calls.exists():
            return []
        return [json.loads(line)["size"] for line in self.calls.read_text().splitlines()]

    def metric(self, name: str, **labels: str) -> float:
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        text = requests.get(self.url + "/metrics", timeout=TIMEOUT).text
        for line in text.splitlines():
            key, _, value = line.rpartition(" ")
            if key == (f"{name}{{{wanted}}}" if labels else name):
                return float(value)
        return 0.0

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server(arguments: list[str], log: Path, **files: Path) -> Server:
    """``allennlp <arguments>`` (which name ``--port``) in the project root; ``files`` are the
    gate and calls files of the sleepy test suggester, when it is served."""
    port = int(arguments[arguments.index("--port") + 1])
    env = {
        **os.environ,
        "PYTHONWARNINGS": "ignore",
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(ALLENNLP), *arguments],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Server(process, port, log, **files)
