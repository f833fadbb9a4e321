"""Long short-term memory with forget gate, in three of Greff et al.'s variants.

``"NP"`` (no peepholes; PyTorch ``nn.LSTM``, gate rows i, f, g, o)::

    a = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
    i, f, o = sigma(a_i), sigma(a_f), sigma(a_o),   g = tanh(a_g)
    c_t = f c_{t-1} + i g,   h_t = o tanh(c_t)

``"V"`` (vanilla: peephole weights ``p`` (3, H), rows i, f, o, from the cell
state into the gates; i and f see ``c_{t-1}``, o sees ``c_t``)::

    i = sigma(a_i + p_i c_{t-1}),  f = sigma(a_f + p_f c_{t-1}),  o = sigma(a_o + p_o c_t)

``"CIFG"`` (V with coupled input and forget gate, ``f = 1 - i``): no forget-gate
rows, so ``W_ih``, ``W_hh`` and the biases have 3H rows, in order i, g, o; the
peephole row for f is unused.

References
----------
.. [1] S. Hochreiter, J. Schmidhuber, "Long short-term memory", Neural Computation
       9(8), 1735-1780, 1997; F. A. Gers, J. Schmidhuber, F. Cummins, "Learning to
       forget", Neural Computation 12(10), 2451-2471, 2000.
.. [2] F. A. Gers, N. N. Schraudolph, J. Schmidhuber, "Learning precise timing
       with LSTM recurrent networks", JMLR 3, 115-143, 2002 (peepholes).
.. [3] K. Greff, R. K. Srivastava, J. Koutnik, B. R. Steunebrink, J. Schmidhuber,
       "LSTM: a search space odyssey", IEEE TNNLS 28(10), 2222-2232, 2017.
"""


import numpy as np
from numba import njit

