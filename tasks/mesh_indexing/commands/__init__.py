"""The MeSH task's `allennlp` subcommands, registered on import."""

from tasks.mesh_indexing.commands import (  # noqa: F401
    bioasq_submission,
    compare,
    optimize,
    prepare_corpus,
    serve,
)
