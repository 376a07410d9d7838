"""MeSH indexing as a service: Annif's REST API v1 (``/v1/projects``, ``suggest``,
``suggest-batch``, problem+json errors) over suggesters, with dynamic batching, health,
readiness and Prometheus metrics, on uvicorn (`allennlp serve-mesh`, docs/service.md).

Needs the ``serve`` extra (FastAPI, uvicorn, prometheus-client, swagger-ui-bundle);
nothing here is imported until the command runs, so the rest of the project works without
it. Registers nothing.
"""

from tasks.mesh_indexing.service.app import ServiceSettings, create_app
from tasks.mesh_indexing.service.projects import ProjectSpec
from tasks.mesh_indexing.service.server import serve

__all__ = ["ProjectSpec", "ServiceSettings", "create_app", "serve"]
