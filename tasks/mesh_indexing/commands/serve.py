"""`allennlp serve-mesh`: MeSH indexing as a service, Annif's REST API v1 on uvicorn.

Named ``serve-mesh``, not ``serve``: allennlp-server, one of AllenNLP's default plugins
(imported whenever it is installed), registers ``serve``, and a second registration of a
name fails at import, which would break every `allennlp` command.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from allennlp.commands.subcommand import Subcommand

from multitask.errors import UserInputError
from tasks.mesh_indexing.commands.arguments import MESH, setup_logging

NAME = "serve-mesh"
DEFAULT_EXAMPLES = "data/corpus/test.json"

DESCRIPTION = """Serve MeSH indexing over HTTP with Annif's REST API v1, so that tools written
for Annif (annif-client, Annif's web UI clients, indexing pipelines) work unchanged:
GET /v1/projects, GET /v1/projects/ID, POST /v1/projects/ID/suggest (form: text, limit,
threshold), POST /v1/projects/ID/suggest-batch (JSON, up to 32 documents). Results are MeSH
descriptors (uri http://id.nlm.nih.gov/mesh/UI, label, notation = first tree number, score),
best first; errors are application/problem+json. Also /healthz, /readyz, /metrics
(Prometheus), the OpenAPI document at /v1/openapi.json with its page at /v1/ui/, and a web
page at / that shows each heading's score, place in the MeSH tree and supporting words.

Each project is ID=SPEC[,name=NAME]: SPEC is a trained MQAN archive (model.tar.gz), a folder
`allennlp optimize --save` wrote, or a JSON suggester config (as `allennlp compare` takes).
Concurrent requests for a project are batched for the model (--max-batch-size texts, waiting
at most --max-wait-ms). The socket opens at once; models load in the background, and until
they are loaded the API answers 503. SIGTERM stops gracefully: no new connections, every
accepted request answered, exit 0. Runs offline. See docs/service.md."""

EXAMPLES = """examples:
  allennlp serve-mesh --project 'mesh-mqan=runs/mesh_mqan/model.tar.gz,name=MeSH MQAN'
  allennlp serve-mesh --project mqan=runs/mesh_mqan/model.tar.gz --project omikuji=runs/omikuji \\
      --host 0.0.0.0 --port 5000 --workers 2 --threads 4
  curl --data-urlencode text@article.txt localhost:5000/v1/projects/mqan/suggest"""


@Subcommand.register(NAME)
class ServeMesh(Subcommand):
    def add_subparser(self, parser: argparse._SubParsersAction) -> argparse.ArgumentParser:
        subparser = parser.add_parser(
            self.name,
            description=DESCRIPTION,
            epilog=EXAMPLES,
            help="Serve MeSH suggesters with Annif's REST API (uvicorn).",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        subparser.add_argument(
            "--project",
            action="append",
            default=[],
            metavar="ID=SPEC[,name=NAME]",
            help="a project to serve (repeat for several): a model archive, a saved suggester "
            "folder or a JSON config",
        )
        subparser.add_argument(
            "--projects-file",
            type=Path,
            default=None,
            help='JSON: {"projects": [{"project_id", "suggester", "name"}, ...]}',
        )
        subparser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        subparser.add_argument("--port", type=int, default=5000)
        subparser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="server processes sharing the port; each loads every model (memory x N)",
        )
        subparser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="torch threads per process (default: all cores; with N workers give cores / N)",
        )
        subparser.add_argument(
            "--max-batch-size", type=int, default=32, help="most texts per model call"
        )
        subparser.add_argument(
            "--max-wait-ms",
            type=float,
            default=10.0,
            help="how long a batch waits for more texts after its first one",
        )
        subparser.add_argument(
            "--max-body-bytes",
            type=int,
            default=1 << 20,
            help="largest request body; a larger one gets 413 (default 1 MiB)",
        )
        subparser.add_argument(
            "--mesh-file",
            type=Path,
            default=MESH,
            help="MeSH table for labels and tree numbers of projects that are not archives "
            "(an archive carries its own)",
        )
        subparser.add_argument(
            "--examples",
            default=None,
            metavar="CORPUS_FILE",
            help=f"articles the web page offers as examples (default: {DEFAULT_EXAMPLES} when "
            "it exists; 'none' for no examples)",
        )
        subparser.add_argument(
            "--explain-words",
            type=int,
            default=48,
            help="content words the page's explanation leaves out one at a time (its cost: "
            "one model batch of this many texts + 1)",
        )
        subparser.add_argument(
            "--graceful-timeout",
            type=float,
            default=30.0,
            help="seconds a stopping server waits for accepted requests",
        )
        subparser.add_argument(
            "--no-access-log", action="store_true", help="do not log every request"
        )
        subparser.set_defaults(func=run)
        return subparser


def run(args: argparse.Namespace) -> None:
    setup_logging()
    try:
        from tasks.mesh_indexing.service import ProjectSpec, ServiceSettings, serve
        from tasks.mesh_indexing.service.projects import (
            check_spec,
            check_unique,
            read_projects_file,
        )
    except ImportError as error:
        raise UserInputError(
            f"{NAME} needs the serve extra ({error.name} is missing): pip install -e '.[serve]'"
        ) from None

    specs = [ProjectSpec.parse(text) for text in args.project]
    if args.projects_file is not None:
        specs += read_projects_file(args.projects_file)
    check_unique(specs)
    for spec in specs:
        check_spec(spec, args.mesh_file)
    for flag, value, least in (
        ("--workers", args.workers, 1),
        ("--max-batch-size", args.max_batch_size, 1),
        ("--max-body-bytes", args.max_body_bytes, 1),
        ("--threads", args.threads or 1, 1),
        ("--explain-words", args.explain_words, 1),
        ("--port", args.port, 0),
    ):
        if value < least:
            raise UserInputError(f"{flag} must be at least {least}, got {value}")
    if args.max_wait_ms < 0 or args.graceful_timeout < 0:
        raise UserInputError("--max-wait-ms and --graceful-timeout must not be negative")
    settings = ServiceSettings(
        examples_file=_examples_file(args.examples),
        explain_words=args.explain_words,
        projects=tuple(specs),
        mesh_file=str(args.mesh_file),
        max_batch_size=args.max_batch_size,
        max_wait_ms=args.max_wait_ms,
        max_body_bytes=args.max_body_bytes,
        torch_threads=args.threads,
        include_packages=tuple(getattr(args, "include_package", None) or ()),
    )
    serve(
        settings,
        host=args.host,
        port=args.port,
        workers=args.workers,
        graceful_timeout=args.graceful_timeout,
        access_log=not args.no_access_log,
    )


def _examples_file(given: str | None) -> str | None:
    """The page's examples: the given corpus file (which must exist), none for 'none', else
    the default corpus's test split when it is there."""
    if given is None:
        return DEFAULT_EXAMPLES if Path(DEFAULT_EXAMPLES).is_file() else None
    if given.lower() == "none":
        return None
    if not Path(given).is_file():
        raise UserInputError(f"--examples: corpus file {given} not found")
    return given
