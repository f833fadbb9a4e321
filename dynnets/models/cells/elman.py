"""Elman's simple recurrent network and Williams and Zipser's fully recurrent
network::

    h_t = f(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh),   f in {tanh, relu, sigmoid}

The Elman network (PyTorch ``nn.RNN``) reads its outputs through a separate
readout; in the fully recurrent network the first ``n_outputs`` units are the
outputs (Williams and Zipser's ``y_k(t+1) = f(sum_l w_kl z_l(t))``, with
``z = [x; y]``: their input at t is our ``x_{t+1}``).

References
----------
.. [1] J. L. Elman, "Finding structure in time", Cognitive Science 14, 179-211, 1990.
.. [2] R. J. Williams, D. Zipser, "A learning algorithm for continually running
       fully recurrent neural networks", Neural Computation 1(2), 270-280, 1989.
"""

import numpy as np
from numba import njit

from ..._simd import matvec_t
from ..._threads import strided
from ..._validate import as_float_array, as_scalar
from ...config import JIT, JIT_NO_RC
from ._base import (
    GRAD_BUFFERS,
    NONLINEARITIES,
    Run,
    _activate,
    _activate_backward,
    _add,
    _affine,
    _batch_first,
    _Cell,
    _check_finite,
    _finite,
    _keep_next,
    _matvec_add,
    _rtrl_direct,
    _rtrl_recurrent,
    _sensitivity_add,
    _time_first,
    _TorchLayout,
    _weight_gradients,
)


@njit(cache=True, inline="always", **JIT)
def _elman_cell(W_ihT, W_hhT, b, kind, xt, hp, h, a, ax):
    """One update, ``h = f(W_ih xt + b + W_hh hp)``, given the weights
    transposed; ``a``, ``ax`` are scratch (H,)."""
    matvec_t(W_ihT, xt, b, ax)
    matvec_t(W_hhT, hp, ax, a)
    _activate(a, h, kind)


@njit(cache=True, **JIT)
def _elman_fwd(W_ihT, W_hhT, b, kind, x, h0, H):
    a = np.empty(h0.size)
    ax = np.empty(h0.size)
    hp = h0
    for t in range(x.shape[0]):
        _elman_cell(W_ihT, W_hhT, b, kind, x[t], hp, H[t], a, ax)
        hp = H[t]
        if not _finite(H[t]):
            return t
    return -1


@njit(cache=True, **JIT_NO_RC)
def _elman_stepper(W_ihT, W_hhT, b, kind, S, G, A, x):
    """:class:`~._base.Stepper`'s step (``S``: h and the next h; ``A`` (2, H) is
    scratch); returns -1, 0 (the next state is not finite) or -2 (wrong size of x)."""
    if x.size != W_ihT.shape[0]:
        return -2
    _elman_cell(W_ihT, W_hhT, b, kind, x, S[0], S[1], A[0], A[1])
    return _keep_next(S)


@njit(cache=True, nogil=True, **JIT)
def _elman_fwd_batch(first, stride, W_ihT, W_hhT, b, kind, x, h0, H, bad):
    """Sequences ``first, first + stride, ...``; one task of :func:`dynnets._threads.strided`."""
    for s in range(first, x.shape[0], stride):
        bad[s] = _elman_fwd(W_ihT, W_hhT, b, kind, x[s], h0[s], H[s])


@njit(cache=True, **JIT)
def _elman_bwd(W_ihT, W_hh, kind, x, h0, H, dH, gW_ih, gW_hh, gb, dx, dh0):
    """One sequence, given ``W_ih`` transposed (once per call) and ``W_hh``."""
    n = h0.size
    dh = np.zeros(n)
    DA = np.empty((x.shape[0], n))
    for t in range(x.shape[0] - 1, -1, -1):
        _add(dh, dH[t])
        _activate_backward(H[t], dh, kind, DA[t])
        _add(gb, DA[t])
        dh[:] = 0.0
        matvec_t(W_hh, DA[t], dh, dh)  # H outputs: down the columns of W_hh
        _matvec_add(W_ihT, DA[t], dx[t])  # few outputs (the inputs): row dots of W_ih^T
    _weight_gradients(DA, x, h0, H, gW_ih, gW_hh)
    dh0[:] = dh


@njit(cache=True, nogil=True, **JIT)
def _elman_bwd_batch(first, stride, W_ihT, W_hh, kind, x, h0, H, dH, gW_ih, gW_hh, gb, dx, dh0):
    """Gradient buffers ``k = first, first + stride, ...`` of ``K``; buffer ``k`` sums
    sequences ``k, k + K, ...`` in order, whichever task runs it. One task of
    :func:`dynnets._threads.strided`."""
    K = gW_ih.shape[0]
    for k in range(first, K, stride):
        for s in range(k, x.shape[0], K):
            _elman_bwd(W_ihT, W_hh, kind, x[s], h0[s], H[s], dH[s], gW_ih[k], gW_hh[k], gb[k], dx[s], dh0[s])


