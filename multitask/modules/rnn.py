"""A BiLSTM that respects padding, used at every recurrent stage of MQAN."""

import torch
from torch import nn


def reverse_padded(inputs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse each sequence within its own length; padding stays at the end.

    Rows are picked with ``index_select`` over a flat (batch x time, features) view: on CPU
    that is a row copy, about 9x faster than ``gather`` with an expanded index.
    """
    batch, steps_count = inputs.shape[:2]
    steps = torch.arange(steps_count, device=inputs.device).unsqueeze(0)
    lengths = lengths.unsqueeze(1)
    index = torch.where(steps < lengths, lengths - 1 - steps, steps)
    offsets = torch.arange(batch, device=inputs.device).unsqueeze(1) * steps_count
    flat = inputs.reshape(batch * steps_count, -1).index_select(0, (index + offsets).reshape(-1))
    return flat.view_as(inputs)


class MaskedBiLSTM(nn.Module):
    """Bidirectional LSTM with output size ``output_dim`` (half per direction).

    The backward direction runs forward over each sequence reversed within its length, so
    it never reads padding. This avoids ``PackedSequence``, whose CPU backward copies the
    whole packed input once per time step (it was 45% of a training step here), and lets
    PyTorch use its fused CPU LSTM kernel.
    """

    def __init__(self, input_dim: int, output_dim: int, dropout: float = 0.0):
        super().__init__()
        if output_dim % 2:
            raise ValueError(f"output_dim must be even for a BiLSTM, got {output_dim}")
        self.forward_lstm = nn.LSTM(input_dim, output_dim // 2, batch_first=True)
        self.backward_lstm = nn.LSTM(input_dim, output_dim // 2, batch_first=True)
        self.output_dim = output_dim

    def forward(self, inputs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        lengths = mask.sum(-1)
        forward_states, _ = self.forward_lstm(inputs)
        backward_states, _ = self.backward_lstm(reverse_padded(inputs, lengths))
        states = torch.cat([forward_states, reverse_padded(backward_states, lengths)], dim=-1)
        return states * mask.unsqueeze(-1)
