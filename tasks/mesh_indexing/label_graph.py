"""The MeSH tree as a label graph for hierarchy-aware label embeddings."""

import logging
from collections.abc import Sequence
from typing import Optional

from multitask.modules.label_graph import LabelGraph
from tasks.mesh_indexing.reader import DEFAULT_MESH_FILE, load_mesh, mesh_file_for

logger = logging.getLogger(__name__)

#: node name of a top-level category (the first letter of a tree number: "C" = Diseases)
CATEGORY_PREFIX = "category:"


@LabelGraph.register("mesh_tree")
class MeshTreeGraph(LabelGraph):
    """Parent links of MeSH descriptors over all their tree numbers, up to the categories.

    Each label (a descriptor UI) links to its parents, and each of those to theirs, so that
    ancestors used by no article still connect their descendants. A top-level descriptor
    (``C04``) links to a node for its category (``category:C``), so each tree is one
    component. Descriptors without tree numbers (Female, Male) and labels that are not
    descriptors (padding, unknown) have no links: roots of their own.

    # Parameters

    mesh_file : `str`, optional
        MeSH descriptors; a model archive carries its own copy, used in preference.
    serialization_dir : `str`, optional
        Given by AllenNLP (training run or extracted archive).
    """

    def __init__(
        self, mesh_file: str = DEFAULT_MESH_FILE, serialization_dir: Optional[str] = None
    ) -> None:
        self.mesh = load_mesh(mesh_file_for(mesh_file, serialization_dir))

    def _is_key(self, label: str) -> bool:
        descriptor = self.mesh.get(label)
        return descriptor is not None and descriptor.key == label

    def parent_links(self, labels: Sequence[str]) -> list[tuple[str, str]]:
        keys = [label for label in labels if self._is_key(label)]
        not_descriptors = len(labels) - len(keys)
        seen = set(keys).union(*(self.mesh.ancestors(key) for key in keys))
        links: set[tuple[str, str]] = set()
        for key in seen:
            links.update((key, parent) for parent in self.mesh.parents(key))
            links.update(
                (key, CATEGORY_PREFIX + tree[0])
                for tree in self.mesh.get(key).tree_numbers
                if "." not in tree
            )
        logger.info(
            "MeSH tree graph: %d descriptors (%d of them ancestors only), %d links; "
            "%d labels are not descriptors (padding, unknown) and stay unlinked",
            len(seen),
            len(seen - set(labels)),
            len(links),
            not_descriptors,
        )
        return sorted(links)