from ..._math import sigmoid, sigmoid_of, tanh, tanh_of
from ..._simd import gemm_tn_add, matvec_t
from ..._threads import strided
from ..._validate import as_float_array
from ...config import JIT, JIT_NO_RC, SEQ_BLOCK
from ._base import (
    GRAD_BUFFERS,
    Run,
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
from .elman import _unflatten

VARIANTS = ("NP", "V", "CIFG")
DTYPES = ("float64", "float32")


def _dtype(dtype):
    """``dtype`` as a NumPy dtype, float64 or float32."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.name not in DTYPES:
        raise ValueError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    return dt

# steps per chunk of the backward pass (see _lstm_bwd)
TIME_CHUNK = 64


@njit(cache=True, inline="always", **JIT)
def _lstm_gates(a, p, coupled, cp, Gt, c, h):
    """The elementwise part of a step: gates ``Gt`` (4, n) and the new ``c``,
    ``h`` from the pre-activations ``a`` (rows i, f, g, o) and ``cp``."""
    n = cp.size
    og, oo = (n, 2 * n) if coupled else (2 * n, 3 * n)
    # separate loops over contiguous rows vectorise
    for k in range(n):
        Gt[0, k] = sigmoid_of(a[k] + p[0, k] * cp[k])
    if coupled:
        for k in range(n):
            Gt[1, k] = Gt.dtype.type(1.0) - Gt[0, k]
    else:
        for k in range(n):
            Gt[1, k] = sigmoid_of(a[n + k] + p[1, k] * cp[k])
    for k in range(n):
        Gt[2, k] = tanh_of(a[og + k])
    for k in range(n):
        c[k] = Gt[1, k] * cp[k] + Gt[0, k] * Gt[2, k]
    for k in range(n):
        Gt[3, k] = sigmoid_of(a[oo + k] + p[2, k] * c[k])
    for k in range(n):
        h[k] = Gt[3, k] * tanh_of(c[k])


@njit(cache=True, inline="always", **JIT)
def _lstm_cell(W_ihT, W_hhT, b, p, coupled, xt, hp, cp, Gt, c, h, a, ax):
    """One update of one sequence (the stepper's): gates ``Gt`` (4, n), new
    ``c`` and ``h`` from input ``xt`` and state ``hp``, ``cp``; ``a``, ``ax`` are
    scratch of the gate rows' size. The same bits as :func:`_lstm_fwd`."""
    matvec_t(W_ihT, xt, b, ax)
    matvec_t(W_hhT, hp, ax, a)
    _lstm_gates(a, p, coupled, cp, Gt, c, h)


@njit(cache=True, **JIT)
def _lstm_fwd(W_ihT, W_hhT, b, p, coupled, x, h0, c0, H, C, G, bad):
    """A block of S sequences stepped together: ``x`` (S, T, I), ``h0``, ``c0``
    (S, n); ``H``, ``C`` (S, T, n) and the gates ``G`` (S, T, 4, n) (i, f, g, o;
    f = 1 - i when ``coupled``); ``bad[s]``: the first step whose state is not
    finite, or -1. The weights come transposed. Each step's pre-activations of
    the whole block are one product with ``W_hh^T``, which is read once a step
    for all S (it no longer fits in L1 at 64 units); row s of the result is the
    same bits as the mat-vec of sequence s alone."""
    S, T = x.shape[0], x.shape[1]
    a = np.empty((S, W_hhT.shape[1]), W_hhT.dtype)
    bad[:] = -1
    for t in range(T):
        for s in range(S):
            a[s] = b
        gemm_tn_add(x[:, t].T, W_ihT, a)
        gemm_tn_add((h0 if t == 0 else H[:, t - 1]).T, W_hhT, a)
        for s in range(S):
            _lstm_gates(a[s], p, coupled, c0[s] if t == 0 else C[s, t - 1], G[s, t], C[s, t], H[s, t])
            if bad[s] < 0 and not (_finite(H[s, t]) and _finite(C[s, t])):
                bad[s] = t


@njit(cache=True, **JIT_NO_RC)
def _lstm_stepper(W_ihT, W_hhT, b, p, S, G, A, x):
    """:class:`~._base.Stepper`'s step: ``S`` (4, n) holds h, c and the next h, c;
    the state advances only when the next one is finite. Returns -1, 0 (not
    finite) or -2 (``x`` of the wrong size)."""
    if x.size != W_ihT.shape[0]:
        return -2
    coupled = W_hhT.shape[1] == 3 * S.shape[1]  # from the shape: a bool argument costs more to pass than an array
    _lstm_cell(W_ihT, W_hhT, b, p, coupled, x, S[0], S[1], G, S[3], S[2], A[0], A[1])
    return _keep_next(S)


@njit(cache=True, nogil=True, **JIT)
def _lstm_fwd_blocks(first, stride, W_ihT, W_hhT, b, p, coupled, x, h0, c0, H, C, G, bad):
    """Blocks ``first, first + stride, ...`` of ``SEQ_BLOCK`` sequences; one task
    of :func:`dynnets._threads.strided`."""
    B = x.shape[0]
    for k in range(first, (B + SEQ_BLOCK - 1) // SEQ_BLOCK, stride):
        s0, s1 = k * SEQ_BLOCK, min(B, (k + 1) * SEQ_BLOCK)
        _lstm_fwd(W_ihT, W_hhT, b, p, coupled, x[s0:s1], h0[s0:s1], c0[s0:s1], H[s0:s1], C[s0:s1], G[s0:s1],
                  bad[s0:s1])


@njit(cache=True, **JIT)
def _dh_product(DA, W_hh, dh):
    """``dh += da W_hh`` for a block's step (``DA`` (S, G n)). A function of its
    own: written inline in the backward loop the same product ran that loop 10%
    slower (float32 and float64 alike)."""
    gemm_tn_add(DA.T, W_hh, dh)


@njit(cache=True, **JIT)
def _lstm_bwd(W_ihT, W_hh, p, coupled, x, h0, c0, H, C, G, dH, dC, gW_ih, gW_hh, gb, gp, dx, dh0, dc0, DA):
    """Backward through a block of S sequences (shapes as :func:`_lstm_fwd`),
    adding to the gradient buffers; ``dh_{t-1} = W_hh^T da_t`` of the block is
    one product a step. ``dC`` (S, T, n), or (S, 0, n) for none; ``DA``
    (at least S, ``TIME_CHUNK``, G n) is scratch."""
    S, T = x.shape[0], x.shape[1]
    DA = DA[:S]  # the block may be the last, smaller one
    has_dc = dC.shape[1] > 0
    n = h0.shape[1]
    dh = np.zeros((S, n), W_hh.dtype)
    dc = np.zeros((S, n), W_hh.dtype)
    # DA: da of the last TIME_CHUNK steps; their weight gradients are one product
    # each chunk, and the buffer stays small (a whole sequence's was megabytes of
    # fresh pages every call); the caller allocates it once per task, not per block
    og, oo = (n, 2 * n) if coupled else (2 * n, 3 * n)
    tc = np.empty(n, W_hh.dtype)
    one = tc.dtype.type(1.0)  # in float32, a float64 literal would make every loop convert
    # short loops over few arrays each: LLVM vectorises a loop only when it can
    # check at run time that its arrays do not overlap, and gives up beyond a
    # few pairs (one loop over all of them ran scalar, 40% of (b)'s time)
    for t_hi in range(T, 0, -TIME_CHUNK):
        t_lo = max(0, t_hi - TIME_CHUNK)
        for t in range(t_hi - 1, t_lo - 1, -1):
            for s in range(S):
                cp = C[s, t - 1] if t > 0 else c0[s]
                Gt, c, da, dhk, dck = G[s, t], C[s, t], DA[s, t - t_lo], dh[s], dc[s]
                i, f, g, o = Gt[0], Gt[1], Gt[2], Gt[3]
                for k in range(n):
                    dhk[k] += dH[s, t, k]
                for k in range(n):
                    tc[k] = tanh_of(c[k])
                for k in range(n):
                    da[oo + k] = dhk[k] * tc[k] * o[k] * (one - o[k])
                if has_dc:
                    for k in range(n):
                        dck[k] += dC[s, t, k]
                for k in range(n):
                    dck[k] += dhk[k] * o[k] * (one - tc[k] * tc[k])
                for k in range(n):
                    dck[k] += da[oo + k] * p[2, k]
                for k in range(n):
                    da[og + k] = dck[k] * i[k] * (one - g[k] * g[k])
                if coupled:  # f = 1 - i: c_t = c_{t-1} + i (g - c_{t-1})
                    for k in range(n):
                        da[k] = dck[k] * (g[k] - cp[k]) * i[k] * (one - i[k])
                    for k in range(n):
                        dck[k] = dck[k] * f[k] + da[k] * p[0, k]
                else:
                    for k in range(n):
                        da[k] = dck[k] * g[k] * i[k] * (one - i[k])
                    for k in range(n):
                        da[n + k] = dck[k] * cp[k] * f[k] * (one - f[k])
                    for k in range(n):
                        dck[k] = dck[k] * f[k] + da[k] * p[0, k] + da[n + k] * p[1, k]
                    for k in range(n):
                        gp[1, k] += da[n + k] * cp[k]
                for k in range(n):
                    gp[0, k] += da[k] * cp[k]
                for k in range(n):
                    gp[2, k] += da[oo + k] * c[k]
                _add(gb, da)
                _matvec_add(W_ihT, da, dx[s, t])
            dh[:] = 0.0
            _dh_product(DA[:, t - t_lo], W_hh, dh)
        for s in range(S):
            hp = h0[s] if t_lo == 0 else H[s, t_lo - 1]
            _weight_gradients(DA[s, :t_hi - t_lo], x[s, t_lo:t_hi], hp, H[s, t_lo:t_hi], gW_ih, gW_hh)
    dh0[:] = dh
    dc0[:] = dc


@njit(cache=True, nogil=True, **JIT)
def _lstm_bwd_blocks(first, stride, W_ihT, W_hh, p, coupled, x, h0, c0, H, C, G, dH, dC, gW_ih, gW_hh, gb, gp, dx,
                     dh0, dc0):
    """Gradient buffers ``k = first, first + stride, ...`` of ``K``: buffer ``k``
    sums blocks ``k, k + K, ...`` of ``SEQ_BLOCK`` sequences in that order,
    whichever task runs it, so the sums do not depend on the thread count. One
    task of :func:`dynnets._threads.strided`."""
    B, K = x.shape[0], gW_ih.shape[0]
    DA = np.empty((min(B, SEQ_BLOCK), TIME_CHUNK, W_hh.shape[0]), W_hh.dtype)  # one per task
    for k in range(first, K, stride):
        for j in range(k, (B + SEQ_BLOCK - 1) // SEQ_BLOCK, K):
            s0, s1 = j * SEQ_BLOCK, min(B, (j + 1) * SEQ_BLOCK)
            _lstm_bwd(W_ihT, W_hh, p, coupled, x[s0:s1], h0[s0:s1], c0[s0:s1], H[s0:s1], C[s0:s1], G[s0:s1],
                      dH[s0:s1], dC[s0:s1], gW_ih[k], gW_hh[k], gb[k], gp[k], dx[s0:s1], dh0[s0:s1], dc0[s0:s1], DA)


@njit(cache=True, **JIT)
def _lstm_rtrl_step(W_ih, W_hh, b, p, coupled, x, h, c, Sh, Sc, dA, a):
    """Advance ``h``, ``c`` and their sensitivities ``S_h = dh/dtheta``,
    ``S_c = dc/dtheta`` (n, P) by one step, in place; theta = [W_ih, W_hh, b, p];
    ``dA`` (R, P) and ``a`` (R,) are work arrays."""
    n, m = h.size, x.size
    R = W_hh.shape[0]
    P = Sh.shape[1]
    col_b = R * m + R * n
    col_p = col_b + R
    og, oo = (n, 2 * n) if coupled else (2 * n, 3 * n)
    _rtrl_recurrent(W_hh, Sh, dA)
    for r in range(R):
        _rtrl_direct(R, x, h, r, col_b, dA)
    _affine(W_ih, x, b, a)
    _affine(W_hh, h, a, a)
    for k in range(n):
        cp = c[k]
        # peepholes from c_{t-1} into i (and f)
        for q in range(P):
            dA[k, q] += p[0, k] * Sc[k, q]
        dA[k, col_p + k] += cp
        i = sigmoid(a[k] + p[0, k] * cp)
        gg = tanh(a[og + k])
        di, dg = i * (1.0 - i), 1.0 - gg * gg
        if coupled:
            f = 1.0 - i
            for q in range(P):
                Sc[k, q] = f * Sc[k, q] + (gg - cp) * di * dA[k, q] + i * dg * dA[og + k, q]
        else:
            for q in range(P):
                dA[n + k, q] += p[1, k] * Sc[k, q]
            dA[n + k, col_p + n + k] += cp
            f = sigmoid(a[n + k] + p[1, k] * cp)
            df = f * (1.0 - f)
            for q in range(P):
                Sc[k, q] = f * Sc[k, q] + cp * df * dA[n + k, q] + gg * di * dA[k, q] + i * dg * dA[og + k, q]
        c[k] = f * cp + i * gg
        # peephole from c_t into o
        for q in range(P):
            dA[oo + k, q] += p[2, k] * Sc[k, q]
        dA[oo + k, col_p + 2 * n + k] += c[k]
        o = sigmoid(a[oo + k] + p[2, k] * c[k])
        tc = tanh(c[k])
        h[k] = o * tc
        do = o * (1.0 - o)
        for q in range(P):
            Sh[k, q] = tc * do * dA[oo + k, q] + o * (1.0 - tc * tc) * Sc[k, q]


@njit(cache=True, **JIT)
def _lstm_rtrl(W_ih, W_hh, b, p, coupled, x, h0, c0, dH, dC, g):
    """Gradient ``g`` of sum_t (dH[t] . h_t + dC[t] . c_t) by carrying the
    sensitivities forward."""
    n = h0.size
    R = W_hh.shape[0]
    Sh, Sc = np.zeros((n, g.size)), np.zeros((n, g.size))
    dA = np.empty((R, g.size))
    h, c = h0.copy(), c0.copy()
    a = np.empty(R)
    for t in range(x.shape[0]):
        _lstm_rtrl_step(W_ih, W_hh, b, p, coupled, x[t], h, c, Sh, Sc, dA, a)
        _sensitivity_add(dH[t], Sh, g)
        _sensitivity_add(dC[t], Sc, g)


@njit(cache=True, nogil=True, **JIT)
def _lstm_rtrl_batch(first, stride, W_ih, W_hh, b, p, coupled, x, h0, c0, dH, dC, g):
    """Gradient buffers ``k = first, first + stride, ...`` of ``K``; buffer ``k`` sums
    sequences ``k, k + K, ...`` in order, whichever task runs it. One task of
    :func:`dynnets._threads.strided`."""
    K = g.shape[0]
    for k in range(first, K, stride):
        for s in range(k, x.shape[0], K):
            _lstm_rtrl(W_ih, W_hh, b, p, coupled, x[s], h0[s], c0[s], dH[s], dC[s], g[k])


@njit(cache=True, **JIT)
def _lstm_map(y, params, out):
    """``params`` = [n, m, coupled, x, W_ih^T, W_hh^T, b_ih + b_hh, peephole];
    the state is [h; c]."""
    n, m = int(params[0]), int(params[1])
    coupled = params[2] > 0.0
    R = 3 * n if coupled else 4 * n
    o = 3 + m
    W_ihT = params[o:o + R * m].reshape(m, R)
    o += R * m
    W_hhT = params[o:o + R * n].reshape(n, R)
    o += R * n
    b = params[o:o + R]
    p = params[o + R:o + R + 3 * n].reshape(3, n)
    H, C = np.empty((1, 1, n)), np.empty((1, 1, n))
    _lstm_fwd(W_ihT, W_hhT, b, p, coupled, params[3:3 + m].reshape(1, 1, m), y[:n].reshape(1, n),
              y[n:].reshape(1, n), H, C, np.empty((1, 1, 4, n)), np.empty(1, np.int64))
    out[:n] = H[0, 0]
    out[n:] = C[0, 0]


class LSTM(_TorchLayout, _Cell):
    """Long short-term memory with forget gate (see the module for the equations).

    Parameters
    ----------
    W_ih : array_like, shape (G H, I)
        ``G = 4`` (rows i, f, g, o), or 3 for ``"CIFG"`` (rows i, g, o).
    W_hh : array_like, shape (G H, H)
    b_ih, b_hh : array_like, shape (G H,), optional
    peephole : array_like, shape (3, H), optional
        Peephole weights ``p_i, p_f, p_o`` (variants "V" and "CIFG"; zero by default).
    variant : {"NP", "V", "CIFG"}
        No peepholes (PyTorch's), vanilla with peepholes, coupled input-forget gate.
    dtype : {"float64", "float32"}
        The precision of the parameters, and of :meth:`run` and :meth:`gradients`
        (their states, gates and gradients); float32 is PyTorch's default and
        about twice as fast for large batches. Whatever the dtype, the stepper,
        the step, RTRL, the Jacobian and :meth:`as_map` compute in float64 from
        these weights. See :meth:`astype`.
    """

    has_cell_state = True
    _MAP_STEP = staticmethod(_lstm_map)

    def __init__(self, W_ih, W_hh, b_ih=None, b_hh=None, peephole=None, *, variant="NP", dtype="float64"):
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
        self.variant = variant
        self.dtype = _dtype(dtype)
        G = 3 if variant == "CIFG" else 4
        self.W_hh = as_float_array("W_hh", W_hh, ndim=2)
        n = self.W_hh.shape[1]
        if n == 0 or self.W_hh.shape[0] != G * n:
            raise ValueError(f"W_hh must have shape ({G} H, H) with H >= 1 for variant {variant!r}, "
                             f"got {self.W_hh.shape}")
        self.W_ih = as_float_array("W_ih", W_ih, ndim=2)
        if self.W_ih.shape[0] != G * n or self.W_ih.shape[1] == 0:
            raise ValueError(f"W_ih must have shape ({G * n}, I) with I >= 1, got {self.W_ih.shape}")
        self.b_ih = np.zeros(G * n) if b_ih is None else as_float_array("b_ih", b_ih, shape=(G * n,))
        self.b_hh = np.zeros(G * n) if b_hh is None else as_float_array("b_hh", b_hh, shape=(G * n,))
        if variant == "NP":
            if peephole is not None:
                raise ValueError("peephole: variant 'NP' has no peepholes (use variant='V')")
            self.peephole = np.zeros((3, n))
        else:
            self.peephole = np.zeros((3, n)) if peephole is None else as_float_array("peephole", peephole,
                                                                                     shape=(3, n))
        for name in ("W_ih", "W_hh", "b_ih", "b_hh", "peephole"):
            setattr(self, name, getattr(self, name).astype(self.dtype, copy=False))

    def astype(self, dtype):
        """A copy of this cell with parameters of precision ``dtype``
        (``"float32"`` or ``"float64"``)."""
        return LSTM(**self.parameters(), variant=self.variant, dtype=dtype)

    def _float64(self):
        """This cell with float64 parameters (itself when it has them)."""
        return self if self.dtype == np.float64 else self.astype(np.float64)

    PARAMS = property(lambda self: ("W_ih", "W_hh", "b_ih", "b_hh") + (() if self.variant == "NP" else
                                                                         ("peephole",)))

    @staticmethod
    def _shapes(n_in, n, variant="NP", dtype=None):
        G = 3 if variant == "CIFG" else 4
        s = {"W_ih": (G * n, n_in), "W_hh": (G * n, n), "b_ih": (G * n,), "b_hh": (G * n,)}
        if variant != "NP":
            s["peephole"] = (3, n)
        return s

    def __repr__(self):
        dt = "" if self.dtype == np.float64 else f", dtype={self.dtype.name!r}"
        return f"LSTM(inputs={self.n_inputs}, hidden={self.n_hidden}, variant={self.variant!r}{dt})"

    def _check_torch(self):
        if self.variant != "NP":
            raise ValueError(f"PyTorch's nn.LSTM is the 'NP' variant, this cell is {self.variant!r}")

    def _forward(self, X, h0, c0):
        B, T = X.shape[:2]
        n, dt = self.n_hidden, self.dtype
        X, h0, c0 = X.astype(dt, copy=False), h0.astype(dt, copy=False), c0.astype(dt, copy=False)
        H, C, G = np.empty((B, T, n), dt), np.empty((B, T, n), dt), np.empty((B, T, 4, n), dt)
        bad = np.empty(X.shape[0], np.int64)
        args = (*self._transposed(), self.b_ih + self.b_hh, self.peephole, self.variant == "CIFG", X, h0, c0, H, C,
                G, bad)
        strided(_lstm_fwd_blocks, -(-B // SEQ_BLOCK), *args)
        _check_finite(bad, H)
        return Run(_time_first(H), _time_first(C), _time_first(G))

    def _map_parts(self):
        if self.dtype != np.float64:
            return self._float64()._map_parts()
        return [float(self.variant == "CIFG")], [*self._transposed(), self.b_ih + self.b_hh, self.peephole]

    def _step(self, x, h, c):
        if self.dtype != np.float64:
            return self._float64()._step(x, h, c)
        n = self.n_hidden
        H, C, bad = np.empty((1, 1, n)), np.empty((1, 1, n)), np.empty(1, np.int64)
        _lstm_fwd(*self._transposed(), self.b_ih + self.b_hh, self.peephole, self.variant == "CIFG", x[None, None],
                  h[None], c[None], H, C, np.empty((1, 1, 4, n)), bad)
        return H[:, 0], C[:, 0], bad[0]

    def _stepper_parts(self):
        if self.dtype != np.float64:
            return self._float64()._stepper_parts()
        W_ihT, W_hhT = self._transposed()
        G = np.zeros((4, self.n_hidden))
        return (_lstm_stepper, (W_ihT, W_hhT, self.b_ih + self.b_hh, self.peephole.copy()), G,
                np.empty((2, W_hhT.shape[1])), G)

    def _backward(self, X, h0, c0, run, dH, dC):
        B, dt = X.shape[0], self.dtype
        X, h0, c0 = (a.astype(dt, copy=False) for a in (X, h0, c0))  # dH, dC come in dt (_grad_in)
        gih, ghh, gb, gp = self._buffers(-(-B // SEQ_BLOCK), ("W_ih", "W_hh", "b_ih", "peephole"))
        dx, dh0, dc0 = np.zeros(X.shape, dt), np.zeros((B, self.n_hidden), dt), np.zeros((B, self.n_hidden), dt)
        args = (np.ascontiguousarray(self.W_ih.T), np.ascontiguousarray(self.W_hh), self.peephole,
                self.variant == "CIFG", X, h0, c0, _batch_first(run.h), _batch_first(run.c), _batch_first(run.gates),
                dH, dC, gih, ghh, gb, gp, dx, dh0, dc0)
        strided(_lstm_bwd_blocks, gih.shape[0], *args)
        gb = gb.sum(0)
        g = {"W_ih": gih.sum(0), "W_hh": ghh.sum(0), "b_ih": gb, "b_hh": gb.copy()}
        if self.variant != "NP":
            g["peephole"] = gp.sum(0)
            if self.variant == "CIFG":
                g["peephole"][1] = 0.0  # no forget gate to look into
        g.update(x=dx, h0=dh0, c0=dc0)
        return g

    def rtrl(self, x, dh, h0=None, c0=None, dc=None):
        """Parameter gradients by real-time recurrent learning (sensitivities of
        ``h`` and ``c`` carried forward), for every variant; same arguments and
        weight gradients as :meth:`gradients` (Williams and Zipser 1989).
        Computed in float64 whatever the cell's dtype."""
        if self.dtype != np.float64:
            return self._float64().rtrl(x, dh, h0, c0, dc)
        X, h0, c0 = self._inputs(x, h0, c0)
        B, T = X.shape[:2]
        n = self.n_hidden
        dH, dC = self._grad_in("dh", dh, (T, B, n)), self._grad_in("dc", dc, (T, B, n))
        size = self.W_ih.size + self.W_hh.size + self.b_ih.size
        g = np.zeros((min(B, GRAD_BUFFERS), size + 3 * n))
        strided(_lstm_rtrl_batch, g.shape[0], self.W_ih, self.W_hh, self.b_ih + self.b_hh, self.peephole,
                self.variant == "CIFG", X, h0, c0, dH, dC, g)
        g = g.sum(0)
        out = _unflatten(self, g)
        if self.variant != "NP":
            out["peephole"] = g[size:].reshape(3, n)
            if self.variant == "CIFG":
                out["peephole"][1] = 0.0
        return out

    def _jacobian(self, x, h, c):
        if self.dtype != np.float64:
            return self._float64()._jacobian(x, h, c)
        n = self.n_hidden
        a = self.W_ih @ x + self.b_ih + self.W_hh @ h + self.b_hh
        W, p = self.W_hh, self.peephole
        sig = lambda v: 1.0 / (1.0 + np.exp(-v))
        i = sig(a[:n] + p[0] * c)
        di = (i * (1 - i))[:, None] * np.hstack([W[:n], np.diag(p[0])])  # d a_i / d[h; c]
        if self.variant == "CIFG":
            g = np.tanh(a[n:2 * n])
            dg = (1 - g**2)[:, None] * np.hstack([W[n:2 * n], np.zeros((n, n))])
            f = 1.0 - i
            df = -di
            Wo = W[2 * n:]
            ao = a[2 * n:]
        else:
            f = sig(a[n:2 * n] + p[1] * c)
            df = (f * (1 - f))[:, None] * np.hstack([W[n:2 * n], np.diag(p[1])])
            g = np.tanh(a[2 * n:3 * n])
            dg = (1 - g**2)[:, None] * np.hstack([W[2 * n:3 * n], np.zeros((n, n))])
            Wo = W[3 * n:]
            ao = a[3 * n:]
        c_new = f * c + i * g
        dc = c[:, None] * df + np.hstack([np.zeros((n, n)), np.diag(f)]) + g[:, None] * di + i[:, None] * dg
        o = sig(ao + p[2] * c_new)
        do = (o * (1 - o))[:, None] * (np.hstack([Wo, np.zeros((n, n))]) + p[2][:, None] * dc)
        tc = np.tanh(c_new)
        dh = tc[:, None] * do + (o * (1 - tc**2))[:, None] * dc
        return np.vstack([dh, dc])
