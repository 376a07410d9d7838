"""Label-scoring heads on the shared encoder: one probability per label of a multi-label task.

The sequence decoder says which labels to emit but gives no calibrated score per label, so
it cannot decide well when to stop. A head on the same encoder scores every label seen in
training from the pooled context (binary cross-entropy, as extreme multi-label models do),
and, when the question lists candidates, scores each candidate from its own span of the
question, which the encoder has read against the context (coattention) and against the
other candidates (self-attention), together with the retriever's scores for it.
"""

import math
from dataclasses import dataclass
from typing import Optional

import torch
from allennlp.common import Lazy, Registrable
from allennlp.data import Vocabulary
from allennlp.nn.util import masked_max, masked_softmax
from torch import nn

from multitask.modules.encoder import EncodedQA
from multitask.modules.label_graph import LabelEmbedding
from multitask.qa.instance_builder import LABEL_NAMESPACE

#: index 0 is padding and 1 the OOV entry of the label namespace: never scored
FIRST_LABEL = 2
#: a prior probability is clamped this far from 0 and 1 before its log-odds are taken
PRIOR_EPSILON = 1e-6


@dataclass
class LabelScores:
    """Logits: ``labels`` (B, L) over the label namespace; ``candidates`` (B, K) for the
    options listed in the question, with ``candidate_mask`` (B, K) marking real ones."""

    labels: torch.Tensor
    candidates: Optional[torch.Tensor] = None
    candidate_mask: Optional[torch.Tensor] = None


def span_means(states: torch.Tensor, spans: torch.Tensor) -> torch.Tensor:
    """Mean of ``states`` (B, T, d) over each inclusive span (B, K, 2); (-1, -1) gives 0."""
    steps = torch.arange(states.size(1), device=states.device).view(1, 1, -1)
    inside = (steps >= spans[..., :1]) & (steps <= spans[..., 1:]) & (spans[..., :1] >= 0)
    weights = inside.float()
    weights = weights / weights.sum(-1, keepdim=True).clamp(min=1.0)
    return weights.bmm(states)


class LabelScorer(nn.Module, Registrable):
    """Reads the encoder's output (and the candidates' spans and features) and scores labels."""

    default_implementation = "pooled_label_scorer"

    def forward(
        self,
        encoded: EncodedQA,
        candidate_spans: Optional[torch.Tensor] = None,
        candidate_labels: Optional[torch.Tensor] = None,
        candidate_features: Optional[torch.Tensor] = None,
    ) -> LabelScores:
        raise NotImplementedError


