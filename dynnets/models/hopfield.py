"""Hopfield networks: discrete (bipolar), continuous, and modern (dense) associative memories.

Discrete network (Hopfield 1982) of bipolar units ``s_i in {-1, +1}``::

    h_i = sum_j W_ij s_j - theta_i           local field
    s_i <- sign(h_i)                          (unchanged when h_i = 0)
    E(s) = -1/2 sum_ij W_ij s_i s_j + sum_i theta_i s_i

Under asynchronous updates (one unit at a time) ``E`` never increases when ``W``
is symmetric with a non-negative diagonal, so the network ends in a fixed point;
synchronous updates (all units at once) end in a fixed point or a 2-cycle (Goles
and Olivos 1980). Glauber dynamics at temperature ``T`` sets ``s_i = +1`` with
probability ``1 / (1 + exp(-2 h_i / T))``.

``W[i, j]`` is the weight from unit j to unit i (the rules below give symmetric
weights, so the orientation only matters for user-supplied asymmetric ones).

Learning rules for patterns ``xi^mu`` (rows of ``patterns``, shape (P, N)):

- Hebbian: ``W = (1/N) sum_mu xi^mu xi^mu^T`` with a zero diagonal; capacity
  ``alpha_c = P/N = 0.138`` (Amit, Gutfreund and Sompolinsky 1985).
- Storkey (1997): ``W <- W + (1/N)(xi_i xi_j - xi_i h_ji - h_ij xi_j)`` per pattern,
  with ``h_ij = sum_{k != i, j} W_ik xi_k``; zero diagonal.
- Pseudo-inverse / projection (Personnaz, Guyon and Dreyfus 1985):
  ``W = Xi^T (Xi Xi^T)^-1 Xi``, the projection on the patterns' span, so every
  pattern is a fixed point for any ``P < N`` linearly independent patterns. The
  diagonal is kept (removing it breaks that guarantee).

Continuous network (Hopfield 1984)::

    C_i du_i/dt = sum_j T_ij V_j - u_i / R_i + I_i,      V_j = g(u_j) = tanh(lambda u_j)
    E = -1/2 sum_ij T_ij V_i V_j - sum_i I_i V_i + sum_i (1/R_i) int_0^V_i g^-1(v) dv
    int_0^V g^-1 = (V artanh V + 1/2 log(1 - V^2)) / lambda

and ``dE/dt = -sum_i C_i g'(u_i) (du_i/dt)^2 <= 0`` for symmetric ``T``.

Modern Hopfield network (Ramsauer et al. 2021), patterns ``x^mu`` (rows of X)::

    xi <- X^T softmax(beta X xi)
    E(xi) = -lse(beta, X xi) + 1/2 xi.xi + log(P)/beta + 1/2 M^2,   M = max_mu |x^mu|

which retrieves exponentially many patterns in the dimension.

References
----------
.. [1] J. J. Hopfield, "Neural networks and physical systems with emergent
       collective computational abilities", PNAS 79, 2554-2558, 1982.
.. [2] J. J. Hopfield, "Neurons with graded response have collective computational
       properties like those of two-state neurons", PNAS 81, 3088-3092, 1984.
.. [3] D. J. Amit, H. Gutfreund, H. Sompolinsky, "Storing infinite numbers of
       patterns in a spin-glass model of neural networks", PRL 55, 1530, 1985.
.. [4] A. Storkey, "Increasing the capacity of a Hopfield network without
       sacrificing functionality", ICANN 1997, LNCS 1327, 451-456.
.. [5] L. Personnaz, I. Guyon, G. Dreyfus, "Information storage and retrieval in
       spin-glass like neural networks", J. Physique Lett. 46, L359-L365, 1985.
.. [6] E. Goles, J. Olivos, "Periodic behaviour of generalized threshold functions",
       Discrete Math. 30, 187-189, 1980.
.. [7] H. Ramsauer et al., "Hopfield networks is all you need", ICLR 2021.
"""

from dataclasses import dataclass

import numpy as np
import scipy.linalg
from numba import njit

