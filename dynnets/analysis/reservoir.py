"""Reservoir analysis: short-term memory capacity, the echo state property and
the largest Lyapunov exponent.

Memory capacity (Jaeger 2001): drive the reservoir with i.i.d. input ``u(t)``,
train one linear readout per delay k to output ``u(t - k)``, and sum the squared
correlations on held-out data::

    MC_k = cov(u(t - k), y_k(t))^2 / (var(u) var(y_k)),      MC = sum_k MC_k

``MC <= N`` for N units; a linear reservoir with an orthogonal (or any normal,
suitably scaled) ``W`` comes close to N (Jaeger 2001; White, Lee and Sompolinsky
2004), nonlinearity trades memory for computation.

Echo state property, checked empirically: two copies started from different
states and driven by the same input must converge (Jaeger 2001, Definition 1;
Yildiz, Jaeger and Kiebel 2012).

Largest Lyapunov exponent of the driven reservoir: a tangent vector ``v`` is
carried along the input-driven trajectory by the update's Jacobian,
``v <- (1 - a) v + a f'(pre) (W v + W_fb coef^T v)`` (the last term in the
closed loop, when the readout ``z = coef^T x`` is fed back), and renormalised
each step; ``lambda = mean log |v(t)| / |v(t-1)|`` per step. Negative means
the reservoir forgets its initial state (the echo state regime), positive
means chaos (Sussillo and Abbott's untrained networks with ``g > 1``).

References
----------
.. [1] H. Jaeger, "Short term memory in echo state networks", GMD Report 152, 2001.
.. [2] O. L. White, D. D. Lee, H. Sompolinsky, "Short-term memory in orthogonal
       neural networks", PRL 92, 148102, 2004.
.. [3] I. B. Yildiz, H. Jaeger, S. J. Kiebel, "Re-visiting the echo state
       property", Neural Networks 35, 1-9, 2012.
.. [4] G. Benettin, L. Galgani, A. Giorgilli, J.-M. Strelcyn, Meccanica 15, 1980.
.. [5] D. Verstraeten, B. Schrauwen, "On the quantification of dynamics in
       reservoir computing", ICANN 2009, LNCS 5768, 985-994.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .._math import tanh
from .._repr import array_repr
from .._validate import as_float_array, as_rng, as_scalar
from ..config import JIT
from ..models.reservoir import SELL_C, Reservoir, _recurrent, _step, _to_slots
from ..train.ridge import Ridge


@dataclass(frozen=True)
class MemoryCapacity:
    """``mc[k - 1]`` is ``MC_k`` for delays ``k = 1 .. max_delay``; ``total`` their sum.

    Attributes
    ----------
    mc : ndarray, shape (max_delay,)
    total : float
    n_units : int
        N, the bound on ``total``.
    """

    __repr__ = array_repr

    mc: np.ndarray
    total: float
    n_units: int

    def plot(self, ax=None, **kwargs):
        """The forgetting curve MC_k against k; returns the Axes."""
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        k = np.arange(1, self.mc.size + 1)
        ax.plot(k, self.mc, **kwargs)
        ax.set_xlabel("delay k (steps)")
        ax.set_ylabel("MC_k")
        ax.set_title(f"MC = {self.total:.1f} (N = {self.n_units})")
        return ax


def _check_reservoir(reservoir):
    if not isinstance(reservoir, Reservoir):
        raise TypeError(f"reservoir must be a Reservoir, got {type(reservoir).__name__}")


def memory_capacity(reservoir, max_delay=None, *, n_train=5000, n_test=2000, washout=200, ridge=1e-10,
                    seed=None):
    """Jaeger's short-term memory capacity of a one-input reservoir.

    Parameters
    ----------
    reservoir : Reservoir
        With one input.
    max_delay : int, optional
        Largest delay k (default ``2 N``).
    n_train, n_test, washout : int
        Steps for fitting the readouts, for measuring, and discarded first.
    ridge : float
        Regularisation of the readouts (on the states only, no input term).
    seed : int or numpy.random.Generator, optional
        For the input ``u ~ U[-1, 1]``.

    Returns
    -------
    MemoryCapacity
    """
    _check_reservoir(reservoir)
    if not isinstance(reservoir, Reservoir):
        raise TypeError(f"reservoir must be a Reservoir, got {type(reservoir).__name__}")
    if reservoir.n_inputs != 1:
        raise ValueError(f"memory capacity needs a one-input reservoir, got {reservoir.n_inputs} inputs")
    N = reservoir.n_units
    K = as_scalar("max_delay", 2 * N if max_delay is None else max_delay, low=1, integer=True)
    n_train = as_scalar("n_train", n_train, low=1, integer=True)
    n_test = as_scalar("n_test", n_test, low=2, integer=True)
    washout = as_scalar("washout", washout, low=0, integer=True)
    start = washout + K
    total = start + n_train + n_test
    u = as_rng(seed).uniform(-1.0, 1.0, total)
    X = reservoir.run(u[:, None])
    # targets: column k-1 holds u(t - k)
    idx = np.arange(start, total)
    Y = u[idx[:, None] - np.arange(1, K + 1)[None, :]]
    tr, te = slice(0, n_train), slice(n_train, None)
    readout = Ridge(ridge).fit(X[idx[tr]], Y[tr])
    P = readout.predict(X[idx[te]])
    Yt = Y[te]
    Pc, Yc = P - P.mean(0), Yt - Yt.mean(0)
    cov = np.einsum("ij,ij->j", Pc, Yc)
    denom = np.einsum("ij,ij->j", Pc, Pc) * np.einsum("ij,ij->j", Yc, Yc)
    mc = np.where(denom > 0, cov**2 / np.where(denom > 0, denom, 1.0), 0.0)
    return MemoryCapacity(mc, float(mc.sum()), N)


def echo_state_distance(reservoir, u, x0_a=None, x0_b=None, *, seed=None):
    """Distance between two copies of the reservoir driven by the same input.

    Parameters
    ----------
    reservoir : Reservoir
    u : array_like, shape (T, m)
    x0_a, x0_b : array_like, shape (N,), optional
        Initial states (default: two random states in [-1, 1]^N from ``seed``).

    Returns
    -------
    d : ndarray, shape (T,)
        ``||x_a(t) - x_b(t)||``; with the echo state property it goes to zero.
    """
    _check_reservoir(reservoir)
    N = reservoir.n_units
    rng = as_rng(seed)
    a = rng.uniform(-1, 1, N) if x0_a is None else as_float_array("x0_a", x0_a, shape=(N,))
    b = rng.uniform(-1, 1, N) if x0_b is None else as_float_array("x0_b", x0_b, shape=(N,))
    u = as_float_array("u", u, ndim=(1, 2))
    u = u[:, None] if u.ndim == 1 else u
    X = reservoir.run(np.stack([u, u], axis=1), np.stack([a, b]))
    return np.linalg.norm(X[:, 0] - X[:, 1], axis=1)


@njit(cache=True, **JIT)
def _lyapunov_item(val, col, coff, clen, units, bchunks, W_inT, bias, leak, W_fbT, linear, blocks, b, u, x0, v0,
                   washout, coef):
    """Mean log growth per step of a tangent vector of block b along the run
    driven by ``u`` (T, m) from ``x0``; ``coef`` (n_slots, k), rows in the
    kernels' slot order, closes the loop through ``W_fb`` (an empty array for
    none)."""
    c0, c1 = bchunks[b], bchunks[b + 1]
    s0, s1 = c0 * SELL_C, c1 * SELL_C
    n = s1 - s0
    units = units[s0:s0 + blocks[b + 1] - blocks[b]]
    closed = coef.shape[0] > 0
    k = W_fbT.shape[0]
    x = _to_slots(x0, units, n)
    v = _to_slots(v0 / np.sqrt(np.sum(v0 * v0)), units, n)
    pre = np.empty(n)
    tv = np.empty(n)
    fb = np.zeros((1, k))
    total = 0.0
    for t in range(u.shape[0]):
        tv[:] = 0.0
        _recurrent(val, col, coff, clen, c0, c1, v, tv)
        if closed:
            for o in range(k):
                z = 0.0
                s = 0.0
                for i in range(n):
                    z += coef[i, o] * x[i]
                    s += coef[i, o] * v[i]
                fb[0, o] = z
                for i in range(n):
                    tv[i] += W_fbT[o, s0 + i] * s
        _step(val, col, coff, clen, c0, c1, W_inT, bias, leak, W_fbT, linear, s0, x, u[t:t + 1], fb, 0, pre)
        norm2 = 0.0
        for i in range(n):
            a = leak[s0 + i]
            d = 1.0
            if not linear:
                h = tanh(pre[i])
                d = 1.0 - h * h
            v[i] = (1.0 - a) * v[i] + a * d * tv[i]
            norm2 += v[i] * v[i]
        norm = np.sqrt(norm2)
        if not (norm > 0.0 and norm < np.inf):
            return np.nan
        for i in range(n):
            v[i] /= norm
        if t >= washout:
            total += np.log(norm)
    return total / (u.shape[0] - washout)


@njit(parallel=True, **JIT)
def _lyapunov_items(val, col, coff, clen, units, bchunks, W_inT, bias, leak, W_fbT, linear, blocks, U, X0, v0,
                    washout, coef, out):
    """``out[b, s]`` for every (block, sequence) pair; ``U`` is (S, T, m)."""
    nb, ns = out.shape
    for item in prange(nb * ns):
        b = item // ns
        s = item % ns
        r0, r1 = blocks[b], blocks[b + 1]
        out[b, s] = _lyapunov_item(val, col, coff, clen, units, bchunks, W_inT, bias, leak, W_fbT, linear, blocks,
                                   b, U[s], X0[s, r0:r1], v0[r0:r1], washout, coef)


def reservoir_lyapunov(reservoir, u, *, x0=None, washout=100, coef=None, seed=None):
    """Largest Lyapunov exponent of a reservoir driven by an input.

    Parameters
    ----------
    reservoir : Reservoir
        One reservoir, or a stack (:meth:`Reservoir.stack`): one exponent per block.
    u : array_like, shape (T, m) or (T,) or (T, S, m)
        Driving input(s), time first; use zeros for the autonomous reservoir.
    x0 : array_like, shape (N,) or (S, N), optional
        Initial state (zero by default).
    washout : int
        Steps run before averaging (the state and the tangent vector settle).
    coef : array_like, shape (N, k), optional
        A readout ``z = coef^T x`` fed back through ``W_fb`` (the closed loop of a
        FORCE-trained network); without it the feedback is zero.
    seed : int or Generator, optional
        For the initial tangent vector.

    Returns
    -------
    float, or ndarray of shape (n_blocks, S)
        Exponent per step (divide by the step's duration for a rate); a float
        for one reservoir and one sequence.

    References
    ----------
    .. [1] G. Benettin et al., Meccanica 15, 1980.
    .. [2] D. Verstraeten, B. Schrauwen, ICANN 2009, LNCS 5768, 985-994.
    """
    _check_reservoir(reservoir)
    if not isinstance(reservoir, Reservoir):
        raise TypeError(f"reservoir must be a Reservoir, got {type(reservoir).__name__}")
    N = reservoir.n_units
    U = as_float_array("u", u, ndim=(1, 2, 3))
    if U.size == 0:
        raise ValueError(f"u must hold at least one step, got shape {U.shape}")
    U = U.reshape(len(U), 1, -1) if U.ndim < 3 else U
    T, S, m = U.shape
    if m != reservoir.n_inputs:
        raise ValueError(f"u must have {reservoir.n_inputs} inputs per step, got shape {np.shape(u)}")
    washout = as_scalar("washout", washout, low=0, integer=True)
    if T <= washout:
        raise ValueError(f"u has {T} steps, not more than washout={washout}")
    X0 = np.zeros((S, N)) if x0 is None else as_float_array("x0", x0, ndim=(1, 2))
    X0 = np.ascontiguousarray(np.broadcast_to(X0, (S, N))) if X0.shape in ((N,), (S, N)) else None
    if X0 is None:
        raise ValueError(f"x0 must have shape ({N},) or ({S}, {N}), got {np.shape(x0)}")
    if coef is None:
        C = np.zeros((0, max(reservoir.n_feedback, 1)))
    else:
        if reservoir.n_feedback == 0:
            raise ValueError("coef closes the loop through W_fb, but the reservoir has none")
        if reservoir.n_blocks != 1:
            raise ValueError("coef (a closed loop) needs a single reservoir, not a stack")
        C = reservoir._to_slots(as_float_array("coef", coef, shape=(N, reservoir.n_feedback)).T).T.copy()
    v0 = as_rng(seed).standard_normal(N)
    out = np.empty((reservoir.n_blocks, S))
    _lyapunov_items(*reservoir._kernel_args(), np.ascontiguousarray(U.transpose(1, 0, 2)), X0, v0, washout, C, out)
    if not np.all(np.isfinite(out)):
        b, s = np.argwhere(~np.isfinite(out))[0]
        raise FloatingPointError(f"the tangent vector of block {b}, sequence {s} vanished or overflowed")
    return float(out[0, 0]) if out.size == 1 else out
