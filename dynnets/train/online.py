"""Online readouts: recursive least squares, and FORCE learning in the closed loop.

Recursive least squares (RLS) updates a linear readout ``y = W^T x`` one sample
at a time. With the inverse correlation estimate ``P`` (``P(0) = I / alpha``) and
a forgetting factor ``lam`` in (0, 1], each sample ``(x, y)`` does::

    k = P x,   c = 1 / (lam + x^T k),   e = W^T x - y      (a-priori error)
    W <- W - c k e^T,   P <- (P - c k k^T) / lam

Started from ``W = 0`` this is exact ridge regression: after samples
``x_1 .. x_n``, ``W = (lam^n alpha I + sum_i lam^(n-i) x_i x_i^T)^-1
sum_i lam^(n-i) x_i y_i^T`` (with ``lam = 1``, the ridge solution with
``ridge = alpha``), which the tests check.

FORCE learning (Sussillo and Abbott 2009) runs RLS while the readout's own
output ``z`` is fed back into a chaotic reservoir through ``W_fb``: the error is
kept small from the first step, so the feedback loop never sees a wrong signal,
and the network's chaos is tamed into the target pattern. The reservoir here is
a :class:`Reservoir` with output feedback; with leak ``a = dt / tau`` and
spectral radius ``g`` it is the leaky rate form of their network,
``tau dr/dt = -r + tanh(W r + W_fb z + W_in u + b)``, ``z = w^T r``.

References
----------
.. [1] S. Haykin, "Adaptive Filter Theory", 4th ed., Prentice Hall, 2002, ch. 9.
.. [2] D. Sussillo, L. F. Abbott, "Generating coherent patterns of activity from
       chaotic neural networks", Neuron 63(4), 544-557, 2009.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit
from tqdm.auto import tqdm

from .._validate import as_bool, as_float_array, as_rng, as_scalar
from ..config import JIT
from ..errors import DivergenceError
from ..models.reservoir import Reservoir, _step, _to_slots, _to_units
from .ridge import _as_xy


@njit(cache=True, **JIT)
def _rls_update(P, W, x, y, lam, k):
    """One RLS step in place for features ``x`` (d,) and target ``y`` (o,);
    returns the a-priori error norm squared. ``k`` is workspace (d,)."""
    d = x.size
    xPx = 0.0
    for i in range(d):
        a = 0.0
        for j in range(d):
            a += P[i, j] * x[j]
        k[i] = a
        xPx += x[i] * a
    c = 1.0 / (lam + xPx)
    err2 = 0.0
    for o in range(W.shape[1]):
        e = -y[o]
        for i in range(d):
            e += W[i, o] * x[i]
        err2 += e * e
        ce = c * e
        for i in range(d):
            W[i, o] -= ce * k[i]
    inv = 1.0 / lam
    for i in range(d):
        cki = c * k[i]
        for j in range(d):
            P[i, j] = (P[i, j] - cki * k[j]) * inv
    return err2


@njit(cache=True, **JIT)
def _rls_many(P, W, X, Y, lam, err2):
    """RLS over the rows of ``X`` (n, d) and ``Y`` (n, o); ``err2[t]`` is the
    squared a-priori error norm of sample t."""
    k = np.empty(X.shape[1])
    for t in range(X.shape[0]):
        err2[t] = _rls_update(P, W, X[t], Y[t], lam, k)


class RLS:
    """Recursive least-squares readout.

    Parameters
    ----------
    alpha : float
        Initial regularisation, ``P(0) = I / alpha`` (> 0): the ridge parameter
        the fit equals when ``forgetting = 1``.
    forgetting : float
        ``lam`` in (0, 1]: older samples weigh ``lam^age``.
    fit_intercept : bool
        Append a constant feature 1 (its weight is regularised like the others).

    Attributes
    ----------
    coef_ : ndarray, shape (d, o)
    intercept_ : ndarray, shape (o,)
    P_ : ndarray, shape (d', d')
        Inverse correlation estimate (d' = d + 1 with the intercept).
    errors_ : ndarray, shape (n,)
        A-priori error norms of the samples seen in the last ``partial_fit``.
    n_samples_ : int
    """

    def __init__(self, alpha=1.0, *, forgetting=1.0, fit_intercept=True):
        self.alpha = as_scalar("alpha", alpha, low=0.0, low_open=True)
        self.forgetting = as_scalar("forgetting", forgetting, low=0.0, high=1.0, low_open=True)
        self.fit_intercept = as_bool("fit_intercept", fit_intercept)
        self.P_ = self._W = None
        self.n_samples_ = 0

    def __repr__(self):
        return (f"RLS(alpha={self.alpha}, forgetting={self.forgetting}, fit_intercept={self.fit_intercept}, "
                f"n_samples={self.n_samples_})")

    def partial_fit(self, X, Y):
        """Update with the samples ``X`` (n, d) and targets ``Y`` (n, o) in order."""
        X, Y = _as_xy(X, Y)
        if self.fit_intercept:
            X = np.hstack([X, np.ones((len(X), 1))])
        if self.P_ is None:
            self.P_ = np.eye(X.shape[1]) / self.alpha
            self._W = np.zeros((X.shape[1], Y.shape[1]))
        elif X.shape[1] != self.P_.shape[0] or Y.shape[1] != self._W.shape[1]:
            raise ValueError(f"X and Y must keep the shapes of the first call: {self.P_.shape[0] - self.fit_intercept} "
                             f"features and {self._W.shape[1]} outputs, got {X.shape} and {Y.shape}")
        err2 = np.empty(len(X))
        _rls_many(self.P_, self._W, X, Y, self.forgetting, err2)
        if not (np.all(np.isfinite(self._W)) and np.all(np.isfinite(self.P_))):
            raise FloatingPointError("RLS diverged (non-finite weights); increase alpha or the forgetting factor")
        self.errors_ = np.sqrt(err2)
        self.n_samples_ += len(X)
        return self

    def fit(self, X, Y):
        """Forget everything, then :meth:`partial_fit`."""
        self.P_ = self._W = None
        self.n_samples_ = 0
        return self.partial_fit(X, Y)

    @property
    def coef_(self):
        if self._W is None:
            raise RuntimeError("RLS is not fitted yet: call fit or partial_fit")
        return self._W[:-1] if self.fit_intercept else self._W

    @property
    def intercept_(self):
        self.coef_  # noqa: B018 (raises when not fitted)
        return self._W[-1] if self.fit_intercept else np.zeros(self._W.shape[1])

    def predict(self, X):
        """Outputs ``X coef + intercept``, shape (n, o)."""
        X = as_float_array("X", X, ndim=(1, 2))
        X = X[:, None] if X.ndim == 1 else X
        if X.shape[1] != self.coef_.shape[0]:
            raise ValueError(f"X must have {self.coef_.shape[0]} features, got {X.shape[1]}")
        return X @ self.coef_ + self.intercept_


# ----------------------------------------------------------------------------
# FORCE
# ----------------------------------------------------------------------------


@njit(cache=True, **JIT)
def _force(val, col, coff, clen, units, bchunks, W_inT, bias, leak, W_fbT, linear, blocks, u, target, t0,
           learn_every, learn_until, P, w, x, z, Z, dW):
    """FORCE over steps ``t0 .. t0 + len(u)``: reservoir step with feedback
    ``z`` (the readout's last output), ``z = w^T x``, and an RLS step on the
    a-priori error every ``learn_every`` steps (global step count) before
    ``learn_until``. Writes ``Z[t]`` (output before the update) and ``dW[t]``
    (norm of the weight change, 0 when not learning); ``x``, ``z``, ``w``, ``P``
    are updated in place."""
    n = x.size
    units = units[:n]
    xs = _to_slots(x, units, bias.size)  # the kernels' order of the units
    pre = np.empty(bias.size)
    k = np.empty(n)
    fb = np.empty((1, z.size))
    for t in range(u.shape[0]):
        fb[0, :] = z
        _step(val, col, coff, clen, 0, clen.size, W_inT, bias, leak, W_fbT, linear, 0, xs, u[t:t + 1], fb, 0, pre)
        _to_units(xs, units, x)
        for o in range(z.size):
            a = 0.0
            for i in range(n):
                a += w[i, o] * x[i]
            z[o] = a
        Z[t] = z
        dW[t] = 0.0
        step = t0 + t + 1
        if step % learn_every == 0 and step <= learn_until:
            err2 = _rls_update(P, w, x, target[t], 1.0, k)
            # |dw| = c |e| |k|, with c = 1 / (1 + x^T k)
            xk = 0.0
            kk = 0.0
            for i in range(n):
                xk += x[i] * k[i]
                kk += k[i] * k[i]
            dW[t] = np.sqrt(err2 * kk) / (1.0 + xk)
        if not np.isfinite(z[0]):
            return t
    return -1


@dataclass
class ForceResult:
    """Outcome of :func:`force`.

    Attributes
    ----------
    coef : ndarray, shape (N, k)
        Trained readout weights (``z = coef^T x``; no intercept).
    z : ndarray, shape (T, k)
        Readout output at every step (before that step's weight update).
    target : ndarray, shape (T, k)
    dw : ndarray, shape (T,)
        Norm of the weight change at each step (0 on steps without learning).
    state : ndarray, shape (N,)
        Reservoir state after the last step.
    P : ndarray, shape (N, N)
        Final inverse correlation estimate (to continue training).
    """

    coef: np.ndarray
    z: np.ndarray
    target: np.ndarray
    dw: np.ndarray
    state: np.ndarray
    P: np.ndarray

    def plot(self, ax=None, dt=1.0):
        """Output against target over time; returns the Axes."""
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        t = np.arange(len(self.z)) * dt
        ax.plot(t, self.target[:, 0], color="0.6", lw=2, label="target f")
        ax.plot(t, self.z[:, 0], color="C3", lw=1, label="output z")
        ax.set(xlabel="time", ylabel="output")
        ax.legend(loc="upper right")
        return ax


def force(reservoir, target, *, u=None, alpha=1.0, learn_every=2, learn_steps=None, x0=None, z0=None,
          P0=None, coef0=None, seed=None, progress=True, chunk=2000):
    """Train a readout by FORCE learning with the output fed back.

    Parameters
    ----------
    reservoir : Reservoir
        One reservoir with output feedback ``W_fb`` (N, k); chaotic (spectral
        radius above 1) in the classic setting.
    target : array_like, shape (T, k) or (T,)
        Target output ``f(t)`` at every step.
    u : array_like, shape (T, m), optional
        External inputs (zero by default).
    alpha : float
        ``P(0) = I / alpha``: the learning rate (Sussillo and Abbott use 1 to 100).
    learn_every : int
        Steps between RLS updates (2 in the paper).
    learn_steps : int, optional
        Learn only during the first ``learn_steps`` steps (default: all); the
        rest of the run then tests the trained network in the closed loop.
    x0 : array_like, shape (N,), optional
        Initial state; by default uniform in [-0.5, 0.5] from ``seed`` (a
        reservoir without input or bias started at zero would stay silent).
    z0 : array_like, shape (k,), optional
        Initial output fed back at the first step (zero by default).
    P0, coef0 : array_like, optional
        Continue an earlier training (``ForceResult.P`` and ``.coef``).
    seed : int or Generator, optional
        For the default initial state.
    progress : bool
        Show a progress bar.
    chunk : int
        Steps per compiled call between progress updates (does not change results).

    Returns
    -------
    ForceResult

    References
    ----------
    .. [1] D. Sussillo, L. F. Abbott, "Generating coherent patterns of activity
           from chaotic neural networks", Neuron 63(4), 544-557, 2009.
    """
    if not isinstance(reservoir, Reservoir):
        raise TypeError(f"reservoir must be a Reservoir, got {type(reservoir).__name__}")
    if reservoir.n_blocks != 1:
        raise ValueError("force trains one reservoir at a time, got a stack of blocks")
    N, k = reservoir.n_units, reservoir.n_feedback
    if k == 0:
        raise ValueError("FORCE feeds the output back: the reservoir needs W_fb (Reservoir.random(..., n_feedback=k))")
    f = as_float_array("target", target, ndim=(1, 2))
    f = f[:, None] if f.ndim == 1 else f
    T = f.shape[0]
    if f.shape[1] != k or T == 0:
        raise ValueError(f"target must have shape (T, {k}) with T >= 1 (W_fb takes {k} outputs), got {f.shape}")
    U = np.zeros((T, reservoir.n_inputs)) if u is None else reservoir._as_inputs(u, "u")
    if U.shape[0] != T:
        raise ValueError(f"u must have the target's {T} steps, got {U.shape[0]}")
    alpha = as_scalar("alpha", alpha, low=0.0, low_open=True)
    learn_every = as_scalar("learn_every", learn_every, low=1, integer=True)
    learn_steps = T if learn_steps is None else as_scalar("learn_steps", learn_steps, low=0, integer=True)
    chunk = as_scalar("chunk", chunk, low=1, integer=True)
    x = as_rng(seed).uniform(-0.5, 0.5, N) if x0 is None else as_float_array("x0", x0, shape=(N,), copy=True)
    z = np.zeros(k) if z0 is None else as_float_array("z0", z0, shape=(k,), copy=True)
    P = np.eye(N) / alpha if P0 is None else as_float_array("P0", P0, shape=(N, N), copy=True)
    w = np.zeros((N, k)) if coef0 is None else as_float_array("coef0", coef0, shape=(N, k), copy=True)
    Z = np.empty((T, k))
    dW = np.empty(T)
    args = reservoir._kernel_args()
    with tqdm(total=T, desc="FORCE", unit="step", disable=not as_bool("progress", progress)) as bar:
        for a in range(0, T, chunk):
            b = min(T, a + chunk)
            bad = _force(*args, U[a:b], f[a:b], a, learn_every, learn_steps, P, w, x, z, Z[a:b], dW[a:b])
            if bad < 0 and not np.all(np.isfinite(dW[a:b])):  # the update itself overflowed (P huge)
                bad = int(np.flatnonzero(~np.isfinite(dW[a:b]))[0])
            if bad >= 0:
                raise DivergenceError(a + bad, 0, None)
            bar.update(b - a)
    return ForceResult(w, Z, f, dW, x, P)
