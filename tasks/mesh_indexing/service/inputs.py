"""Reading what a client sends, checked as Annif's OpenAPI spec says, each problem a 4xx
problem+json that names the field: the body (size-limited, UTF-8), the suggest form, the
suggest-batch JSON, and the ``limit`` / ``threshold`` / ``language`` parameters.

Bodies are parsed here rather than by FastAPI's declared parameters: FastAPI answers 422 in
its own shape, and Starlette's form parser reads bytes that are not UTF-8 as Latin-1
without a word; Annif's clients expect 400 with a problem document.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect, Request

from tasks.mesh_indexing.service.problems import ClientGone, Problem
from tasks.mesh_indexing.service.projects import LANGUAGE

#: Annif's defaults
DEFAULT_LIMIT = 10
DEFAULT_THRESHOLD = 0.0
#: Annif's ``maxItems`` for suggest-batch
MAX_DOCUMENTS = 32
#: ``limit`` is an int32 in Annif's spec; more than this many results are never computed
INT32_MAX = 2**31 - 1
MAX_RESULTS = 1000
#: form fields and query parameters a request may carry (Annif's ``metadata_*`` included)
MAX_FIELDS = 100
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Selection:
    """How many results a request wants (``limit``) and how high they must score."""

    limit: int = DEFAULT_LIMIT
    threshold: float = DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Document:
    text: str
    document_id: Optional[str] = None


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The whole body, or 413 as soon as it is known to be over ``max_bytes`` (from
    Content-Length, else while streaming). The server reads and drops what the client still
    sends, so the client gets its 413 rather than a reset connection."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(int(declared), max_bytes)
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(size, max_bytes, at_least=True)
            chunks.append(chunk)
    except ClientDisconnect:
        raise ClientGone() from None
    return b"".join(chunks)


def _too_large(size: int, max_bytes: int, at_least: bool = False) -> Problem:
    return Problem(
        413,
        f"the request body is {'over ' if at_least else ''}{size:,} bytes; this server takes "
        f"at most {max_bytes:,} (--max-body-bytes)",
    )


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def decode_utf8(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Problem(400, f"{what} is not UTF-8 (byte {error.start} is invalid)") from None


def parse_form(body: bytes) -> dict[str, str]:
    """An ``application/x-www-form-urlencoded`` body; the first value of a repeated field."""
    text = decode_utf8(body, "the form")
    try:
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError:
        raise Problem(400, "the form's percent-encoded bytes are not UTF-8") from None
    except ValueError as error:  # too many fields
        raise Problem(400, f"the form cannot be read: {error}") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        form.setdefault(key, value)
    return form


def suggest_form(body: bytes, content_type: str) -> tuple[str, Selection]:
    """The text and selection of ``POST .../suggest``."""
    if content_type != "application/x-www-form-urlencoded":
        raise Problem(
            415,
            "send the text as a form, Content-Type application/x-www-form-urlencoded "
            f"(got {content_type or 'none'})",
        )
    form = parse_form(body)
    if "text" not in form:
        raise Problem(400, "the form field 'text' is required")
    return checked_text(form["text"], "text"), selection_from(form)


def suggest_batch_documents(body: bytes, content_type: str) -> list[Document]:
    """The documents of ``POST .../suggest-batch``: ``{"documents": [{"text", "document_id"}]}``."""
    if content_type != "application/json" and not content_type.endswith("+json"):
        raise Problem(
            415,
            f"send the documents as JSON, Content-Type application/json (got "
            f"{content_type or 'none'})",
        )
    text = decode_utf8(body, "the JSON body")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise Problem(400, f"the body is not valid JSON: {error}") from None
    except RecursionError:
        raise Problem(400, "the body is not valid JSON: nested too deeply") from None
    if not isinstance(data, dict) or "documents" not in data:
        raise Problem(400, "the body must be an object with a 'documents' list")
    documents = data["documents"]
    if not isinstance(documents, list):
        raise Problem(400, "'documents' must be a list")
    if len(documents) > MAX_DOCUMENTS:
        raise Problem(400, f"at most {MAX_DOCUMENTS} documents per request, got {len(documents)}")
    out = []
    for index, document in enumerate(documents):
        where = f"documents[{index}]"
        if not isinstance(document, dict):
            raise Problem(400, f"{where} must be an object with 'text'")
        if "text" not in document:
            raise Problem(400, f"{where}.text is required")
        document_id = document.get("document_id")
        if document_id is not None and not isinstance(document_id, str):
            raise Problem(400, f"{where}.document_id must be a string")
        out.append(Document(checked_text(document["text"], f"{where}.text"), document_id))
    return out


def checked_text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise Problem(400, f"{where} must be a string")
    if not value.strip():
        raise Problem(400, f"{where} is empty: there is nothing to index")
    return value


def selection_from(parameters: Mapping[str, str]) -> Selection:
    """``limit`` (integer, 0 or more), ``threshold`` (0 to 1) and ``language`` (only
    ``en``: MeSH labels here are English), with Annif's defaults."""
    language = parameters.get("language")
    if language is not None and language.strip().lower() != LANGUAGE:
        raise Problem(400, f'language "{language}" not supported by vocabulary')
    return Selection(_limit(parameters.get("limit")), _threshold(parameters.get("threshold")))


def _limit(value: Optional[str]) -> int:
    if value is None:
        return DEFAULT_LIMIT
    text = value.strip()
    if not _DIGITS.fullmatch(text) or int(text) > INT32_MAX:
        raise Problem(400, f"limit must be an integer from 0 to {INT32_MAX}, got {value!r}")
    return int(text)


def _threshold(value: Optional[str]) -> float:
    if value is None:
        return DEFAULT_THRESHOLD
    try:
        threshold = float(value)
    except ValueError:
        threshold = math.nan
    if not 0.0 <= threshold <= 1.0:  # NaN fails too
        raise Problem(400, f"threshold must be a number from 0 to 1, got {value!r}")
    return threshold
