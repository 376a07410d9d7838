"""A BiLSTM that respects padding (packed), used at every recurrent stage of MQAN."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


class MaskedBiLSTM(nn.Module):
    """Bidirectional LSTM with output size ``output_dim`` (half per direction).

    Packing keeps the backward direction from reading padding, which otherwise leaks into
    the states of short sequences in a batch.
    """

    def __init__(self, input_dim: int, output_dim: int, num_layers: int = 1, dropout: float = 0.0):
        super().__init__()
        if output_dim % 2:
            raise ValueError(f"output_dim must be even for a BiLSTM, got {output_dim}")
        self.lstm = nn.LSTM(
            input_dim,
            output_dim // 2,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=True,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        self.output_dim = output_dim

    def forward(self, inputs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        lengths = mask.sum(-1).clamp(min=1).cpu()
        packed = pack_padded_sequence(inputs, lengths, batch_first=True, enforce_sorted=False)
        output, _ = self.lstm(packed)
        output, _ = pad_packed_sequence(output, batch_first=True, total_length=inputs.size(1))
        return output