from .._math import exp, sigmoid
from .._random import shuffle, stream_states, uniform
from .._repr import array_repr
from .._threads import strided
from .._validate import (
    as_choice,
    as_float_array,
    as_rng,
    as_scalar,
    check_seed,
    per_unit,
)
from ..config import JIT
from ..systems import System

# ----------------------------------------------------------------------------
# patterns
# ----------------------------------------------------------------------------


def as_bipolar(name, x, ndim=2, n=None, against=None):
    """``x`` as a float64 array of +-1 values, checked (shape ``(P, N)`` when
    ``ndim=2``); 0/1 data must be converted explicitly with :func:`to_bipolar`.
    ``against`` names the argument ``n`` comes from, for the message."""
    a = as_float_array(name, x, ndim=ndim)
    if a.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {a.shape}")
    if not np.all(np.abs(a) == 1.0):
        hint = " (for 0/1 data use dynnets.to_bipolar)" if np.all((a == 0) | (a == 1)) else ""
        raise ValueError(f"{name} must hold only -1 and +1{hint}")
    if n is not None and a.shape[-1] != n:
        source = f" (as {against} has)" if against else ""
        raise ValueError(f"{name} must have {n} units along its last axis{source}, got shape {a.shape}")
    return a


def to_bipolar(x):
    """Map 0/1 (or boolean) data to -1/+1.

    Parameters
    ----------
    x : array_like of 0/1 or bool, any shape

    Returns
    -------
    ndarray of float, same shape, +-1
    """
    a = x if isinstance(x, np.ndarray) and x.dtype == bool else as_float_array("x", x)
    if a.dtype != bool and not np.all((a == 0) | (a == 1)):
        raise ValueError("x must hold only 0 and 1 (or booleans)")
    return np.where(a.astype(bool), 1.0, -1.0)


def random_patterns(P, N, seed=None):
    """``P`` random bipolar patterns of ``N`` units, shape (P, N), each bit +-1
    with probability 1/2.

    Parameters
    ----------
    P, N : int
        Patterns and units.
    seed : int or numpy Generator, optional

    Returns
    -------
    ndarray, shape (P, N), +-1
    """
    P = int(as_scalar("P", P, low=1, integer=True))
    N = int(as_scalar("N", N, low=1, integer=True))
    rng = as_rng(seed)
    return np.where(rng.random((P, N)) < 0.5, -1.0, 1.0)


def flip_bits(patterns, fraction, seed=None):
    """Copies of ``patterns`` (shape (K, N)) with exactly ``round(fraction N)``
    randomly chosen bits of each row flipped.

    Parameters
    ----------
    patterns : array_like, shape (K, N), +-1
    fraction : float in [0, 1]
        Fraction of the bits of each row to flip.
    seed : int or numpy Generator, optional

    Returns
    -------
    ndarray, shape (K, N)
    """
    X = as_bipolar("patterns", patterns)
    fraction = as_scalar("fraction", fraction, low=0.0, high=1.0)
    rng = as_rng(seed)
    K, N = X.shape
    n_flip = round(fraction * N)
    out = X.copy()
    if n_flip:
        idx = np.argsort(rng.random((K, N)), axis=1)[:, :n_flip]
        np.put_along_axis(out, idx, -np.take_along_axis(out, idx, axis=1), axis=1)
    return out


def overlaps(states, patterns):
    """Overlaps ``m_mu = (1/N) xi^mu . s``: shape (K, P) for states (K, N) and
    patterns (P, N); a vector for one state.

    Parameters
    ----------
    states : array_like, shape (K, N) or (N,)
    patterns : array_like, shape (P, N), +-1

    Returns
    -------
    ndarray, shape (K, P) or (P,)
    """
    S = as_float_array("states", states, ndim=(1, 2))
    X = as_bipolar("patterns", patterns)
    if S.shape[-1] != X.shape[1]:
        raise ValueError(f"states have {S.shape[-1]} units but patterns have {X.shape[1]}")
    return S @ X.T / X.shape[1]


