"""Parameter sweeps in one parallel kernel: orbit diagrams and Lyapunov exponents
over a grid of values of one parameter.

Orbit diagram: for a map, the states visited after a transient; for a flow, the
local maxima of one component after a transient (the peak found by a parabola
through the three samples around it). Items whose state becomes non-finite are
recorded as NaN and flagged in ``diverged``; the sweep itself finishes.

References
----------
.. [1] R. M. May, "Simple mathematical models with very complicated dynamics",
       Nature 261, 1976.
.. [2] M. J. Feigenbaum, "Quantitative universality for a class of nonlinear
       transformations", J. Stat. Phys. 19, 1978.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .._math import is_finite
from .._repr import array_repr
from .._validate import as_float_array, as_scalar, as_steps
from ..config import JIT
from ..integrate.kernels import rk_step
from ..integrate.tableau import get_method
from ..systems import Map, System, check_system
from .lyapunov import _lyapunov_flow, _lyapunov_map, _no_jac


@njit(parallel=True, **JIT)
def _orbit_map(stepf, params, p_index, values, y0, component, n_transient, n_record, out, diverged):
    n = y0.size
    for v in prange(values.size):
        p = params.copy()
        p[p_index] = values[v]
        y = y0.copy()
        y_next = np.empty(n)
        bad = False
        for it in range(n_transient + n_record):
            stepf(y, p, y_next)
            y[:] = y_next
            if not is_finite(y[component]):
                bad = True
                break
            if it >= n_transient:
                out[v, it - n_transient] = y[component]
        if bad:
            diverged[v] = True
            out[v, :] = np.nan


@njit(parallel=True, **JIT)
def _orbit_flow(rhs, params, p_index, values, y0, component, dt, n_transient, n_steps, A, b, c, out,
                counts, diverged):
    n = y0.size
    s = b.size
    max_rec = out.shape[1]
    for v in prange(values.size):
        p = params.copy()
        p[p_index] = values[v]
        y = y0.copy()
        K = np.zeros((s, n))
        yt = np.empty(n)
        x_prev2 = 0.0
        x_prev = 0.0
        count = 0
        for step in range(n_transient + n_steps):
            rk_step(rhs, step * dt, y, p, dt, A, b, c, K, yt)
            x = y[component]
            if not is_finite(x):
                diverged[v] = True
                break
            k = step - n_transient
            if k >= 2 and x_prev > x_prev2 and x_prev >= x and count < max_rec:
                # vertex of the parabola through the last three samples
                den = x_prev2 - 2.0 * x_prev + x
                out[v, count] = x_prev - 0.125 * (x - x_prev2) ** 2 / den if den != 0.0 else x_prev
                count += 1
            x_prev2 = x_prev
            x_prev = x
        counts[v] = count
        if diverged[v]:
            out[v, :] = np.nan


@njit(parallel=True, **JIT)
def _lyap_sweep_map(stepf, jac, has_jac, params, p_index, values, y0, Q0, n_transient, n_iter, logs,
                    status):
    for v in prange(values.size):
        p = params.copy()
        p[p_index] = values[v]
        y = y0.copy()
        y_next = np.empty(y.size)
        for _ in range(n_transient):
            stepf(y, p, y_next)
            y[:] = y_next
        ht = np.zeros(0)
        h = np.zeros((0, Q0.shape[1]))
        _lyapunov_map(stepf, jac, has_jac, p, y, Q0, n_iter, n_iter + 1, logs[v], ht, h, status[v])


@njit(parallel=True, **JIT)
def _lyap_sweep_flow(rhs, jac, has_jac, params, p_index, values, y0, Q0, dt, n_tr_renorm, n_renorm,
                     steps_per, A, b, c, logs, status):
    for v in prange(values.size):
        p = params.copy()
        p[p_index] = values[v]
        ht = np.zeros(0)
        h = np.zeros((0, Q0.shape[1]))
        scratch = np.zeros(Q0.shape[1])
        # transient: same integration, exponents discarded
        y = _lyapunov_flow(rhs, jac, has_jac, p, y0, Q0, 0.0, dt, n_tr_renorm, steps_per, n_tr_renorm + 1,
                           A, b, c, scratch, ht, h, status[v])
        if status[v, 0] == 0:
            _lyapunov_flow(rhs, jac, has_jac, p, y, Q0, n_tr_renorm * steps_per * dt, dt, n_renorm, steps_per,
                           n_renorm + 1, A, b, c, logs[v], ht, h, status[v])


@dataclass(frozen=True, eq=False)
class OrbitDiagram:
    """An orbit diagram.

    Attributes
    ----------
    values : ndarray, shape (m,)
        Parameter values.
    points : ndarray, shape (m, r)
        Recorded states (maps) or local maxima (flows), NaN-padded.
    diverged : ndarray of bool, shape (m,)
    """

    __repr__ = array_repr

    values: np.ndarray
    points: np.ndarray
    diverged: np.ndarray

    def plot(self, ax=None, **kwargs):
        """Scatter of the recorded points against the parameter; returns the Axes."""
        from ..plot import orbit_diagram as plot_orbit

        return plot_orbit(self.values, self.points, ax=ax, **kwargs)


def _sweep_args(system, param, values, y0):
    if not isinstance(system, (System, Map)):
        raise TypeError(f"system must be a System or a Map, got {type(system).__name__}")
    p_index = as_scalar("param", param, low=0, high=system.params.size - 1, integer=True) if system.params.size else None
    if p_index is None:
        raise ValueError(f"{system.name} has no parameters to sweep")
    values = as_float_array("values", values, ndim=1)
    if values.size == 0:
        raise ValueError("values must not be empty (the parameter grid)")
    y0 = as_float_array("y0", y0, ndim=1)
    if system.n is not None and y0.size != system.n:
        raise ValueError(f"y0 must have {system.n} components, got {y0.size}")
    check_system(system, y0)
    return p_index, values, y0, np.array(system.params)


def orbit_diagram(system, param, values, y0, *, component=0, transient=1000, record=200, dt=0.01,
                  method="rk4", max_peaks=None):
    """Orbit diagram over a parameter grid, in one parallel kernel.

    Parameters
    ----------
    system : Map or System
    param : int
        Index of the swept parameter in ``system.params``.
    values : array_like, shape (m,)
        Parameter values.
    y0 : array_like, shape (n,)
        Initial state of every run.
    component : int
        State component recorded.
    transient : int or float
        Iterations (map) or time (flow) discarded first.
    record : int or float
        Iterations recorded (map), or time over which maxima are recorded (flow).
    dt, method
        Fixed step and explicit method for flows.
    max_peaks : int, optional
        Flows: maxima kept per value (default ``record / dt / 10``).

    Returns
    -------
    OrbitDiagram
        ``points`` of shape ``(m, record)`` for maps, ``(m, max_peaks)`` for flows.
    """
    p_index, values, y0, params = _sweep_args(system, param, values, y0)
    component = as_scalar("component", component, low=0, high=y0.size - 1, integer=True)
    diverged = np.zeros(values.size, np.bool_)
    if isinstance(system, Map):
        n_tr = as_scalar("transient", transient, low=0, integer=True)
        n_rec = as_scalar("record", record, low=1, integer=True)
        out = np.empty((values.size, n_rec))
        _orbit_map(system.step, params, p_index, values, y0, component, n_tr, n_rec, out, diverged)
    else:
        dt = as_scalar("dt", dt, low=0.0, low_open=True)
        transient = as_scalar("transient", transient, low=0.0)
        record = as_scalar("record", record, low=0.0, low_open=True)
        n_steps = as_steps("record", record, dt)
        max_peaks = max(1, n_steps // 10) if max_peaks is None else as_scalar("max_peaks", max_peaks, low=1, integer=True)
        tab = get_method(method)
        out = np.full((values.size, max_peaks), np.nan)
        counts = np.zeros(values.size, np.int64)
        _orbit_flow(system.rhs, params, p_index, values, y0, component, dt, as_steps("transient", transient, dt),
                    n_steps, tab.A, tab.b, tab.c, out, counts, diverged)
    return OrbitDiagram(values, out, diverged)


def lyapunov_sweep(system, param, values, y0, T, *, k=1, transient=0, dt=0.01, renorm=0.1, method="rk4"):
    """The first k Lyapunov exponents at each parameter value, in one parallel kernel.

    Parameters
    ----------
    system : Map or System
    param : int
        Index of the swept parameter in ``system.params``.
    values : array_like, shape (m,)
    y0 : array_like, shape (n,)
    T, transient : int or float
        Iterations (map) or time (flow), as in :func:`lyapunov_spectrum`.
    k, dt, renorm, method
        As in :func:`lyapunov_spectrum`.

    Returns
    -------
    exponents : ndarray, shape (m, k)
        NaN where the run diverged.
    diverged : ndarray of bool, shape (m,)
    """
    p_index, values, y0, params = _sweep_args(system, param, values, y0)
    n = y0.size
    k = as_scalar("k", k, low=1, high=n, integer=True)
    Q0 = np.ascontiguousarray(np.eye(n)[:, :k])
    logs = np.zeros((values.size, k))
    status = np.zeros((values.size, 3), np.int64)
    has_jac = system.jac is not None
    jac = system.jac if has_jac else _no_jac
    if isinstance(system, Map):
        n_iter = as_scalar("T", T, low=1, integer=True)
        n_tr = as_scalar("transient", transient, low=0, integer=True)
        _lyap_sweep_map(system.step, jac, has_jac, params, p_index, values, y0, Q0, n_tr, n_iter, logs, status)
        total = float(n_iter)
    else:
        T = as_scalar("T", T, low=0.0, low_open=True)
        transient = as_scalar("transient", transient, low=0.0)
        dt = as_scalar("dt", dt, low=0.0, low_open=True)
        steps_per = as_steps("renorm", as_scalar("renorm", renorm, low=0.0, low_open=True), dt, at_least=1)
        n_renorm = as_steps("T", T, steps_per * dt, at_least=1, ceil=True)
        n_tr = as_steps("transient", transient, steps_per * dt, ceil=True)
        tab = get_method(method)
        _lyap_sweep_flow(system.rhs, jac, has_jac, params, p_index, values, y0, Q0, dt, n_tr, n_renorm,
                         steps_per, tab.A, tab.b, tab.c, logs, status)
        total = n_renorm * steps_per * dt
    diverged = status[:, 0] != 0
    lam = logs / total
    lam[diverged] = np.nan
    return lam, diverged