@LabelScorer.register("pooled_label_scorer")
class PooledLabelScorer(LabelScorer):
    """Attention- and max-pooled context -> one logit per label seen in training; each
    listed candidate -> a logit from its question span, the pooled context, its retriever
    features, its rank and its label logit.

    # Parameters

    vocab : `Vocabulary`
        Gives the number of labels (the `label_namespace`).
    dim : `int`
        The encoder's output size (the model's `dim`).
    candidate_features : `int`, optional (default = `0`)
        Retriever features per candidate (e.g. 2 for an omikuji + kNN ensemble).
    hidden : `int`, optional (default = `dim`)
    dropout : `float`, optional (default = `0.2`)
    label_namespace : `str`, optional
    label_embedding : `LabelEmbedding`, optional
        Builds the label vectors the pooled context is scored against (e.g.
        `graph_convolution` over the MeSH tree); by default each label has a free vector
        (a linear layer).
    prior_feature : `int`, optional (default = `None`)
        The index of a candidate feature that is already a calibrated probability (a
        learned fusion's, fitted out of fold). Its log-odds, times a learned weight that
        starts at 1, are added to each candidate's logit, and the MLP's output layer starts
        at zero: the head begins as that probability and learns a correction, instead of
        having to rediscover it through dropout on its inputs.
    """

    def __init__(
        self,
        vocab: Vocabulary,
        dim: int,
        candidate_features: int = 0,
        hidden: Optional[int] = None,
        dropout: float = 0.2,
        label_namespace: str = LABEL_NAMESPACE,
        label_embedding: Optional[Lazy[LabelEmbedding]] = None,
        prior_feature: Optional[int] = None,
    ) -> None:
        super().__init__()
        if prior_feature is not None and not 0 <= prior_feature < candidate_features:
            raise ValueError(
                f"prior_feature {prior_feature} is not one of the {candidate_features} "
                "candidate features"
            )
        self.num_labels = vocab.get_vocab_size(label_namespace)
        self.candidate_features = candidate_features
        hidden = hidden or dim
        self.dropout = nn.Dropout(dropout)
        self.attention = nn.Linear(dim, 1)
        self.pool = nn.Sequential(nn.Linear(2 * dim, dim), nn.Tanh())
        # start every label rare (about one in num_labels articles): the first batches then
        # learn what distinguishes labels instead of pushing ten thousand biases down
        prior = -math.log(max(self.num_labels, 2))
        self.label_embedding: Optional[LabelEmbedding] = None
        if label_embedding is None:
            self.label_projection = nn.Linear(dim, self.num_labels)
            nn.init.constant_(self.label_projection.bias, prior)
        else:
            self.label_embedding = label_embedding.construct(
                vocab=vocab, dim=dim, label_namespace=label_namespace
            )
            self.label_bias = nn.Parameter(torch.full((self.num_labels,), prior))
        # span, pooled, span * pooled, features, rank, label logit
        self.candidate_mlp = nn.Sequential(
            nn.Linear(3 * dim + candidate_features + 2, hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, 1),
        )
        self.prior_feature = prior_feature
        self.prior_weight: Optional[nn.Parameter] = None
        if prior_feature is not None:
            self.prior_weight = nn.Parameter(torch.ones(()))
            nn.init.zeros_(self.candidate_mlp[-1].weight)
            nn.init.zeros_(self.candidate_mlp[-1].bias)

    def pooled_context(self, encoded: EncodedQA) -> torch.Tensor:
        mask = encoded.context_mask
        weights = masked_softmax(self.attention(encoded.context).squeeze(-1), mask)
        attended = weights.unsqueeze(1).bmm(encoded.context).squeeze(1)
        maximum = masked_max(encoded.context, mask.unsqueeze(-1), dim=1)
        return self.pool(self.dropout(torch.cat([attended, maximum], dim=-1)))

    def label_logits(self, pooled: torch.Tensor) -> torch.Tensor:
        if self.label_embedding is None:
            return self.label_projection(pooled)
        return torch.nn.functional.linear(pooled, self.label_embedding(), self.label_bias)

    def forward(
        self,
        encoded: EncodedQA,
        candidate_spans: Optional[torch.Tensor] = None,
        candidate_labels: Optional[torch.Tensor] = None,
        candidate_features: Optional[torch.Tensor] = None,
    ) -> LabelScores:
        pooled = self.pooled_context(encoded)
        label_logits = self.label_logits(self.dropout(pooled))
        if candidate_spans is None or candidate_labels is None:
            return LabelScores(label_logits)
        mask = candidate_labels >= 0
        batch, k = candidate_labels.shape
        features = candidate_features
        if features is None:
            features = label_logits.new_zeros(batch, k, 0)
        if features.size(-1) != self.candidate_features:
            raise ValueError(
                f"candidates carry {features.size(-1)} retriever features but the label scorer "
                f"was built for candidate_features={self.candidate_features}"
            )
        spans = span_means(encoded.question, candidate_spans.long())
        context = pooled.unsqueeze(1).expand(-1, k, -1)
        rank = torch.arange(k, device=spans.device, dtype=spans.dtype).div(max(k, 1))
        own_logit = label_logits.gather(1, candidate_labels.clamp(min=0))
        inputs = torch.cat(
            [
                spans,
                context,
                spans * context,
                features.to(spans.dtype),
                rank.view(1, k, 1).expand(batch, -1, -1),
                own_logit.unsqueeze(-1),
            ],
            dim=-1,
        )
        candidate_logits = self.candidate_mlp(self.dropout(inputs)).squeeze(-1)
        if self.prior_weight is not None:
            prior = features[..., self.prior_feature].to(spans.dtype)
            prior = torch.logit(prior.clamp(PRIOR_EPSILON, 1.0 - PRIOR_EPSILON))
            candidate_logits = candidate_logits + self.prior_weight * prior
        return LabelScores(label_logits, candidate_logits, mask)
