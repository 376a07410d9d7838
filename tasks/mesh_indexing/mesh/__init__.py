"""MeSH vocabulary: descriptors, their hierarchy, and mapping corpus labels onto them."""

from tasks.mesh_indexing.mesh.descriptor import CATEGORY_NAMES, Descriptor, normalise_name
from tasks.mesh_indexing.mesh.resolve import Label, LabelResolver, UnknownLabels
from tasks.mesh_indexing.mesh.vocabulary import MeshVocabulary

__all__ = [
    "CATEGORY_NAMES",
    "Descriptor",
    "Label",
    "LabelResolver",
    "MeshVocabulary",
    "UnknownLabels",
    "normalise_name",
]
