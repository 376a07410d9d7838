"""Task readers: each module turns one task's raw data into question/context/answer."""

from tasks import (  # noqa: F401
    continuation,
    generic,
    mesh_indexing,
    nli,
    squad,
    summarization,
    title_generation,
)
