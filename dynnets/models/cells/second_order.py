"""Second-order (multiplicative) recurrent network::

    h_{t,i} = f(sum_{j,k} W_ijk h_{t-1,j} x_{t,k} + b_i),   f = sigma by default

The input selects the recurrent matrix ``sum_k W_ijk x_k``: with one-hot inputs
each symbol has its own transition matrix, which is how these networks learn
finite automata (Giles et al. 1992).

References
----------
.. [1] C. L. Giles, C. B. Miller, D. Chen, H. H. Chen, G. Z. Sun, Y. C. Lee,
       "Learning and extracting finite state automata with second-order recurrent
       neural networks", Neural Computation 4(3), 393-405, 1992.
"""

import numpy as np
from numba import njit

from ..._threads import strided
from ..._validate import as_float_array
from ...config import JIT, JIT_NO_RC
from ._base import (
    NONLINEARITIES,
    Run,
    _activate,
    _activate_backward,
    _batch_first,
    _Cell,
    _check_finite,
    _finite,
    _keep_next,
    _time_first,
)


@njit(cache=True, inline="always", **JIT)
def _second_order_cell(W, b, kind, xt, hp, h, a):
    """One update, ``h_i = f(sum_jk W_ijk hp_j xt_k + b_i)``; ``a`` (H,) is scratch."""
    n, m = W.shape[0], W.shape[2]
    for i in range(n):
        s = b[i]
        for j in range(n):
            v = 0.0
            for k in range(m):
                v += W[i, j, k] * xt[k]
            s += v * hp[j]
        a[i] = s
    _activate(a, h, kind)


@njit(cache=True, **JIT)
def _second_order_fwd(W, b, kind, x, h0, H):
    a = np.empty(h0.size)
    hp = h0
    for t in range(x.shape[0]):
        _second_order_cell(W, b, kind, x[t], hp, H[t], a)
        hp = H[t]
        if not _finite(H[t]):
            return t
    return -1


@njit(cache=True, **JIT_NO_RC)
def _second_order_stepper(W, b, kind, S, G, A, x):
    """:class:`~._base.Stepper`'s step (``S``: h and the next h; ``A`` (1, H) is
    scratch); returns -1, 0 (the next state is not finite) or -2 (wrong size of x)."""
    if x.size != W.shape[2]:
        return -2
    _second_order_cell(W, b, kind, x, S[0], S[1], A[0])
    return _keep_next(S)


@njit(cache=True, nogil=True, **JIT)
def _second_order_fwd_batch(first, stride, W, b, kind, x, h0, H, bad):
    """Sequences ``first, first + stride, ...``; one task of :func:`dynnets._threads.strided`."""
    for s in range(first, x.shape[0], stride):
        bad[s] = _second_order_fwd(W, b, kind, x[s], h0[s], H[s])


@njit(cache=True, **JIT)
def _second_order_bwd(W, kind, x, h0, H, dH, gW, gb, dx, dh0):
    n, m = W.shape[0], W.shape[2]
    dh = np.zeros(n)
    da = np.empty(n)
    for t in range(x.shape[0] - 1, -1, -1):
        hp = H[t - 1] if t > 0 else h0
        xt, dxt = x[t], dx[t]
        dh += dH[t]
        _activate_backward(H[t], dh, kind, da)
        dh[:] = 0.0
        for i in range(n):
            gb[i] += da[i]
            for j in range(n):
                c = da[i] * hp[j]
                v = 0.0
                for k in range(m):
                    gW[i, j, k] += c * xt[k]
                    dxt[k] += c * W[i, j, k]
                    v += W[i, j, k] * xt[k]
                dh[j] += da[i] * v
    dh0[:] = dh


@njit(cache=True, nogil=True, **JIT)
def _second_order_bwd_batch(first, stride, W, kind, x, h0, H, dH, gW, gb, dx, dh0):
    """Gradient buffers ``k = first, first + stride, ...`` of ``K``; buffer ``k`` sums
    sequences ``k, k + K, ...`` in order, whichever task runs it. One task of
    :func:`dynnets._threads.strided`."""
    K = gW.shape[0]
    for k in range(first, K, stride):
        for s in range(k, x.shape[0], K):
            _second_order_bwd(W, kind, x[s], h0[s], H[s], dH[s], gW[k], gb[k], dx[s], dh0[s])