# ----------------------------------------------------------------------------
# learning rules
# ----------------------------------------------------------------------------


def hebbian(patterns):
    """Hebbian weights ``(1/N) sum_mu xi xi^T`` with a zero diagonal, shape (N, N).

    Parameters
    ----------
    patterns : array_like, shape (P, N), +-1

    Returns
    -------
    ndarray, shape (N, N)
        Symmetric weights (Hopfield 1982).
    """
    X = as_bipolar("patterns", patterns)
    W = X.T @ X / X.shape[1]
    np.fill_diagonal(W, 0.0)
    return W


def storkey_update(W, xi):
    """Add one pattern ``xi`` (shape (N,), +-1) to Storkey weights ``W`` in place:
    ``W += (1/N)(xi_i xi_j - xi_i h_ji - h_ij xi_j)``, then a zero diagonal."""
    N = xi.size
    h = W @ xi
    # H[i, j] = h_ij = sum over k != i, j of W_ik xi_k (the diagonal is zero)
    H = h[:, None] - W * xi[None, :]
    W += (np.outer(xi, xi) - xi[:, None] * H.T - H * xi[None, :]) / N
    np.fill_diagonal(W, 0.0)


def storkey(patterns):
    """Storkey's (1997) incremental rule, one pattern at a time; zero diagonal.

    Parameters
    ----------
    patterns : array_like, shape (P, N), +-1

    Returns
    -------
    ndarray, shape (N, N)
    """
    X = as_bipolar("patterns", patterns)
    W = np.zeros((X.shape[1], X.shape[1]))
    for xi in X:
        storkey_update(W, xi)
    return W


def pseudo_inverse(patterns):
    """Projection rule ``W = Xi^T (Xi Xi^T)^-1 Xi`` (Personnaz et al. 1985).

    Needs ``P < N`` linearly independent patterns; solved with a Cholesky
    factorisation of the Gram matrix, never an explicit inverse.

    Parameters
    ----------
    patterns : array_like, shape (P, N), +-1, P < N

    Returns
    -------
    ndarray, shape (N, N)
    """
    X = as_bipolar("patterns", patterns)
    P, N = X.shape
    if P >= N:
        raise ValueError(f"patterns: the pseudo-inverse rule stores at most N - 1 = {N - 1} patterns, got P = {P}")
    G = X @ X.T
    try:
        c = scipy.linalg.cho_factor(G, check_finite=False)
    except np.linalg.LinAlgError:
        raise ValueError("patterns are linearly dependent; the pseudo-inverse rule needs independent patterns") from None
    if np.min(np.abs(np.diag(c[0]))) ** 2 < 1e-10 * np.max(np.diag(G)):
        raise ValueError("patterns are (nearly) linearly dependent; the pseudo-inverse rule needs independent patterns")
    return X.T @ scipy.linalg.cho_solve(c, X, check_finite=False)


RULES = {"hebbian": hebbian, "storkey": storkey, "pseudo_inverse": pseudo_inverse}

# ----------------------------------------------------------------------------
# discrete dynamics: kernels
# ----------------------------------------------------------------------------


@njit(**JIT)
def unit_state(h, s, temperature, rng, k):
    """The new state of a unit with field ``h`` and state ``s``: ``sign(h)``
    (``s`` kept when ``h = 0``) at temperature 0, else +1 with probability
    ``1 / (1 + exp(-2 h / T))`` drawn from stream ``k`` of ``rng`` (Glauber)."""
    if temperature > 0.0:
        return 1.0 if uniform(rng, k) < sigmoid(2.0 * h / temperature) else -1.0
    return 1.0 if h > 0.0 else (-1.0 if h < 0.0 else s)


@njit(**JIT)
def _energy_from_field(s, h, theta):
    """E = -1/2 s.(W s) + theta.s, with h = W s - theta."""
    e = 0.0
    for i in range(s.size):
        e += -0.5 * s[i] * h[i] + 0.5 * theta[i] * s[i]
    return e


