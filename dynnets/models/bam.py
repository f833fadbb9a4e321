"""Bidirectional associative memory (Kosko 1988).

Two layers of bipolar units, ``x`` (n units) and ``y`` (m units), and pairs
``(x^k, y^k)`` stored in one matrix::

    W = sum_k x^k y^k^T                       shape (n, m)
    y <- sign(W^T x),   x <- sign(W y)        (a unit keeps its state on a zero field)
    E(x, y) = -x^T W y

Recall alternates the two layers until neither changes; each half-step lowers
``E`` or leaves it unchanged, so recall always ends in a stable pair (Kosko 1988,
Theorem 1). The stochastic variant sets each unit to +1 with probability
``1 / (1 + exp(-2 h / T))`` (Glauber dynamics at temperature T) and runs a fixed
number of iterations.

References
----------
.. [1] B. Kosko, "Bidirectional associative memories", IEEE Trans. Systems, Man,
       and Cybernetics 18(1), 49-60, 1988.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit

from .._random import stream_states
from .._repr import array_repr
from .._threads import strided
from .._validate import as_float_array, as_scalar
from ..config import JIT
from .hopfield import as_bipolar, unit_state


@njit(**JIT)
def _half_step(W, src, dst, new, transpose, temperature, rng, k):
    """``new = sign(W^T src)`` (transpose) or ``sign(W src)``; returns whether
    anything changed relative to ``dst``."""
    n, m = W.shape
    changed = False
    for a in range(m if transpose else n):
        h = 0.0
        if transpose:
            for b in range(n):
                h += W[b, a] * src[b]
        else:
            for b in range(m):
                h += W[a, b] * src[b]
        v = unit_state(h, dst[a], temperature, rng, k)
        changed = changed or v != dst[a]
        new[a] = v
    return changed


@njit(**JIT)
def _bam_energy(W, x, y):
    e = 0.0
    for a in range(x.size):
        for b in range(y.size):
            e -= x[a] * W[a, b] * y[b]
    return e


@njit(cache=True, nogil=True, **JIT)
def _bam_recall(first, stride, W, X0, Y0, temperature, max_iter, rng, X, Y, energy, converged, n_iter):
    K = X0.shape[0]
    for k in range(first, K, stride):
        x = X0[k].copy()
        y = Y0[k].copy()
        nx = np.empty_like(x)
        ny = np.empty_like(y)
        energy[k, 0] = _bam_energy(W, x, y)
        it = 0
        done = False
        while it < max_iter and not done:
            cy = _half_step(W, x, y, ny, True, temperature, rng, k)
            y[:] = ny
            cx = _half_step(W, y, x, nx, False, temperature, rng, k)
            x[:] = nx
            it += 1
            energy[k, it] = _bam_energy(W, x, y)
            done = temperature == 0.0 and not cx and not cy
        X[k] = x
        Y[k] = y
        converged[k] = done
        n_iter[k] = it


@dataclass(frozen=True)
class BAMRecall:
    """The outcome of :meth:`BAM.recall` for K probes.

    Attributes
    ----------
    x, y : ndarray, shapes (K, n) and (K, m)
        Final states of the two layers.
    converged : ndarray of bool, shape (K,)
        Both layers stable (always False at T > 0).
    n_iter : ndarray of int, shape (K,)
        Iterations (a y half-step and an x half-step each).
    energy : ndarray, shape (K, max_iter + 1)
        ``-x^T W y`` at the start and after each iteration, NaN after the stop.
    """

    __repr__ = array_repr

    x: np.ndarray
    y: np.ndarray
    converged: np.ndarray
    n_iter: np.ndarray
    energy: np.ndarray

    def plot(self, ax=None, **kwargs):
        """Energy against iteration for every probe; returns the Axes."""
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        ax.plot(self.energy.T, **{"lw": 0.8, **kwargs})
        ax.set(xlabel="iteration", ylabel="energy -x W y")
        return ax


@dataclass(frozen=True, eq=False)
class BAM:
    """A bidirectional associative memory.

    Parameters
    ----------
    weights : array_like, shape (n, m)
        ``weights[a, b]`` couples unit a of layer x with unit b of layer y.
    """

    weights: np.ndarray

    def __post_init__(self):
        W = as_float_array("weights", self.weights, ndim=2)
        if W.size == 0:
            raise ValueError(f"weights must not be empty, got shape {W.shape}")
        object.__setattr__(self, "weights", W)

    @classmethod
    def from_pairs(cls, X, Y):
        """Store the pairs ``(X[k], Y[k])``: ``W = X^T Y``; X shape (K, n), Y (K, m), +-1."""
        X = as_bipolar("X", X)
        Y = as_bipolar("Y", Y)
        if X.shape[0] != Y.shape[0]:
            raise ValueError(f"X and Y must hold the same number of pairs, got {X.shape[0]} and {Y.shape[0]}")
        return cls(X.T @ Y)

    @property
    def shape(self):
        return self.weights.shape

    def __repr__(self):
        return f"BAM(n={self.shape[0]}, m={self.shape[1]})"

    def energy(self, x, y):
        """``-x^T W y`` for states of shape (n,)/(m,) or (K, n)/(K, m)."""
        x = as_bipolar("x", x, ndim=(1, 2), n=self.shape[0])
        y = as_bipolar("y", y, ndim=(1, 2), n=self.shape[1])
        return -np.einsum("...a,ab,...b->...", x, self.weights, y)

    def recall(self, x=None, y=None, *, temperature=0.0, max_iter=100, seed=None):
        """Alternate ``y <- sign(W^T x)``, ``x <- sign(W y)`` from the probes until
        both layers are stable. Give ``x`` (shape (K, n) or (n,)) to recall the
        associated ``y``, or ``y`` alone to recall ``x`` (then the first half-step
        is ``x <- sign(W y)``); a missing layer starts from the other's image.
        ``temperature > 0`` gives the stochastic (Glauber) variant, run for
        ``max_iter`` iterations with one random stream per probe from ``seed``."""
        n, m = self.shape
        if x is None and y is None:
            raise ValueError("give a probe for x, y or both")
        one = (as_float_array("x", x) if x is not None else as_float_array("y", y)).ndim == 1
        T = as_scalar("temperature", temperature, low=0.0)
        max_iter = as_scalar("max_iter", max_iter, low=1, integer=True)
        W = self.weights
        if x is not None:
            X0 = np.atleast_2d(as_bipolar("x", x, ndim=(1, 2), n=n))
            Y0 = (np.atleast_2d(as_bipolar("y", y, ndim=(1, 2), n=m)) if y is not None
                  else np.where(X0 @ W >= 0, 1.0, -1.0))
        else:
            Y0 = np.atleast_2d(as_bipolar("y", y, ndim=(1, 2), n=m))
            X0 = np.where(Y0 @ W.T >= 0, 1.0, -1.0)
        if X0.shape[0] != Y0.shape[0]:
            raise ValueError(f"x and y probes differ in number: {X0.shape[0]} and {Y0.shape[0]}")
        K = X0.shape[0]
        rng = stream_states(seed, K)
        Xo, Yo = np.empty_like(X0), np.empty_like(Y0)
        energy = np.full((K, max_iter + 1), np.nan)
        converged = np.zeros(K, np.bool_)
        n_iter = np.zeros(K, np.int64)
        strided(_bam_recall, K, W, X0, Y0, T, max_iter, rng, Xo, Yo, energy, converged, n_iter)
        if one:
            return BAMRecall(Xo[0], Yo[0], converged[0], n_iter[0], energy[0])
        return BAMRecall(Xo, Yo, converged, n_iter, energy)
