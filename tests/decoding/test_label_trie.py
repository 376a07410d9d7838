import torch
from allennlp.nn.beam_search import BeamSearch

from multitask.decoding.label_trie import LabelSequenceConstraint, LabelTrie

END, SEP = 1, 2
# labels as token-id paths; 10 is a prefix of 10 11 (like "neoplasms" / "neoplasms , site")
LABELS = [(10,), (10, 11), (10, 11, 12), (20, 21), (30,), (31, 32, 33)]
NUM_CLASSES = 40


def make_trie() -> LabelTrie:
    trie = LabelTrie()
    for label in LABELS:
        assert trie.add(label) is not None
    return trie


def split_labels(ids: list[int]) -> list[tuple[int, ...]]:
    ids = ids[: ids.index(END)] if END in ids else ids
    groups, group = [], []
    for token in ids:
        if token == SEP:
            groups.append(tuple(group))
            group = []
        else:
            group.append(token)
    groups.append(tuple(group))
    return groups


def test_duplicate_paths_are_refused():
    trie = make_trie()
    assert trie.add((20, 21)) is None
    assert len(trie) == len(LABELS)


def test_allowed_children_exclude_exhausted_subtrees():
    trie = make_trie()
    assert set(trie.allowed(0, frozenset()).tolist()) == {10, 20, 30, 31}
    used = frozenset({LABELS.index((20, 21)), LABELS.index((30,))})
    assert set(trie.allowed(0, used).tolist()) == {10, 31}
    # under 10 three labels remain until all of them are used
    node_10 = trie.step(0, 10)
    used = frozenset({LABELS.index((10, 11)), LABELS.index((10, 11, 12))})
    assert trie.allowed(node_10, used).tolist() == []
    assert set(trie.allowed(0, used).tolist()) == {10, 20, 30, 31}  # (10,) is still unused


def test_beam_search_under_the_constraint_yields_only_whole_distinct_labels():
    trie = make_trie()
    generator = torch.Generator().manual_seed(0)
    for beam_size in (1, 3):
        search = BeamSearch(END, max_steps=30, beam_size=beam_size)
        search.constraints = [LabelSequenceConstraint(trie, SEP, END)]

        def step(last, state, timestep):
            logits = torch.randn(last.size(0), NUM_CLASSES, generator=generator)
            logits[:, END] -= 2.0  # discourage stopping so that several labels come out
            return torch.log_softmax(logits, -1), state

        start = torch.zeros(8, dtype=torch.long)
        predictions, _ = search.search(start, {"dummy": torch.zeros(8, 1)}, step)
        for row in predictions.reshape(-1, predictions.size(-1)).tolist():
            ids = row[: row.index(END)] if END in row else row
            if (
                len(ids) == 30
            ):  # ran out of steps: the last label may be cut, the rest must be whole
                ids = ids[: len(ids) - ids[::-1].index(SEP) - 1] if SEP in ids else []
            labels = split_labels(ids)
            assert all(label in LABELS for label in labels if label), labels
            assert len(labels) == len(set(labels)), labels


def test_constraint_forbids_ending_before_any_label_and_after_a_separator():
    trie = make_trie()
    constraint = LabelSequenceConstraint(trie, SEP, END)
    state = constraint.init_state(1)
    scores = torch.zeros(1, 1, NUM_CLASSES)
    masked = constraint.apply(state, scores)
    assert masked[0, 0, END] < -1e30 and masked[0, 0, SEP] < -1e30
    assert masked[0, 0, 10] == 0
    state = constraint.update_state(state, torch.tensor([[30]]))
    masked = constraint.apply(state, scores)
    assert masked[0, 0, END] == 0 and masked[0, 0, SEP] == 0
    state = constraint.update_state(state, torch.tensor([[SEP]]))
    masked = constraint.apply(state, scores)
    assert masked[0, 0, END] < -1e30
    assert masked[0, 0, 30] < -1e30  # used already


def test_max_labels_forces_the_end_after_the_last_allowed_label():
    constraint = LabelSequenceConstraint(make_trie(), SEP, END, max_labels=2)
    state = constraint.init_state(1)
    scores = torch.zeros(1, 1, NUM_CLASSES)
    state = constraint.update_state(state, torch.tensor([[30]]))
    assert constraint.apply(state, scores)[0, 0, SEP] == 0  # one label so far: may go on
    state = constraint.update_state(state, torch.tensor([[SEP]]))
    state = constraint.update_state(state, torch.tensor([[20]]))
    state = constraint.update_state(state, torch.tensor([[21]]))
    masked = constraint.apply(state, scores)
    assert masked[0, 0, SEP] < -1e30 and masked[0, 0, END] == 0
