"""Poincare sections, periodic orbits and Floquet multipliers of flows.

Section crossings of the hyperplane ``normal . y = offset`` are located between
fixed RK steps by bisection on the cubic Hermite interpolant (built from the
states and derivatives at both ends of the step), so they are accurate to the
method's order, not to the step. A periodic orbit is detected when the section
points repeat (a period-m orbit returns after m crossings); its monodromy matrix
(the tangent map over one period) gives the Floquet multipliers, one of which is
1 for any periodic orbit of an autonomous flow.

References
----------
.. [1] H. Poincare, "Les methodes nouvelles de la mecanique celeste", 1892.
.. [2] T. S. Parker, L. O. Chua, "Practical Numerical Algorithms for Chaotic
       Systems", Springer, 1989, Ch. 3-4 (sections, periodic orbits, Floquet).
"""

from dataclasses import dataclass

import numpy as np
from numba import njit

from .._bind import bind
from .._math import is_finite
from .._repr import array_repr
from .._validate import as_float_array, as_scalar, as_steps
from ..config import JIT
from ..errors import DivergenceError
from ..integrate.kernels import rk_step
from ..integrate.tableau import get_method
from ..systems import System, check_system
from .lyapunov import _no_jac, tangent_step, tangent_workspace


@njit(**JIT)
def _hermite(y0, f0, y1, f1, h, theta, out):
    h00 = (1.0 + 2.0 * theta) * (1.0 - theta) ** 2
    h10 = theta * (1.0 - theta) ** 2
    h01 = theta * theta * (3.0 - 2.0 * theta)
    h11 = theta * theta * (theta - 1.0)
    for m in range(y0.size):
        out[m] = h00 * y0[m] + h10 * h * f0[m] + h01 * y1[m] + h11 * h * f1[m]


@njit(**JIT)
def _plane(normal, offset, y):
    g = -offset
    for m in range(y.size):
        g += normal[m] * y[m]
    return g


@njit(inline="always", **JIT)
def _section_kernel(rhs, params, y0, t0, dt, n_steps, normal, offset, direction, A, b, c, t_out, y_out,
                    status):
    n = y0.size
    s = b.size
    max_cross = t_out.size
    y = y0.copy()
    y_old = np.empty(n)
    K = np.zeros((s, n))
    yt = np.empty(n)
    f1 = np.empty(n)
    yc = np.empty(n)
    g_old = _plane(normal, offset, y)
    count = 0
    for step in range(n_steps):
        t = t0 + step * dt
        y_old[:] = y
        rk_step(rhs, t, y, params, dt, A, b, c, K, yt)
        for m in range(n):
            if not is_finite(y[m]):
                status[0] = 1
                status[1] = step
                status[2] = m
                return count
        g = _plane(normal, offset, y)
        up = g_old < 0.0 and g >= 0.0
        down = g_old > 0.0 and g <= 0.0
        if (direction > 0 and up) or (direction < 0 and down) or (direction == 0 and (up or down)):
            # K[0] = f(t, y_old) for every explicit tableau (c[0] = 0, empty first row)
            rhs(t + dt, y, params, f1)
            lo = 0.0
            hi = 1.0
            g_lo = g_old
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                _hermite(y_old, K[0], y, f1, dt, mid, yc)
                gm = _plane(normal, offset, yc)
                if (gm < 0.0) == (g_lo < 0.0):
                    lo = mid
                    g_lo = gm
                else:
                    hi = mid
                if hi - lo < 1e-15:
                    break
            theta = 0.5 * (lo + hi)
            _hermite(y_old, K[0], y, f1, dt, theta, yc)
            t_out[count] = t + theta * dt
            y_out[count] = yc
            count += 1
            if count == max_cross:
                return count
        g_old = g
    return count


@njit(inline="always", **JIT)
def _monodromy(rhs, jac, has_jac, params, y0, t0, dt, n_steps, A, b, c, M, status):
    n = y0.size
    s = b.size
    y = y0.copy()
    M[:] = 0.0
    for m in range(n):
        M[m, m] = 1.0
    Ky, KQ, yt, Qt, J, f1, f2, yw = tangent_workspace(s, n, n)
    for step in range(n_steps):
        bad = tangent_step(rhs, jac, has_jac, params, t0 + step * dt, dt, y, M, A, b, c, Ky, KQ, yt, Qt,
                           J, f1, f2, yw)
        if bad >= 0:
            status[0] = 1
            status[1] = step
            status[2] = bad
            break
    return y


