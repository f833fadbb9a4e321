"""Gated recurrent unit, in both forms (gate rows r, z, n)::

    r = sigma(W_ir x + b_ir + W_hr h + b_hr),  z = sigma(W_iz x + b_iz + W_hz h + b_hz)
    reset after (PyTorch nn.GRU):  n = tanh(W_in x + b_in + r (W_hn h + b_hn))
    reset before (Cho et al.):     n = tanh(W_in x + b_in + W_hn (r h) + b_hn)
    h_t = (1 - z) n + z h_{t-1}

References
----------
.. [1] K. Cho et al., "Learning phrase representations using RNN encoder-decoder
       for statistical machine translation", EMNLP 2014 (reset before).
.. [2] J. Chung, C. Gulcehre, K. Cho, Y. Bengio, "Empirical evaluation of gated
       recurrent neural networks on sequence modeling", arXiv:1412.3555, 2014.
"""

import numpy as np
from numba import njit

from ..._math import sigmoid, tanh
from ..._simd import matvec_t
from ..._threads import strided
from ..._validate import as_choice, as_float_array
from ...config import JIT, JIT_NO_RC
from ._base import (
    Run,
    _add,
    _batch_first,
    _Cell,
    _check_finite,
    _finite,
    _keep_next,
    _matvec_add,
    _outer_add,
    _time_first,
    _TorchLayout,
)


@njit(cache=True, inline="always", **JIT)
def _gru_cell(W_ihT, W_zrT, W_nT, b_ih, b_hh, after, xt, hp, h, Gt, ai, ah, rh):
    """One update: gates ``Gt`` (4, n) and the new ``h`` from ``xt`` and ``hp``;
    ``ai``, ``ah`` (3n,) and ``rh`` (n,) are scratch. The weights come
    transposed: ``W_ih``, and ``W_hh`` as its r, z rows and its n rows."""
    n = hp.size
    matvec_t(W_ihT, xt, b_ih, ai)
    matvec_t(W_zrT, hp, b_hh[:2 * n], ah[:2 * n])
    if after:
        matvec_t(W_nT, hp, b_hh[2 * n:], ah[2 * n:])
    for k in range(n):
        Gt[0, k] = sigmoid(ai[k] + ah[k])
    for k in range(n):
        Gt[1, k] = sigmoid(ai[n + k] + ah[n + k])
    if after:
        for k in range(n):
            Gt[3, k] = ah[2 * n + k]
    else:
        for k in range(n):
            rh[k] = Gt[0, k] * hp[k]
        matvec_t(W_nT, rh, b_hh[2 * n:], Gt[3])
    for k in range(n):
        Gt[2, k] = tanh(ai[2 * n + k] + (Gt[0, k] * Gt[3, k] if after else Gt[3, k]))
    for k in range(n):
        h[k] = (1.0 - Gt[1, k]) * Gt[2, k] + Gt[1, k] * hp[k]


@njit(cache=True, **JIT)
def _gru_fwd(W_ihT, W_zrT, W_nT, b_ih, b_hh, after, x, h0, H, G):
    """``G[t]`` (4, n): r, z, n and the recurrent part of n's argument
    (``W_hn h + b_hn`` reset after, ``W_hn (r h) + b_hn`` reset before)."""
    n = h0.size
    ai = np.empty(3 * n)
    ah = np.empty(3 * n)
    rh = np.empty(n)
    hp = h0
    for t in range(x.shape[0]):
        _gru_cell(W_ihT, W_zrT, W_nT, b_ih, b_hh, after, x[t], hp, H[t], G[t], ai, ah, rh)
        hp = H[t]
        if not _finite(hp):
            return t
    return -1


@njit(cache=True, **JIT_NO_RC)
def _gru_stepper(W_ihT, W_zrT, W_nT, b_ih, b_hh, after, S, G, A, x):
    """:class:`~._base.Stepper`'s step (``S``: h and the next h; ``A`` (3, 3H) is
    scratch); returns -1, 0 (the next state is not finite) or -2 (wrong size of x)."""
    if x.size != W_ihT.shape[0]:
        return -2
    _gru_cell(W_ihT, W_zrT, W_nT, b_ih, b_hh, after, x, S[0], S[1], G, A[0], A[1], A[2, :S.shape[1]])
    return _keep_next(S)


@njit(cache=True, nogil=True, **JIT)
def _gru_fwd_batch(first, stride, W_ihT, W_zrT, W_nT, b_ih, b_hh, after, x, h0, H, G, bad):
    """Sequences ``first, first + stride, ...``; one task of :func:`dynnets._threads.strided`."""
    for s in range(first, x.shape[0], stride):
        bad[s] = _gru_fwd(W_ihT, W_zrT, W_nT, b_ih, b_hh, after, x[s], h0[s], H[s], G[s])


