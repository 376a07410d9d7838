"""A prefix trie over tokenized label names, and the beam-search constraint built on it.

Each generated label must be a path from the root to a label's end, labels are separated
by one separator token, none repeats, and the answer may end only after a whole label.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import torch
from allennlp.nn.beam_search import Constraint, ConstraintStateType

logger = logging.getLogger(__name__)


class LabelTrie:
    """Token-id paths of labels; node 0 is the root."""

    def __init__(self) -> None:
        self.children: list[dict[int, int]] = [{}]
        self.label_at: list[int | None] = [None]  # label index ending at this node
        self.subtree_size: list[int] = [0]  # labels at or below this node
        self.depth: list[int] = [0]
        self.paths: list[list[int]] = []  # node path of each label, root included
        self._child_ids: dict[int, torch.Tensor] = {}

    def __len__(self) -> int:
        return len(self.paths)

    def add(self, token_ids: Sequence[int]) -> int | None:
        """Add a label; returns its index, or None if the same token path is already a label."""
        node, path = 0, [0]
        self.subtree_size[0] += 1
        for token in token_ids:
            nxt = self.children[node].get(token)
            if nxt is None:
                nxt = len(self.children)
                self.children.append({})
                self.label_at.append(None)
                self.subtree_size.append(0)
                self.depth.append(self.depth[node] + 1)
                self.children[node][token] = nxt
            node = nxt
            self.subtree_size[node] += 1
            path.append(node)
        if self.label_at[node] is not None:
            for visited in path:
                self.subtree_size[visited] -= 1
            return None
        self.label_at[node] = len(self.paths)
        self.paths.append(path)
        return self.label_at[node]

    def child_ids(self, node: int) -> torch.Tensor:
        cached = self._child_ids.get(node)
        if cached is None:
            cached = torch.tensor(sorted(self.children[node]), dtype=torch.long)
            self._child_ids[node] = cached
        return cached

    def allowed(self, node: int, used: frozenset[int]) -> torch.Tensor:
        """Children of ``node`` below which some label is still unused."""
        ids = self.child_ids(node)
        if not used:
            return ids
        depth = self.depth[node]
        exhausted: dict[int, int] = {}
        for label in used:
            path = self.paths[label]
            if len(path) > depth + 1 and path[depth] == node:
                child = path[depth + 1]
                exhausted[child] = exhausted.get(child, 0) + 1
        full = (
            [
                token
                for token, child in self.children[node].items()
                if exhausted.get(child, 0) >= self.subtree_size[child]
            ]
            if exhausted
            else []
        )
        if not full:
            return ids
        return ids[~torch.isin(ids, torch.tensor(full, dtype=torch.long))]

    def step(self, node: int, token: int) -> int | None:
        return self.children[node].get(token)


class LabelSequenceConstraint(Constraint):
    """Beam-search constraint: only whole, distinct labels from the trie, then the end token;
    at most ``max_labels`` of them when given (the decoder otherwise tends to ramble on).
    """

    def __init__(
        self, trie: LabelTrie, separator: int, end: int, max_labels: int | None = None
    ) -> None:
        super().__init__()
        self.trie = trie
        self.max_labels = max_labels
        self.separator = separator
        self.end = end

    def init_state(self, batch_size: int) -> ConstraintStateType:
        return [[{"node": 0, "used": frozenset(), "done": False}] for _ in range(batch_size)]

    def _allowed(self, state: dict) -> torch.Tensor:
        if state["done"]:
            return torch.tensor([self.end])
        node, used = state["node"], state["used"]
        allowed = self.trie.allowed(node, used)
        label = self.trie.label_at[node]
        if node != 0 and label is not None and label not in used:
            if self.max_labels is not None and len(used) + 1 >= self.max_labels:
                # the label being finished is the last one allowed: only the end may follow
                boundary = torch.tensor([self.end])
            else:
                boundary = torch.tensor([self.separator, self.end])
            allowed = torch.cat([allowed, boundary])
        if len(allowed) == 0:  # dead end (should not happen): end rather than emit junk
            return torch.tensor([self.end])
        return allowed

    def apply(
        self, state: ConstraintStateType, class_log_probabilities: torch.Tensor
    ) -> torch.Tensor:
        constrained = torch.full_like(
            class_log_probabilities, torch.finfo(class_log_probabilities.dtype).min
        )
        for i, beams in enumerate(state):
            for j, beam_state in enumerate(beams):
                ids = self._allowed(beam_state).to(class_log_probabilities.device)
                constrained[i, j, ids] = class_log_probabilities[i, j, ids]
        return constrained

    def _update_state(
        self, state: ConstraintStateType, last_prediction: torch.Tensor
    ) -> ConstraintStateType:
        predictions = last_prediction.tolist()
        for i, beams in enumerate(state):
            for j, beam_state in enumerate(beams):
                token = predictions[i][j]
                if beam_state["done"]:
                    continue
                node = beam_state["node"]
                if token == self.end:
                    beam_state["done"] = True
                elif token == self.separator and node != 0:
                    beam_state["used"] = beam_state["used"] | {self.trie.label_at[node]}
                    beam_state["node"] = 0
                else:
                    nxt = self.trie.step(node, token)
                    if nxt is None:
                        beam_state["done"] = True
                    else:
                        beam_state["node"] = nxt
        return state
