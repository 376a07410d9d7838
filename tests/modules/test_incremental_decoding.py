"""Incremental decoding (cached keys/values, one position per step) against rerunning the
decoder over the whole prefix each step, as decoding did before the cache.
"""

import os
import types

import pytest
import torch
from allennlp.data import Batch
from allennlp.models.archival import load_archive
from paths import MQAN_FIXTURES, PROJECT_ROOT

from multitask.modules.decoder import MQANDecoder, QADecoder
from multitask.modules.encoder import EncodedQA

BATCH, CONTEXT, QUESTION, STEPS, DIM = 3, 7, 4, 6, 16


def random_encoded(generator: torch.Generator) -> EncodedQA:
    def states(length: int) -> torch.Tensor:
        return torch.randn(BATCH, length, DIM, generator=generator)

    context_mask = torch.ones(BATCH, CONTEXT, dtype=torch.bool)
    context_mask[1, 5:] = False  # padding in one row
    question_mask = torch.ones(BATCH, QUESTION, dtype=torch.bool)
    question_mask[2, 2:] = False
    return EncodedQA(
        context=states(CONTEXT),
        question=states(QUESTION),
        context_memory=states(CONTEXT),
        question_memory=states(QUESTION),
        context_mask=context_mask,
        question_mask=question_mask,
    )


def decode_steps(decoder: QADecoder, answer: torch.Tensor, encoded: EncodedQA, full_prefix: bool):
    start, step = (
        (QADecoder.start_decoding, QADecoder.decode_step)
        if full_prefix
        else (type(decoder).start_decoding, type(decoder).decode_step)
    )
    constants, state = start(decoder, encoded)
    outputs = []
    for t in range(answer.size(1)):
        out, state = step(decoder, answer[:, t], t, constants, state)
        outputs.append(out)
    return [torch.cat(parts, 1) for parts in zip(*(vars(o).values() for o in outputs))]


@pytest.mark.parametrize("layers", [1, 2])
def test_cached_steps_match_the_teacher_forced_decoder(layers):
    generator = torch.Generator().manual_seed(layers)
    torch.manual_seed(layers)
    decoder = MQANDecoder(DIM, heads=2, transformer_layers=layers).eval()
    encoded = random_encoded(generator)
    answer = torch.randn(BATCH, STEPS, DIM, generator=generator)
    with torch.no_grad():
        teacher_forced, _ = decoder(
            answer,
            torch.ones(BATCH, STEPS, dtype=torch.bool),
            encoded,
            decoder.init_state(encoded),
        )
        incremental = decode_steps(decoder, answer, encoded, full_prefix=False)
        full_prefix = decode_steps(decoder, answer, encoded, full_prefix=True)
    for expected, cached, rerun in zip(vars(teacher_forced).values(), incremental, full_prefix):
        assert torch.allclose(cached, expected, atol=1e-5), (cached - expected).abs().max()
        assert torch.allclose(rerun, expected, atol=1e-5)


def use_full_prefix_decoding(model) -> None:
    """Put the pre-cache step function back on this model's decoder."""
    decoder = model.decoder
    decoder.start_decoding = types.MethodType(QADecoder.start_decoding, decoder)
    decoder.decode_step = types.MethodType(QADecoder.decode_step, decoder)


@pytest.mark.parametrize("beam_size", [1, 3])
def test_trained_model_decodes_the_same_tokens_either_way(tiny_archive, beam_size):
    os.chdir(PROJECT_ROOT)
    archive = load_archive(str(tiny_archive))
    model = archive.model.eval()
    model.beam_size = beam_size
    reader = archive.dataset_reader
    instances = list(reader.read(str(MQAN_FIXTURES / "mesh_articles.json")))
    batch = Batch(instances)
    batch.index_instances(model.vocab)
    tensors = batch.as_tensor_dict()
    with torch.no_grad():
        cached = model(**tensors)["predicted_tokens"]
        use_full_prefix_decoding(model)
        rerun = model(**tensors)["predicted_tokens"]
    assert any(cached), "the fixture model should say something"
    assert cached == rerun
