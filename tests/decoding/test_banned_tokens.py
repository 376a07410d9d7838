"""Free-text answers never contain the unknown word: it is masked in greedy and beam search."""

import torch
from allennlp.data import Vocabulary
from allennlp.nn.beam_search import BeamSearch

from multitask.decoding.banned_tokens import BannedTokensConstraint
from multitask.decoding.greedy import greedy_search
from multitask.decoding.task_decoding import FreeTextDecoding

END, UNK, VOCAB, STEPS, BATCH = 3, 1, 8, 5, 4


def unknown_first(last, state, timestep, rows=None):
    """The unknown word is by far the likeliest token at every step, then token 5 until
    step 3, then the end token (as an LM over a small vocabulary learns)."""
    logits = torch.zeros(last.size(0), VOCAB)
    logits[:, UNK] = 5.0
    logits[:, 5] = 2.0
    logits[:, END] = 3.0 if timestep >= 3 else -3.0
    return torch.log_softmax(logits, -1), state


def start():
    return torch.full((BATCH,), 2, dtype=torch.long), {"row": torch.arange(BATCH).unsqueeze(1)}


def test_greedy_without_the_constraint_says_unknown_and_with_it_does_not():
    assert greedy_search(unknown_first, *start(), END, STEPS)[0] == [UNK] * STEPS
    banned = BannedTokensConstraint([UNK, 0])
    assert greedy_search(unknown_first, *start(), END, STEPS, banned) == [[5, 5, 5]] * BATCH


def test_beam_search_with_the_constraint_never_says_unknown():
    search = BeamSearch(END, max_steps=STEPS, beam_size=3)
    search.constraints = [BannedTokensConstraint([UNK, 0])]
    predictions, _ = search.search(*start(), lambda last, state, t: unknown_first(last, state, t))
    assert not (predictions == UNK).any() and not (predictions == 0).any()


def test_free_text_bans_unknown_and_padding_unless_allowed():
    vocab = Vocabulary()
    vocab.add_tokens_to_namespace(["a", "b"], "target_tokens")
    constraint = FreeTextDecoding().constraint(vocab, "target_tokens")
    assert constraint.banned == [0, vocab.get_token_index("@@UNKNOWN@@", "target_tokens")]
    assert FreeTextDecoding(allow_unknown=True).constraint(vocab, "target_tokens") is None