@njit(cache=True, **JIT)
def _gru_bwd(W_ihT, W_zrT, W_nT, after, x, h0, H, G, dH, gW_ih, gW_hh, gb_ih, gb_hh, dx, dh0):
    """One sequence, given the transposed weights: ``W_ih``, and ``W_hh`` as its
    r, z rows and its n rows (transposed once per call)."""
    n = h0.size
    dh = np.zeros(n)
    dai = np.empty(3 * n)
    dah = np.empty(3 * n)
    drh = np.empty(n)
    rh = np.empty(n)
    for t in range(x.shape[0] - 1, -1, -1):
        hp = H[t - 1] if t > 0 else h0
        Gt = G[t]
        for k in range(n):
            r, z, nn, hn = Gt[0, k], Gt[1, k], Gt[2, k], Gt[3, k]
            dhk = dH[t, k] + dh[k]
            dan = dhk * (1.0 - z) * (1.0 - nn * nn)
            dai[n + k] = dhk * (hp[k] - nn) * z * (1.0 - z)
            dai[2 * n + k] = dan
            dh[k] = dhk * z
            if after:
                dai[k] = dan * hn * r * (1.0 - r)
            else:
                dah[2 * n + k] = dan
        if after:
            dah[:] = dai
            for k in range(n):
                dah[2 * n + k] *= Gt[0, k]
            _outer_add(gW_hh, dah, hp)
            _matvec_add(W_zrT, dah[:2 * n], dh)
            _matvec_add(W_nT, dah[2 * n:], dh)
        else:
            # the n rows act on r h: their gradient reaches r and h_{t-1}
            for k in range(n):
                rh[k] = Gt[0, k] * hp[k]
            drh[:] = 0.0
            _matvec_add(W_nT, dah[2 * n:], drh)
            for k in range(n):
                r = Gt[0, k]
                dai[k] = drh[k] * hp[k] * r * (1.0 - r)
                dh[k] += drh[k] * r
            dah[:2 * n] = dai[:2 * n]
            _outer_add(gW_hh[:2 * n], dah[:2 * n], hp)
            _outer_add(gW_hh[2 * n:], dah[2 * n:], rh)
            _matvec_add(W_zrT, dah[:2 * n], dh)
        _outer_add(gW_ih, dai, x[t])
        _add(gb_ih, dai)
        _add(gb_hh, dah)
        _matvec_add(W_ihT, dai, dx[t])
    dh0[:] = dh


@njit(cache=True, nogil=True, **JIT)
def _gru_bwd_batch(first, stride, W_ihT, W_zrT, W_nT, after, x, h0, H, G, dH, gW_ih, gW_hh, gb_ih, gb_hh, dx, dh0):
    """Gradient buffers ``k = first, first + stride, ...`` of ``K``; buffer ``k`` sums
    sequences ``k, k + K, ...`` in order, whichever task runs it. One task of
    :func:`dynnets._threads.strided`."""
    K = gW_ih.shape[0]
    for k in range(first, K, stride):
        for s in range(k, x.shape[0], K):
            _gru_bwd(W_ihT, W_zrT, W_nT, after, x[s], h0[s], H[s], G[s], dH[s], gW_ih[k], gW_hh[k], gb_ih[k], gb_hh[k],
                     dx[s], dh0[s])


@njit(cache=True, **JIT)
def _gru_map(y, params, out):
    """``params`` = [n, m, after, x, W_ih^T, W_hh[:2n]^T, W_hh[2n:]^T, b_ih, b_hh]."""
    n, m = int(params[0]), int(params[1])
    o = 3 + m
    W_ihT = params[o:o + 3 * n * m].reshape(m, 3 * n)
    o += 3 * n * m
    W_zrT = params[o:o + 2 * n * n].reshape(n, 2 * n)
    o += 2 * n * n
    W_nT = params[o:o + n * n].reshape(n, n)
    o += n * n
    H = np.empty((1, n))
    _gru_fwd(W_ihT, W_zrT, W_nT, params[o:o + 3 * n], params[o + 3 * n:o + 6 * n], params[2] > 0.0,
             params[3:3 + m].reshape(1, m), y, H, np.empty((1, 4, n)))
    out[:] = H[0]