@njit(cache=True, **JIT)
def _second_order_map(y, params, out):
    """``params`` = [n, m, kind, x, W, b]."""
    n, m = int(params[0]), int(params[1])
    o = 3 + m
    H = np.empty((1, n))
    _second_order_fwd(params[o:o + n * n * m].reshape(n, n, m), params[o + n * n * m:o + n * n * m + n],
                      int(params[2]), params[3:3 + m].reshape(1, m), y, H)
    out[:] = H[0]


class SecondOrder(_Cell):
    """Second-order recurrent network (see the module for the equations).

    Parameters
    ----------
    W : array_like, shape (H, H, I)
        ``W[i, j, k]``: from hidden unit j, gated by input k, to hidden unit i.
    b : array_like, shape (H,), optional
    nonlinearity : {"sigmoid", "tanh", "relu"}
        The logistic function by default, as in Giles et al.
    """

    PARAMS = ("W", "b")
    _MAP_STEP = staticmethod(_second_order_map)

    def __init__(self, W, b=None, *, nonlinearity="sigmoid"):
        if nonlinearity not in NONLINEARITIES:
            raise ValueError(f"nonlinearity must be one of {tuple(NONLINEARITIES)}, got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        self.W = as_float_array("W", W, ndim=3)
        n, n2, m = self.W.shape
        if n == 0 or n2 != n or m == 0:
            raise ValueError(f"W must have shape (H, H, I) with H, I >= 1, got {self.W.shape}")
        self.b = np.zeros(n) if b is None else as_float_array("b", b, shape=(n,))

    n_inputs = property(lambda self: self.W.shape[2])
    n_hidden = property(lambda self: self.W.shape[0])

    @staticmethod
    def _shapes(n_in, n, nonlinearity="sigmoid"):
        return {"W": (n, n, n_in), "b": (n,)}

    def _forward(self, X, h0, c0):
        H = np.empty(X.shape[:2] + (self.n_hidden,))
        bad = np.empty(X.shape[0], np.int64)
        strided(_second_order_fwd_batch, X.shape[0], self.W, self.b, NONLINEARITIES[self.nonlinearity], X, h0, H, bad)
        _check_finite(bad, H)
        return Run(_time_first(H))

    def _map_parts(self):
        return [NONLINEARITIES[self.nonlinearity]], [self.W, self.b]

    def _stepper_parts(self):
        W, b = (np.array(a, np.float64, order="C") for a in (self.W, self.b))
        return (_second_order_stepper, (W, b, NONLINEARITIES[self.nonlinearity]), np.empty(0),
                np.empty((1, self.n_hidden)), None)

    def _step(self, x, h, c):
        H = np.empty((1, self.n_hidden))
        return H, _second_order_fwd(self.W, self.b, NONLINEARITIES[self.nonlinearity], x[None], h, H)

    def _backward(self, X, h0, c0, run, dH, dC):
        B = X.shape[0]
        gW, gb = self._buffers(B)
        dx, dh0 = np.zeros(X.shape), np.zeros((B, self.n_hidden))
        strided(_second_order_bwd_batch, gW.shape[0], self.W, NONLINEARITIES[self.nonlinearity], X, h0,
                _batch_first(run.h), dH, gW, gb, dx, dh0)
        return {"W": gW.sum(0), "b": gb.sum(0), "x": dx, "h0": dh0}

    def _jacobian(self, x, h):
        M = self.W @ x  # (H, H): the transition matrix input x selects
        a = M @ h + self.b
        y, d = np.empty_like(a), np.empty_like(a)
        _activate(a, y, NONLINEARITIES[self.nonlinearity])
        _activate_backward(y, np.ones_like(a), NONLINEARITIES[self.nonlinearity], d)
        return d[:, None] * M
