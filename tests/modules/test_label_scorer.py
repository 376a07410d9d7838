"""The label-scoring head: span pooling, shapes, masks and the feature check."""

import pytest
import torch
from allennlp.data import Vocabulary

from multitask.modules.encoder import EncodedQA
from multitask.modules.label_scorer import PooledLabelScorer, span_means
from multitask.qa.instance_builder import LABEL_NAMESPACE


def test_span_means_average_inclusive_spans_and_zero_padding():
    states = torch.arange(12, dtype=torch.float).view(1, 6, 2)
    spans = torch.tensor([[[0, 1], [3, 5], [-1, -1]]])
    means = span_means(states, spans)
    assert means[0, 0].tolist() == [1.0, 2.0]  # rows 0-1: (0,1), (2,3)
    assert means[0, 1].tolist() == [8.0, 9.0]  # rows 3-5
    assert means[0, 2].tolist() == [0.0, 0.0]


def encoded(batch=2, tc=7, tq=9, dim=8):
    return EncodedQA(
        context=torch.randn(batch, tc, dim),
        question=torch.randn(batch, tq, dim),
        context_memory=torch.randn(batch, tc, dim),
        question_memory=torch.randn(batch, tq, dim),
        context_mask=torch.ones(batch, tc, dtype=torch.bool),
        question_mask=torch.ones(batch, tq, dtype=torch.bool),
    )


def scorer(features=2):
    vocab = Vocabulary(non_padded_namespaces=[])
    vocab.add_tokens_to_namespace(["D1", "D2", "D3"], LABEL_NAMESPACE)
    return PooledLabelScorer(vocab, dim=8, candidate_features=features)


def test_shapes_and_candidate_mask():
    head = scorer()
    spans = torch.tensor([[[0, 1], [3, 4]], [[2, 2], [-1, -1]]])
    labels = torch.tensor([[2, 3], [4, -1]])
    scores = head(encoded(), spans, labels, torch.rand(2, 2, 2))
    assert scores.labels.shape == (2, 5)  # padding, OOV and three labels
    assert scores.candidates.shape == (2, 2)
    assert scores.candidate_mask.tolist() == [[True, True], [True, False]]
    # labels start rare: sigmoid(bias) is about 1 / number of labels
    assert torch.sigmoid(head.label_projection.bias).max().item() < 0.25


def test_feature_count_must_match_the_config():
    with pytest.raises(ValueError, match="candidate_features=2"):
        scorer(features=2)(
            encoded(), torch.tensor([[[0, 1]]] * 2), torch.tensor([[2], [3]]), torch.rand(2, 1, 3)
        )


def test_a_prior_feature_is_where_the_candidate_logits_start():
    vocab = Vocabulary(non_padded_namespaces=[])
    vocab.add_tokens_to_namespace(["D1", "D2", "D3"], LABEL_NAMESPACE)
    head = PooledLabelScorer(vocab, dim=8, candidate_features=3, prior_feature=1)
    head.eval()
    spans = torch.tensor([[[0, 1], [3, 4]], [[2, 2], [5, 6]]])
    labels = torch.tensor([[2, 3], [4, 2]])
    features = torch.rand(2, 2, 3)
    features[..., 1] = torch.tensor([[0.9, 0.2], [0.5, 0.0]])
    scores = head(encoded(), spans, labels, features)
    # untrained, the head gives each candidate the prior's probability (0 clamped)
    expected = torch.tensor([[0.9, 0.2], [0.5, 1e-6]])
    assert torch.allclose(torch.sigmoid(scores.candidates), expected, atol=1e-6)
    # and learns from there: the prior's weight and the MLP get gradients
    scores.candidates.sum().backward()
    assert head.prior_weight.grad is not None and head.candidate_mlp[-1].weight.grad.abs().sum() > 0
    with pytest.raises(ValueError, match="prior_feature 3 is not one of the 3"):
        PooledLabelScorer(vocab, dim=8, candidate_features=3, prior_feature=3)
