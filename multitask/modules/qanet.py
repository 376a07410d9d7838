"""QANet's encoder (Yu et al. 2018, "QANet: Combining Local Convolution with Global
Self-Attention for Reading Comprehension", arXiv:1804.09541) as a drop-in MQAN encoder.

No recurrence: each block is depthwise-separable convolutions (local structure), then
self-attention (global), then a feed-forward layer, each pre-norm and residual, with
sinusoidal positions added at the block's input. Every step of a block runs over all
positions at once, which is what made QANet several times faster to train than recurrent
readers on GPUs. In the MQAN it replaces the BiLSTM stages around the dual coattention.
"""

import math

import torch
from torch import nn
from torch.nn import functional

from multitask.modules.coattention import DualCoattention
from multitask.modules.encoder import EncodedQA, QAEncoder


def sinusoid_positions(steps: int, dim: int, device: torch.device) -> torch.Tensor:
    """(steps, dim) timing signal of Vaswani et al. (2017): sines then cosines."""
    position = torch.arange(steps, device=device, dtype=torch.float).unsqueeze(1)
    half = dim // 2
    rates = torch.exp(
        torch.arange(half, device=device, dtype=torch.float) * -(math.log(1e4) / max(half - 1, 1))
    )
    angles = position * rates.unsqueeze(0)
    signal = torch.cat([angles.sin(), angles.cos()], dim=1)
    return functional.pad(signal, (0, dim - signal.size(1)))


