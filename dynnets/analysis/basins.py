"""Basins of attraction on a grid of initial conditions (one parallel kernel).

Every initial condition is run through a transient and then a window, over which
the minimum and maximum of each state component are recorded. That envelope does
not depend on the phase, so trajectories on the same attractor (a fixed point, a
cycle, or a chaotic set sampled long enough) share it: envelopes that agree within
``tol`` (relative to the size of the grid) are one attractor. Each attractor's
kind comes from the largest Lyapunov exponent at one of its trajectories:
negative, a fixed point; about zero, periodic (or quasi-periodic); positive,
chaotic. The envelope of a chaotic set converges slowly with the window, so
chaotic clusters whose envelopes agree within ``chaos_tol`` are merged. A grid
point that sits exactly on an unstable equilibrium stays there: it is reported as
an ``'unstable fixed point'``. Trajectories that become non-finite, or leave
``escape`` (a radius), are labelled -1.

References
----------
.. [1] H. E. Nusse, J. A. Yorke, "Dynamics: Numerical Explorations", Springer,
       1998 (basins on grids).
.. [2] G. Datseris, A. Wagemakers, "Effortless estimation of basins of attraction",
       Chaos 32, 023104, 2022 (attractors found by where trajectories end).
"""

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .._math import is_finite
from .._validate import as_float_array, as_scalar, as_steps
from ..config import JIT
from ..integrate.kernels import rk_step
from ..integrate.tableau import get_method
from ..systems import Map, System, check_system
from .lyapunov import lyapunov_max


@njit(**JIT)
def _observe(y, it, n_transient, escape, lo, hi):
    """Update the envelope (lo, hi) with state y at iteration it; False when y is
    non-finite or beyond the escape radius."""
    r2 = 0.0
    for q in range(y.size):
        if not is_finite(y[q]):
            return False
        r2 += y[q] * y[q]
    if r2 > escape * escape:
        return False
    if it == n_transient:
        lo[:] = y
        hi[:] = y
    elif it > n_transient:
        for q in range(y.size):
            lo[q] = min(lo[q], y[q])
            hi[q] = max(hi[q], y[q])
    return True


@njit(parallel=True, **JIT)
def _envelopes_flow(rhs, params, Y0, dt, n_transient, n_window, escape, A, b, c, lo, hi, last, escaped):
    m, n = Y0.shape
    s = b.size
    for i in prange(m):
        y = Y0[i].copy()
        K = np.zeros((s, n))
        yt = np.empty(n)
        for step in range(n_transient + n_window):
            rk_step(rhs, step * dt, y, params, dt, A, b, c, K, yt)
            if not _observe(y, step, n_transient, escape, lo[i], hi[i]):
                escaped[i] = True
                break
        last[i] = y


@njit(parallel=True, **JIT)
def _envelopes_map(stepf, params, Y0, n_transient, n_window, escape, lo, hi, last, escaped):
    m, n = Y0.shape
    for i in prange(m):
        y = Y0[i].copy()
        y_next = np.empty(n)
        for it in range(n_transient + n_window):
            stepf(y, params, y_next)
            y[:] = y_next
            if not _observe(y, it, n_transient, escape, lo[i], hi[i]):
                escaped[i] = True
                break
        last[i] = y


@dataclass(frozen=True, eq=False)
class Attractor:
    """An attractor found by :func:`basins`: ``kind`` is ``'fixed point'``,
    ``'unstable fixed point'``, ``'periodic'`` or ``'chaotic'``; ``low``/``high`` its envelope; ``point`` a
    state on it; ``fraction`` of the grid in its basin; ``lyapunov`` its largest
    exponent.

    Attributes
    ----------
    kind : str
    point : ndarray, shape (n,)
    low, high : ndarray, shape (n,)
    fraction : float
    lyapunov : float
    """

    kind: str
    point: np.ndarray
    low: np.ndarray
    high: np.ndarray
    fraction: float
    lyapunov: float


@dataclass(frozen=True, eq=False)
class Basins:
    """Basins on a grid.

    Attributes
    ----------
    labels : ndarray of int, grid shape
        Attractor index of each initial condition; -1 for escaping ones.
    axes : list of ndarray
        The grid coordinates (one array per varied component).
    attractors : list of Attractor
    """

    labels: np.ndarray
    axes: list
    attractors: list

    @property
    def fractions(self):
        """Basin fractions, attractor by attractor (escaping ones left out)."""
        return np.array([a.fraction for a in self.attractors])

    def plot(self, ax=None):
        """The basins of a 2-d grid as an image; returns the Axes."""
        from ..plot import basins as plot_basins

        return plot_basins(self, ax=ax)