@njit(**JIT)
def _field(W, s, theta, h):
    N = s.size
    for i in range(N):
        a = 0.0
        for j in range(N):
            a += W[i, j] * s[j]
        h[i] = a - theta[i]


@njit(cache=True, nogil=True, **JIT)
def _recall_async(first, stride, W, WT, theta, S, temperature, max_sweeps, rng, S_out, energy, converged, n_sweeps):
    """Asynchronous (or Glauber, T > 0) recall of every row of ``S`` in random
    unit order; ``h`` is kept up to date by adding the flipped unit's column."""
    K, N = S.shape
    for k in range(first, K, stride):
        s = S[k].copy()
        h = np.empty(N)
        _field(W, s, theta, h)
        order = np.arange(N)
        energy[k, 0] = _energy_from_field(s, h, theta)
        done = False
        sweep = 0
        while sweep < max_sweeps and not done:
            shuffle(order, rng, k)
            flips = 0
            for idx in range(N):
                i = order[idx]
                new = unit_state(h[i], s[i], temperature, rng, k)
                if new != s[i]:
                    d = new - s[i]
                    s[i] = new
                    col = WT[i]
                    for j in range(N):
                        h[j] += d * col[j]
                    flips += 1
            sweep += 1
            energy[k, sweep] = _energy_from_field(s, h, theta)
            done = flips == 0 and temperature == 0.0
        converged[k] = done
        n_sweeps[k] = sweep
        S_out[k] = s


@njit(cache=True, nogil=True, **JIT)
def _recall_sync(first, stride, W, theta, S, temperature, max_sweeps, rng, S_out, energy, converged, cycle,
                 n_sweeps):
    """Synchronous (Little) recall; stops at a fixed point or a 2-cycle."""
    K, N = S.shape
    for k in range(first, K, stride):
        s = S[k].copy()
        prev = np.full(N, np.nan)
        new = np.empty(N)
        h = np.empty(N)
        _field(W, s, theta, h)
        energy[k, 0] = _energy_from_field(s, h, theta)
        step = 0
        stop = 0
        while step < max_sweeps and stop == 0:
            for i in range(N):
                new[i] = unit_state(h[i], s[i], temperature, rng, k)
            same = True
            back = True
            for i in range(N):
                same = same and new[i] == s[i]
                back = back and new[i] == prev[i]
            for i in range(N):
                prev[i] = s[i]
                s[i] = new[i]
            _field(W, s, theta, h)
            step += 1
            energy[k, step] = _energy_from_field(s, h, theta)
            if temperature == 0.0:
                stop = 1 if same else (2 if back else 0)
        converged[k] = stop == 1
        cycle[k] = stop == 2
        n_sweeps[k] = step
        S_out[k] = s


# ----------------------------------------------------------------------------
# discrete network: the model
# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Recall:
    """The outcome of :meth:`Hopfield.recall` for K probes.

    Attributes
    ----------
    states : ndarray, shape (K, N)
        Final states (+-1).
    converged : ndarray of bool, shape (K,)
        Reached a fixed point (always False at T > 0).
    cycle : ndarray of bool, shape (K,)
        Ended in a 2-cycle (synchronous updates only).
    n_sweeps : ndarray of int, shape (K,)
        Sweeps (N unit updates each) or synchronous steps taken.
    energy : ndarray, shape (K, max_sweeps + 1)
        Energy at the start and after every sweep, NaN after the run stopped.
    """

    __repr__ = array_repr

    states: np.ndarray
    converged: np.ndarray
    cycle: np.ndarray
    n_sweeps: np.ndarray
    energy: np.ndarray

    def plot(self, ax=None, **kwargs):
        """Energy against sweep for every probe; returns the Axes."""
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        ax.plot(self.energy.T, **{"lw": 0.8, **kwargs})
        ax.set_xlabel("sweep")
        ax.set_ylabel("energy E")
        return ax


