"""Jordan network: the context is the previous output::

    u_t = tanh(W_ih x_t + W_hy y_{t-1} + b)
    y_t = W_out u_t + b_out

The state that recurs is the output ``y`` (O units); the hidden layer ``u``
(U units) is reported as the gates. Jordan's context units also decayed
(``s_t = mu s_{t-1} + y_{t-1}``); here ``mu = 0``.

References
----------
.. [1] M. I. Jordan, "Serial order: a parallel distributed processing approach",
       ICS Report 8604, UC San Diego, 1986.
"""

import numpy as np
from numba import njit

from ..._math import tanh
from ..._simd import matvec_t
from ..._threads import strided
from ..._validate import as_float_array, as_rng, as_scalar
from ...config import JIT, JIT_NO_RC
from ._base import (
    Run,
    _add,
    _affine,
    _batch_first,
    _Cell,
    _check_finite,
    _finite,
    _keep_next,
    _matvec_add,
    _outer_add,
    _t_matvec_add,
    _time_first,
)


@njit(cache=True, inline="always", **JIT)
def _jordan_cell(W_ihT, W_hyT, b, W_out, b_out, xt, yp, y, u, a, ax):
    """One update: hidden units ``u = tanh(W_ih xt + W_hy yp + b)`` (``W_ih``,
    ``W_hy`` given transposed) and the output ``y = W_out u + b_out``; ``a``,
    ``ax`` (H,) are scratch."""
    matvec_t(W_ihT, xt, b, ax)
    matvec_t(W_hyT, yp, ax, a)
    for k in range(a.size):
        u[k] = tanh(a[k])
    _affine(W_out, u, b_out, y)


@njit(cache=True, **JIT)
def _jordan_fwd(W_ihT, W_hyT, b, W_out, b_out, x, y0, Y, U):
    a = np.empty(b.size)
    ax = np.empty(b.size)
    yp = y0
    for t in range(x.shape[0]):
        _jordan_cell(W_ihT, W_hyT, b, W_out, b_out, x[t], yp, Y[t], U[t, 0], a, ax)
        yp = Y[t]
        if not _finite(Y[t]):
            return t
    return -1


@njit(cache=True, **JIT_NO_RC)
def _jordan_stepper(W_ihT, W_hyT, b, W_out, b_out, S, G, A, x):
    """:class:`~._base.Stepper`'s step (``S``: the output and the next one; ``G``
    (1, H): the hidden units; ``A`` (2, H) is scratch); returns -1, 0 (the next
    state is not finite) or -2 (wrong size of x)."""
    if x.size != W_ihT.shape[0]:
        return -2
    _jordan_cell(W_ihT, W_hyT, b, W_out, b_out, x, S[0], S[1], G[0], A[0], A[1])
    return _keep_next(S)


@njit(cache=True, nogil=True, **JIT)
def _jordan_fwd_batch(first, stride, W_ihT, W_hyT, b, W_out, b_out, x, y0, Y, U, bad):
    """Sequences ``first, first + stride, ...``; one task of :func:`dynnets._threads.strided`."""
    for s in range(first, x.shape[0], stride):
        bad[s] = _jordan_fwd(W_ihT, W_hyT, b, W_out, b_out, x[s], y0[s], Y[s], U[s])


@njit(cache=True, **JIT)
def _jordan_bwd(W_ihT, W_hyT, W_out, x, y0, Y, U, dY, gW_ih, gW_hy, gb, gW_out, gb_out, dx, dy0):
    dy = np.zeros(y0.size)
    du = np.empty(U.shape[2])
    for t in range(x.shape[0] - 1, -1, -1):
        yp = Y[t - 1] if t > 0 else y0
        u = U[t, 0]
        _add(dy, dY[t])
        _outer_add(gW_out, dy, u)
        _add(gb_out, dy)
        du[:] = 0.0
        _t_matvec_add(W_out, dy, du)
        for k in range(du.size):
            du[k] *= 1.0 - u[k] * u[k]
        # dy has few entries (the outputs): row dots of W_hy^T
        _outer_add(gW_ih, du, x[t])
        _outer_add(gW_hy, du, yp)
        _add(gb, du)
        dy[:] = 0.0
        _matvec_add(W_hyT, du, dy)
        _matvec_add(W_ihT, du, dx[t])
    dy0[:] = dy


@njit(cache=True, nogil=True, **JIT)
def _jordan_bwd_batch(first, stride, W_ihT, W_hyT, W_out, x, y0, Y, U, dY, gW_ih, gW_hy, gb, gW_out, gb_out, dx, dy0):
    """Gradient buffers ``k = first, first + stride, ...`` of ``K``; buffer ``k`` sums
    sequences ``k, k + K, ...`` in order, whichever task runs it. One task of
    :func:`dynnets._threads.strided`."""
    K = gW_ih.shape[0]
    for k in range(first, K, stride):
        for s in range(k, x.shape[0], K):
            _jordan_bwd(W_ihT, W_hyT, W_out, x[s], y0[s], Y[s], U[s], dY[s], gW_ih[k], gW_hy[k], gb[k], gW_out[k],
                        gb_out[k], dx[s], dy0[s])


@njit(cache=True, **JIT)
def _jordan_map(y, params, out):
    """``params`` = [O, m, U, x, W_ih^T, W_hy^T, b, W_out, b_out]; the state is y."""
    O, m, U = int(params[0]), int(params[1]), int(params[2])
    o = 3 + m
    W_ihT = params[o:o + U * m].reshape(m, U)
    o += U * m
    W_hyT = params[o:o + U * O].reshape(O, U)
    o += U * O
    b = params[o:o + U]
    o += U
    W_out = params[o:o + O * U].reshape(O, U)
    Y = np.empty((1, O))
    _jordan_fwd(W_ihT, W_hyT, b, W_out, params[o + O * U:o + O * U + O], params[3:3 + m].reshape(1, m), y, Y,
                np.empty((1, 1, U)))
    out[:] = Y[0]


