"""Errors as problem details (RFC 9457, ``application/problem+json``): the shape Annif's API
answers every error with (``type``, ``title``, ``status``, ``detail``), so a client written
for Annif reads ours the same way (annif-client shows ``detail`` on a 404)."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
#: what a client that was told 503 while the models load should wait before trying again
RETRY_AFTER_SECONDS = 5
#: nginx's status for "the client closed the connection before the answer": it is counted
#: in the metrics under this code; nothing is sent (there is nobody to send it to)
CLIENT_CLOSED = 499


class Problem(Exception):
    """An error a handler raises to answer with problem+json; ``detail`` says what to fix."""

    def __init__(
        self,
        status: int,
        detail: str,
        title: Optional[str] = None,
        headers: Optional[dict[str, str]] = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.headers = headers


class ClientGone(Exception):
    """The client closed the connection while sending its request."""


def problem_response(
    status: int,
    detail: str,
    title: Optional[str] = None,
    headers: Optional[dict[str, str]] = None,
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def not_found(project_id: str) -> Problem:
    """Annif's words for an unknown project."""
    return Problem(404, f"Project '{project_id}' not found", title="Project not found")


def unavailable(detail: str) -> Problem:
    return Problem(
        503,
        detail,
        title="Service unavailable",
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Every error the app answers is problem+json: ours, routing's (404, 405) and any
    validation FastAPI does itself (400, never its default 422)."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, error: Problem) -> Response:
        return problem_response(error.status, error.detail, error.title, error.headers)

    @app.exception_handler(ClientGone)
    async def _gone(request: Request, error: ClientGone) -> Response:
        logger.info(
            "%s %s: the client closed the connection mid-request", request.method, request.url.path
        )
        return Response(status_code=CLIENT_CLOSED)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        detail = error.detail
        if not isinstance(detail, str):
            detail = HTTPStatus(error.status_code).phrase
        if error.status_code == 404 and detail == "Not Found":
            detail = f"no such path: {request.url.path}"
        return problem_response(error.status_code, detail, headers=error.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(map(str, e.get('loc', ())))}: {e.get('msg', '')}" for e in error.errors()
        )
        return problem_response(400, problems or "invalid request")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        # a bug or a failing model: logged with its traceback by the server, answered as a
        # problem so that clients still get JSON
        return problem_response(500, f"internal error: {type(error).__name__}")
