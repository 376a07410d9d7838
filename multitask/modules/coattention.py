"""Dual coattention with sentinels (Xiong et al. 2017, as used by MQAN, McCann et al. 2018)."""

from __future__ import annotations

import torch
from allennlp.nn.util import masked_softmax
from torch import nn


class DualCoattention(nn.Module):
    """Context and question attend to each other; each then reads the other's summary again.

    A learned sentinel vector is prepended to both sides so a word can attend to "nothing".
    Returns ``(B, Tc, 2d)`` for the context and ``(B, Tq, 2d)`` for the question: the
    second-level coattention summary next to the first-level one.
    """

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.question_projection = nn.Linear(dim, dim)
        self.sentinels = nn.Parameter(torch.randn(2, dim) * 0.1)

    def forward(
        self,
        context: torch.Tensor,
        context_mask: torch.Tensor,
        question: torch.Tensor,
        question_mask: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        batch = context.size(0)
        ones = context_mask.new_ones(batch, 1)
        context = torch.cat([self.sentinels[0].expand(batch, 1, -1), context], dim=1)
        question = torch.tanh(self.question_projection(question))
        question = torch.cat([self.sentinels[1].expand(batch, 1, -1), question], dim=1)
        context_mask = torch.cat([ones, context_mask], dim=1)
        question_mask = torch.cat([ones, question_mask], dim=1)

        # affinity: (B, Tc+1, Tq+1)
        affinity = context.bmm(question.transpose(1, 2))
        # over the context for each question word: (B, Tc+1, Tq+1), normalised on dim 1
        over_context = masked_softmax(
            affinity, context_mask.unsqueeze(2), dim=1, memory_efficient=True
        )
        # over the question for each context word: (B, Tc+1, Tq+1), normalised on dim 2
        over_question = masked_softmax(
            affinity, question_mask.unsqueeze(1), dim=2, memory_efficient=True
        )

        context_summary_per_question = over_context.transpose(1, 2).bmm(context)  # (B, Tq+1, d)
        question_summary_per_context = over_question.bmm(question)  # (B, Tc+1, d)
        coattended_context = over_question.bmm(context_summary_per_question)  # (B, Tc+1, d)
        coattended_question = over_context.transpose(1, 2).bmm(question_summary_per_context)

        context_out = torch.cat([coattended_context, question_summary_per_context], dim=-1)
        question_out = torch.cat([coattended_question, context_summary_per_question], dim=-1)
        return context_out[:, 1:], question_out[:, 1:]
