"""Short-term memory capacity of a reservoir, and its echo state property.

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

References
----------
.. [1] H. Jaeger, "Short term memory in echo state networks", GMD Report 152, 2001.
.. [2] O. L. White, D. D. Lee, H. Sompolinsky, "Short-term memory in orthogonal
       neural networks", PRL 92, 148102, 2004.
.. [3] I. B. Yildiz, H. Jaeger, S. J. Kiebel, "Re-visiting the echo state
       property", Neural Networks 35, 1-9, 2012.
"""

from dataclasses import dataclass

import numpy as np

from .._validate import as_float_array, as_rng, as_scalar
from ..models.reservoir import Reservoir
from ..train.ridge import Ridge


@dataclass(frozen=True)
class MemoryCapacity:
    """``mc[k - 1]`` is ``MC_k`` for delays ``k = 1 .. max_delay``; ``total`` their sum."""

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
    N = reservoir.n_units
    rng = as_rng(seed)
    a = rng.uniform(-1, 1, N) if x0_a is None else as_float_array("x0_a", x0_a, shape=(N,))
    b = rng.uniform(-1, 1, N) if x0_b is None else as_float_array("x0_b", x0_b, shape=(N,))
    u = as_float_array("u", u, ndim=(1, 2))
    u = u[:, None] if u.ndim == 1 else u
    X = reservoir.run(np.stack([u, u], axis=1), np.stack([a, b]))
    return np.linalg.norm(X[:, 0] - X[:, 1], axis=1)
