"""Greedy search with ended rows dropped gives AllenNLP's beam search (beam 1) tokens."""

import os

import pytest
import torch
from allennlp.data import Batch
from allennlp.models.archival import load_archive
from allennlp.nn.beam_search import BeamSearch
from paths import MQAN_FIXTURES, PROJECT_ROOT

from multitask.decoding.greedy import greedy_search
from multitask.decoding.label_trie import LabelSequenceConstraint, LabelTrie

END, SEP, VOCAB, STEPS, BATCH = 1, 2, 24, 18, 9


def scorer(seed: int):
    """Log-probabilities that depend on the row (as the search says), on the state the row
    carries (its own index, and the sum of its tokens) and on the step, so that a row
    decoded out of place, or with another row's state, gets other tokens.
    """
    generator = torch.Generator().manual_seed(seed)
    by_row = torch.randn(BATCH, STEPS, VOCAB, generator=generator)
    # row r becomes likely to end around step 2 + 1.5 r: rows end at varied steps
    steps, rows = torch.arange(STEPS).float(), torch.arange(BATCH).float()
    by_row[:, :, END] += 2.0 * (steps.unsqueeze(0) - (2 + 1.5 * rows).unsqueeze(1))
    by_state = 1.5 * torch.randn(BATCH, STEPS, VOCAB, generator=generator)
    by_state[:, :, END] = 0.0

    def scores(last, state, timestep, rows):
        total = state["total"] + last.unsqueeze(1).float()
        own = state["row"].squeeze(1)
        logits = by_row[rows, timestep] + by_state[own, timestep] + 0.1 * torch.cos(total)
        return torch.log_softmax(logits, -1), {"total": total, "row": state["row"]}

    return scores


def start_state() -> dict[str, torch.Tensor]:
    return {"total": torch.zeros(BATCH, 1), "row": torch.arange(BATCH).unsqueeze(1)}


def constraint() -> LabelSequenceConstraint:
    trie = LabelTrie()
    for label in [(3,), (3, 4), (5, 6, 7), (8,), (9, 10), (11, 12, 13, 14)]:
        trie.add(label)
    return LabelSequenceConstraint(trie, SEP, END, max_labels=4)


@pytest.mark.parametrize("constrained", [False, True])
@pytest.mark.parametrize("seed", range(5))
def test_greedy_matches_beam_search_of_width_one(seed, constrained):
    scores = scorer(seed)
    start = torch.zeros(BATCH, dtype=torch.long)

    search = BeamSearch(END, max_steps=STEPS, beam_size=1)
    if constrained:
        search.constraints = [constraint()]
    every_row = torch.arange(BATCH)
    predictions, _ = search.search(
        start,
        start_state(),
        lambda last, state, t: scores(last, state, t, every_row),
    )
    expected = [row[: row.index(END)] if END in row else row for row in predictions[:, 0].tolist()]
    greedy = greedy_search(
        scores,
        start,
        start_state(),
        END,
        STEPS,
        constraint() if constrained else None,
    )
    assert greedy == expected
    assert len({len(tokens) for tokens in greedy}) > 2, "rows should end at different steps"


def test_trained_model_greedy_equals_its_beam_search_of_width_one(tiny_archive):
    os.chdir(PROJECT_ROOT)
    archive = load_archive(str(tiny_archive))
    model = archive.model.eval()
    model.beam_size = 1
    instances = list(archive.dataset_reader.read(str(MQAN_FIXTURES / "mesh_articles.json")))
    batch = Batch(instances)
    batch.index_instances(model.vocab)
    tensors = batch.as_tensor_dict()
    with torch.no_grad():
        greedy = model(**tensors)["predicted_tokens"]
        model._greedy = model._beam
        beam = model(**tensors)["predicted_tokens"]
    assert greedy == beam
