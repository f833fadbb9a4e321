"""Online RTRL training: an Elman network against a plain NumPy transcription
of Williams and Zipser's algorithm, step for step; LSTM variants learn a delayed
copy online; fixed readouts stay fixed; divergence keeps the last weights."""

import numpy as np
import pytest

from dynnets.errors import DivergenceError
from dynnets.models.cells import LSTM, Elman, FullyRecurrent
from dynnets.train import Readout, train_rtrl


def numpy_rtrl(W_ih, W_hh, b, W_o, b_o, x, target, lr):
    """Williams and Zipser (1989), eqs. for p^k_ij, with tanh units and a
    linear readout; returns the a-priori outputs and the final weights."""
    n, m = W_ih.shape
    P = n * m + n * n + n
    S = np.zeros((n, P))
    h = np.zeros(n)
    ys = []
    for t in range(x.shape[0]):
        # d a / d theta: recurrent part + direct part (each row sees its own weights)
        direct = np.zeros((n, P))
        for r in range(n):
            direct[r, r * m:(r + 1) * m] = x[t]
            direct[r, n * m + r * n:n * m + (r + 1) * n] = h
            direct[r, n * m + n * n + r] = 1.0
        a = W_ih @ x[t] + W_hh @ h + b
        dA = W_hh @ S + direct
        h = np.tanh(a)
        S = (1 - h**2)[:, None] * dA
        y = W_o @ h + b_o
        ys.append(y)
        e = 2 * (y - target[t]) / y.size
        g = (W_o.T @ e) @ S
        W_o = W_o - lr * np.outer(e, h)
        b_o = b_o - lr * e
        W_ih = W_ih - lr * g[:n * m].reshape(n, m)
        W_hh = W_hh - lr * g[n * m:n * m + n * n].reshape(n, n)
        b = b - 2 * lr * g[n * m + n * n:]  # b_ih and b_hh both move
    return np.array(ys), W_ih, W_hh, b, W_o


def test_elman_online_equals_numpy_transcription():
    rng = np.random.default_rng(0)
    cell, ro = Elman.random(2, 5, seed=1), Readout.random(5, 2, seed=2)
    x, target = rng.normal(size=(40, 2)), rng.normal(size=(40, 2))
    ref = numpy_rtrl(cell.W_ih.copy(), cell.W_hh.copy(), cell.b_ih + cell.b_hh, ro.W.copy(), ro.b.copy(), x, target,
                     0.05)
    res = train_rtrl(cell, ro, x, target, lr=0.05)
    np.testing.assert_allclose(res.y, ref[0], atol=1e-12)
    np.testing.assert_allclose(cell.W_ih, ref[1], atol=1e-12)
    np.testing.assert_allclose(cell.W_hh, ref[2], atol=1e-12)
    np.testing.assert_allclose(cell.b_ih + cell.b_hh, ref[3], atol=1e-12)
    np.testing.assert_allclose(ro.W, ref[4], atol=1e-12)


@pytest.mark.parametrize("variant", ["NP", "V", "CIFG"])
def test_lstm_learns_a_delayed_copy_online(variant):
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (6000, 1))
    y = np.zeros_like(x)
    y[2:] = x[:-2]
    cell, ro = LSTM.random(1, 8, seed=3, variant=variant), Readout.random(8, 1, seed=4)
    res = train_rtrl(cell, ro, x, y, lr=0.05)
    # the target's variance is 1/3; after learning the error is a small fraction of it
    assert res.loss[:500].mean() > 0.2 and res.loss[-1000:].mean() < 0.05


def test_fully_recurrent_with_fixed_readout_and_divergence():
    rng = np.random.default_rng(2)
    cell = FullyRecurrent.random(1, 6, n_outputs=1, nonlinearity="tanh", seed=5)
    ro = cell.readout()
    x = rng.uniform(-1, 1, (3000, 1))
    y = 0.5 * np.roll(x, 1, axis=0)
    res = train_rtrl(cell, ro, x, y, lr=0.05)
    np.testing.assert_array_equal(ro.W, np.eye(1, 6))
    assert res.loss[-500:].mean() < 0.5 * res.loss[:500].mean()
    # relu units and a far too large rate blow up; the weights stay finite
    wild = Elman.random(1, 6, nonlinearity="relu", scale=2.0, seed=6)
    with pytest.raises(DivergenceError, match="step"):
        train_rtrl(wild, Readout.random(6, 1, seed=7), x * 1e100, y * 1e100, lr=1e10)
    assert all(np.all(np.isfinite(a)) for a in wild.parameters().values())
    with pytest.raises(ValueError, match="target"):
        train_rtrl(cell, ro, x, y[:-1])
