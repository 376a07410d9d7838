"""QANet encoder blocks: shapes, padding never read, and a drop-in for the MQAN encoder."""

import pytest
import torch
from allennlp.common import Params

from multitask.modules.encoder import QAEncoder
from multitask.modules.qanet import DepthwiseSeparableConv, QANetEncoder, sinusoid_positions


def test_positions_are_bounded_and_distinct():
    signal = sinusoid_positions(50, 16, torch.device("cpu"))
    assert signal.shape == (50, 16)
    assert signal.abs().max() <= 1.0
    assert torch.cdist(signal, signal).fill_diagonal_(1.0).min() > 1e-3


def test_even_kernels_are_refused():
    with pytest.raises(ValueError, match="odd"):
        DepthwiseSeparableConv(8, 4)


def encode(encoder, context, context_mask, question, question_mask):
    encoder.eval()
    with torch.no_grad():
        return encoder(context, context_mask, question, question_mask)


def test_outputs_at_real_positions_do_not_depend_on_padding():
    torch.manual_seed(0)
    encoder = QANetEncoder(dim=8, heads=2, kernel_size=3, model_blocks=1, dropout=0.0)
    context, question = torch.randn(1, 5, 8), torch.randn(1, 4, 8)
    short = encode(
        encoder,
        context,
        torch.ones(1, 5, dtype=torch.bool),
        question,
        torch.ones(1, 4, dtype=torch.bool),
    )
    # the same inputs followed by three steps of garbage padding
    padded_context = torch.cat([context, torch.randn(1, 3, 8) * 100], dim=1)
    padded_mask = torch.tensor([[True] * 5 + [False] * 3])
    long = encode(
        encoder, padded_context, padded_mask, question, torch.ones(1, 4, dtype=torch.bool)
    )
    assert long.context.shape == (1, 8, 8) and long.question.shape == (1, 4, 8)
    assert torch.allclose(short.context, long.context[:, :5], atol=1e-5)
    assert torch.allclose(short.question, long.question, atol=1e-5)
    assert torch.allclose(short.context_memory, long.context_memory[:, :5], atol=1e-5)
    assert long.context[:, 5:].abs().max() == 0


def test_registered_by_name_and_every_parameter_learns():
    encoder = QAEncoder.from_params(
        Params({"type": "qanet", "dim": 8, "heads": 2, "kernel_size": 3, "model_blocks": 1})
    )
    assert isinstance(encoder, QANetEncoder) and encoder.get_output_dim() == 8
    mask = torch.ones(2, 6, dtype=torch.bool)
    out = encoder(torch.randn(2, 6, 8), mask, torch.randn(2, 3, 8), mask[:, :3])
    (
        out.context.sum()
        + out.question.sum()
        + out.context_memory.sum()
        + out.question_memory.sum()
    ).backward()
    missing = [name for name, p in encoder.named_parameters() if p.grad is None]
    assert not missing
