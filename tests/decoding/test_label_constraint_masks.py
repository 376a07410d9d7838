"""The constraint's batched masks against a one-hypothesis-at-a-time reference.

The reference is the constraint as it was written before it was vectorised: for each
hypothesis, the trie's allowed children given the used labels, plus separator / end after
a whole unused label, only the end once finished or at a dead end.
"""

import random

import torch

from multitask.decoding.label_trie import LabelSequenceConstraint, LabelTrie

END, SEP, VOCAB = 1, 2, 16


def reference_allowed(constraint: LabelSequenceConstraint, beam) -> set[int]:
    if beam.done:
        return {END}
    trie = constraint.trie
    allowed = set(trie.allowed(beam.node, beam.used).tolist())
    label = trie.label_at[beam.node]
    if beam.node != 0 and label is not None and label not in beam.used:
        cap = constraint.max_labels
        allowed |= {END} if cap is not None and len(beam.used) + 1 >= cap else {SEP, END}
    return allowed or {END}


def random_trie(rng: random.Random) -> LabelTrie:
    trie = LabelTrie()
    for _ in range(rng.randint(3, 30)):
        trie.add([rng.randint(3, VOCAB - 1) for _ in range(rng.randint(1, 4))])
    return trie


def test_batched_masks_match_the_reference_along_random_walks():
    rng = random.Random(0)
    for _ in range(40):
        trie = random_trie(rng)
        constraint = LabelSequenceConstraint(trie, SEP, END, max_labels=rng.choice([None, 2, 4]))
        beams = [beam for row in constraint.init_state(6) for beam in row]
        for _ in range(40):
            mask = constraint.allowed_mask(beams, VOCAB, torch.device("cpu"))
            for row, beam in enumerate(beams):
                expected = reference_allowed(constraint, beam)
                assert set(mask[row].nonzero().flatten().tolist()) == expected
            # walk on: mostly the end-avoiding choices, so that labels get used up
            choices = [sorted(reference_allowed(constraint, beam)) for beam in beams]
            picks = [
                rng.choice([t for t in c if t != END] or c) if rng.random() < 0.9 else rng.choice(c)
                for c in choices
            ]
            beams = [constraint._advance(beam, token) for beam, token in zip(beams, picks)]


def test_backpointers_pick_the_parent_hypothesis_without_copying_it():
    trie = LabelTrie()
    trie.add([5, 6])
    trie.add([7])
    constraint = LabelSequenceConstraint(trie, SEP, END)
    state = constraint.init_state(1)
    state = constraint.update_state(state, torch.tensor([[5, 7]]))
    state[0] = [state[0][0], state[0][1]]
    # both new hypotheses continue the second one (which spelled label [7])
    state = constraint.update_state(state, torch.tensor([[SEP, END]]), torch.tensor([[1, 1]]))
    first, second = state[0]
    assert first.node == 0 and first.used == frozenset({1}) and not first.done
    assert second.done
    mask = constraint.allowed_mask([first], VOCAB, torch.device("cpu"))
    assert set(mask[0].nonzero().flatten().tolist()) == {5}  # [7] is used up
