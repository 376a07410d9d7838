"""QA decoders: produce, per answer step, the features and attentions MQAN's output mixes."""

import math
from dataclasses import dataclass
from typing import Optional

import torch
from allennlp.common import Registrable
from allennlp.nn.util import masked_softmax
from torch import nn
from torch.nn import functional as F

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

    # ---- step-by-step decoding --------------------------------------------------------
    # Search calls ``start_decoding`` once per batch, then ``decode_step`` once per output
    # token. ``constants`` hold what every step reads but never changes (row i belongs to
    # example i; beam search repeats rows per hypothesis); ``state`` holds what changes,
    # every tensor with one row per hypothesis so the search can reorder it.
    # The defaults keep the embedded prefix and rerun ``forward`` over it each step;
    # decoders that can cache (MQANDecoder) override both.

    def start_decoding(
        self, encoded: EncodedQA
    ) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        state = self.init_state(encoded)
        state["prefix"] = encoded.context.new_zeros(encoded.context.size(0), 0, self.dim)
        return dict(vars(encoded)), state

    def decode_step(
        self,
        answer_step: torch.Tensor,
        step: int,
        constants: dict[str, torch.Tensor],
        state: dict[str, torch.Tensor],
    ) -> tuple[DecoderStep, dict[str, torch.Tensor]]:
        """Decode position ``step`` given its embedded input token ``answer_step`` (B, d);
        the returned ``DecoderStep`` has one time step.
        """
        state = dict(state)
        prefix = torch.cat([state.pop("prefix"), answer_step.unsqueeze(1)], dim=1)
        encoded = EncodedQA(**{name: constants[name] for name in EncodedQA.__dataclass_fields__})
        mask = torch.ones(prefix.shape[:2], dtype=torch.bool, device=prefix.device)
        out, state = self.forward(prefix, mask, encoded, state, first_step=step)
        state["prefix"] = prefix
        return out, state


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
        steps = []
        for step in range(first_step, length):
            hidden, cell, feed, parts = self._pointer_step(
                attended[:, step],
                hidden,
                cell,
                feed,
                encoded.context,
                encoded.context_mask,
                encoded.question,
                encoded.question_mask,
            )
            steps.append(parts)
        stacked = [torch.stack(part, 1) for part in zip(*steps)]
        return DecoderStep(*stacked), {"hidden": hidden, "cell": cell, "feed": feed}

    def _pointer_step(
        self,
        attended: torch.Tensor,
        hidden: torch.Tensor,
        cell: torch.Tensor,
        feed: torch.Tensor,
        context: torch.Tensor,
        context_mask: torch.Tensor,
        question: torch.Tensor,
        question_mask: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, tuple[torch.Tensor, ...]]:
        """One step of the dual-pointer LSTM: new (hidden, cell, feed) and the step's
        (output, context attention, question attention, gamma, lambda).
        """
        hidden, cell = self.cell(torch.cat([attended, feed], dim=-1), (hidden, cell))
        alpha, context_vector = _attend(hidden, context, context_mask, self.context_attention)
        beta, question_vector = _attend(hidden, question, question_mask, self.question_attention)
        features = torch.cat([hidden, context_vector, question_vector], dim=-1)
        feed = self.dropout(torch.tanh(self.combine(features)))
        switch_features = torch.cat([feed, context_vector, attended], dim=-1)
        gamma = torch.sigmoid(self.vocab_switch(switch_features)).squeeze(-1)
        switch_features = torch.cat([feed, question_vector, attended], dim=-1)
        lam = torch.sigmoid(self.context_switch(switch_features)).squeeze(-1)
        return hidden, cell, feed, (feed, alpha, beta, gamma, lam)

    # ---- incremental decoding ---------------------------------------------------------
    # Each step runs the transformer layers for the new position only: its keys and
    # values are appended to a per-layer cache in the state, and the context memory's
    # keys and values are projected once per batch. Same weights and arithmetic as
    # ``forward`` over the whole prefix (tests/modules/test_incremental_decoding.py).

    def start_decoding(
        self, encoded: EncodedQA
    ) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
        constants = {
            "context": encoded.context,
            "context_mask": encoded.context_mask,
            "question": encoded.question,
            "question_mask": encoded.question_mask,
            # (B, 1, 1, Tc): broadcast over heads and the one query position
            "memory_mask": encoded.context_mask[:, None, None, :],
        }
        state = self.init_state(encoded)
        batch = encoded.context.size(0)
        for index, layer in enumerate(self.self_attentive.layers):
            attention = layer.multihead_attn
            _, key_weight, value_weight = attention.in_proj_weight.chunk(3)
            _, key_bias, value_bias = _in_proj_biases(attention)
            memory = encoded.context_memory
            constants[f"memory_keys_{index}"] = self._heads(F.linear(memory, key_weight, key_bias))
            constants[f"memory_values_{index}"] = self._heads(
                F.linear(memory, value_weight, value_bias)
            )
            empty = memory.new_zeros(batch, self._num_heads, 0, self.dim // self._num_heads)
            state[f"self_keys_{index}"] = empty
            state[f"self_values_{index}"] = empty
        return constants, state

    def decode_step(
        self,
        answer_step: torch.Tensor,
        step: int,
        constants: dict[str, torch.Tensor],
        state: dict[str, torch.Tensor],
    ) -> tuple[DecoderStep, dict[str, torch.Tensor]]:
        state = dict(state)
        x = answer_step + sinusoidal_positions(step + 1, self.dim, answer_step.device)[step]
        x = self.dropout(x).unsqueeze(1)  # (B, 1, d)
        for index, layer in enumerate(self.self_attentive.layers):
            attention = layer.self_attn
            query, key, value = F.linear(
                layer.norm1(x), attention.in_proj_weight, attention.in_proj_bias
            ).chunk(3, dim=-1)
            keys = torch.cat([state[f"self_keys_{index}"], self._heads(key)], dim=2)
            values = torch.cat([state[f"self_values_{index}"], self._heads(value)], dim=2)
            state[f"self_keys_{index}"], state[f"self_values_{index}"] = keys, values
            # the cache holds positions <= step only: causal without a mask
            attended = F.scaled_dot_product_attention(self._heads(query), keys, values)
            x = x + layer.dropout1(attention.out_proj(self._merge_heads(attended)))

            attention = layer.multihead_attn
            query_weight = attention.in_proj_weight.chunk(3)[0]
            query = F.linear(layer.norm2(x), query_weight, _in_proj_biases(attention)[0])
            attended = F.scaled_dot_product_attention(
                self._heads(query),
                constants[f"memory_keys_{index}"],
                constants[f"memory_values_{index}"],
                attn_mask=constants["memory_mask"],
            )
            x = x + layer.dropout2(attention.out_proj(self._merge_heads(attended)))
            hidden = layer.dropout(layer.activation(layer.linear1(layer.norm3(x))))
            x = x + layer.dropout3(layer.linear2(hidden))
        if self.self_attentive.norm is not None:
            x = self.self_attentive.norm(x)
        hidden, cell, feed, parts = self._pointer_step(
            x[:, 0],
            state["hidden"],
            state["cell"],
            state["feed"],
            constants["context"],
            constants["context_mask"],
            constants["question"],
            constants["question_mask"],
        )
        state.update(hidden=hidden, cell=cell, feed=feed)
        return DecoderStep(*(part.unsqueeze(1) for part in parts)), state

    @property
    def _num_heads(self) -> int:
        return self.self_attentive.layers[0].self_attn.num_heads

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, d) -> (B, heads, T, d / heads)"""
        batch, length, _ = x.shape
        return x.view(batch, length, self._num_heads, -1).transpose(1, 2)

    def _merge_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, heads, T, d / heads) -> (B, T, d)"""
        batch, _, length, _ = x.shape
        return x.transpose(1, 2).reshape(batch, length, self.dim)


def _in_proj_biases(attention: nn.MultiheadAttention) -> tuple[Optional[torch.Tensor], ...]:
    if attention.in_proj_bias is None:
        return None, None, None
    return tuple(attention.in_proj_bias.chunk(3))
