"""A search constraint that never lets the decoder say certain tokens."""

from __future__ import annotations

from collections.abc import Iterable

import torch
from allennlp.nn.beam_search import Constraint, ConstraintStateType


class BannedTokensConstraint(Constraint):
    """Masks the given token ids at every step (e.g. the unknown word and padding).

    Why: a decoder trained on text whose vocabulary misses many words learns the unknown
    token as its single likeliest word (every out-of-vocabulary word that cannot be copied
    is that one token), and greedy search then answers "@@UNKNOWN@@" over and over. A user
    never wants that token in an answer; the second-best word or a copied one is what the
    model means. Stateless: works with greedy and beam search alike.
    """

    def __init__(self, banned: Iterable[int]) -> None:
        super().__init__()
        self.banned = sorted(set(banned))
        self._index: dict[torch.device, torch.Tensor] = {}

    def init_state(self, batch_size: int) -> ConstraintStateType:
        return [[{}] for _ in range(batch_size)]

    def apply(
        self, state: ConstraintStateType, class_log_probabilities: torch.Tensor
    ) -> torch.Tensor:
        device = class_log_probabilities.device
        if device not in self._index:
            self._index[device] = torch.tensor(self.banned, dtype=torch.long, device=device)
        return class_log_probabilities.index_fill(
            -1, self._index[device], torch.finfo(class_log_probabilities.dtype).min
        )

    def _update_state(
        self, state: ConstraintStateType, last_prediction: torch.Tensor
    ) -> ConstraintStateType:
        return state
