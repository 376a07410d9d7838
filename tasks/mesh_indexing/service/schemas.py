"""The shapes of Annif's REST API v1 (its ``annif/openapi/annif.yaml``), for the OpenAPI
document this server publishes. Handlers build plain dicts of these shapes (cheaper than
models per suggestion); tests check the answers against them."""

from __future__ import annotations

from typing import Any, Optional

from pydantic import BaseModel, Field

from tasks.mesh_indexing.service.inputs import (
    DEFAULT_LIMIT,
    DEFAULT_THRESHOLD,
    INT32_MAX,
    MAX_DOCUMENTS,
)


class ApiInfo(BaseModel):
    title: str
    version: str


class ProjectBackend(BaseModel):
    backend_id: str = Field(examples=["mqan_archive"])


class Vocabulary(BaseModel):
    vocab_id: str = Field(examples=["mesh"])
    languages: list[str] = Field(examples=[["en"]])
    size: Optional[int] = Field(None, examples=[30194])
    loaded: bool


class Project(BaseModel):
    project_id: str = Field(examples=["mesh-mqan"])
    name: str = Field(examples=["MeSH MQAN"])
    language: str = Field(examples=["en"])
    backend: ProjectBackend
    vocab: Optional[Vocabulary] = None
    vocab_language: Optional[str] = Field(None, examples=["en"])
    is_trained: Optional[bool] = None
    modification_time: Optional[str] = Field(None, examples=["2026-11-28T10:35:00Z"])


class ProjectList(BaseModel):
    projects: list[Project]


class SuggestionResult(BaseModel):
    uri: str = Field(examples=["http://id.nlm.nih.gov/mesh/D001943"])
    label: str = Field(examples=["Breast Neoplasms"])
    notation: Optional[str] = Field(None, examples=["C04.588.180"])
    score: float = Field(examples=[0.91])


class SuggestionResultList(BaseModel):
    results: list[SuggestionResult]


class BatchSuggestionResult(SuggestionResultList):
    document_id: Optional[str] = Field(None, examples=["pmid-1"])


class TreeStep(BaseModel):
    tree_number: str = Field(examples=["C04.588.180"])
    name: str = Field(examples=["Breast Neoplasms"])
    ui: Optional[str] = Field(None, examples=["D001943"])


class SupportingWord(BaseModel):
    word: str = Field(examples=["tamoxifen"])
    drop: float = Field(examples=[0.31], description="the score's fall without the word")


class ExplainedResult(SuggestionResult):
    ui: str = Field(examples=["D001943"])
    tree: list[list[TreeStep]] = Field(description="each place in the tree, category first")
    support: list[SupportingWord]


class ExplainedResultList(BaseModel):
    results: list[ExplainedResult]
    words: list[str] = Field(description="the words that were left out one at a time")


class ExampleHeading(BaseModel):
    ui: Optional[str] = None
    label: str


class Example(BaseModel):
    pmid: str
    title: str
    abstract: str
    headings: list[ExampleHeading]


class ExampleList(BaseModel):
    examples: list[Example]


class ProblemDetails(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str


def problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": ProblemDetails.model_json_schema()}},
    }


NOT_FOUND = {404: problem("Project not found")}
UNAVAILABLE = {503: problem("Service unavailable: the models are loading")}
BAD_REQUEST = {
    400: problem("Bad request: a parameter or the body is invalid"),
    413: problem("The body is over --max-body-bytes"),
    415: problem("The body is not of the media type the operation takes"),
}

_LIMIT = {
    "type": "integer",
    "format": "int32",
    "minimum": 0,
    "maximum": INT32_MAX,
    "default": DEFAULT_LIMIT,
    "description": "maximum number of results to return",
}
_THRESHOLD = {
    "type": "number",
    "minimum": 0.0,
    "maximum": 1.0,
    "default": DEFAULT_THRESHOLD,
    "description": "minimum score threshold, below which results will not be returned",
}
_LANGUAGE = {"type": "string", "description": "language of subject labels (only en)"}

SUGGEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {
                        "text": {
                            "type": "string",
                            "description": "title, a newline, then the abstract",
                        },
                        "limit": _LIMIT,
                        "threshold": _THRESHOLD,
                        "language": _LANGUAGE,
                    },
                }
            }
        },
    }
}

SUGGEST_BATCH_BODY = {
    "parameters": [
        {"in": "query", "name": "limit", "schema": _LIMIT},
        {"in": "query", "name": "threshold", "schema": _THRESHOLD},
        {"in": "query", "name": "language", "schema": _LANGUAGE},
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["documents"],
                    "properties": {
                        "documents": {
                            "type": "array",
                            "maxItems": MAX_DOCUMENTS,
                            "items": {
                                "type": "object",
                                "required": ["text"],
                                "properties": {
                                    "text": {"type": "string"},
                                    "document_id": {"type": "string"},
                                },
                            },
                        }
                    },
                }
            }
        },
    },
}
