"""Greedy decoding that stops computing a row once it has ended.

AllenNLP's ``BeamSearch`` with beam size 1 runs every row of the batch until the longest
one ends. Answers vary in length (MeSH: 20 to 60+ tokens within one batch), so this loop
drops ended rows from the batch now and then; the tokens are the same as the beam search's
(``tests/decoding/test_greedy.py``).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from allennlp.nn.beam_search import Constraint

# step(last_predictions, state, timestep, rows) -> (log_probs, state); ``rows`` are the
# indices, in the original batch, of the rows still being decoded, in order.
GreedyStep = Callable[
    [torch.Tensor, dict[str, torch.Tensor], int, torch.Tensor],
    tuple[torch.Tensor, dict[str, torch.Tensor]],
]


def greedy_search(
    step: GreedyStep,
    start_predictions: torch.Tensor,
    state: dict[str, torch.Tensor],
    end_index: int,
    max_steps: int,
    constraint: Constraint | None = None,
    compact_fraction: float = 0.25,
) -> list[list[int]]:
    """The argmax tokens of each row, up to (not including) its end token.

    Ended rows are dropped once they make up ``compact_fraction`` of the rows still in the
    batch: dropping copies every state tensor, so it is not done for each row that ends.
    """
    batch = start_predictions.size(0)
    device = start_predictions.device
    rows = torch.arange(batch, device=device)  # original index of each row still decoded
    ended = torch.zeros(batch, dtype=torch.bool, device=device)
    constraint_state = constraint.init_state(batch) if constraint is not None else None
    tokens = torch.full((batch, max_steps), end_index, dtype=torch.long, device=device)
    last = start_predictions
    for timestep in range(max_steps):
        log_probs, state = step(last, state, timestep, rows)
        if constraint is not None:
            log_probs = constraint.apply(constraint_state, log_probs.unsqueeze(1)).squeeze(1)
        predictions = log_probs.argmax(-1)
        # rows that ended earlier keep the end token (as beam search scores them)
        predictions = predictions.masked_fill(ended, end_index)
        tokens[rows, timestep] = predictions
        if constraint is not None:
            constraint_state = constraint.update_state(constraint_state, predictions.unsqueeze(1))
        ended = predictions == end_index
        if bool(ended.all()):
            break
        last = predictions
        if int(ended.sum()) >= compact_fraction * ended.numel():
            keep = (~ended).nonzero().squeeze(1)
            rows, last, ended = rows[keep], last[keep], ended[keep]
            state = {name: value.index_select(0, keep) for name, value in state.items()}
            if constraint_state is not None:
                constraint_state = [constraint_state[i] for i in keep.tolist()]
    result = []
    for row in tokens.tolist():
        result.append(row[: row.index(end_index)] if end_index in row else row)
    return result