@dataclass(frozen=True, eq=False)
class Hopfield:
    """A discrete Hopfield network of N bipolar units.

    Parameters
    ----------
    weights : array_like, shape (N, N)
        ``weights[i, j]``: from unit j to unit i. Energy descent needs it symmetric
        with a non-negative diagonal (every learning rule here gives that).
    theta : array_like, shape (N,), optional
        Thresholds (default zero).
    rule : str
        The rule that made the weights, for display.
    """

    weights: np.ndarray
    theta: np.ndarray = None
    rule: str = "custom"

    def __post_init__(self):
        W = as_float_array("weights", self.weights, ndim=2)
        if W.shape[0] != W.shape[1] or W.shape[0] == 0:
            raise ValueError(f"weights must be a non-empty square matrix, got shape {W.shape}")
        N = W.shape[0]
        theta = np.zeros(N) if self.theta is None else as_float_array("theta", self.theta, shape=(N,))
        object.__setattr__(self, "weights", W)
        object.__setattr__(self, "theta", theta)

    @classmethod
    def from_patterns(cls, patterns, rule="hebbian", theta=None):
        """Store ``patterns`` (shape (P, N), +-1) with ``rule`` in
        {'hebbian', 'storkey', 'pseudo_inverse'}."""
        as_choice("rule", rule, sorted(RULES))
        return cls(RULES[rule](patterns), theta, rule)

    @property
    def n_units(self):
        return self.weights.shape[0]

    def __repr__(self):
        return f"Hopfield(N={self.n_units}, rule={self.rule!r})"

    def field(self, states):
        """Local fields ``W s - theta``, shape like ``states``."""
        S = as_bipolar("states", states, ndim=(1, 2), n=self.n_units)
        return S @ self.weights.T - self.theta

    def energy(self, states):
        """``E(s) = -1/2 s.W s + theta.s``: a scalar for one state, shape (K,) for (K, N)."""
        S = as_bipolar("states", states, ndim=(1, 2), n=self.n_units)
        return -0.5 * np.einsum("...i,...i->...", S @ self.weights.T, S) + S @ self.theta

    def is_fixed_point(self, states):
        """Whether each state is unchanged by a synchronous update (ties keep
        the state), shape (K,) or a bool."""
        S = as_bipolar("states", states, ndim=(1, 2), n=self.n_units)
        h = S @ self.weights.T - self.theta
        return np.all((h * S > 0) | (h == 0), axis=-1)

    def recall(self, probes, *, mode="async", temperature=0.0, max_sweeps=100, seed=None):
        """Relax every probe; all probes run in one parallel kernel.

        Parameters
        ----------
        probes : array_like, shape (K, N) or (N,)
            Initial states (+-1).
        mode : {'async', 'sync'}
            Asynchronous updates in a random order drawn afresh each sweep (from
            ``seed``), or synchronous updates of all units at once.
        temperature : float
            0 for deterministic dynamics; T > 0 for Glauber dynamics, which runs
            exactly ``max_sweeps`` sweeps.
        max_sweeps : int
            Upper bound on sweeps (asynchronous) or steps (synchronous).
        seed : int or Generator, optional
            Each probe gets its own random stream, so results do not depend on the
            thread count.

        Returns
        -------
        Recall
        """
        S = as_bipolar("probes", probes, ndim=(1, 2), n=self.n_units)
        one = S.ndim == 1
        S = np.atleast_2d(S)
        mode = as_choice("mode", mode, ("async", "sync"))
        T = as_scalar("temperature", temperature, low=0.0)
        max_sweeps = as_scalar("max_sweeps", max_sweeps, low=1, integer=True)
        K = S.shape[0]
        rng = stream_states(seed, K)
        S_out = np.empty_like(S)
        energy = np.full((K, max_sweeps + 1), np.nan)
        converged = np.zeros(K, np.bool_)
        cycle = np.zeros(K, np.bool_)
        n_sweeps = np.zeros(K, np.int64)
        if mode == "async":
            strided(_recall_async, K, self.weights, np.ascontiguousarray(self.weights.T), self.theta, S, T,
                    max_sweeps, rng, S_out, energy, converged, n_sweeps)
        else:
            strided(_recall_sync, K, self.weights, self.theta, S, T, max_sweeps, rng, S_out, energy, converged, cycle,
                    n_sweeps)
        if one:
            return Recall(S_out[0], converged[0], cycle[0], n_sweeps[0], energy[0])
        return Recall(S_out, converged, cycle, n_sweeps, energy)


