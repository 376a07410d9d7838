"""Model FLOPs: ``torch.utils.flop_counter`` plus analytic counts for fused LSTM kernels.

The counter sees matmul-like aten ops. ``nn.LSTM`` runs as one fused kernel (oneDNN's
``mkldnn_rnn_layer`` on CPU, cuDNN on GPU) that has no FLOP formula, so the counter gives it
0; its matmuls are counted here from the shapes. ``nn.LSTMCell`` decomposes into two
``addmm`` per step, which the counter does see, so it is left to the counter (adding an
analytic count as well would count it twice); ``lstm_cell_flops`` gives the hand count the
tests compare with.

Convention, as the counter's: a multiply-add is 2 FLOPs; only matmuls count (gate
nonlinearities, softmax and norms are left out); padded positions count, since the kernels
compute them. A recurrent layer's backward is counted as twice its forward (input and
weight gradients) when its forward ran with gradients enabled.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence
from torch.utils.flop_counter import FlopCounterMode


def lstm_forward_flops(lstm: nn.LSTM, steps_times_batch: int) -> int:
    """Forward matmul FLOPs of ``nn.LSTM`` over ``steps_times_batch`` (T x B) positions."""
    directions = 2 if lstm.bidirectional else 1
    hidden = lstm.hidden_size
    recurrent = lstm.proj_size or hidden
    total = 0
    for layer in range(lstm.num_layers):
        inputs = lstm.input_size if layer == 0 else recurrent * directions
        per_position = 2 * 4 * hidden * (inputs + recurrent)
        if lstm.proj_size:
            per_position += 2 * hidden * lstm.proj_size
        total += directions * per_position * steps_times_batch
    return total


def lstm_cell_flops(cell: nn.LSTMCell, batch: int) -> int:
    """Forward matmul FLOPs of one ``nn.LSTMCell`` step (the hand count of the tests)."""
    return 2 * batch * 4 * cell.hidden_size * (cell.input_size + cell.hidden_size)


def _positions(inputs: Any) -> int:
    if isinstance(inputs, PackedSequence):
        return int(inputs.data.size(0))
    if inputs.dim() == 2:  # unbatched (T, I)
        return int(inputs.size(0))
    return int(inputs.size(0) * inputs.size(1))


class ModelFlopCounter:
    """Counts a model's FLOPs inside a ``with`` block: the counter's total + fused LSTMs.

    ``total`` is valid after the block; run forward and backward inside it to count a
    training step.
    """

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self.recurrent_flops = 0
        self._counter = FlopCounterMode(display=False)
        self._hooks: list[Any] = []

    def _count_lstm(self, module: nn.LSTM, args: tuple, output: Any) -> None:
        forward = lstm_forward_flops(module, _positions(args[0]))
        trains = torch.is_grad_enabled() and any(p.requires_grad for p in module.parameters())
        self.recurrent_flops += forward * (3 if trains else 1)

    def __enter__(self) -> ModelFlopCounter:
        self.recurrent_flops = 0
        for module in self.model.modules():
            if isinstance(module, nn.LSTM):
                self._hooks.append(module.register_forward_hook(self._count_lstm))
        self._counter.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._counter.__exit__(*exc)
        for hook in self._hooks:
            hook.remove()
        self._hooks.clear()

    @property
    def counted_by_torch(self) -> int:
        return int(self._counter.get_total_flops())

    @property
    def total(self) -> int:
        return self.counted_by_torch + self.recurrent_flops