@njit(cache=True, **JIT)
def _elman_rtrl_step(W_ih, W_hh, b, kind, x, h, S, dA, a, d):
    """Advance the state ``h`` and its sensitivities ``S = dh/dtheta`` (n, P) by
    one step, in place; ``dA``, ``a``, ``d`` are work arrays."""
    n = h.size
    _rtrl_recurrent(W_hh, S, dA)
    for r in range(n):
        _rtrl_direct(n, x, h, r, n * x.size + n * n, dA)
    _affine(W_ih, x, b, a)
    _affine(W_hh, h, a, a)
    _activate(a, h, kind)
    d[:] = 1.0
    _activate_backward(h, d, kind, d)
    for k in range(n):
        for p in range(S.shape[1]):
            S[k, p] = d[k] * dA[k, p]


@njit(cache=True, **JIT)
def _elman_rtrl(W_ih, W_hh, b, kind, x, h0, dH, g):
    """Gradient ``g`` (P,) of sum_t dH[t] . h_t by carrying ``S = dh/dtheta``."""
    n = h0.size
    S = np.zeros((n, g.size))
    dA = np.empty((n, g.size))
    h = h0.copy()
    a, d = np.empty(n), np.empty(n)
    for t in range(x.shape[0]):
        _elman_rtrl_step(W_ih, W_hh, b, kind, x[t], h, S, dA, a, d)
        _sensitivity_add(dH[t], S, g)


@njit(cache=True, nogil=True, **JIT)
def _elman_rtrl_batch(first, stride, W_ih, W_hh, b, kind, x, h0, dH, g):
    """Gradient buffers ``k = first, first + stride, ...`` of ``K``; buffer ``k`` sums
    sequences ``k, k + K, ...`` in order, whichever task runs it. One task of
    :func:`dynnets._threads.strided`."""
    K = g.shape[0]
    for k in range(first, K, stride):
        for s in range(k, x.shape[0], K):
            _elman_rtrl(W_ih, W_hh, b, kind, x[s], h0[s], dH[s], g[k])


@njit(cache=True, **JIT)
def _elman_map(y, params, out):
    """``params`` = [n, m, kind, x, W_ih^T, W_hh^T, b_ih + b_hh]."""
    n, m = int(params[0]), int(params[1])
    o = 3 + m
    W_ihT = params[o:o + n * m].reshape(m, n)
    W_hhT = params[o + n * m:o + n * m + n * n].reshape(n, n)
    b = params[o + n * m + n * n:o + n * m + n * n + n]
    H = np.empty((1, n))
    _elman_fwd(W_ihT, W_hhT, b, int(params[2]), params[3:3 + m].reshape(1, m), y, H)
    out[:] = H[0]


