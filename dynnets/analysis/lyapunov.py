"""Lyapunov exponents by the QR (Benettin) method, for flows and maps.

A set of k tangent vectors ``Q`` is carried along a trajectory by the linearised
dynamics (``dQ/dt = J(y) Q`` for flows, ``Q <- J(y) Q`` for maps) and
re-orthonormalised by Gram-Schmidt at intervals; the exponents are the time
averages of ``log R_ii``. With the system's analytic Jacobian, or else a central
difference Jacobian of the vector field (a documented fallback: slower and
accurate to about 1e-10 relative).

References
----------
.. [1] G. Benettin, L. Galgani, A. Giorgilli, J.-M. Strelcyn, "Lyapunov
       characteristic exponents for smooth dynamical systems and for Hamiltonian
       systems; a method for computing all of them", Meccanica 15, 1980.
.. [2] I. Shimada, T. Nagashima, "A numerical approach to ergodic problem of
       dissipative dynamical systems", Prog. Theor. Phys. 61, 1979.
.. [3] J. L. Kaplan, J. A. Yorke, "Chaotic behavior of multidimensional difference
       equations", Lecture Notes in Mathematics 730, 1979.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit

from .._bind import bind
from .._math import is_finite
from .._validate import as_float_array, as_scalar, as_steps
from ..config import JIT
from ..errors import DivergenceError
from ..integrate.kernels import stage_input
from ..integrate.tableau import get_method
from ..systems import Map, System, check_system

HISTORY_POINTS = 2000  # running estimates kept for convergence plots


@njit(**JIT)
def _no_jac(*args):
    pass


@njit(inline="always", **JIT)
def _fd_jac_flow(rhs, t, y, params, J, f1, f2, yw):
    n = y.size
    for k in range(n):
        h = 6.055e-6 * max(1.0, abs(y[k]))  # eps**(1/3)
        yw[:] = y
        yw[k] = y[k] + h
        rhs(t, yw, params, f1)
        yw[k] = y[k] - h
        rhs(t, yw, params, f2)
        for i in range(n):
            J[i, k] = (f1[i] - f2[i]) / (2.0 * h)


@njit(inline="always", **JIT)
def _fd_jac_map(step, y, params, J, f1, f2, yw):
    n = y.size
    for k in range(n):
        h = 6.055e-6 * max(1.0, abs(y[k]))
        yw[:] = y
        yw[k] = y[k] + h
        step(yw, params, f1)
        yw[k] = y[k] - h
        step(yw, params, f2)
        for i in range(n):
            J[i, k] = (f1[i] - f2[i]) / (2.0 * h)


@njit(**JIT)
def _gram_schmidt(Q, logs):
    """Orthonormalise the columns of Q in place (modified Gram-Schmidt, run twice
    for stability) and add ``log R_jj`` to ``logs[j]``."""
    n, k = Q.shape
    for j in range(k):
        for _ in range(2):
            for i in range(j):
                d = 0.0
                for m in range(n):
                    d += Q[m, i] * Q[m, j]
                for m in range(n):
                    Q[m, j] -= d * Q[m, i]
        r = 0.0
        for m in range(n):
            r += Q[m, j] * Q[m, j]
        r = np.sqrt(r)
        logs[j] += np.log(r)
        for m in range(n):
            Q[m, j] /= r


@njit(**JIT)
def _matmul_into(J, Q, out):
    n, k = Q.shape
    for i in range(n):
        for j in range(k):
            acc = 0.0
            for m in range(n):
                acc += J[i, m] * Q[m, j]
            out[i, j] = acc


@njit(**JIT)
def tangent_workspace(s, n, k):
    """Scratch arrays for :func:`tangent_step` (s stages, n states, k tangent vectors)."""
    return (np.zeros((s, n)), np.zeros((s, n, k)), np.empty(n), np.empty((n, k)), np.empty((n, n)),
            np.empty(n), np.empty(n), np.empty(n))


@njit(inline="always", **JIT)
def tangent_step(rhs, jac, has_jac, params, t, dt, y, Q, A, b, c, Ky, KQ, yt, Qt, J, f1, f2, yw):
    """One explicit RK step of the state ``y`` and tangent vectors ``Q`` (columns)
    together: ``y' = f(t, y)``, ``Q' = J(t, y) Q``, in place. Returns the first
    non-finite component of ``y``, or -1."""
    n, k = Q.shape
    s = b.size
    for st in range(s):
        stage_input(y, Ky, A, st, dt, yt)
        for m in range(n):
            for q in range(k):
                acc = 0.0
                for j in range(st):
                    acc += A[st, j] * KQ[j, m, q]
                Qt[m, q] = Q[m, q] + dt * acc
        ts = t + c[st] * dt
        rhs(ts, yt, params, Ky[st])
        if has_jac:
            jac(ts, yt, params, J)
        else:
            _fd_jac_flow(rhs, ts, yt, params, J, f1, f2, yw)
        _matmul_into(J, Qt, KQ[st])
    bad = -1
    for m in range(n):
        acc = 0.0
        for st in range(s):
            acc += b[st] * Ky[st, m]
        y[m] += dt * acc
        if bad < 0 and not is_finite(y[m]):
            bad = m
        for q in range(k):
            acc = 0.0
            for st in range(s):
                acc += b[st] * KQ[st, m, q]
            Q[m, q] += dt * acc
    return bad


@njit(inline="always", **JIT)
def _lyapunov_flow(rhs, jac, has_jac, params, y0, Q0, t0, dt, n_renorm, steps_per_renorm, stride,
                   A, b, c, logs, hist_t, hist, status):
    n, k = Q0.shape
    s = b.size
    y = y0.copy()
    Q = Q0.copy()
    Ky, KQ, yt, Qt, J, f1, f2, yw = tangent_workspace(s, n, k)
    h_i = 0
    step = 0
    for r in range(n_renorm):
        for _ in range(steps_per_renorm):
            bad = tangent_step(rhs, jac, has_jac, params, t0 + step * dt, dt, y, Q, A, b, c, Ky, KQ, yt, Qt,
                               J, f1, f2, yw)
            if bad >= 0:
                status[0] = 1
                status[1] = step
                status[2] = bad
                return y
            step += 1
        _gram_schmidt(Q, logs)
        if (r + 1) % stride == 0 and h_i < hist.shape[0]:
            elapsed = (r + 1) * steps_per_renorm * dt
            hist_t[h_i] = elapsed
            for q in range(k):
                hist[h_i, q] = logs[q] / elapsed
            h_i += 1
    return y


@njit(inline="always", **JIT)
def _lyapunov_map(stepf, jac, has_jac, params, y0, Q0, n_iter, stride, logs, hist_t, hist, status):
    n, k = Q0.shape
    y = y0.copy()
    y_next = np.empty(n)
    Q = Q0.copy()
    Qn = np.empty((n, k))
    J = np.empty((n, n))
    f1 = np.empty(n)
    f2 = np.empty(n)
    yw = np.empty(n)
    h_i = 0
    for it in range(n_iter):
        if has_jac:
            jac(y, params, J)
        else:
            _fd_jac_map(stepf, y, params, J, f1, f2, yw)
        _matmul_into(J, Q, Qn)
        Q[:] = Qn
        _gram_schmidt(Q, logs)
        stepf(y, params, y_next)
        for m in range(n):
            if not is_finite(y_next[m]):
                status[0] = 1
                status[1] = it
                status[2] = m
                return y
        y[:] = y_next
        if (it + 1) % stride == 0 and h_i < hist.shape[0]:
            hist_t[h_i] = it + 1
            for q in range(k):
                hist[h_i, q] = logs[q] / (it + 1)
            h_i += 1
    return y


@njit(inline="always", **JIT)
def _iterate_map(stepf, params, y0, n_iter):
    y = y0.copy()
    y_next = np.empty(y.size)
    for _ in range(n_iter):
        stepf(y, params, y_next)
        y[:] = y_next
    return y


def kaplan_yorke(exponents):
    """Kaplan-Yorke (Lyapunov) dimension ``j + sum(l_1..l_j) / |l_{j+1}|``, with j
    the largest index whose partial sum of the sorted exponents is >= 0.

    Parameters
    ----------
    exponents : array_like, shape (k,)
    """
    lam = np.sort(as_float_array("exponents", exponents, ndim=1))[::-1]
    if lam.size == 0:
        raise ValueError("exponents must not be empty")
    csum = np.cumsum(lam)
    if csum[0] < 0:
        return 0.0
    j = int(np.flatnonzero(csum >= 0)[-1])
    if j == lam.size - 1:
        return float(lam.size)
    return float(j + 1 + csum[j] / abs(lam[j + 1]))


@dataclass(frozen=True, eq=False)
class LyapunovResult:
    """Lyapunov exponents and their running estimates.

    Attributes
    ----------
    exponents : ndarray, shape (k,)
        In decreasing order of the tangent vectors (the Gram-Schmidt order).
    t : ndarray, shape (m,)
        Times (flows) or iterations (maps) of the running estimates.
    history : ndarray, shape (m, k)
        Running estimates ``sum log R_jj / t``.
    y_final : ndarray, shape (n,)
        State at the end of the run.
    """

    exponents: np.ndarray
    t: np.ndarray
    history: np.ndarray
    y_final: np.ndarray

    @property
    def kaplan_yorke(self):
        """Kaplan-Yorke dimension of the exponents (meaningful for the full spectrum)."""
        return kaplan_yorke(self.exponents)

    def plot(self, ax=None, reference=None):
        """Running estimates against time (log axis); returns the Axes."""
        from ..plot import lyapunov_convergence

        return lyapunov_convergence(self.t, self.history, ax=ax, reference=reference)

    def __repr__(self):
        lam = ", ".join(f"{v:.5g}" for v in self.exponents)
        return f"LyapunovResult(exponents=[{lam}], {self.t.size} running estimates)"


def lyapunov_spectrum(system, y0, T, k=None, *, transient=0, dt=0.01, renorm=0.1, method="rk4"):
    """The first k Lyapunov exponents of a flow or a map (QR method).

    Parameters
    ----------
    system : System or Map
        With an analytic ``jac`` if it has one; else central differences are used.
    y0 : array_like, shape (n,)
        Initial state (the transient is run from it first).
    T : float or int
        Length of the averaging run: time for a flow, iterations for a map.
    k : int, optional
        Number of exponents (default: all n).
    transient : float or int
        Time (flow) or iterations (map) discarded before averaging.
    dt : float
        Fixed step of the flow integration (state and tangent vectors together).
    renorm : float
        Time between re-orthonormalisations (flows); maps renormalise each iteration.
    method : str or ButcherTableau
        Explicit method for flows (default ``'rk4'``).

    Returns
    -------
    LyapunovResult
        ``exponents`` of shape (k,), running estimates and the final state.

    References
    ----------
    .. [1] G. Benettin et al., Meccanica 15, 1980.
    """
    if not isinstance(system, (System, Map)):
        raise TypeError(f"system must be a System or a Map, got {type(system).__name__}")
    y0 = as_float_array("y0", y0, ndim=1)
    n = y0.size
    if n == 0 or (system.n is not None and n != system.n):
        raise ValueError(f"y0 must have {system.n or 'at least one'} components, got {n}")
    k = n if k is None else as_scalar("k", k, low=1, high=n, integer=True)
    check_system(system, y0)
    Q0 = np.ascontiguousarray(np.eye(n)[:, :k])
    logs = np.zeros(k)
    status = np.zeros(3, np.int64)
    has_jac = system.jac is not None
    jac = system.jac if has_jac else _no_jac

    if isinstance(system, Map):
        n_iter = as_scalar("T", T, low=1, integer=True)
        n_tr = as_scalar("transient", transient, low=0, integer=True)
        y = bind(_iterate_map, system.step)(system.params, y0, n_tr) if n_tr else y0
        if not np.all(np.isfinite(y)):
            raise DivergenceError(n_tr, int(np.flatnonzero(~np.isfinite(y))[0]))
        stride = max(1, n_iter // HISTORY_POINTS)
        hist_t = np.zeros(n_iter // stride)
        hist = np.zeros((n_iter // stride, k))
        y_end = bind(_lyapunov_map, system.step, jac)(has_jac, system.params, y, Q0, n_iter, stride, logs,
                              hist_t, hist, status)
        total = n_iter
    else:
        T = as_scalar("T", T, low=0.0, low_open=True)
        transient = as_scalar("transient", transient, low=0.0)
        dt = as_scalar("dt", dt, low=0.0, low_open=True)
        renorm = as_scalar("renorm", renorm, low=0.0, low_open=True)
        if dt > renorm:
            raise ValueError(f"dt must not exceed renorm ({renorm}), got {dt}")
        steps_per = as_steps("renorm", renorm, dt, at_least=1)
        n_renorm = as_steps("T", T, steps_per * dt, ceil=True)
        if n_renorm < 1:
            raise ValueError("T must cover at least one renormalisation interval")
        tab = get_method(method)
        y = y0
        if transient > 0:
            from ..integrate.solve import solve

            y = solve(system, y0, (0.0, transient), method=tab, dt=dt, adaptive=False,
                      t_eval=[transient]).y[-1]
        stride = max(1, n_renorm // HISTORY_POINTS)
        hist_t = np.zeros(n_renorm // stride)
        hist = np.zeros((n_renorm // stride, k))
        y_end = bind(_lyapunov_flow, system.rhs, jac)(has_jac, system.params, y, Q0, float(transient), dt,
                               n_renorm, steps_per, stride, tab.A, tab.b, tab.c, logs, hist_t, hist, status)
        total = n_renorm * steps_per * dt
    if status[0]:
        raise DivergenceError(status[1], status[2])
    return LyapunovResult(logs / total, hist_t, hist, y_end)


def lyapunov_max(system, y0, T, **kwargs):
    """The largest Lyapunov exponent (``lyapunov_spectrum`` with ``k = 1``); same
    arguments. Returns a float.

    Parameters
    ----------
    system : System or Map
    y0 : array_like, shape (n,)
    T : float
        Time (flows) or iterations (maps) averaged over.
    **kwargs
        As for :func:`lyapunov_spectrum`.

    Returns
    -------
    float
    """
    return float(lyapunov_spectrum(system, y0, T, k=1, **kwargs).exponents[0])