# ----------------------------------------------------------------------------
# continuous Hopfield network (1984)
# ----------------------------------------------------------------------------


@njit(cache=True, **JIT)
def _continuous_rhs(t, u, p, dudt):
    # p = [lambda, T (n*n row-major, T[i, j] from j to i), 1/R (n), I (n), 1/C (n)]
    n = u.size
    lam = p[0]
    V = np.tanh(lam * u)
    for i in range(n):
        a = 0.0
        for j in range(n):
            a += p[1 + i * n + j] * V[j]
        dudt[i] = (a - u[i] * p[1 + n * n + i] + p[1 + n * n + n + i]) * p[1 + n * n + 2 * n + i]


@njit(cache=True, **JIT)
def _continuous_jac(t, u, p, J):
    n = u.size
    lam = p[0]
    for j in range(n):
        v = np.tanh(lam * u[j])
        dv = lam * (1.0 - v * v)
        for i in range(n):
            J[i, j] = p[1 + i * n + j] * dv * p[1 + n * n + 2 * n + i]
    for i in range(n):
        J[i, i] -= p[1 + n * n + i] * p[1 + n * n + 2 * n + i]


def _continuous_params(T, R, C, I, gain):
    T = as_float_array("T", T, ndim=2)
    n = T.shape[0]
    if T.shape != (n, n) or n == 0:
        raise ValueError(f"T must be a non-empty square matrix, got shape {T.shape}")
    R = per_unit("R", R, n, low=0.0, low_open=True)
    C = per_unit("C", C, n, low=0.0, low_open=True)
    I = per_unit("I", I, n)
    gain = as_scalar("gain", gain, low=0.0, low_open=True)
    return T, R, C, I, gain


def continuous_hopfield(T, R=1.0, C=1.0, I=0.0, gain=1.0):
    """The continuous Hopfield (1984) network as a :class:`System` in ``u``.

    ``C_i du_i/dt = sum_j T_ij tanh(gain u_j) - u_i / R_i + I_i``; ``T[i, j]`` is
    from unit j to unit i. Integrate with :func:`dynnets.solve`; the outputs are
    ``V = tanh(gain u)`` and the energy is :func:`continuous_hopfield_energy`.

    Parameters
    ----------
    T : array_like, shape (n, n)
        Connections, ``T[i, j]`` from unit j to unit i (symmetric for an energy).
    R, C, I : array_like, shape (n,), or scalar
        Leak resistances (> 0), capacitances (> 0) and input currents.
    gain : float
        Slope of ``V = tanh(gain u)``.

    Returns
    -------
    System
        State ``u`` of shape (n,), analytic Jacobian.
    """
    T, R, C, I, gain = _continuous_params(T, R, C, I, gain)
    n = T.shape[0]
    p = np.concatenate([[gain], T.ravel(), 1.0 / R, I, 1.0 / C])
    return System(_continuous_rhs, p, _continuous_jac, n=n, name="continuous_hopfield")


def continuous_hopfield_energy(u, T, R=1.0, I=0.0, gain=1.0):
    """Hopfield's (1984) energy of states ``u`` (shape (..., n)):
    ``-1/2 V.T V - I.V + sum_i (V_i artanh V_i + 1/2 log(1 - V_i^2)) / (gain R_i)``.

    Parameters
    ----------
    u : array_like, shape (..., n)
    T, R, I, gain
        As in :func:`continuous_hopfield`.

    Returns
    -------
    ndarray, shape (...)
    """
    T, R, _, I, gain = _continuous_params(T, R, 1.0, I, gain)
    u = as_float_array("u", u, ndim=(1, 2))
    if u.shape[-1] != T.shape[0]:
        raise ValueError(f"u must have {T.shape[0]} components (the size of T) on its last axis, got {u.shape}")
    V = np.tanh(gain * u)
    # V artanh V + 1/2 log(1 - V^2) written with u: artanh V = gain u, 1 - V^2 = sech^2
    # (1 - V^2 = 4 / (e^gu + e^-gu)^2, stable for large |u|)
    gu = gain * u
    log1mV2 = np.log(4.0) - 2.0 * np.logaddexp(gu, -gu)
    leak = np.sum((V * gu + 0.5 * log1mV2) / (gain * R), axis=-1)
    return -0.5 * np.einsum("...i,ij,...j->...", V, T, V) - V @ I + leak


