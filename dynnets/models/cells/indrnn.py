"""Independently recurrent neural network (IndRNN)::

    h_t = f(W_ih x_t + u * h_{t-1} + b),   f = relu by default,   |u| <= u_max

Each unit sees only its own past through the scalar ``u_k``; bounding ``|u|``
keeps gradients from exploding or vanishing over long sequences (Li et al.
bound it by ``2**(1/T)`` for relu; :meth:`IndRNN.project` clips it back after
every training update).

References
----------
.. [1] S. Li, W. Li, C. Cook, C. Zhu, Y. Gao, "Independently recurrent neural
       network (IndRNN): building a longer and deeper RNN", CVPR 2018, 5457-5466.
"""

import numpy as np
from numba import njit

from ..._simd import matvec_t
from ..._threads import strided
from ..._validate import as_float_array, as_rng, as_scalar
from ...config import JIT, JIT_NO_RC
from ._base import (
    NONLINEARITIES,
    Run,
    _activate,
    _activate_backward,
    _add,
    _batch_first,
    _Cell,
    _check_finite,
    _finite,
    _keep_next,
    _matvec_add,
    _outer_add,
    _time_first,
)


@njit(cache=True, inline="always", **JIT)
def _indrnn_cell(W_ihT, u, b, kind, xt, hp, h, a):
    """One update, ``h = f(W_ih xt + u * hp + b)`` (``W_ih`` given transposed);
    ``a`` (H,) is scratch."""
    matvec_t(W_ihT, xt, b, a)
    for k in range(a.size):
        a[k] += u[k] * hp[k]
    _activate(a, h, kind)


@njit(cache=True, **JIT)
def _indrnn_fwd(W_ihT, u, b, kind, x, h0, H):
    a = np.empty(h0.size)
    hp = h0
    for t in range(x.shape[0]):
        _indrnn_cell(W_ihT, u, b, kind, x[t], hp, H[t], a)
        hp = H[t]
        if not _finite(H[t]):
            return t
    return -1


@njit(cache=True, **JIT_NO_RC)
def _indrnn_stepper(W_ihT, u, b, kind, S, G, A, x):
    """:class:`~._base.Stepper`'s step (``S``: h and the next h; ``A`` (1, H) is
    scratch); returns -1, 0 (the next state is not finite) or -2 (wrong size of x)."""
    if x.size != W_ihT.shape[0]:
        return -2
    _indrnn_cell(W_ihT, u, b, kind, x, S[0], S[1], A[0])
    return _keep_next(S)


@njit(cache=True, nogil=True, **JIT)
def _indrnn_fwd_batch(first, stride, W_ihT, u, b, kind, x, h0, H, bad):
    """Sequences ``first, first + stride, ...``; one task of :func:`dynnets._threads.strided`."""
    for s in range(first, x.shape[0], stride):
        bad[s] = _indrnn_fwd(W_ihT, u, b, kind, x[s], h0[s], H[s])


@njit(cache=True, **JIT)
def _indrnn_bwd(W_ihT, u, kind, x, h0, H, dH, gW_ih, gu, gb, dx, dh0):
    n = h0.size
    dh = np.zeros(n)
    da = np.empty(n)
    for t in range(x.shape[0] - 1, -1, -1):
        hp = H[t - 1] if t > 0 else h0
        _add(dh, dH[t])
        _activate_backward(H[t], dh, kind, da)
        _outer_add(gW_ih, da, x[t])
        _matvec_add(W_ihT, da, dx[t])
        for k in range(n):
            gu[k] += da[k] * hp[k]
            gb[k] += da[k]
            dh[k] = u[k] * da[k]
    dh0[:] = dh


@njit(cache=True, nogil=True, **JIT)
def _indrnn_bwd_batch(first, stride, W_ihT, u, kind, x, h0, H, dH, gW_ih, gu, gb, dx, dh0):
    """Gradient buffers ``k = first, first + stride, ...`` of ``K``; buffer ``k`` sums
    sequences ``k, k + K, ...`` in order, whichever task runs it. One task of
    :func:`dynnets._threads.strided`."""
    K = gW_ih.shape[0]
    for k in range(first, K, stride):
        for s in range(k, x.shape[0], K):
            _indrnn_bwd(W_ihT, u, kind, x[s], h0[s], H[s], dH[s], gW_ih[k], gu[k], gb[k], dx[s], dh0[s])


@njit(cache=True, **JIT)
def _indrnn_map(y, params, out):
    """``params`` = [n, m, kind, x, W_ih^T, u, b]."""
    n, m = int(params[0]), int(params[1])
    o = 3 + m
    H = np.empty((1, n))
    _indrnn_fwd(params[o:o + n * m].reshape(m, n), params[o + n * m:o + n * m + n],
                params[o + n * m + n:o + n * m + 2 * n], int(params[2]), params[3:3 + m].reshape(1, m), y, H)
    out[:] = H[0]


