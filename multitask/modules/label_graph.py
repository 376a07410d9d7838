"""Label embeddings that share what a label hierarchy knows: a graph convolution over it.

A plain multi-label head learns one output vector per label from that label's own
examples, so a heading seen five times gets a vector fitted to five articles. Label trees
(MeSH, ICD) say that such a heading is a kind of its parent and a sibling of better-known
headings: a graph convolution over parent and child links (Kipf & Welling 2017) mixes each
label's vector with its neighbours', the approach Rios & Kavuluru (2018) used for rare and
unseen ICD codes. The graph comes from a registered `LabelGraph` (MeSH's tree:
`tasks/mesh_indexing/label_graph.py`).
"""

import logging
import math
from collections.abc import Sequence

import torch
from allennlp.common import Registrable
from allennlp.data import Vocabulary
from torch import nn

logger = logging.getLogger(__name__)


class LabelGraph(Registrable):
    """Parent links between labels (and nodes that are not labels, such as tree roots)."""

    def parent_links(self, labels: Sequence[str]) -> list[tuple[str, str]]:
        """(child, parent) pairs that connect ``labels`` to their ancestors.

        Nodes other than ``labels`` (ancestors never used as labels, category roots) may
        appear; a label without links stays a root of its own.
        """
        raise NotImplementedError


class LabelEmbedding(nn.Module, Registrable):
    """(num_labels, dim) output vectors of a label-scoring head, built by a module.

    The head constructs it (``Lazy``) with the vocabulary, its width and its label
    namespace, so a config names only what is specific to the embedding.
    """

    def forward(self) -> torch.Tensor:
        raise NotImplementedError


@LabelEmbedding.register("graph_convolution")
class GraphLabelEmbedding(LabelEmbedding):
    """One vector per label of a vocabulary namespace, from ``layers`` graph convolutions.

    Every label and every other node of the graph has a free vector; each layer replaces a
    node's vector by the degree-normalised mean of its own and its neighbours' (parents and
    children, both ways), passed through a linear map, and adds it to the input (residual,
    so a label with many neighbours keeps what is its own). The label rows of the last
    layer are the output.

    # Parameters

    vocab : `Vocabulary`
    dim : `int`
    graph : `LabelGraph`
    label_namespace : `str`
    layers : `int`, optional (default = `2`)
    dropout : `float`, optional (default = `0.0`)
    """

    def __init__(
        self,
        vocab: Vocabulary,
        dim: int,
        graph: LabelGraph,
        label_namespace: str,
        layers: int = 2,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        labels = [
            vocab.get_token_from_index(i, label_namespace)
            for i in range(vocab.get_vocab_size(label_namespace))
        ]
        links = graph.parent_links(labels)
        nodes = {label: i for i, label in enumerate(labels)}
        for child, parent in links:
            for node in (child, parent):
                nodes.setdefault(node, len(nodes))
        self.num_labels = len(labels)
        self.num_nodes = len(nodes)
        pairs = sorted({(nodes[c], nodes[p]) for c, p in links if c != p})
        source, target, weight = self._normalised_edges(pairs, self.num_nodes)
        # rebuilt from the graph at every construction: not part of the weights
        self.register_buffer("edge_source", source, persistent=False)
        self.register_buffer("edge_target", target, persistent=False)
        self.register_buffer("edge_weight", weight, persistent=False)
        self.node_embedding = nn.Parameter(torch.empty(self.num_nodes, dim))
        # the scale of nn.Linear's weight rows, which a plain head's label vectors have
        bound = 1.0 / math.sqrt(dim)
        nn.init.uniform_(self.node_embedding, -bound, bound)
        self.convolutions = nn.ModuleList(nn.Linear(dim, dim) for _ in range(layers))
        for convolution in self.convolutions:
            # start as the identity on each node's neighbourhood mean, scaled down: the
            # free vectors dominate at first and the graph's share is learnt
            nn.init.zeros_(convolution.bias)
            nn.init.eye_(convolution.weight)
            convolution.weight.data.mul_(0.5)
        self.dropout = nn.Dropout(dropout)
        linked = {nodes[c] for c, _ in links} & set(range(self.num_labels))
        logger.info(
            "label graph: %d labels (%d with a parent), %d nodes, %d parent links, %d layers",
            self.num_labels,
            len(linked),
            self.num_nodes,
            len(pairs),
            layers,
        )

    @staticmethod
    def _normalised_edges(
        pairs: list[tuple[int, int]], num_nodes: int
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(source, target, weight) of D^-1/2 (A + I) D^-1/2, A symmetric (child <-> parent)."""
        child = torch.tensor([c for c, _ in pairs], dtype=torch.long)
        parent = torch.tensor([p for _, p in pairs], dtype=torch.long)
        loops = torch.arange(num_nodes)
        source = torch.cat([child, parent, loops])
        target = torch.cat([parent, child, loops])
        degree = torch.zeros(num_nodes).index_add_(0, target, torch.ones(len(target)))
        weight = degree[source].rsqrt() * degree[target].rsqrt()
        return source, target, weight

    def forward(self) -> torch.Tensor:
        """(num_labels, dim): the label rows after the last convolution."""
        states = self.node_embedding
        for convolution in self.convolutions:
            messages = states.index_select(0, self.edge_source) * self.edge_weight.unsqueeze(-1)
            mixed = torch.zeros_like(states).index_add_(0, self.edge_target, messages)
            states = states + torch.tanh(convolution(self.dropout(mixed)))
        return states[: self.num_labels]
