"""A prefix trie over tokenized label names, and the beam-search constraint built on it.

Each generated label must be a path from the root to a label's end, labels are separated
by one separator token, none repeats, and the answer may end only after a whole label.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

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
        self.token: list[int] = [-1]  # the token on the edge into each node
        self.paths: list[list[int]] = []  # node path of each label, root included
        self._child_ids: dict[int, torch.Tensor] = {}
        self._csr: tuple[torch.Tensor, torch.Tensor] | None = None

    def __len__(self) -> int:
        return len(self.paths)

    def add(self, token_ids: Sequence[int]) -> int | None:
        """Add a label; returns its index, or None if the same token path is already a label."""
        node, path = 0, [0]
        self._child_ids.clear()
        self._csr = None
        self.subtree_size[0] += 1
        for token in token_ids:
            nxt = self.children[node].get(token)
            if nxt is None:
                nxt = len(self.children)
                self.children.append({})
                self.label_at.append(None)
                self.subtree_size.append(0)
                self.depth.append(self.depth[node] + 1)
                self.token.append(token)
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

    def csr(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Every node's child tokens as one array: ``tokens[offsets[n]:offsets[n + 1]]``."""
        if self._csr is None:
            offsets, tokens = [0], []
            for children in self.children:
                tokens.extend(sorted(children))
                offsets.append(len(tokens))
            self._csr = (
                torch.tensor(offsets, dtype=torch.long),
                torch.tensor(tokens, dtype=torch.long),
            )
        return self._csr

    def allowed(self, node: int, used: frozenset[int]) -> torch.Tensor:
        """Children of ``node`` below which some label is still unused (one node at a time;
        the constraint builds the same sets for all hypotheses at once).
        """
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


@dataclass(frozen=True)
class _Beam:
    """One hypothesis's place in the label sequence. Immutable, so beams that the search
    reorders or duplicates can share it instead of deep-copying it every step.
    """

    node: int = 0
    used: frozenset[int] = frozenset()
    # tokens that may no longer follow a node: every label below that child is used
    exhausted: Mapping[int, frozenset[int]] = field(default_factory=dict)
    done: bool = False