class Jordan(_Cell):
    """Jordan network (see the module for the equations).

    ``run`` returns the outputs ``y`` as ``h`` (T, B, O) and the hidden layer as
    ``gates`` (T, B, 1, U); ``h0`` is the initial output ``y_0``.

    Parameters
    ----------
    W_ih : array_like, shape (U, I)
    W_hy : array_like, shape (U, O)
        From the previous output into the hidden layer.
    b : array_like, shape (U,), optional
    W_out : array_like, shape (O, U)
    b_out : array_like, shape (O,), optional
    """

    PARAMS = ("W_ih", "W_hy", "b", "W_out", "b_out")
    _MAP_STEP = staticmethod(_jordan_map)

    def __init__(self, W_ih, W_hy, b=None, W_out=None, b_out=None):
        self.W_hy = as_float_array("W_hy", W_hy, ndim=2)
        U, O = self.W_hy.shape
        if U == 0 or O == 0:
            raise ValueError(f"W_hy must have shape (U, O) with U, O >= 1, got {self.W_hy.shape}")
        self.W_ih = as_float_array("W_ih", W_ih, shape=(U, None))
        if self.W_ih.shape[1] == 0:
            raise ValueError("W_ih must have at least one input column")
        self.b = np.zeros(U) if b is None else as_float_array("b", b, shape=(U,))
        self.W_out = as_float_array("W_out", W_out, shape=(O, U))
        self.b_out = np.zeros(O) if b_out is None else as_float_array("b_out", b_out, shape=(O,))

    n_hidden = property(lambda self: self.W_hy.shape[0])
    n_state = property(lambda self: self.W_hy.shape[1])
    n_outputs = n_state

    @staticmethod
    def _shapes(n_in, n, n_outputs=1):
        return {"W_ih": (n, n_in), "W_hy": (n, n_outputs), "b": (n,), "W_out": (n_outputs, n),
                "b_out": (n_outputs,)}

    @classmethod
    def random(cls, n_inputs, n_hidden, n_outputs=1, *, scale=None, seed=None):
        """Parameters uniform in ``[-s, s]``, ``s = 1 / sqrt(U)`` by default."""
        n_in = as_scalar("n_inputs", n_inputs, low=1, integer=True)
        n = as_scalar("n_hidden", n_hidden, low=1, integer=True)
        n_out = as_scalar("n_outputs", n_outputs, low=1, integer=True)
        s = 1.0 / np.sqrt(n) if scale is None else as_scalar("scale", scale, low=0.0)
        rng = as_rng(seed)
        return cls(**{k: rng.uniform(-s, s, shape) for k, shape in cls._shapes(n_in, n, n_out).items()})

    def __repr__(self):
        return f"Jordan(inputs={self.n_inputs}, hidden={self.n_hidden}, outputs={self.n_outputs})"

    def readout(self):
        """The identity as a fixed readout (the outputs are the state), for
        :func:`dynnets.train.bptt.train_bptt`."""
        from ...train.bptt import Readout
        return Readout.fixed(np.eye(self.n_outputs))

    def _forward(self, X, h0, c0):
        B, T = X.shape[:2]
        Y, U = np.empty((B, T, self.n_outputs)), np.empty((B, T, 1, self.n_hidden))
        bad = np.empty(X.shape[0], np.int64)
        strided(_jordan_fwd_batch, B, *self._transposed(), self.b, self.W_out, self.b_out, X, h0, Y, U, bad)
        _check_finite(bad, Y)
        return Run(_time_first(Y), None, _time_first(U))

    def _map_parts(self):
        return [float(self.n_hidden)], [*self._transposed(), self.b, self.W_out, self.b_out]

    def _transposed(self):
        """``W_ih^T`` and ``W_hy^T``, C-contiguous."""
        return np.array(self.W_ih.T, order="C"), np.array(self.W_hy.T, order="C")

    def _stepper_parts(self):
        params = (*self._transposed(), *(np.array(getattr(self, p), np.float64, order="C")
                                         for p in ("b", "W_out", "b_out")))
        G = np.zeros((1, self.n_hidden))  # the hidden units, as Run.gates
        return _jordan_stepper, params, G, np.empty((2, self.n_hidden)), G

    def _step(self, x, h, c):
        Y = np.empty((1, self.n_outputs))
        bad = _jordan_fwd(*self._transposed(), self.b, self.W_out, self.b_out, x[None], h, Y,
                          np.empty((1, 1, self.n_hidden)))
        return Y, bad

    def _backward(self, X, h0, c0, run, dH, dC):
        B = X.shape[0]
        bufs = self._buffers(B)
        dx, dy0 = np.zeros(X.shape), np.zeros((B, self.n_outputs))
        strided(_jordan_bwd_batch, bufs[0].shape[0], *self._transposed(), self.W_out, X, h0,
                _batch_first(run.h), _batch_first(run.gates), dH, *bufs, dx, dy0)
        g = {p: a.sum(0) for p, a in zip(self.PARAMS, bufs)}
        g.update(x=dx, h0=dy0)
        return g

    def _jacobian(self, x, h):
        u = np.tanh(self.W_ih @ x + self.W_hy @ h + self.b)
        return self.W_out @ ((1 - u**2)[:, None] * self.W_hy)
