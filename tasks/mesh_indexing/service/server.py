"""Running the app on uvicorn: one process, or ``workers`` processes sharing one socket, and
a graceful stop on SIGTERM (stop accepting, answer what was accepted, exit 0).

With ``workers > 1`` uvicorn's supervisor starts each worker as a fresh process that builds
its own app (and loads its own copy of every model) from the settings it finds in the
environment variable :data:`SETTINGS_VARIABLE`.
"""

from __future__ import annotations

import importlib
import logging
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI

from multitask.errors import CommandLineError
from tasks.mesh_indexing.service.app import ServiceSettings, create_app

logger = logging.getLogger(__name__)

SETTINGS_VARIABLE = "MESH_SERVICE_SETTINGS"
#: seconds a stopping server waits for accepted requests before it cancels them
DEFAULT_GRACEFUL_TIMEOUT = 30.0
#: seconds uvicorn's supervisor lets a worker go without answering its health check before
#: it kills and replaces it (uvicorn's default, 5, is less than a worker takes to import
#: torch and AllenNLP, so every worker was killed while it started)
WORKER_HEALTHCHECK_TIMEOUT = 120


def serve(
    settings: ServiceSettings,
    host: str = "127.0.0.1",
    port: int = 5000,
    workers: int = 1,
    graceful_timeout: float = DEFAULT_GRACEFUL_TIMEOUT,
    access_log: bool = True,
) -> None:
    """Serve until SIGTERM or SIGINT; raise :class:`CommandLineError` if a project fails
    to load (one process) or the server cannot start."""
    import uvicorn

    options = dict(
        host=host,
        port=port,
        log_config=None,  # the command's logging, not uvicorn's own set-up
        access_log=access_log,
        timeout_graceful_shutdown=graceful_timeout,
        lifespan="on",
    )
    if workers > 1:
        os.environ[SETTINGS_VARIABLE] = settings.to_json()
        uvicorn.run(
            f"{__name__}:app_from_environment",
            factory=True,
            workers=workers,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_TIMEOUT,
            **options,
        )
        return

    failures: list[str] = []
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, **options))
    app.state.service.on_load_failure = lambda message: _stop(server, failures, message)
    with _signals_stop_quietly():
        server.run()
    if failures:
        raise CommandLineError(failures[0])
    if not server.started:
        raise CommandLineError(f"the server did not start on {host}:{port} (see the log above)")


def _stop(server, failures: list[str], message: str) -> None:
    logger.error("%s: stopping", message)
    failures.append(message)
    server.should_exit = True


@contextmanager
def _signals_stop_quietly() -> Iterator[None]:
    """uvicorn stops gracefully on SIGTERM / SIGINT, restores the handlers it found, then
    raises the signal again so that the process dies of it (status -15). Handlers that only
    take note are what it finds here, so the command ends normally: exit status 0."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {
        sig: signal.signal(sig, lambda number, frame: received.append(number))
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if received:
            logger.info("stopped on %s", signal.Signals(received[0]).name)


def app_from_environment() -> FastAPI:
    """The app of one worker process (``--workers N``): settings from the environment. A
    project that fails to load leaves this worker answering 503 (its /readyz says so)."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    text = os.environ.get(SETTINGS_VARIABLE)
    if not text:
        raise RuntimeError(f"{SETTINGS_VARIABLE} is not set: start workers with the command")
    settings = ServiceSettings.from_json(text)
    from allennlp.common.plugins import import_plugins

    import_plugins()  # what the command found: .allennlp_plugins in the working folder
    for module in settings.include_packages:
        importlib.import_module(module)
    logger.info("worker %d starting", os.getpid())
    return create_app(settings)