class DepthwiseSeparableConv(nn.Module):
    """A per-channel convolution over time, then a 1x1 convolution across channels."""

    def __init__(self, dim: int, kernel_size: int) -> None:
        super().__init__()
        if kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd (same-length output), got {kernel_size}")
        self.depthwise = nn.Conv1d(dim, dim, kernel_size, padding=kernel_size // 2, groups=dim)
        self.pointwise = nn.Conv1d(dim, dim, 1)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.pointwise(self.depthwise(inputs.transpose(1, 2))).transpose(1, 2)


class MaskedSelfAttention(nn.Module):
    """Multi-head self-attention over unpadded positions (PyTorch's fused attention)."""

    def __init__(self, dim: int, heads: int, dropout: float) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"dim {dim} is not divisible by {heads} heads")
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.output = nn.Linear(dim, dim)
        self.dropout = dropout

    def forward(self, inputs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, steps, dim = inputs.shape
        qkv = self.qkv(inputs).view(batch, steps, 3, self.heads, dim // self.heads)
        query, key, value = qkv.permute(2, 0, 3, 1, 4)  # each (B, heads, T, d / heads)
        attended = functional.scaled_dot_product_attention(
            query,
            key,
            value,
            attn_mask=mask[:, None, None, :],
            dropout_p=self.dropout if self.training else 0.0,
        )
        return self.output(attended.transpose(1, 2).reshape(batch, steps, dim))


class QANetBlock(nn.Module):
    """Positions + ``convs`` x [conv] + self-attention + feed-forward, pre-norm residuals."""

    def __init__(self, dim: int, convs: int, kernel_size: int, heads: int, dropout: float):
        super().__init__()
        self.convs = nn.ModuleList(DepthwiseSeparableConv(dim, kernel_size) for _ in range(convs))
        self.conv_norms = nn.ModuleList(nn.LayerNorm(dim) for _ in range(convs))
        self.attention_norm = nn.LayerNorm(dim)
        self.attention = MaskedSelfAttention(dim, heads, dropout)
        self.feed_forward_norm = nn.LayerNorm(dim)
        self.feed_forward = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, dim))
        self.dropout = nn.Dropout(dropout)

    def forward(self, inputs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        keep = mask.unsqueeze(-1).to(inputs.dtype)
        states = inputs + sinusoid_positions(inputs.size(1), inputs.size(2), inputs.device)
        states = states * keep
        for norm, conv in zip(self.conv_norms, self.convs):
            # padding is zero before every convolution: a window never reads past the end
            states = states + self.dropout(functional.relu(conv(norm(states) * keep)))
        states = states + self.dropout(self.attention(self.attention_norm(states), mask))
        states = states + self.dropout(self.feed_forward(self.feed_forward_norm(states)))
        return states * keep


class QANetStack(nn.Module):
    def __init__(
        self, blocks: int, dim: int, convs: int, kernel_size: int, heads: int, dropout: float
    ) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(
            QANetBlock(dim, convs, kernel_size, heads, dropout) for _ in range(blocks)
        )

    def forward(self, inputs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            inputs = block(inputs, mask)
        return inputs


@QAEncoder.register("qanet")
class QANetEncoder(QAEncoder):
    """MQAN's encoder with QANet blocks in place of every BiLSTM stage.

    A shared embedding-encoder block reads context and question (where MQAN has its shared
    BiLSTM); dual coattention as in MQAN; then per side a projection of [coattended,
    encoded, embedded] to ``dim`` and two stacks of model-encoder blocks: the first stack's
    output is the memory the decoder's transformer attends to (MQAN's self-attention
    output), the second's the final states the pointers read (MQAN's final BiLSTM).

    # Parameters

    dim : `int`
    heads : `int`, optional (default = `4`)
    kernel_size : `int`, optional (default = `7`)
        Width of every convolution (QANet's).
    embedding_convs : `int`, optional (default = `4`)
        Convolutions in the embedding-encoder block (QANet: 4).
    model_convs : `int`, optional (default = `2`)
        Convolutions per model-encoder block (QANet: 2).
    model_blocks : `int`, optional (default = `2`)
        Blocks per model-encoder stack (QANet: 7; fewer fit a CPU budget).
    dropout : `float`, optional (default = `0.2`)
    """

    def __init__(
        self,
        dim: int = 128,
        heads: int = 4,
        kernel_size: int = 7,
        embedding_convs: int = 4,
        model_convs: int = 2,
        model_blocks: int = 2,
        dropout: float = 0.2,
    ) -> None:
        super().__init__(dim)
        self.dropout = nn.Dropout(dropout)
        self.embedding_block = QANetBlock(dim, embedding_convs, kernel_size, heads, dropout)
        self.coattention = DualCoattention(dim)

        def stack() -> QANetStack:
            return QANetStack(model_blocks, dim, model_convs, kernel_size, heads, dropout)

        # no bias: the next block normalises its input first (AllenNLP's confidence check)
        self.context_projection = nn.Linear(4 * dim, dim, bias=False)
        self.question_projection = nn.Linear(4 * dim, dim, bias=False)
        self.context_memory_stack = stack()
        self.question_memory_stack = stack()
        self.context_final_stack = stack()
        self.question_final_stack = stack()

    def forward(
        self,
        context: torch.Tensor,
        context_mask: torch.Tensor,
        question: torch.Tensor,
        question_mask: torch.Tensor,
    ) -> EncodedQA:
        context_states = self.embedding_block(context, context_mask)
        question_states = self.embedding_block(question, question_mask)
        coattended_context, coattended_question = self.coattention(
            context_states, context_mask, question_states, question_mask
        )
        context_summary = self.context_projection(
            self.dropout(torch.cat([coattended_context, context_states, context], dim=-1))
        )
        question_summary = self.question_projection(
            self.dropout(torch.cat([coattended_question, question_states, question], dim=-1))
        )
        context_memory = self.context_memory_stack(context_summary, context_mask)
        question_memory = self.question_memory_stack(question_summary, question_mask)
        return EncodedQA(
            context=self.context_final_stack(context_memory, context_mask),
            question=self.question_final_stack(question_memory, question_mask),
            context_memory=context_memory,
            question_memory=question_memory,
            context_mask=context_mask,
            question_mask=question_mask,
        )
