"""The FLOP count behind the benchmarks' MFU, against hand counts of one small layer each."""

import torch
from torch import nn

from multitask.modules.rnn import MaskedBiLSTM
from multitask.perf.flops import ModelFlopCounter, lstm_cell_flops, lstm_forward_flops

BATCH, STEPS, INPUTS, HIDDEN = 2, 5, 8, 4


def count_training_step(model: nn.Module, *inputs) -> ModelFlopCounter:
    with ModelFlopCounter(model) as counter:
        output = model(*inputs)
        output = output[0] if isinstance(output, tuple) else output
        output.sum().backward()
    return counter


def test_torch_counter_misses_fused_lstm_and_the_analytic_count_matches_a_hand_count():
    lstm = nn.LSTM(INPUTS, HIDDEN, batch_first=True, bidirectional=True)
    x = torch.randn(BATCH, STEPS, INPUTS, requires_grad=True)
    counter = count_training_step(lstm, x)
    # per position and direction: 4 gates x HIDDEN outputs x (INPUTS + HIDDEN) MACs, 2 FLOPs each
    forward = 2 * (2 * 4 * 4 * (8 + 4)) * (2 * 5)
    assert forward == 7680 == lstm_forward_flops(lstm, BATCH * STEPS)
    assert counter.counted_by_torch == 0  # if torch learns to count it, this count doubles
    assert counter.total == 3 * forward  # backward: input and weight gradients, 2x forward


def test_stacked_lstm_layers_read_the_previous_layers_output():
    lstm = nn.LSTM(INPUTS, HIDDEN, num_layers=2, bidirectional=True)
    # layer 1 reads 8 inputs, layer 2 reads both directions of layer 1 (8)
    per_position = 2 * (2 * 4 * 4 * (8 + 4)) + 2 * (2 * 4 * 4 * (8 + 4))
    assert lstm_forward_flops(lstm, 10) == per_position * 10


def test_lstm_without_gradients_counts_the_forward_only():
    lstm = nn.LSTM(INPUTS, HIDDEN, batch_first=True)
    with torch.no_grad(), ModelFlopCounter(lstm) as counter:
        lstm(torch.randn(BATCH, STEPS, INPUTS))
    assert counter.total == 2 * 4 * 4 * (8 + 4) * BATCH * STEPS


def test_lstm_cell_is_counted_once_by_torchs_counter():
    cell = nn.LSTMCell(INPUTS, HIDDEN)
    x = torch.randn(BATCH, INPUTS, requires_grad=True)
    state = (torch.randn(BATCH, HIDDEN, requires_grad=True), torch.randn(BATCH, HIDDEN))
    counter = count_training_step(cell, x, state)
    forward = 2 * BATCH * 4 * HIDDEN * (INPUTS + HIDDEN)  # x W_ih^T and h W_hh^T
    assert forward == 768 == lstm_cell_flops(cell, BATCH)
    assert counter.recurrent_flops == 0
    assert counter.total == 3 * forward


def test_linear_layer_matches_a_hand_count():
    linear = nn.Linear(INPUTS, HIDDEN)
    counter = count_training_step(linear, torch.randn(BATCH, INPUTS, requires_grad=True))
    assert counter.total == 3 * 2 * BATCH * INPUTS * HIDDEN


def test_a_module_mixing_kinds_sums_them():
    class Mixed(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bilstm = MaskedBiLSTM(INPUTS, 2 * HIDDEN)
            self.out = nn.Linear(2 * HIDDEN, 3)

        def forward(self, x, mask):
            return self.out(self.bilstm(x, mask))

    model = Mixed()
    x = torch.randn(BATCH, STEPS, INPUTS, requires_grad=True)
    mask = torch.ones(BATCH, STEPS, dtype=torch.bool)
    counter = count_training_step(model, x, mask)
    lstm = 2 * (2 * 4 * 4 * (8 + 4)) * BATCH * STEPS  # two one-direction LSTMs
    linear = 2 * BATCH * STEPS * 8 * 3
    assert counter.total == 3 * (lstm + linear)
