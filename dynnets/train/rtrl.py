"""Online training by real-time recurrent learning (Williams and Zipser 1989).

The network runs along one input stream and learns while it runs: at every
step the sensitivities ``S = dh/dtheta`` are carried forward with the state,
the squared error of the readout's output gives ``dL/dh``, and the weights move
by ``-lr * dL/dh . S`` at once, with the readout updated by the delta rule.
No history is stored, so the stream can be as long as needed; the price is
``O(H^2 P)`` work per step. As in the paper, the sensitivities are not reset
when the weights change (the gradient is exact in the limit of a small rate).

Cells: :class:`~dynnets.models.cells.Elman` (and the fully recurrent network)
and :class:`~dynnets.models.cells.LSTM` (every variant).

References
----------
.. [1] R. J. Williams, D. Zipser, "A learning algorithm for continually running
       fully recurrent neural networks", Neural Computation 1(2), 270-280, 1989.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit

from .._math import is_finite
from .._validate import as_float_array, as_scalar
from ..config import JIT
from ..errors import DivergenceError
from ..models.cells import LSTM, Elman
from ..models.cells._base import (
    NONLINEARITIES,
    _affine,
    _finite,
    _outer_add,
    _sensitivity_add,
    _t_matvec_add,
)
from ..models.cells.elman import _elman_rtrl_step
from ..models.cells.lstm import _lstm_rtrl_step
from .bptt import Readout


@njit(cache=True, **JIT)
def _readout_error(W_o, b_o, h, target, y, e, dh):
    """Output ``y``, squared error (mean over outputs), ``e = dL/dy`` and
    ``dh = W_o^T e``; returns the loss."""
    _affine(W_o, h, b_o, y)
    L = 0.0
    for o in range(y.size):
        d = y[o] - target[o]
        L += d * d
        e[o] = 2.0 * d / y.size
    dh[:] = 0.0
    _t_matvec_add(W_o, e, dh)
    return L / y.size


@njit(cache=True, **JIT)
def _update(lr, lr_o, g, e, h, W_ih, W_hh, b_ih, b_hh, b, p, W_o, b_o):
    """SGD step on the flat gradient ``g`` = [W_ih, W_hh, b, p] (b for both
    biases, whose sum ``b`` the kernels use) and the delta rule on the readout
    (rate ``lr_o``, zero for a fixed readout)."""
    k = 0
    for r in range(W_ih.shape[0]):
        for j in range(W_ih.shape[1]):
            W_ih[r, j] -= lr * g[k]
            k += 1
    for r in range(W_hh.shape[0]):
        for j in range(W_hh.shape[1]):
            W_hh[r, j] -= lr * g[k]
            k += 1
    for r in range(b.size):
        b_ih[r] -= lr * g[k]
        b_hh[r] -= lr * g[k]
        b[r] = b_ih[r] + b_hh[r]
        k += 1
    if k < g.size:  # peepholes
        for r in range(p.shape[0]):
            for j in range(p.shape[1]):
                p[r, j] -= lr * g[k]
                k += 1
    if lr_o != 0.0:
        for o in range(e.size):
            e[o] *= -lr_o
        _outer_add(W_o, e, h)
        b_o += e


@njit(cache=True, **JIT)
def _elman_online(W_ih, W_hh, b_ih, b_hh, kind, W_o, b_o, x, target, lr, lr_o, h, Y, L):
    n = h.size
    P = W_ih.size + W_hh.size + n
    S, dA = np.zeros((n, P)), np.empty((n, P))
    a, d, dh, g = np.empty(n), np.empty(n), np.empty(n), np.empty(P)
    e = np.empty(W_o.shape[0])
    b = b_ih + b_hh
    for t in range(x.shape[0]):
        _elman_rtrl_step(W_ih, W_hh, b, kind, x[t], h, S, dA, a, d)
        L[t] = _readout_error(W_o, b_o, h, target[t], Y[t], e, dh)
        g[:] = 0.0
        _sensitivity_add(dh, S, g)
        if not (_finite(h) and _finite(g) and is_finite(L[t])):
            return t
        _update(lr, lr_o, g, e, h, W_ih, W_hh, b_ih, b_hh, b, np.zeros((0, 0)), W_o, b_o)
    return -1


@njit(cache=True, **JIT)
def _lstm_online(W_ih, W_hh, b_ih, b_hh, p, coupled, has_p, W_o, b_o, x, target, lr, lr_o, h, c, Y, L):
    n = h.size
    R = W_hh.shape[0]
    P = W_ih.size + W_hh.size + R + 3 * n
    Sh, Sc, dA = np.zeros((n, P)), np.zeros((n, P)), np.empty((R, P))
    a, dh, g = np.empty(R), np.empty(n), np.empty(P)
    e = np.empty(W_o.shape[0])
    b = b_ih + b_hh
    for t in range(x.shape[0]):
        _lstm_rtrl_step(W_ih, W_hh, b, p, coupled, x[t], h, c, Sh, Sc, dA, a)
        L[t] = _readout_error(W_o, b_o, h, target[t], Y[t], e, dh)
        g[:] = 0.0
        _sensitivity_add(dh, Sh, g)
        if coupled:  # no forget gate: its peephole stays put
            for k in range(n):
                g[P - 2 * n + k] = 0.0
        if not (_finite(h) and _finite(c) and _finite(g) and is_finite(L[t])):
            return t
        _update(lr, lr_o, g if has_p else g[:P - 3 * n], e, h, W_ih, W_hh, b_ih, b_hh, b, p, W_o, b_o)
    return -1


@dataclass(frozen=True)
class RTRLResult:
    """Online training record.

    Attributes
    ----------
    y : ndarray, shape (T, O)
        The output at each step, before that step's update (what the network
        predicted while learning).
    loss : ndarray, shape (T,)
        Squared error of ``y`` (mean over outputs).
    h, c : ndarray, shape (H,)
        The final state (``c`` for an LSTM), to continue the stream.
    """

    y: np.ndarray
    loss: np.ndarray
    h: np.ndarray
    c: np.ndarray = None

    def plot(self, ax=None, window=100):
        """The loss, averaged over ``window`` steps, against the step."""
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        w = max(1, min(int(window), self.loss.size))
        avg = np.convolve(self.loss, np.ones(w) / w, mode="valid")
        ax.semilogy(np.arange(avg.size) + w, avg)
        ax.set(xlabel="step", ylabel=f"squared error (mean over {w} steps)")
        return ax


def train_rtrl(cell, readout, x, target, *, lr=0.01, h0=None, c0=None):
    """Train ``cell`` and ``readout`` in place, online, along one stream.

    Parameters
    ----------
    cell : Elman, FullyRecurrent or LSTM
    readout : Readout
        Trainable or fixed (a fixed one selects the output units of a fully
        recurrent network, as in Williams and Zipser).
    x : array_like, shape (T, I)
        The input stream.
    target : array_like, shape (T, O)
        The wanted output at each step; the loss at step t is
        ``mean((y_t - target_t)^2)``.
    lr : float
        Learning rate of the SGD step taken at every time step.
    h0, c0 : array_like, shape (H,), optional
        Initial state (zero by default).

    Returns
    -------
    RTRLResult

    Raises
    ------
    DivergenceError
        When a state, output or gradient becomes non-finite; the weights are
        those before the step that failed.
    """
    if not isinstance(cell, (Elman, LSTM)):
        raise TypeError(f"cell must be an Elman, FullyRecurrent or LSTM cell, got {type(cell).__name__}")
    if not isinstance(readout, Readout):
        raise TypeError(f"readout must be a Readout, got {type(readout).__name__}")
    if readout.W.shape[1] != cell.n_hidden:
        raise ValueError(f"readout must read {cell.n_hidden} states, got W of shape {readout.W.shape}")
    X = as_float_array("x", x, ndim=2)
    T = X.shape[0]
    if X.shape[1] != cell.n_inputs or T == 0:
        raise ValueError(f"x must have shape (T, {cell.n_inputs}) with T >= 1, got {X.shape}")
    O = readout.W.shape[0]
    tgt = as_float_array("target", target, shape=(T, O))
    lr = as_scalar("lr", lr, low=0.0)
    n = cell.n_hidden
    h = np.zeros(n) if h0 is None else as_float_array("h0", h0, shape=(n,), copy=True)
    lr_o = lr if readout.PARAMS else 0.0
    Y, L = np.empty((T, O)), np.empty(T)
    if isinstance(cell, LSTM):
        c = np.zeros(n) if c0 is None else as_float_array("c0", c0, shape=(n,), copy=True)
        bad = _lstm_online(cell.W_ih, cell.W_hh, cell.b_ih, cell.b_hh, cell.peephole, cell.variant == "CIFG",
                           cell.variant != "NP", readout.W, readout.b, X, tgt, lr, lr_o, h, c, Y, L)
    else:
        if c0 is not None:
            raise ValueError(f"c0: a {type(cell).__name__} cell has no cell state")
        c = None
        bad = _elman_online(cell.W_ih, cell.W_hh, cell.b_ih, cell.b_hh, NONLINEARITIES[cell.nonlinearity], readout.W,
                            readout.b, X, tgt, lr, lr_o, h, Y, L)
    if bad >= 0:
        raise DivergenceError(bad, 0, hint="the weights are those before this step (lower lr)")
    return RTRLResult(Y, L, h, c)