# ----------------------------------------------------------------------------
# modern Hopfield network (Ramsauer et al. 2021)
# ----------------------------------------------------------------------------


@njit(cache=True, nogil=True, **JIT)
def _modern_update(first, stride, X, Q, beta, max_iter, tol, out, n_iter):
    K, d = Q.shape
    P = X.shape[0]
    for k in range(first, K, stride):
        xi = Q[k].copy()
        a = np.empty(P)
        new = np.empty(d)
        it = 0
        while it < max_iter:
            amax = -np.inf
            for mu in range(P):
                s = 0.0
                for i in range(d):
                    s += X[mu, i] * xi[i]
                a[mu] = beta * s
                amax = max(amax, a[mu])
            z = 0.0
            for mu in range(P):
                a[mu] = exp(a[mu] - amax)
                z += a[mu]
            for i in range(d):
                new[i] = 0.0
            for mu in range(P):
                w = a[mu] / z
                for i in range(d):
                    new[i] += w * X[mu, i]
            change = 0.0
            for i in range(d):
                change = max(change, abs(new[i] - xi[i]))
                xi[i] = new[i]
            it += 1
            if change <= tol:
                break
        out[k] = xi
        n_iter[k] = it


@dataclass(frozen=True, eq=False)
class ModernHopfield:
    """Modern Hopfield network / dense associative memory (Ramsauer et al. 2021).

    Parameters
    ----------
    patterns : array_like, shape (P, d)
        Stored patterns ``x^mu`` (rows); any real vectors.
    beta : float
        Inverse temperature; large ``beta`` retrieves single patterns, small
        ``beta`` averages them (metastable states).
    """

    patterns: np.ndarray
    beta: float = 1.0

    def __post_init__(self):
        X = as_float_array("patterns", self.patterns, ndim=2)
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(f"patterns must not be empty, got shape {X.shape}")
        object.__setattr__(self, "patterns", X)
        object.__setattr__(self, "beta", as_scalar("beta", self.beta, low=0.0, low_open=True))

    def __repr__(self):
        P, d = self.patterns.shape
        return f"ModernHopfield(P={P}, d={d}, beta={self.beta:g})"

    def update(self, queries, *, max_iter=1, tol=0.0):
        """Apply ``xi <- X^T softmax(beta X xi)`` up to ``max_iter`` times (stopping
        when no component moves by more than ``tol``). ``queries`` shape (K, d)
        or (d,); returns the states and the iteration counts."""
        Q = as_float_array("queries", queries, ndim=(1, 2))
        one = Q.ndim == 1
        Q = np.atleast_2d(Q)
        if Q.shape[1] != self.patterns.shape[1]:
            raise ValueError(f"queries must have {self.patterns.shape[1]} components, got shape {Q.shape}")
        max_iter = as_scalar("max_iter", max_iter, low=1, integer=True)
        tol = as_scalar("tol", tol, low=0.0)
        out = np.empty_like(Q)
        n_iter = np.zeros(Q.shape[0], np.int64)
        strided(_modern_update, Q.shape[0], self.patterns, Q, self.beta, max_iter, tol, out, n_iter)
        return (out[0], n_iter[0]) if one else (out, n_iter)

    def energy(self, states):
        """``E = -lse(beta, X xi) + 1/2 xi.xi + log(P)/beta + 1/2 M^2`` (shape (K,) or scalar)."""
        from scipy.special import logsumexp

        S = as_float_array("states", states, ndim=(1, 2))
        X = self.patterns
        if S.shape[-1] != X.shape[1]:
            raise ValueError(f"states must have {X.shape[1]} components, got shape {S.shape}")
        M2 = np.max(np.sum(X * X, axis=1))
        lse = logsumexp(self.beta * (S @ X.T), axis=-1) / self.beta
        return -lse + 0.5 * np.sum(S * S, axis=-1) + np.log(X.shape[0]) / self.beta + 0.5 * M2


