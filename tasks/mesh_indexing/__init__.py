"""MeSH indexing: the task's reader, decoding and predictor, each registered by name."""

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
    "DEFAULT_MESH_FILE",
    "SEPARATOR",
    "TASK",
    "MeshIndexerPredictor",
    "MeshIndexingReader",
    "MeshLabelDecoding",
    "MeshTreeGraph",
    "load_mesh",
]
