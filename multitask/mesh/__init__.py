"""MeSH vocabulary: descriptors, their hierarchy, and mapping corpus labels onto them."""

from multitask.mesh.descriptor import CATEGORY_NAMES, Descriptor, normalise_name
from multitask.mesh.resolve import Label, LabelResolver, UnknownLabels
from multitask.mesh.vocabulary import MeshVocabulary

__all__ = [
    "CATEGORY_NAMES",
    "Descriptor",
    "Label",
    "LabelResolver",
    "MeshVocabulary",
    "UnknownLabels",
    "normalise_name",
]
