import torch

from multitask.modules.rnn import MaskedBiLSTM, reverse_padded


def test_reverse_padded_reverses_within_each_length():
    inputs = torch.tensor([[1, 2, 3, 0], [4, 5, 0, 0]]).unsqueeze(-1).float()
    reversed_ = reverse_padded(inputs, torch.tensor([3, 2])).squeeze(-1)
    assert reversed_.tolist() == [[3, 2, 1, 0], [5, 4, 0, 0]]


def test_bilstm_states_do_not_depend_on_padding():
    torch.manual_seed(0)
    lstm = MaskedBiLSTM(4, 6)
    sequence = torch.randn(1, 3, 4)
    alone = lstm(sequence, torch.ones(1, 3, dtype=torch.bool))
    padded = torch.cat([sequence, torch.randn(1, 5, 4)], dim=1)
    mask = torch.tensor([[True] * 3 + [False] * 5])
    in_batch = lstm(padded, mask)
    torch.testing.assert_close(in_batch[:, :3], alone)
    assert in_batch[:, 3:].abs().sum() == 0


def test_bilstm_matches_a_bidirectional_lstm_on_unpadded_input():
    torch.manual_seed(0)
    ours = MaskedBiLSTM(4, 6)
    reference = torch.nn.LSTM(4, 3, batch_first=True, bidirectional=True)
    with torch.no_grad():
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            getattr(reference, name).copy_(getattr(ours.forward_lstm, name))
            getattr(reference, name + "_reverse").copy_(getattr(ours.backward_lstm, name))
    inputs = torch.randn(2, 5, 4)
    expected, _ = reference(inputs)
    torch.testing.assert_close(ours(inputs, torch.ones(2, 5, dtype=torch.bool)), expected)
