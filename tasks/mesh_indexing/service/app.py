"""The ASGI app: Annif's REST API v1 over the served projects, plus health, readiness,
metrics and the OpenAPI document with its interactive page (assets from the
``swagger-ui-bundle`` package: no CDN, no network at run time).

Models load in a background thread once the app starts (after the socket is open): until a
project is loaded its routes answer 503 problem+json, never a hang; ``/healthz`` answers at
once, ``/readyz`` once every project is loaded.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.responses import HTMLResponse, JSONResponse, Response

from tasks.mesh_indexing.service import inputs, schemas
from tasks.mesh_indexing.service.batching import DynamicBatcher, ShuttingDown
from tasks.mesh_indexing.service.examples import read_examples
from tasks.mesh_indexing.service.explain import (
    DEFAULT_MAX_WORDS,
    content_words,
    supporting_words,
    tree_places,
    without_word,
)
from tasks.mesh_indexing.service.metrics import RequestMetricsMiddleware, ServiceMetrics
from tasks.mesh_indexing.service.problems import (
    RETRY_AFTER_SECONDS,
    Problem,
    install_problem_handlers,
    not_found,
    problem_response,
    unavailable,
)
from tasks.mesh_indexing.service.projects import Project, ProjectSpec

logger = logging.getLogger(__name__)

API_TITLE = "Annif-compatible MeSH indexing REST API"
API_PREFIX = "/v1"
OPENAPI_URL = f"{API_PREFIX}/openapi.json"
DOCS_URL = f"{API_PREFIX}/ui/"
DOCS_ASSETS = f"{API_PREFIX}/ui/assets"
#: 1 MiB: a PubMed abstract is 1-3 KB, a batch of 32 full texts of 30 KB still fits
DEFAULT_MAX_BODY_BYTES = 1 << 20
#: suggestions the explanation reads for each text without one word
EXPLAIN_DEPTH = 100
PAGE_DIR = Path(__file__).with_name("page")


@dataclass(frozen=True)
class ServiceSettings:
    """Everything a server process needs; JSON-able, so that ``--workers N`` hands it to
    each worker process."""

    projects: tuple[ProjectSpec, ...]
    mesh_file: str = "data/mesh/descriptors.tsv"
    max_batch_size: int = 32
    max_wait_ms: float = 10.0
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    #: torch threads per process (None: torch's default, all cores)
    torch_threads: Optional[int] = None
    #: modules to import first (plugins with more suggesters; ``--include-package``)
    include_packages: tuple[str, ...] = field(default_factory=tuple)
    #: articles the page offers as examples (a corpus file); None: none offered
    examples_file: Optional[str] = None
    #: content words the page's explanation leaves out one at a time
    explain_words: int = DEFAULT_MAX_WORDS

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServiceSettings:
        data = json.loads(text)
        data["projects"] = tuple(ProjectSpec(**p) for p in data["projects"])
        data["include_packages"] = tuple(data.get("include_packages", ()))
        return cls(**data)


class ServiceState:
    """The served projects, their batchers, and the background loading."""

    def __init__(
        self,
        settings: ServiceSettings,
        metrics: ServiceMetrics,
        on_load_failure: Optional[Callable[[str], None]] = None,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.on_load_failure = on_load_failure
        mesh_file = Path(settings.mesh_file)
        self.projects = {
            spec.project_id: Project(spec, mesh_file, settings.max_batch_size)
            for spec in settings.projects
        }
        self.batchers: dict[str, DynamicBatcher] = {}
        self.examples: list[dict[str, Any]] = []
        for project_id in self.projects:
            metrics.ready.labels(project_id).set(0)

    # ---- loading ------------------------------------------------------------------------------
    def begin_loading(self, loop: asyncio.AbstractEventLoop) -> None:
        # a daemon thread: a SIGTERM while an archive loads does not wait for the load
        threading.Thread(
            target=self._load_all, args=(loop,), name="load-projects", daemon=True
        ).start()

    def _load_all(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.settings.torch_threads:
            import torch

            torch.set_num_threads(self.settings.torch_threads)
        if self.settings.examples_file:
            try:
                self.examples = read_examples(Path(self.settings.examples_file))
            except Exception:  # the page works without examples; the API does not need them
                logger.exception("examples from %s could not be read", self.settings.examples_file)
        for project in self.projects.values():
            started = time.perf_counter()
            try:
                project.load()
            except Exception as error:
                logger.exception("project %s failed to load", project.project_id)
                _call_in_loop(loop, self._failed, project, f"{type(error).__name__}: {error}")
                continue  # the others still load (a worker of --workers N serves them)
            logger.info(
                "project %s (%s) loaded in %.1f s",
                project.project_id,
                project.spec.suggester,
                time.perf_counter() - started,
            )
            _call_in_loop(loop, self._loaded, project)

    def _loaded(self, project: Project) -> None:
        batcher = DynamicBatcher(
            project.project_id,
            project.suggest,
            self.settings.max_batch_size,
            self.settings.max_wait_ms / 1000.0,
            self.metrics,
        )
        batcher.start()
        self.batchers[project.project_id] = batcher
        project.state = "ready"
        self.metrics.ready.labels(project.project_id).set(1)
        if self.ready:
            logger.info("ready: %d project(s) loaded", len(self.projects))

    def _failed(self, project: Project, message: str) -> None:
        project.state = "failed"
        project.error = message
        if self.on_load_failure is not None:
            self.on_load_failure(f"project {project.project_id} failed to load: {message}")

    @property
    def ready(self) -> bool:
        return all(project.ready for project in self.projects.values())

    def not_ready_detail(self) -> str:
        waiting = [p for p in self.projects.values() if not p.ready]
        failed = [f"{p.project_id} ({p.error})" for p in waiting if p.state == "failed"]
        loading = [p.project_id for p in waiting if p.state == "loading"]
        parts = []
        if loading:
            parts.append(f"loading: {', '.join(loading)}")
        if failed:
            parts.append(f"failed: {', '.join(failed)}")
        return "; ".join(parts) or "ready"

    async def stop(self) -> None:
        for batcher in self.batchers.values():
            await batcher.stop()

    # ---- what the routes need -------------------------------------------------------------------
    def project(self, project_id: str) -> Project:
        """The project, ready to suggest: 404 if unknown, 503 while it loads."""
        project = self.projects.get(project_id)
        if project is None:
            raise not_found(project_id)
        if project.state == "loading":
            raise unavailable(f"Project '{project_id}' is loading; try again in a few seconds")
        if project.state == "failed":
            raise unavailable(f"Project '{project_id}' failed to load: {project.error}")
        return project

    def require_ready(self) -> None:
        if not self.ready:
            raise unavailable(f"the models are not loaded yet ({self.not_ready_detail()})")

    async def suggest(
        self, project: Project, texts: Sequence[str], selection: inputs.Selection
    ) -> list[list[dict[str, Any]]]:
        if not project.is_trained:
            raise unavailable(f"Project '{project.project_id}' is not trained")
        if selection.limit == 0:
            return [[] for _ in texts]
        limit = min(selection.limit, inputs.MAX_RESULTS)
        try:
            suggested = await self.batchers[project.project_id].suggest(list(texts), limit)
        except ShuttingDown as error:
            raise unavailable(str(error)) from None
        return [project.results(s, limit, selection.threshold) for s in suggested]

    async def explain(
        self, project: Project, text: str, selection: inputs.Selection
    ) -> dict[str, Any]:
        """The suggestions, each with its places in the MeSH tree and the words of the text
        that support it (``explain.py``: leave one word out, one batch through the batcher)."""
        if not project.is_trained:
            raise unavailable(f"Project '{project.project_id}' is not trained")
        limit = min(selection.limit, inputs.MAX_RESULTS)
        # each content word left out once (a word whose removal empties the text says nothing)
        words, occluded = [], []
        for word in content_words(text, self.settings.explain_words):
            rest = without_word(text, word)
            if rest.strip():
                words.append(word)
                occluded.append(rest)
        # deeper lists for the occluded texts: a heading that only moves down keeps its score
        depth = max(limit, EXPLAIN_DEPTH)
        texts = [text, *occluded]
        try:
            suggested, *without = await self.batchers[project.project_id].suggest(texts, depth)
        except ShuttingDown as error:
            raise unavailable(str(error)) from None
        kept = [s for s in suggested[:limit] if s.score >= selection.threshold]
        support = supporting_words(kept, words, without)
        vocabulary = project.subjects.vocabulary
        results = []
        for suggestion, result in zip(kept, project.results(kept, limit, selection.threshold)):
            result["ui"] = suggestion.label
            result["tree"] = tree_places(vocabulary, suggestion.label)
            result["support"] = [
                {"word": s.word, "drop": s.drop} for s in support[suggestion.label]
            ]
            results.append(result)
        return {"results": results, "words": words}


def _call_in_loop(loop: asyncio.AbstractEventLoop, function: Callable, *args: Any) -> None:
    try:
        loop.call_soon_threadsafe(function, *args)
    except RuntimeError:  # the loop closed: the server stopped while this project loaded
        pass


def create_app(
    settings: ServiceSettings, on_load_failure: Optional[Callable[[str], None]] = None
) -> FastAPI:
    """The app for ``settings``; ``on_load_failure(message)`` is called (in the event loop)
    if a project fails to load (the command stops the server then)."""
    metrics = ServiceMetrics()
    state = ServiceState(settings, metrics, on_load_failure)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.begin_loading(asyncio.get_running_loop())
        try:
            yield
        finally:
            await state.stop()

    app = FastAPI(
        title=API_TITLE,
        version=_version(),
        description="Annif's REST API v1 (paths, parameters and shapes) over MeSH "
        "suggesters: trained MQAN archives and the other suggesters of "
        "tasks.mesh_indexing.suggesters. Labels are MeSH descriptors.",
        lifespan=lifespan,
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
    )
    app.state.service = state
    app.add_middleware(RequestMetricsMiddleware, metrics=metrics)
    install_problem_handlers(app)
    _add_operations_routes(app, state)
    _add_annif_routes(app, state)
    _add_page_routes(app, state)
    _add_docs_page(app)
    return app


def _add_operations_routes(app: FastAPI, state: ServiceState) -> None:
    @app.get("/healthz", tags=["Operations"], summary="the process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @app.get(
        "/readyz",
        tags=["Operations"],
        summary="every project's model is loaded",
        responses=schemas.UNAVAILABLE,
    )
    async def readyz() -> Response:
        if not state.ready:
            return problem_response(
                503,
                state.not_ready_detail(),
                "Service unavailable",
                {"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        return JSONResponse(
            {"status": "ready", "projects": {i: p.state for i, p in state.projects.items()}}
        )

    @app.get("/metrics", tags=["Operations"], summary="Prometheus metrics")
    async def prometheus_metrics() -> Response:
        body, content_type = state.metrics.render()
        return Response(body, media_type=content_type)


def _add_annif_routes(app: FastAPI, state: ServiceState) -> None:
    settings = state.settings

    @app.get(
        f"{API_PREFIX}/",
        tags=["API information"],
        summary="get basic information about the API service",
        response_model=schemas.ApiInfo,
    )
    async def show_info() -> dict[str, str]:
        return {"title": API_TITLE, "version": _version()}

    @app.get(
        f"{API_PREFIX}/projects",
        tags=["Project administration"],
        summary="get a list of projects",
        response_model=schemas.ProjectList,
        responses=schemas.UNAVAILABLE,
    )
    async def list_projects() -> Response:
        state.require_ready()
        return JSONResponse({"projects": [p.dump() for p in state.projects.values()]})

    @app.get(
        f"{API_PREFIX}/projects/{{project_id}}",
        tags=["Project administration"],
        summary="show project information",
        response_model=schemas.Project,
        responses={**schemas.NOT_FOUND, **schemas.UNAVAILABLE},
    )
    async def show_project(project_id: str) -> Response:
        return JSONResponse(state.project(project_id).dump())

    @app.post(
        f"{API_PREFIX}/projects/{{project_id}}/suggest",
        tags=["Automatic subject indexing"],
        summary="suggest subjects for a given text",
        description="The text is a title, a newline, then the abstract. Results are MeSH "
        "descriptors, best first.",
        response_model=schemas.SuggestionResultList,
        responses={**schemas.BAD_REQUEST, **schemas.NOT_FOUND, **schemas.UNAVAILABLE},
        openapi_extra=schemas.SUGGEST_BODY,
    )
    async def suggest(project_id: str, request: Request) -> Response:
        project = state.project(project_id)
        body = await inputs.read_body(request, settings.max_body_bytes)
        text, selection = inputs.suggest_form(body, inputs.media_type(request))
        [results] = await state.suggest(project, [text], selection)
        return JSONResponse({"results": results})

    @app.post(
        f"{API_PREFIX}/projects/{{project_id}}/suggest-batch",
        tags=["Automatic subject indexing"],
        summary=f"suggest subjects for the given batch of up to {inputs.MAX_DOCUMENTS} documents",
        response_model=list[schemas.BatchSuggestionResult],
        responses={**schemas.BAD_REQUEST, **schemas.NOT_FOUND, **schemas.UNAVAILABLE},
        openapi_extra=schemas.SUGGEST_BATCH_BODY,
    )
    async def suggest_batch(project_id: str, request: Request) -> Response:
        project = state.project(project_id)
        selection = inputs.selection_from(request.query_params)
        body = await inputs.read_body(request, settings.max_body_bytes)
        documents = inputs.suggest_batch_documents(body, inputs.media_type(request))
        results = (
            await state.suggest(project, [d.text for d in documents], selection)
            if documents
            else []
        )
        return JSONResponse(
            [{"results": r, "document_id": d.document_id} for r, d in zip(results, documents)]
        )

    @app.post(
        f"{API_PREFIX}/projects/{{project_id}}/learn",
        tags=["Learning from feedback"],
        summary="learn from manually indexed documents (not offered: 403)",
        responses={403: schemas.problem("Learning is not allowed"), **schemas.NOT_FOUND},
    )
    async def learn(project_id: str) -> Response:
        if project_id not in state.projects:
            raise not_found(project_id)
        raise Problem(
            403,
            f"Project '{project_id}' does not learn through the API: train a new model "
            "(allennlp train) and serve it",
            title="Learning not allowed",
        )


def _add_page_routes(app: FastAPI, state: ServiceState) -> None:
    """The web page at ``/`` (files under ``page/``, nothing from outside), and the two
    routes it needs beyond Annif's: ``explain`` and the example articles."""
    from starlette.staticfiles import StaticFiles

    app.mount("/page", StaticFiles(directory=str(PAGE_DIR)), name="page")

    @app.get("/", include_in_schema=False)
    async def page() -> Response:
        return HTMLResponse((PAGE_DIR / "index.html").read_text(encoding="utf-8"))

    @app.get(
        "/examples",
        tags=["Web page"],
        summary="example articles for the page, with their indexers' headings",
        response_model=schemas.ExampleList,
    )
    async def examples() -> dict[str, Any]:
        return {"examples": state.examples}

    @app.post(
        f"{API_PREFIX}/projects/{{project_id}}/explain",
        tags=["Web page"],
        summary="suggest subjects, each with its place in the MeSH tree and the words that "
        "support it (not in Annif)",
        description="The same form as suggest. A word supports a heading by how much the "
        "heading's score falls when the word is removed from the text (every occurrence); "
        "costs one model batch of up to --explain-words + 1 texts.",
        response_model=schemas.ExplainedResultList,
        responses={**schemas.BAD_REQUEST, **schemas.NOT_FOUND, **schemas.UNAVAILABLE},
        openapi_extra=schemas.SUGGEST_BODY,
    )
    async def explain(project_id: str, request: Request) -> Response:
        project = state.project(project_id)
        body = await inputs.read_body(request, state.settings.max_body_bytes)
        text, selection = inputs.suggest_form(body, inputs.media_type(request))
        return JSONResponse(await state.explain(project, text, selection))


def _add_docs_page(app: FastAPI) -> None:
    """Swagger UI at /v1/ui/ (where Annif has it), its assets from the swagger-ui-bundle
    package; without that package the page is left out and the JSON document stays."""
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:
        logger.warning("swagger-ui-bundle is not installed: no interactive page at %s", DOCS_URL)
        return
    from starlette.staticfiles import StaticFiles

    app.mount(DOCS_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")

    @app.get(DOCS_URL, include_in_schema=False)
    async def docs_page() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title=f"{API_TITLE}: interactive documentation",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("multitask-mqan")
    except PackageNotFoundError:
        return "unknown"
