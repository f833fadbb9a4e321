"""Stacked, bidirectional and encoder-decoder networks: forward passes and
gradients against PyTorch's multi-layer and bidirectional nn.LSTM (float64),
and against central differences."""

import numpy as np
import pytest
import torch

from dynnets.models.cells import GRU, LSTM, Bidirectional, Elman, EncoderDecoder, Stack


def _fd(loss, arrays, eps=1e-6):
    out = {}
    for key, a in arrays.items():
        num = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            old = a[idx]
            a[idx] = old + eps
            up = loss()
            a[idx] = old - eps
            down = loss()
            a[idx] = old
            num[idx] = (up - down) / (2 * eps)
        out[key] = num
    return out


def _torch_lstm(cells, bidirectional=False):
    mod = torch.nn.LSTM(cells[0].n_inputs, cells[0].n_hidden, num_layers=1 if bidirectional else len(cells),
                        bidirectional=bidirectional).double()
    state = {}
    for l, c in enumerate(cells):
        for k, v in c.torch_state(layer=0 if bidirectional else l).items():
            state[k + ("_reverse" if bidirectional and l == 1 else "")] = torch.from_numpy(v)
    mod.load_state_dict(state)
    return mod


def test_stack_equals_torch_two_layer_lstm():
    rng = np.random.default_rng(0)
    stack = Stack([LSTM.random(3, 4, seed=1), LSTM.random(4, 4, seed=2)])
    x, w = rng.normal(size=(6, 2, 3)), rng.normal(size=(6, 2, 4))
    mod = _torch_lstm(stack.cells)
    X = torch.tensor(x, requires_grad=True)
    out, _ = mod(X)
    (out * torch.from_numpy(w)).sum().backward()
    run = stack.run(x)
    np.testing.assert_allclose(run.h, out.detach().numpy(), atol=1e-12)
    g = stack.gradients(x, w, run=run)
    np.testing.assert_allclose(g["0.W_hh"], mod.weight_hh_l0.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(g["1.W_ih"], mod.weight_ih_l1.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(g["x"], X.grad.numpy(), atol=1e-10)


def test_bidirectional_equals_torch():
    rng = np.random.default_rng(1)
    bi = Bidirectional(LSTM.random(3, 4, seed=3), LSTM.random(3, 4, seed=4))
    x, w = rng.normal(size=(5, 2, 3)), rng.normal(size=(5, 2, 8))
    mod = _torch_lstm([bi.forward, bi.backward], bidirectional=True)
    X = torch.tensor(x, requires_grad=True)
    out, _ = mod(X)
    (out * torch.from_numpy(w)).sum().backward()
    run = bi.run(x)
    np.testing.assert_allclose(run.h, out.detach().numpy(), atol=1e-12)
    g = bi.gradients(x, w, run=run)
    np.testing.assert_allclose(g["backward.W_hh"], mod.weight_hh_l0_reverse.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(g["forward.b_ih"], mod.bias_ih_l0.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(g["x"], X.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("kind", ["stack", "bidirectional", "seq2seq_lstm", "seq2seq_gru"])
def test_composite_gradients_match_central_differences(kind):
    rng = np.random.default_rng(2)
    if kind == "stack":
        net = Stack([GRU.random(2, 3, seed=5), Elman.random(3, 3, seed=6)])
    elif kind == "bidirectional":
        net = Bidirectional(GRU.random(2, 3, seed=7), LSTM.random(2, 2, seed=8, variant="V"))
    else:
        cls = LSTM if kind == "seq2seq_lstm" else GRU
        net = EncoderDecoder(cls.random(2, 3, seed=9), cls.random(2, 3, seed=10))
    x = rng.normal(size=(4, 2, 2))
    if isinstance(net, EncoderDecoder):
        xd = rng.normal(size=(3, 2, 2))
        w = rng.normal(size=(3, 2, 3))
        g = net.gradients(x, xd, w)

        def loss():
            return np.sum(w * net.run(x, xd).h)
        arrays = net.parameters() | {"source": x, "inputs": xd}
    else:
        w = rng.normal(size=(4, 2, net.n_state))
        g = net.gradients(x, w)

        def loss():
            return np.sum(w * net.run(x).h)
        arrays = net.parameters() | {"x": x}
    num = _fd(loss, arrays)
    for key in arrays:
        err = np.abs(g[key] - num[key]).max() / np.abs(num[key]).max()
        assert err < 1e-6, (key, err)


def test_encoder_decoder_generate_with_teacher_inputs_equals_run():
    rng = np.random.default_rng(3)
    net = EncoderDecoder(LSTM.random(2, 3, seed=11), LSTM.random(3, 3, seed=12))
    src = rng.normal(size=(4, 2, 2))
    # feeding back the state itself reproduces a teacher-forced run on those states
    ys = net.generate(src, np.zeros((2, 3)), 3, readout=lambda h: h, feedback=lambda y: y)
    inputs = np.concatenate([np.zeros((1, 2, 3)), ys[:-1]])
    np.testing.assert_allclose(ys, net.run(src, inputs).h, atol=1e-14)


def test_composites_check_their_parts():
    with pytest.raises(ValueError, match="cells\\[1\\]"):
        Stack([LSTM.random(3, 4), LSTM.random(5, 4)])
    with pytest.raises(TypeError, match="cells"):
        Stack([LSTM.random(3, 4), "lstm"])
    with pytest.raises(ValueError, match="same inputs"):
        Bidirectional(LSTM.random(3, 4), GRU.random(2, 4))
    with pytest.raises(ValueError, match="state size"):
        EncoderDecoder(LSTM.random(3, 4), GRU.random(2, 4))
