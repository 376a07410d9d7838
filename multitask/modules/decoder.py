"""QA decoders: produce, per answer step, the features and attentions MQAN's output mixes."""

import math
from dataclasses import dataclass
from typing import Optional

import torch
from allennlp.common import Registrable
from allennlp.nn.util import masked_softmax
from torch import nn

from multitask.modules.encoder import EncodedQA


@dataclass
class DecoderStep:
    """Per-step features for the multi-pointer-generator; every tensor is (B, T, ...)."""

    output: torch.Tensor  # (B, T, d): what the vocabulary projection reads
    context_attention: torch.Tensor  # (B, T, Tc): the context pointer distribution
    question_attention: torch.Tensor  # (B, T, Tq): the question pointer distribution
    vocab_switch: torch.Tensor  # (B, T): gamma, generate vs copy
    context_switch: torch.Tensor  # (B, T): lambda, copy from context vs question


class QADecoder(nn.Module, Registrable):
    """``forward`` runs over an embedded answer prefix; recurrent state carries between calls.

    In training the whole (teacher-forced) answer goes in at once with ``first_step=0``;
    in decoding the growing prefix goes in with ``first_step=t`` and only step ``t`` is run
    through the recurrent part.
    """

    default_implementation = "mqan"

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim

    def init_state(self, encoded: EncodedQA) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def forward(
        self,
        answer: torch.Tensor,
        answer_mask: torch.Tensor,
        encoded: EncodedQA,
        state: dict[str, torch.Tensor],
        first_step: int = 0,
    ) -> tuple[DecoderStep, dict[str, torch.Tensor]]:
        raise NotImplementedError


def sinusoidal_positions(length: int, dim: int, device: torch.device) -> torch.Tensor:
    position = torch.arange(length, device=device, dtype=torch.float).unsqueeze(1)
    scale = torch.exp(torch.arange(0, dim, 2, device=device).float() * (-math.log(10000.0) / dim))
    table = torch.zeros(length, dim, device=device)
    table[:, 0::2] = torch.sin(position * scale)
    table[:, 1::2] = torch.cos(position * scale[: dim // 2])
    return table


def _attend(query: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor, projection: nn.Linear):
    scores = keys.bmm(projection(query).unsqueeze(2)).squeeze(2)
    weights = masked_softmax(scores, mask, dim=-1, memory_efficient=True)
    return weights, weights.unsqueeze(1).bmm(keys).squeeze(1)


@QADecoder.register("mqan")
class MQANDecoder(QADecoder):
    """Self-attentive (transformer) decoder layers over the context, then MQAN's dual-pointer
    LSTM: attention over context and over question, with the two switches that mix
    generating (gamma) and copying from context or question (lambda).
    """

    def __init__(
        self,
        dim: int = 200,
        heads: int = 4,
        transformer_layers: int = 1,
        transformer_hidden: Optional[int] = None,
        dropout: float = 0.2,
    ) -> None:
        super().__init__(dim)
        layer = nn.TransformerDecoderLayer(
            dim, heads, transformer_hidden or 2 * dim, dropout, batch_first=True, norm_first=True
        )
        self.self_attentive = nn.TransformerDecoder(layer, transformer_layers)
        self.dropout = nn.Dropout(dropout)
        self.init_projection = nn.Linear(dim, 2 * dim)
        self.cell = nn.LSTMCell(2 * dim, dim)
        self.context_attention = nn.Linear(dim, dim, bias=False)
        self.question_attention = nn.Linear(dim, dim, bias=False)
        self.combine = nn.Linear(3 * dim, dim)
        self.vocab_switch = nn.Linear(3 * dim, 1)
        self.context_switch = nn.Linear(3 * dim, 1)

    def init_state(self, encoded: EncodedQA) -> dict[str, torch.Tensor]:
        mask = encoded.context_mask.unsqueeze(-1).float()
        pooled = (encoded.context * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        hidden, cell = torch.tanh(self.init_projection(pooled)).chunk(2, dim=-1)
        return {"hidden": hidden, "cell": cell, "feed": torch.zeros_like(hidden)}

    def forward(
        self,
        answer: torch.Tensor,
        answer_mask: torch.Tensor,
        encoded: EncodedQA,
        state: dict[str, torch.Tensor],
        first_step: int = 0,
    ) -> tuple[DecoderStep, dict[str, torch.Tensor]]:
        length = answer.size(1)
        answer = answer + sinusoidal_positions(length, self.dim, answer.device)
        causal = torch.triu(
            torch.ones(length, length, dtype=torch.bool, device=answer.device), diagonal=1
        )
        attended = self.self_attentive(
            self.dropout(answer),
            encoded.context_memory,
            tgt_mask=causal,
            tgt_key_padding_mask=~answer_mask,
            memory_key_padding_mask=~encoded.context_mask,
        )
        hidden, cell, feed = state["hidden"], state["cell"], state["feed"]
        outputs, context_weights, question_weights, gammas, lambdas = [], [], [], [], []
        for step in range(first_step, length):
            step_input = torch.cat([attended[:, step], feed], dim=-1)
            hidden, cell = self.cell(step_input, (hidden, cell))
            alpha, context_vector = _attend(
                hidden, encoded.context, encoded.context_mask, self.context_attention
            )
            beta, question_vector = _attend(
                hidden, encoded.question, encoded.question_mask, self.question_attention
            )
            features = torch.cat([hidden, context_vector, question_vector], dim=-1)
            feed = self.dropout(torch.tanh(self.combine(features)))
            switch_features = torch.cat([feed, context_vector, attended[:, step]], dim=-1)
            outputs.append(feed)
            context_weights.append(alpha)
            question_weights.append(beta)
            gammas.append(torch.sigmoid(self.vocab_switch(switch_features)).squeeze(-1))
            switch_features = torch.cat([feed, question_vector, attended[:, step]], dim=-1)
            lambdas.append(torch.sigmoid(self.context_switch(switch_features)).squeeze(-1))
        step_output = DecoderStep(
            output=torch.stack(outputs, 1),
            context_attention=torch.stack(context_weights, 1),
            question_attention=torch.stack(question_weights, 1),
            vocab_switch=torch.stack(gammas, 1),
            context_switch=torch.stack(lambdas, 1),
        )
        return step_output, {"hidden": hidden, "cell": cell, "feed": feed}