class Elman(_TorchLayout, _Cell):
    """Elman's simple recurrent network (PyTorch ``nn.RNN``).

    Parameters
    ----------
    W_ih : array_like, shape (H, I)
    W_hh : array_like, shape (H, H)
        ``W_hh[i, j]`` from hidden unit j to hidden unit i.
    b_ih, b_hh : array_like, shape (H,), optional
    nonlinearity : {"tanh", "relu", "sigmoid"}
    """

    PARAMS = ("W_ih", "W_hh", "b_ih", "b_hh")
    _MAP_STEP = staticmethod(_elman_map)

    def __init__(self, W_ih, W_hh, b_ih=None, b_hh=None, *, nonlinearity="tanh"):
        if nonlinearity not in NONLINEARITIES:
            raise ValueError(f"nonlinearity must be one of {tuple(NONLINEARITIES)}, got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        self.W_hh = as_float_array("W_hh", W_hh, ndim=2)
        n = self.W_hh.shape[1]
        if n == 0 or self.W_hh.shape != (n, n):
            raise ValueError(f"W_hh must have shape (H, H) with H >= 1, got {self.W_hh.shape}")
        self.W_ih = as_float_array("W_ih", W_ih, shape=(n, None))
        if self.W_ih.shape[1] == 0:
            raise ValueError("W_ih must have at least one input column")
        self.b_ih = np.zeros(n) if b_ih is None else as_float_array("b_ih", b_ih, shape=(n,))
        self.b_hh = np.zeros(n) if b_hh is None else as_float_array("b_hh", b_hh, shape=(n,))

    @staticmethod
    def _shapes(n_in, n, nonlinearity="tanh"):
        return {"W_ih": (n, n_in), "W_hh": (n, n), "b_ih": (n,), "b_hh": (n,)}

    def _check_torch(self):
        if self.nonlinearity == "sigmoid":
            raise ValueError("PyTorch's nn.RNN has no sigmoid nonlinearity")

    @property
    def _kind(self):
        return NONLINEARITIES[self.nonlinearity]

    def _forward(self, X, h0, c0):
        H = np.empty(X.shape[:2] + (self.n_hidden,))
        bad = np.empty(X.shape[0], np.int64)
        strided(_elman_fwd_batch, X.shape[0], *self._transposed(), self.b_ih + self.b_hh, self._kind, X, h0, H, bad)
        _check_finite(bad, H)
        return Run(_time_first(H))

    def _map_parts(self):
        return [self._kind], [*self._transposed(), self.b_ih + self.b_hh]

    def _stepper_parts(self):
        return (_elman_stepper, (*self._transposed(), self.b_ih + self.b_hh, self._kind), np.empty(0),
                np.empty((2, self.n_hidden)), None)

    def _step(self, x, h, c):
        H = np.empty((1, self.n_hidden))
        return H, _elman_fwd(*self._transposed(), self.b_ih + self.b_hh, self._kind, x[None], h, H)

    def _backward(self, X, h0, c0, run, dH, dC):
        B = X.shape[0]
        gih, ghh, gb = self._buffers(B, ("W_ih", "W_hh", "b_ih"))
        dx, dh0 = np.zeros(X.shape), np.zeros((B, self.n_hidden))
        strided(_elman_bwd_batch, gih.shape[0], np.ascontiguousarray(self.W_ih.T), np.ascontiguousarray(self.W_hh),
                self._kind, X, h0, _batch_first(run.h), dH, gih, ghh, gb, dx, dh0)
        gb = gb.sum(0)
        return {"W_ih": gih.sum(0), "W_hh": ghh.sum(0), "b_ih": gb, "b_hh": gb.copy(), "x": dx, "h0": dh0}

    def rtrl(self, x, dh, h0=None):
        """Parameter gradients by real-time recurrent learning: the sensitivities
        ``dh_t / dtheta`` are carried forward with the state, so the gradient of
        a loss on step t is available at step t (online learning), at
        ``O(H^2 P)`` per step. Same arguments and weight gradients as
        :meth:`gradients` (Williams and Zipser 1989)."""
        X, h0, _ = self._inputs(x, h0, None)
        B, T = X.shape[:2]
        dH = self._grad_in("dh", dh, (T, B, self.n_hidden))
        g = np.zeros((min(B, GRAD_BUFFERS), self.W_ih.size + self.W_hh.size + self.b_ih.size))
        strided(_elman_rtrl_batch, g.shape[0], self.W_ih, self.W_hh, self.b_ih + self.b_hh, self._kind, X, h0, dH, g)
        return _unflatten(self, g.sum(0))

    def _jacobian(self, x, h):
        a = self.W_ih @ x + self.b_ih + self.W_hh @ h + self.b_hh
        y = np.empty_like(a)
        d = np.empty_like(a)
        _activate(a, y, self._kind)
        _activate_backward(y, np.ones_like(a), self._kind, d)
        return d[:, None] * self.W_hh


class FullyRecurrent(Elman):
    """Williams and Zipser's fully recurrent network: every unit sees every
    input and every unit; units ``0 .. n_outputs - 1`` are the outputs.

    Parameters
    ----------
    W_ih, W_hh, b_ih, b_hh : as :class:`Elman`
    n_outputs : int
        How many of the units are outputs (read by :meth:`outputs`).
    nonlinearity : {"sigmoid", "tanh", "relu"}
        The logistic function by default, as in the paper.
    """

    def __init__(self, W_ih, W_hh, b_ih=None, b_hh=None, *, n_outputs=1, nonlinearity="sigmoid"):
        super().__init__(W_ih, W_hh, b_ih, b_hh, nonlinearity=nonlinearity)
        self.n_outputs = as_scalar("n_outputs", n_outputs, low=1, high=self.n_hidden, integer=True)

    @staticmethod
    def _shapes(n_in, n, n_outputs=1, nonlinearity="sigmoid"):
        return Elman._shapes(n_in, n)

    def __repr__(self):
        return f"FullyRecurrent(inputs={self.n_inputs}, units={self.n_hidden}, outputs={self.n_outputs})"

    def outputs(self, h):
        """The output units of states ``h`` (..., H): (..., n_outputs)."""
        return np.asarray(h)[..., :self.n_outputs]

    def readout(self):
        """A fixed (untrained) readout that selects the output units, for
        :func:`dynnets.train.bptt.train_bptt`."""
        from ...train.bptt import Readout
        return Readout.fixed(np.eye(self.n_outputs, self.n_hidden))


def _unflatten(cell, g):
    """Parameter gradients from the flat RTRL vector [W_ih, W_hh, b, ...]."""
    a, b, n_b = cell.W_ih.size, cell.W_hh.size, cell.b_ih.size
    gb = g[a + b:a + b + n_b]
    return {"W_ih": g[:a].reshape(cell.W_ih.shape), "W_hh": g[a:a + b].reshape(cell.W_hh.shape),
            "b_ih": gb.copy(), "b_hh": gb.copy()}
