"""Hierarchy-aware label embeddings: the MeSH tree as a graph, and the graph convolution."""

import torch
from allennlp.common import Params
from allennlp.data import Vocabulary
from paths import MESH_MINI

from multitask.modules.encoder import EncodedQA
from multitask.modules.label_graph import GraphLabelEmbedding, LabelGraph
from multitask.modules.label_scorer import LabelScorer
from multitask.qa.instance_builder import LABEL_NAMESPACE
from tasks.mesh_indexing.label_graph import MeshTreeGraph

LABELS = ["D000230", "D001943", "D044382", "D005260"]  # Adenocarcinoma, Breast Neoplasms, ...


def label_vocab(labels=LABELS):
    vocab = Vocabulary(non_padded_namespaces=[])
    vocab.add_tokens_to_namespace(labels, LABEL_NAMESPACE)
    return vocab


def test_mesh_tree_links_labels_through_every_tree_number_up_to_the_categories():
    links = set(MeshTreeGraph(str(MESH_MINI)).parent_links(["@@PADDING@@", *LABELS]))
    # Adenocarcinoma C04.557.470.200.025 -> Carcinoma -> ... -> Neoplasms -> category C
    for child, parent in [
        ("D000230", "D002277"),
        ("D002277", "D009375"),
        ("D009375", "D009370"),
        ("D009370", "D009369"),
        ("D009369", "category:C"),
    ]:
        assert (child, parent) in links
    # Breast Neoplasms sits in two trees: both parents
    assert {p for c, p in links if c == "D001943"} == {"D009371", "D001941"}
    # N01.224.708: N01.224 is missing from this vocabulary, so the link skips to N01
    assert {p for c, p in links if c == "D044382"} == {"D009272", "D011154"}
    # Female has no tree number and padding is not a descriptor: no links
    assert not any("D005260" in link or "@@PADDING@@" in link for link in links)


class Chain(LabelGraph):
    """a -> b -> root; c alone."""

    def parent_links(self, labels):
        return [("a", "b"), ("b", "root")]


def test_convolution_shares_a_parents_vector_with_its_children_only():
    vocab = label_vocab(["a", "b", "c"])
    embedding = GraphLabelEmbedding(vocab, 8, Chain(), LABEL_NAMESPACE, layers=2)
    assert embedding.num_labels == 5  # padding, OOV, a, b, c
    assert embedding.num_nodes == 6  # + root, an ancestor that is not a label
    out = embedding()
    assert out.shape == (5, 8)
    index = vocab.get_token_index
    root = 5
    # two layers reach two links away: a's vector depends on root's, c's does not
    grad_a = torch.autograd.grad(
        out[index("a", LABEL_NAMESPACE)].sum(), embedding.node_embedding, retain_graph=True
    )[0]
    grad_c = torch.autograd.grad(out[index("c", LABEL_NAMESPACE)].sum(), embedding.node_embedding)[
        0
    ]
    assert grad_a[root].abs().sum() > 0
    assert grad_c[root].abs().sum() == 0
    assert grad_c.abs().sum(-1).nonzero().flatten().tolist() == [index("c", LABEL_NAMESPACE)]


def test_the_label_head_scores_against_graph_embeddings_when_configured():
    vocab = label_vocab()
    params = Params(
        {
            "type": "pooled_label_scorer",
            "dim": 8,
            "label_embedding": {
                "type": "graph_convolution",
                "graph": {"type": "mesh_tree", "mesh_file": str(MESH_MINI)},
                "layers": 1,
            },
        }
    )
    head = LabelScorer.from_params(params, vocab=vocab)
    assert not hasattr(head, "label_projection")
    encoded = EncodedQA(
        context=torch.randn(2, 5, 8),
        question=torch.randn(2, 3, 8),
        context_memory=torch.randn(2, 5, 8),
        question_memory=torch.randn(2, 3, 8),
        context_mask=torch.ones(2, 5, dtype=torch.bool),
        question_mask=torch.ones(2, 3, dtype=torch.bool),
    )
    scores = head(encoded)
    assert scores.labels.shape == (2, 6)
    # labels start rare, as with the plain head
    assert torch.sigmoid(head.label_bias).max().item() < 0.25
    scores.labels.sum().backward()
    assert head.label_embedding.node_embedding.grad.abs().sum() > 0
    # the graph is rebuilt from the MeSH file, not stored with the weights
    assert not any(name.startswith("label_embedding.edge") for name in head.state_dict())