@dataclass(frozen=True, eq=False)
class Section:
    """Crossings of a Poincare section: ``t`` of shape (m,), ``y`` of shape (m, n).

    Attributes
    ----------
    t : ndarray, shape (m,)
    y : ndarray, shape (m, n)
    """

    __repr__ = array_repr

    t: np.ndarray
    y: np.ndarray

    def plot(self, ax=None, i=0, j=1, **kwargs):
        """Section points, component ``j`` against ``i``; returns the Axes."""
        from ..plot import _axes

        ax = _axes(ax)
        ax.plot(self.y[:, i], self.y[:, j], ".", ms=kwargs.pop("ms", 2), **kwargs)
        ax.set_xlabel(f"$y_{{{i + 1}}}$")
        ax.set_ylabel(f"$y_{{{j + 1}}}$")
        return ax


def _check_flow(system, y0):
    if not isinstance(system, System):
        raise TypeError(f"system must be a System (a flow), got {type(system).__name__}")
    y0 = as_float_array("y0", y0, ndim=1)
    if y0.size == 0 or (system.n is not None and y0.size != system.n):
        raise ValueError(f"y0 must have {system.n or 'at least one'} components, got {y0.size}")
    check_system(system, y0)
    return y0


def _plane_args(n, normal, offset):
    normal = as_float_array("normal", normal, shape=(n,))
    if not np.any(normal):
        raise ValueError("normal must not be the zero vector")
    return normal, as_scalar("offset", offset)


def poincare_section(system, y0, T, normal, offset=0.0, *, direction=1, t0=0.0, dt=0.01, method="rk4",
                     max_crossings=100_000):
    """Crossings of the hyperplane ``normal . y = offset`` along a trajectory.

    Parameters
    ----------
    system : System
    y0 : array_like, shape (n,)
    T : float
        Length of the run, from ``t0``.
    normal : array_like, shape (n,)
    offset : float
    direction : {1, -1, 0}
        Count crossings where ``normal . y`` increases (1), decreases (-1), or both (0).
    dt, method
        Fixed step and explicit method.
    max_crossings : int

    Returns
    -------
    Section
        Crossing times ``t`` (m,) and points ``y`` (m, n).
    """
    y0 = _check_flow(system, y0)
    normal, offset = _plane_args(y0.size, normal, offset)
    if isinstance(direction, (bool, np.bool_)) or not isinstance(direction, (int, np.integer)) \
            or direction not in (1, -1, 0):
        raise ValueError(f"direction must be 1, -1 or 0, got {direction!r}")
    T = as_scalar("T", T, low=0.0, low_open=True)
    dt = as_scalar("dt", dt, low=0.0, low_open=True)
    max_crossings = as_scalar("max_crossings", max_crossings, low=1, integer=True)
    tab = get_method(method)
    t_out = np.empty(max_crossings)
    y_out = np.empty((max_crossings, y0.size))
    status = np.zeros(3, np.int64)
    count = bind(_section_kernel, system.rhs)(system.params, y0, float(t0), dt, as_steps("T", T, dt, ceil=True), normal, offset,
                            int(direction), tab.A, tab.b, tab.c, t_out, y_out, status)
    if status[0]:
        raise DivergenceError(status[1], status[2])
    return Section(t_out[:count].copy(), y_out[:count].copy())


