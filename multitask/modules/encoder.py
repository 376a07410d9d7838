"""QA encoders: read a context and a question together. Swappable by registered name."""

from dataclasses import dataclass
from typing import Optional

import torch
from allennlp.common import Registrable
from torch import nn

from multitask.modules.coattention import DualCoattention
from multitask.modules.rnn import MaskedBiLSTM


@dataclass
class EncodedQA:
    """What a decoder reads.

    ``*_memory`` are the self-attention layers' outputs (what MQAN's transformer decoder
    attends to); ``context`` / ``question`` are the final states that the pointer
    attentions and the copy distributions run over.
    """

    context: torch.Tensor
    question: torch.Tensor
    context_memory: torch.Tensor
    question_memory: torch.Tensor
    context_mask: torch.Tensor
    question_mask: torch.Tensor


class QAEncoder(nn.Module, Registrable):
    """Inputs are already embedded and projected to ``dim``; outputs have ``dim`` features."""

    default_implementation = "mqan"

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.dim = dim

    def get_output_dim(self) -> int:
        return self.dim

    def forward(
        self,
        context: torch.Tensor,
        context_mask: torch.Tensor,
        question: torch.Tensor,
        question_mask: torch.Tensor,
    ) -> EncodedQA:
        raise NotImplementedError


class SelfAttentionStack(nn.TransformerEncoder):
    """PyTorch's pre-norm transformer encoder, run without its inference "fast path".

    In eval mode ``nn.TransformerEncoderLayer`` switches to a fused kernel whose masked
    softmax is slow on CPU: with a padding mask it took 88 ms per call for 32 x 220 tokens,
    against 54 ms for the regular path (same outputs to 5e-7; docs/scaling.md). The
    parameters and their names are PyTorch's, so archives load either way.
    """

    def forward(self, *args, **kwargs) -> torch.Tensor:  # type: ignore[override]
        enabled = torch.backends.mha.get_fastpath_enabled()
        torch.backends.mha.set_fastpath_enabled(False)
        try:
            return super().forward(*args, **kwargs)
        finally:
            torch.backends.mha.set_fastpath_enabled(enabled)


def transformer_encoder(
    dim: int, heads: int, hidden: int, layers: int, dropout: float
) -> nn.Module:
    layer = nn.TransformerEncoderLayer(
        dim, heads, hidden, dropout, batch_first=True, norm_first=True
    )
    return SelfAttentionStack(layer, layers, enable_nested_tensor=False)


@QAEncoder.register("mqan")
class MQANEncoder(QAEncoder):
    """MQAN's encoder: shared BiLSTM, dual coattention, BiLSTM, self-attention, final BiLSTM.

    The first BiLSTM is shared by context and question; after coattention each side has
    its own BiLSTM, self-attention stack and final BiLSTM, as in McCann et al. (2018).
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
        hidden = transformer_hidden or 2 * dim
        self.dropout = nn.Dropout(dropout)
        self.shared_bilstm = MaskedBiLSTM(dim, dim)
        self.coattention = DualCoattention(dim)
        # coattended (2d) + BiLSTM states (d) + embeddings (d)
        self.context_bilstm = MaskedBiLSTM(4 * dim, dim)
        self.question_bilstm = MaskedBiLSTM(4 * dim, dim)
        self.context_self_attention = transformer_encoder(
            dim, heads, hidden, transformer_layers, dropout
        )
        self.question_self_attention = transformer_encoder(
            dim, heads, hidden, transformer_layers, dropout
        )
        self.context_final_bilstm = MaskedBiLSTM(dim, dim)
        self.question_final_bilstm = MaskedBiLSTM(dim, dim)

    def forward(
        self,
        context: torch.Tensor,
        context_mask: torch.Tensor,
        question: torch.Tensor,
        question_mask: torch.Tensor,
    ) -> EncodedQA:
        context_states = self.dropout(self.shared_bilstm(context, context_mask))
        question_states = self.dropout(self.shared_bilstm(question, question_mask))
        coattended_context, coattended_question = self.coattention(
            context_states, context_mask, question_states, question_mask
        )
        context_summary = torch.cat([coattended_context, context_states, context], dim=-1)
        question_summary = torch.cat([coattended_question, question_states, question], dim=-1)
        context_summary = self.dropout(self.context_bilstm(context_summary, context_mask))
        question_summary = self.dropout(self.question_bilstm(question_summary, question_mask))
        context_memory = self.context_self_attention(
            context_summary, src_key_padding_mask=~context_mask
        )
        question_memory = self.question_self_attention(
            question_summary, src_key_padding_mask=~question_mask
        )
        return EncodedQA(
            context=self.context_final_bilstm(context_memory, context_mask),
            question=self.question_final_bilstm(question_memory, question_mask),
            context_memory=context_memory,
            question_memory=question_memory,
            context_mask=context_mask,
            question_mask=question_mask,
        )
