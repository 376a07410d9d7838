"""MQAN's multi-pointer-generator output over an extended vocabulary.

p(w) = gamma * p_vocab(w) + (1 - gamma) * [lambda * p_context(w) + (1 - lambda) * p_question(w)]

Source words are identified by their "extended id": the target-vocabulary id for known
words, ``vocab_size + local_id - 1`` for out-of-vocabulary ones, so an OOV context word can
be produced by copying.
"""

from __future__ import annotations

import torch
from torch import nn

from multitask.modules.decoder import DecoderStep

TINY = 1e-12


def extended_ids(to_target: torch.Tensor, local_ids: torch.Tensor, vocab_size: int, unk: int):
    """Target-vocabulary ids of source words, OOV words moved past the vocabulary."""
    oov = (to_target == unk) & (local_ids > 0)
    return torch.where(oov, vocab_size + local_ids - 1, to_target)


class MultiPointerGenerator(nn.Module):
    """Mixes generation with copying from context and question; ``blocked`` ids never win."""

    def __init__(self, dim: int, vocab_size: int, blocked: tuple[int, ...] = (0,)) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.projection = nn.Linear(dim, vocab_size)
        self.register_buffer("blocked", torch.tensor(blocked, dtype=torch.long), persistent=False)

    def _vocab_probs(self, output: torch.Tensor) -> torch.Tensor:
        logits = self.projection(output)
        logits[..., self.blocked] = torch.finfo(logits.dtype).min
        return torch.softmax(logits, dim=-1)

    def target_log_probs(
        self,
        step: DecoderStep,
        targets: torch.Tensor,
        context_ext: torch.Tensor,
        question_ext: torch.Tensor,
    ) -> torch.Tensor:
        """log p(target) per step, without materialising the (B, T, V + OOV) distribution."""
        gamma, lam = step.vocab_switch, step.context_switch
        in_vocab = targets < self.vocab_size
        vocab_p = (
            self._vocab_probs(step.output)
            .gather(-1, targets.clamp(max=self.vocab_size - 1).unsqueeze(-1))
            .squeeze(-1)
            * in_vocab
        )
        context_p = (
            step.context_attention * (context_ext.unsqueeze(1) == targets.unsqueeze(2))
        ).sum(-1)
        question_p = (
            step.question_attention * (question_ext.unsqueeze(1) == targets.unsqueeze(2))
        ).sum(-1)
        prob = gamma * vocab_p + (1 - gamma) * (lam * context_p + (1 - lam) * question_p)
        return torch.log(prob + TINY)

    def extended_log_probs(
        self,
        step: DecoderStep,
        context_ext: torch.Tensor,
        question_ext: torch.Tensor,
        extended_size: int,
    ) -> torch.Tensor:
        """The full (B, extended_size) log distribution for the last decoded step."""
        gamma = step.vocab_switch[:, -1:]
        lam = step.context_switch[:, -1:]
        vocab_p = self._vocab_probs(step.output[:, -1])
        batch = vocab_p.size(0)
        prob = vocab_p.new_zeros(batch, extended_size)
        prob[:, : self.vocab_size] = gamma * vocab_p
        prob.scatter_add_(1, context_ext, (1 - gamma) * lam * step.context_attention[:, -1])
        prob.scatter_add_(1, question_ext, (1 - gamma) * (1 - lam) * step.question_attention[:, -1])
        return torch.log(prob + TINY)
