"""Download one user-named URL with a total time limit, retries and a progress bar.

``requests``' own ``timeout`` bounds each socket wait, not the download: a server that
accepts and then trickles (or never answers) could stall a corpus build for ever, and a
failure surfaced as a long traceback. Here every attempt has a deadline, transient failures
are retried, and the last failure is one line naming the URL.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from multitask.errors import UserInputError

logger = logging.getLogger(__name__)


class DownloadError(UserInputError):
    """A URL that could not be downloaded; the message names it and the last reason."""


@dataclass(frozen=True)
class DownloadPolicy:
    """Limits of one download. ``total_seconds`` bounds the whole download, all attempts
    together; ``connect_seconds`` and ``read_seconds`` bound each wait on the socket; a failed
    attempt (no connection, timeout, HTTP 5xx or 429) is retried ``attempts - 1`` times."""

    total_seconds: float = 4 * 3600.0  # BioASQ's allMeSH file is 25 GB
    attempts: int = 3
    connect_seconds: float = 15.0
    read_seconds: float = 30.0
    backoff_seconds: float = 2.0


class _Retryable(Exception):
    pass


def _attempt(url: str, part: Path, policy: DownloadPolicy, cancelled: threading.Event) -> None:
    import requests

    timeout = (
        min(policy.connect_seconds, policy.total_seconds),
        min(policy.read_seconds, policy.total_seconds),
    )
    try:
        with requests.get(url, stream=True, timeout=timeout) as response:
            if response.status_code >= 500 or response.status_code == 429:
                raise _Retryable(f"HTTP {response.status_code} {response.reason}")
            if response.status_code >= 400:
                raise DownloadError(
                    f"cannot download {url}: HTTP {response.status_code} {response.reason}"
                )
            total = int(response.headers.get("Content-Length") or 0) or None
            name = part.name.rsplit(".part", 1)[0]
            with (
                open(part, "wb") as handle,
                tqdm(total=total, unit="B", unit_scale=True, desc=name, mininterval=1.0) as bar,
            ):
                for block in response.iter_content(1 << 16):
                    if cancelled.is_set():  # the caller gave up on this attempt
                        return
                    handle.write(block)
                    bar.update(len(block))
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as error:
        # requests reports a read timeout while streaming as a ConnectionError
        raise _Retryable(_reason(error)) from None
    except requests.exceptions.RequestException as error:
        raise DownloadError(f"cannot download {url}: {_reason(error)}") from None


def _attempt_with_deadline(url: str, part: Path, policy: DownloadPolicy, seconds: float) -> None:
    """One attempt, given up after ``seconds`` however the server behaves (a trickle of
    bytes defeats a per-read timeout, so the attempt runs in a worker thread)."""
    outcome: dict[str, BaseException] = {}
    cancelled = threading.Event()

    def work() -> None:
        try:
            _attempt(url, part, policy, cancelled)
        except BaseException as error:  # handed to the caller's thread
            outcome["error"] = error

    worker = threading.Thread(target=work, name=f"download {url}", daemon=True)
    worker.start()
    worker.join(max(seconds, 0.0))
    if worker.is_alive():
        cancelled.set()
        raise _Retryable("no complete answer within the time limit")
    if "error" in outcome:
        raise outcome["error"]


def _reason(error: BaseException) -> str:
    """The innermost cause of a requests error, without the urllib3 object dumps."""
    text = str(error)
    for marker in ("Caused by ", "Failed to establish a new connection: "):
        if marker in text:
            text = text.split(marker, 1)[1]
    text = text.strip("()'\" ")
    if "timed out" in text.lower():
        return "timed out waiting for the server"
    if "refused" in text.lower():
        return "connection refused"
    if "name or service not known" in text.lower() or "name resolution" in text.lower():
        return "unknown host"
    return text[:200]


def download(url: str, target: Path, policy: DownloadPolicy | None = None) -> Path:
    """Download ``url`` to ``target`` (through a ``.part`` file, renamed when complete)
    within ``policy.total_seconds`` for all attempts together."""
    policy = policy or DownloadPolicy()
    target.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + policy.total_seconds
    reason, attempts = "no attempt made", 0
    while attempts < policy.attempts and time.monotonic() < deadline:
        attempts += 1
        part = target.with_name(f"{target.name}.part{attempts}")  # one per attempt: a worker
        try:  # that timed out may still hold its own
            logger.info("Downloading %s (attempt %d of %d)", url, attempts, policy.attempts)
            _attempt_with_deadline(url, part, policy, deadline - time.monotonic())
            part.replace(target)
            return target
        except _Retryable as error:
            reason = str(error)
            logger.warning("%s: %s", url, reason)
            pause = min(policy.backoff_seconds * attempts, deadline - time.monotonic())
            if attempts < policy.attempts and pause > 0:
                time.sleep(pause)
        finally:
            part.unlink(missing_ok=True)
    raise DownloadError(
        f"cannot download {url}: {reason} (gave up after {attempts} attempt(s); "
        f"time limit {policy.total_seconds:g} s)"
    )