# ----------------------------------------------------------------------------
# analysis: basins, spurious and mixture states
# ----------------------------------------------------------------------------


def recall_curve(net, patterns, noise, *, trials=1, mode="async", seed=None, tol=0.0):
    """Basins of attraction: the fraction of probes that end on their pattern,
    against the fraction of flipped bits.

    Parameters
    ----------
    net : Hopfield
    patterns : array_like, shape (P, N)
        Patterns to probe (each is flipped ``trials`` times at every noise level).
    noise : array_like, shape (L,)
        Fractions of flipped bits, in [0, 1].
    tol : float
        A probe counts as recalled when its final overlap is at least ``1 - tol``
        (0: exact recall).

    Returns
    -------
    rate : ndarray, shape (L,)
        Fraction recalled at each noise level.
    overlap : ndarray, shape (L,)
        Mean final overlap with the target pattern.
    """
    if not isinstance(net, Hopfield):
        raise TypeError(f"net must be a Hopfield network, got {type(net).__name__}")
    X = as_bipolar("patterns", patterns, n=net.n_units, against="net")
    noise = as_float_array("noise", noise, ndim=1)
    if np.any((noise < 0) | (noise > 1)):
        raise ValueError("noise must hold fractions of flipped bits in [0, 1]")
    trials = as_scalar("trials", trials, low=1, integer=True)
    ss = np.random.SeedSequence(check_seed(seed, generator=False))
    rate, ovl = np.empty(noise.size), np.empty(noise.size)
    targets = np.repeat(X, trials, axis=0)
    for li, (f, child) in enumerate(zip(noise, ss.spawn(noise.size))):
        a, b = child.spawn(2)
        r = net.recall(flip_bits(targets, f, seed=a), mode=mode, seed=b)
        m = np.sum(r.states * targets, axis=1) / X.shape[1]
        rate[li] = np.mean(m >= 1.0 - tol)
        ovl[li] = np.mean(m)
    return rate, ovl


def classify_states(states, patterns):
    """Label each state as 'pattern', 'reversed' (a pattern's negative), 'mixture'
    (``sign(+-xi^a +- xi^b +- xi^c)`` of three patterns, Amit, Gutfreund and
    Sompolinsky 1985) or 'spurious' (anything else).

    Returns a list of labels (one per row of ``states``) and, per state, the
    pattern index (for 'pattern'/'reversed') or the three mixed indices.

    Parameters
    ----------
    states : array_like, shape (K, N) or (N,), +-1
    patterns : array_like, shape (P, N), +-1

    Returns
    -------
    labels : list of str, length K
    which : list
        Pattern index, or the three mixed indices, or None.
    """
    S = as_bipolar("states", states, ndim=(1, 2))
    S = np.atleast_2d(S)
    X = as_bipolar("patterns", patterns, n=S.shape[1], against="states")
    m = S @ X.T / X.shape[1]
    labels, which = [], []
    for s, mk in zip(S, m):
        mu = int(np.argmax(np.abs(mk)))
        if abs(mk[mu]) == 1.0:
            labels.append("pattern" if mk[mu] > 0 else "reversed")
            which.append((mu,))
            continue
        label, idx = "spurious", ()
        if X.shape[0] >= 3:
            top = np.argsort(-np.abs(mk))[:3]
            mix = np.sign(mk[top]) @ X[top]
            if np.all(mix != 0) and np.array_equal(np.sign(mix), s):
                label, idx = "mixture", tuple(int(t) for t in sorted(top))
        labels.append(label)
        which.append(idx)
    return labels, which