@dataclass(frozen=True, eq=False)
class PeriodicOrbit:
    """A periodic orbit found on a Poincare section.

    Attributes
    ----------
    period : float
    point : ndarray, shape (n,)
        A point of the orbit on the section.
    multiplicity : int
        Section crossings per period (a period-m orbit).
    floquet_multipliers : ndarray, shape (n,), complex
        Eigenvalues of the monodromy matrix, by decreasing modulus; one of them is
        (numerically) 1.
    monodromy : ndarray, shape (n, n)
    """

    period: float
    point: np.ndarray
    multiplicity: int
    floquet_multipliers: np.ndarray
    monodromy: np.ndarray

    @property
    def floquet_exponents(self):
        """``log|mu| / period``: the Lyapunov exponents of the orbit."""
        return np.log(np.abs(self.floquet_multipliers)) / self.period

    @property
    def stable(self):
        """All multipliers but the trivial one inside the unit circle."""
        mu = self.floquet_multipliers
        trivial = np.argmin(np.abs(mu - 1.0))
        return bool(np.all(np.abs(np.delete(mu, trivial)) < 1.0))

    def __repr__(self):
        mu = ", ".join(f"{m:.4g}" for m in self.floquet_multipliers)
        return f"PeriodicOrbit(period={self.period:.8g}, multiplicity={self.multiplicity}, multipliers=[{mu}])"

    def plot(self, ax=None):
        """The Floquet multipliers in the complex plane with the unit circle
        (inside: attracting directions); returns the Axes."""
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        th = np.linspace(0, 2 * np.pi, 200)
        ax.plot(np.cos(th), np.sin(th), color="0.6", lw=0.8)
        mu = self.floquet_multipliers
        ax.plot(mu.real, mu.imag, "o", color="C3")
        ax.set(xlabel="Re", ylabel="Im", aspect="equal", title=f"Floquet multipliers, period {self.period:.6g}")
        return ax


def periodic_orbit(system, y0, *, transient=100.0, T=None, normal=None, offset=None, dt=0.01, tol=1e-6,
                   max_multiplicity=16, method="rk4"):
    """Detect a periodic orbit (limit cycle) and its period, and its Floquet multipliers.

    The trajectory from ``y0`` is run for ``transient``, then section points are
    collected for ``T``; the orbit is period-m if the last section point returns
    within ``tol * (1 + |p|)`` after m crossings (smallest such m).

    Parameters
    ----------
    system : System
    y0 : array_like, shape (n,)
    transient : float
    T : float, optional
        Time over which crossings are collected (default ``max(transient, 50)``).
    normal, offset : optional
        The section; default: ``y_1 = `` its mean over the run, crossed upwards.
    dt, method
        Fixed step and explicit method (the monodromy matrix is integrated with
        the same method, with the step adjusted to divide the period).
    tol : float
    max_multiplicity : int

    Returns
    -------
    PeriodicOrbit, or None when no orbit repeats (a fixed point, a quasi-periodic
    or chaotic attractor, or a transient too short).
    """
    y0 = _check_flow(system, y0)
    n = y0.size
    transient = as_scalar("transient", transient, low=0.0)
    T = max(transient, 50.0) if T is None else as_scalar("T", T, low=0.0, low_open=True)
    dt = as_scalar("dt", dt, low=0.0, low_open=True)
    tol = as_scalar("tol", tol, low=0.0, low_open=True)
    tab = get_method(method)
    from ..integrate.solve import solve

    as_steps("transient + T", transient + T, dt)
    run = solve(system, y0, (0.0, transient + T), method=tab, dt=dt, adaptive=False)
    y_start = run.y[np.searchsorted(run.t, transient)]
    if normal is None:
        normal = np.eye(n)[0]
        if offset is None:
            offset = float(run.y[run.t >= transient, 0].mean())
    normal, offset = _plane_args(n, normal, 0.0 if offset is None else offset)
    sec = poincare_section(system, y_start, T, normal, offset, direction=1, t0=transient, dt=dt, method=tab)
    if sec.t.size < 2:
        return None
    p = sec.y
    last = p[-1]
    m = next((m for m in range(1, min(max_multiplicity, p.shape[0] - 1) + 1)
              if np.linalg.norm(p[-1 - m] - last) <= tol * (1 + np.linalg.norm(last))), None)
    if m is None:
        return None
    period = float(sec.t[-1] - sec.t[-1 - m])
    n_steps = as_steps("the period", period, dt, at_least=1, ceil=True)
    M = np.empty((n, n))
    status = np.zeros(3, np.int64)
    has_jac = system.jac is not None
    bind(_monodromy, system.rhs, system.jac if has_jac else _no_jac)(has_jac, system.params, last, float(sec.t[-1]),
               period / n_steps, n_steps, tab.A, tab.b, tab.c, M, status)
    if status[0]:
        raise DivergenceError(status[1], status[2])
    mu = np.linalg.eigvals(M)
    mu = mu[np.argsort(-np.abs(mu))]
    return PeriodicOrbit(period, last.copy(), m, mu, M)