class IndRNN(_Cell):
    """Independently recurrent network (see the module for the equations).

    Parameters
    ----------
    W_ih : array_like, shape (H, I)
    u : array_like, shape (H,)
        Recurrent weight of each unit onto itself, ``|u| <= u_max``.
    b : array_like, shape (H,), optional
    u_max : float
        Bound on ``|u|`` (default 1).
    nonlinearity : {"relu", "tanh", "sigmoid"}
    """

    PARAMS = ("W_ih", "u", "b")
    _MAP_STEP = staticmethod(_indrnn_map)

    def __init__(self, W_ih, u, b=None, *, u_max=1.0, nonlinearity="relu"):
        if nonlinearity not in NONLINEARITIES:
            raise ValueError(f"nonlinearity must be one of {tuple(NONLINEARITIES)}, got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        self.u_max = as_scalar("u_max", u_max, low=0.0, low_open=True)
        self.u = as_float_array("u", u, ndim=1)
        n = self.u.size
        if n == 0:
            raise ValueError("u must have at least one unit")
        if np.abs(self.u).max() > self.u_max:
            raise ValueError(f"u must satisfy |u| <= u_max = {self.u_max}, got max |u| = {np.abs(self.u).max()}")
        self.W_ih = as_float_array("W_ih", W_ih, shape=(n, None))
        if self.W_ih.shape[1] == 0:
            raise ValueError("W_ih must have at least one input column")
        self.b = np.zeros(n) if b is None else as_float_array("b", b, shape=(n,))

    n_hidden = property(lambda self: self.u.size)

    @classmethod
    def random(cls, n_inputs, n_hidden, *, scale=None, seed=None, u_max=1.0, nonlinearity="relu"):
        """``W_ih`` uniform in ``[-s, s]`` (``s = 1 / sqrt(H)`` by default), ``u``
        uniform in ``[0, u_max]`` (Li et al.), ``b = 0``."""
        n_in = as_scalar("n_inputs", n_inputs, low=1, integer=True)
        n = as_scalar("n_hidden", n_hidden, low=1, integer=True)
        s = 1.0 / np.sqrt(n) if scale is None else as_scalar("scale", scale, low=0.0)
        u_max = as_scalar("u_max", u_max, low=0.0, low_open=True)
        rng = as_rng(seed)
        return cls(rng.uniform(-s, s, (n, n_in)), rng.uniform(0.0, u_max, n), np.zeros(n), u_max=u_max,
                   nonlinearity=nonlinearity)

    def project(self):
        """Clip ``u`` back into ``[-u_max, u_max]`` (in place)."""
        np.clip(self.u, -self.u_max, self.u_max, out=self.u)

    def _transposed(self):
        """``(W_ih^T,)``, C-contiguous (the cell has no ``W_hh``)."""
        return (np.array(self.W_ih.T, order="C"),)

    def _forward(self, X, h0, c0):
        H = np.empty(X.shape[:2] + (self.n_hidden,))
        bad = np.empty(X.shape[0], np.int64)
        strided(_indrnn_fwd_batch, X.shape[0], *self._transposed(), self.u, self.b, NONLINEARITIES[self.nonlinearity],
                X, h0, H, bad)
        _check_finite(bad, H)
        return Run(_time_first(H))

    def _map_parts(self):
        return [NONLINEARITIES[self.nonlinearity]], [*self._transposed(), self.u, self.b]

    def _stepper_parts(self):
        u, b = (np.array(a, np.float64, order="C") for a in (self.u, self.b))
        return (_indrnn_stepper, (*self._transposed(), u, b, NONLINEARITIES[self.nonlinearity]), np.empty(0),
                np.empty((1, self.n_hidden)), None)

    def _step(self, x, h, c):
        H = np.empty((1, self.n_hidden))
        return H, _indrnn_fwd(*self._transposed(), self.u, self.b, NONLINEARITIES[self.nonlinearity], x[None], h, H)

    def _backward(self, X, h0, c0, run, dH, dC):
        B = X.shape[0]
        gih, gu, gb = self._buffers(B)
        dx, dh0 = np.zeros(X.shape), np.zeros((B, self.n_hidden))
        strided(_indrnn_bwd_batch, gih.shape[0], *self._transposed(), self.u, NONLINEARITIES[self.nonlinearity], X, h0,
                _batch_first(run.h), dH, gih, gu, gb, dx, dh0)
        return {"W_ih": gih.sum(0), "u": gu.sum(0), "b": gb.sum(0), "x": dx, "h0": dh0}

    def _jacobian(self, x, h):
        kind = NONLINEARITIES[self.nonlinearity]
        a = self.W_ih @ x + self.u * h + self.b
        y, d = np.empty_like(a), np.empty_like(a)
        _activate(a, y, kind)
        _activate_backward(y, self.u, kind, d)
        return np.diag(d)