class LabelSequenceConstraint(Constraint):
    """Beam-search constraint: only whole, distinct labels from the trie, then the end token;
    at most ``max_labels`` of them when given (the decoder otherwise tends to ramble on).

    ``apply`` builds the allowed-token mask for all hypotheses at once from the trie's
    child lists (``LabelTrie.csr``); Python only walks each hypothesis one trie edge per
    step, and the used-label bookkeeping runs once per finished label.
    """

    def __init__(
        self, trie: LabelTrie, separator: int, end: int, max_labels: int | None = None
    ) -> None:
        super().__init__()
        self.trie = trie
        self.max_labels = max_labels
        self.separator = separator
        self.end = end
        self._csr: dict[torch.device, tuple[torch.Tensor, torch.Tensor]] = {}

    def init_state(self, batch_size: int) -> ConstraintStateType:
        return [[_Beam()] for _ in range(batch_size)]

    def _children(self, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        if device not in self._csr:
            offsets, tokens = self.trie.csr()
            self._csr[device] = (offsets.to(device), tokens.to(device))
        return self._csr[device]

    def _boundary(self, beam: _Beam) -> tuple[bool, bool]:
        """(may end, may add a separator) after the label that ``beam`` spells so far."""
        label = self.trie.label_at[beam.node]
        if beam.node == 0 or label is None or label in beam.used:
            return False, False
        last = self.max_labels is not None and len(beam.used) + 1 >= self.max_labels
        return True, not last

    def allowed_mask(self, beams: list[_Beam], size: int, device: torch.device) -> torch.Tensor:
        """(len(beams), size) booleans: the tokens each hypothesis may produce next."""
        offsets, tokens = self._children(device)
        nodes = torch.tensor([beam.node for beam in beams], device=device)
        starts = offsets[nodes]
        lengths = offsets[nodes + 1] - starts
        rows = torch.repeat_interleave(torch.arange(len(beams), device=device), lengths)
        first = torch.cumsum(lengths, 0) - lengths  # where each row's run starts in `rows`
        positions = torch.arange(rows.numel(), device=device) + (starts - first)[rows]
        allowed = torch.zeros(len(beams), size, dtype=torch.bool, device=device)
        allowed[rows, tokens[positions]] = True

        blocked: tuple[list[int], list[int]] = ([], [])
        ends: list[int] = []
        separators: list[int] = []
        finished: list[int] = []
        for row, beam in enumerate(beams):
            if beam.done:
                finished.append(row)
                continue
            for token in beam.exhausted.get(beam.node, ()):
                blocked[0].append(row)
                blocked[1].append(token)
            may_end, may_continue = self._boundary(beam)
            if may_end:
                ends.append(row)
            if may_continue:
                separators.append(row)
        if blocked[0]:
            allowed[blocked] = False
        allowed[separators, self.separator] = True
        allowed[ends, self.end] = True
        if finished:
            allowed[finished] = False
        # finished hypotheses, and dead ends (should not happen), may only end
        allowed[:, self.end] |= ~allowed.any(-1)
        return allowed

    def apply(
        self, state: ConstraintStateType, class_log_probabilities: torch.Tensor
    ) -> torch.Tensor:
        batch, beam_size, size = class_log_probabilities.shape
        beams = [beam for row in state for beam in row]
        allowed = self.allowed_mask(beams, size, class_log_probabilities.device)
        return class_log_probabilities.masked_fill(
            ~allowed.view(batch, beam_size, size),
            torch.finfo(class_log_probabilities.dtype).min,
        )

    def _finish_label(self, beam: _Beam) -> _Beam:
        label = self.trie.label_at[beam.node]
        if label is None or label in beam.used:  # cannot happen under this constraint
            return replace(beam, done=True)
        used = beam.used | {label}
        exhausted = dict(beam.exhausted)
        path = self.trie.paths[label]
        for depth in range(len(path) - 1, 0, -1):
            child = path[depth]
            below = sum(
                1
                for done in used
                if len(self.trie.paths[done]) > depth and self.trie.paths[done][depth] == child
            )
            if below < self.trie.subtree_size[child]:
                break  # an unused label remains below this child, hence below its ancestors
            parent = path[depth - 1]
            exhausted[parent] = exhausted.get(parent, frozenset()) | {self.trie.token[child]}
        return _Beam(0, used, exhausted, False)

    def _advance(self, beam: _Beam, token: int) -> _Beam:
        if beam.done:
            return beam
        if token == self.end:
            return replace(beam, done=True)
        if token == self.separator and beam.node != 0:
            return self._finish_label(beam)
        nxt = self.trie.step(beam.node, token)
        if nxt is None:
            return replace(beam, done=True)
        return replace(beam, node=nxt)

    def update_state(
        self,
        state: ConstraintStateType,
        last_prediction: torch.Tensor,
        last_backpointer: torch.Tensor | None = None,
    ) -> ConstraintStateType:
        # beams are immutable: follow the backpointers by reference (the base class
        # deep-copies every hypothesis at every step)
        predictions = last_prediction.tolist()
        pointers = last_backpointer.tolist() if last_backpointer is not None else None
        return [
            [
                self._advance(state[i][pointers[i][j] if pointers else 0], token)
                for j, token in enumerate(row)
            ]
            for i, row in enumerate(predictions)
        ]

    def _update_state(
        self, state: ConstraintStateType, last_prediction: torch.Tensor
    ) -> ConstraintStateType:
        predictions = last_prediction.tolist()
        return [
            [self._advance(beam, token) for beam, token in zip(row, tokens)]
            for row, tokens in zip(state, predictions)
        ]