class GRU(_TorchLayout, _Cell):
    """Gated recurrent unit (see the module for the equations).

    Parameters
    ----------
    W_ih : array_like, shape (3H, I)
    W_hh : array_like, shape (3H, H)
    b_ih, b_hh : array_like, shape (3H,), optional
    reset : {"after", "before"}
        Where the reset gate acts: on ``W_hn h + b_hn`` (PyTorch's form, the
        default) or on ``h`` before the product (Cho et al. 2014).
    """

    PARAMS = ("W_ih", "W_hh", "b_ih", "b_hh")
    _MAP_STEP = staticmethod(_gru_map)

    def __init__(self, W_ih, W_hh, b_ih=None, b_hh=None, *, reset="after"):
        as_choice("reset", reset, ("after", "before"))
        self.reset = reset
        self.W_hh = as_float_array("W_hh", W_hh, ndim=2)
        n = self.W_hh.shape[1]
        if n == 0 or self.W_hh.shape[0] != 3 * n:
            raise ValueError(f"W_hh must have shape (3 H, H) with H >= 1, got {self.W_hh.shape}")
        self.W_ih = as_float_array("W_ih", W_ih, ndim=2)
        if self.W_ih.shape[0] != 3 * n or self.W_ih.shape[1] == 0:
            raise ValueError(f"W_ih must have shape ({3 * n}, I) with I >= 1, got {self.W_ih.shape}")
        self.b_ih = np.zeros(3 * n) if b_ih is None else as_float_array("b_ih", b_ih, shape=(3 * n,))
        self.b_hh = np.zeros(3 * n) if b_hh is None else as_float_array("b_hh", b_hh, shape=(3 * n,))

    @staticmethod
    def _shapes(n_in, n, reset="after"):
        return {"W_ih": (3 * n, n_in), "W_hh": (3 * n, n), "b_ih": (3 * n,), "b_hh": (3 * n,)}

    def __repr__(self):
        return f"GRU(inputs={self.n_inputs}, hidden={self.n_hidden}, reset={self.reset!r})"

    def _transposed(self):
        """``W_ih^T``, ``W_hh[:2H]^T`` (r, z) and ``W_hh[2H:]^T`` (n), C-contiguous."""
        n = self.n_hidden
        return (np.array(self.W_ih.T, order="C"), np.array(self.W_hh[:2 * n].T, order="C"),
                np.array(self.W_hh[2 * n:].T, order="C"))

    def _check_torch(self):
        if self.reset != "after":
            raise ValueError("PyTorch's nn.GRU applies the reset after the product (reset='after')")

    def _forward(self, X, h0, c0):
        B, T = X.shape[:2]
        n = self.n_hidden
        H, G = np.empty((B, T, n)), np.empty((B, T, 4, n))
        bad = np.empty(X.shape[0], np.int64)
        strided(_gru_fwd_batch, B, *self._transposed(), self.b_ih, self.b_hh, self.reset == "after", X, h0, H, G, bad)
        _check_finite(bad, H)
        return Run(_time_first(H), None, _time_first(G))

    def _map_parts(self):
        return [float(self.reset == "after")], [*self._transposed(), self.b_ih, self.b_hh]

    def _stepper_parts(self):
        G = np.zeros((4, self.n_hidden))
        return (_gru_stepper, (*self._transposed(), self.b_ih.copy(), self.b_hh.copy(), self.reset == "after"), G,
                np.empty((3, 3 * self.n_hidden)), G)

    def _step(self, x, h, c):
        H = np.empty((1, self.n_hidden))
        bad = _gru_fwd(*self._transposed(), self.b_ih, self.b_hh, self.reset == "after", x[None], h, H,
                       np.empty((1, 4, self.n_hidden)))
        return H, bad

    def _backward(self, X, h0, c0, run, dH, dC):
        B = X.shape[0]
        gih, ghh, gbi, gbh = self._buffers(B)
        dx, dh0 = np.zeros(X.shape), np.zeros((B, self.n_hidden))
        strided(_gru_bwd_batch, gih.shape[0], *self._transposed(), self.reset == "after", X, h0, _batch_first(run.h),
                _batch_first(run.gates), dH, gih, ghh, gbi, gbh, dx, dh0)
        return {"W_ih": gih.sum(0), "W_hh": ghh.sum(0), "b_ih": gbi.sum(0), "b_hh": gbh.sum(0), "x": dx,
                "h0": dh0}

    def _jacobian(self, x, h):
        n = self.n_hidden
        ai = self.W_ih @ x + self.b_ih
        W, b = self.W_hh, self.b_hh
        ahrz = W[:2 * n] @ h + b[:2 * n]
        r = 1.0 / (1.0 + np.exp(-(ai[:n] + ahrz[:n])))
        z = 1.0 / (1.0 + np.exp(-(ai[n:2 * n] + ahrz[n:])))
        dr = (r * (1 - r))[:, None] * W[:n]
        dz = (z * (1 - z))[:, None] * W[n:2 * n]
        if self.reset == "after":
            hn = W[2 * n:] @ h + b[2 * n:]
            nn = np.tanh(ai[2 * n:] + r * hn)
            dn = (1 - nn**2)[:, None] * (hn[:, None] * dr + r[:, None] * W[2 * n:])
        else:
            nn = np.tanh(ai[2 * n:] + W[2 * n:] @ (r * h) + b[2 * n:])
            dn = (1 - nn**2)[:, None] * (W[2 * n:] @ (h[:, None] * dr + np.diag(r)))
        return np.diag(z) + (h - nn)[:, None] * dz + (1 - z)[:, None] * dn
