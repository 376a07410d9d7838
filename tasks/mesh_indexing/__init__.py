"""MeSH indexing: the task's vocabulary and hierarchy (``mesh``), its default corpus
(``corpus``), suggesters and candidate retrieval, reader, decoding, predictor, comparison
and commands, each component registered by name."""

from tasks.mesh_indexing import commands, prediction_inputs, suggesters  # noqa: F401
from tasks.mesh_indexing.candidates import CandidateSource
from tasks.mesh_indexing.decoding import MeshLabelDecoding
from tasks.mesh_indexing.label_graph import MeshTreeGraph
from tasks.mesh_indexing.predictor import MeshIndexerPredictor
from tasks.mesh_indexing.reader import (
    DEFAULT_MESH_FILE,
    SEPARATOR,
    TASK,
    MeshIndexingReader,
    load_mesh,
)

__all__ = [
    "CandidateSource",
    "DEFAULT_MESH_FILE",
    "SEPARATOR",
    "TASK",
    "MeshIndexerPredictor",
    "MeshIndexingReader",
    "MeshLabelDecoding",
    "MeshTreeGraph",
    "load_mesh",
]