def basins(system, axes, *, components=(0, 1), base=None, transient=200.0, window=100.0, dt=0.01,
           method="rk4", tol=1e-3, chaos_tol=0.05, escape=1e6, lyapunov_T=None):
    """Basins of attraction on a grid of initial conditions.

    Parameters
    ----------
    system : System or Map
    axes : sequence of array_like
        Grid values for each varied component (1 or 2 arrays); the grid is their
        outer product, ``labels[i1, i2] <- (axes[0][i1], axes[1][i2])``.
    components : sequence of int
        Which state components the axes vary.
    base : array_like, shape (n,), optional
        The other components of every initial condition (default zeros).
    transient, window : float or int
        Time (flow) or iterations (map) discarded, then recorded.
    dt, method
        Fixed step and explicit method for flows.
    tol : float
        Envelopes closer than ``tol`` times the grid's extent are one attractor.
    chaos_tol : float
        The same for chaotic sets, whose sampled envelopes converge slowly.
    escape : float
        Radius beyond which a trajectory counts as escaping (label -1).
    lyapunov_T : float or int, optional
        Length of the Lyapunov run that decides an attractor's kind (default: ``window``).

    Returns
    -------
    Basins
    """
    if not isinstance(system, (System, Map)):
        raise TypeError(f"system must be a System or a Map, got {type(system).__name__}")
    if not isinstance(axes, (list, tuple)) and not (isinstance(axes, np.ndarray) and axes.ndim == 2):
        raise TypeError(f"axes must be a sequence of one or two arrays, got {type(axes).__name__}")
    axes = [as_float_array(f"axes[{k}]", a, ndim=1) for k, a in enumerate(axes)]
    if not 1 <= len(axes) <= 2 or any(a.size == 0 for a in axes):
        raise ValueError("axes must hold one or two non-empty arrays of grid values")
    n = system.n
    base = np.zeros(n or max(components) + 1) if base is None else as_float_array("base", base, ndim=1)
    n = base.size
    components = [as_scalar("components", c, low=0, high=n - 1, integer=True) for c in components][: len(axes)]
    if len(components) != len(axes):
        raise ValueError("give one component index per axis")
    check_system(system, base)
    grids = np.meshgrid(*axes, indexing="ij")
    Y0 = np.tile(base, (grids[0].size, 1))
    for c, g in zip(components, grids):
        Y0[:, c] = g.ravel()
    m = Y0.shape[0]
    lo, hi, last = np.empty((m, n)), np.empty((m, n)), np.empty((m, n))
    escaped = np.zeros(m, np.bool_)
    escape = as_scalar("escape", escape, low=0.0, low_open=True)
    if isinstance(system, Map):
        n_tr = as_scalar("transient", transient, low=0, integer=True)
        n_win = as_scalar("window", window, low=1, integer=True)
        _envelopes_map(system.step, system.params, Y0, n_tr, n_win, escape, lo, hi, last, escaped)
        lyap_kw = {"transient": 0}
        T_lyap = n_win if lyapunov_T is None else lyapunov_T
    else:
        dt = as_scalar("dt", dt, low=0.0, low_open=True)
        window = as_scalar("window", window, low=0.0, low_open=True)
        if dt > window:
            raise ValueError(f"dt must not exceed the window ({window}), got {dt}")
        tab = get_method(method)
        n_tr = as_steps("transient", as_scalar("transient", transient, low=0.0), dt)
        n_win = as_steps("window", as_scalar("window", window, low=0.0, low_open=True), dt, at_least=1)
        _envelopes_flow(system.rhs, system.params, Y0, dt, n_tr, n_win, escape, tab.A, tab.b, tab.c, lo, hi, last,
                        escaped)
        lyap_kw = {"transient": 0.0, "dt": dt, "method": tab}
        T_lyap = window if lyapunov_T is None else lyapunov_T

    extent = max(float(np.ptp(a)) for a in axes) or 1.0
    scale = tol * extent
    labels = np.full(m, -1, np.int64)
    reps = []  # (envelope, index of a member)
    for i in np.flatnonzero(~escaped):
        env = np.concatenate([lo[i], hi[i]])
        for k, (e, _) in enumerate(reps):
            if np.max(np.abs(env - e)) <= scale:
                labels[i] = k
                break
        else:
            labels[i] = len(reps)
            reps.append((env, i))
    kinds, lams = [], []
    for env, i in reps:
        lam = lyapunov_max(system, last[i], T_lyap, **lyap_kw)
        if np.max(env[n:] - env[:n]) <= scale:
            kind = "fixed point" if lam < 0 else "unstable fixed point"
        else:
            kind = "chaotic" if lam > 1e-2 else "periodic"
        kinds.append(kind)
        lams.append(lam)
    # merge chaotic clusters with nearby envelopes (sampling differences)
    target = list(range(len(reps)))
    for k in range(len(reps)):
        for j in range(k):
            if (kinds[k] == kinds[j] == "chaotic" and target[j] == j
                    and np.max(np.abs(reps[k][0] - reps[j][0])) <= chaos_tol * extent):
                target[k] = j
                break
    keep = sorted(set(target))
    new_index = {old: new for new, old in enumerate(keep)}
    ok = labels >= 0
    labels[ok] = [new_index[target[lab]] for lab in labels[ok]]
    attractors = []
    for k_old in keep:
        env, i = reps[k_old]
        members = labels == new_index[k_old]
        attractors.append(Attractor(kinds[k_old], last[i].copy(), lo[members].min(axis=0), hi[members].max(axis=0),
                                    float(np.mean(members)), lams[k_old]))
    return Basins(labels.reshape(grids[0].shape), axes, attractors)
