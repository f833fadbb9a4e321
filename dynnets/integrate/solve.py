"""The ``solve`` driver: validates, then runs the Runge-Kutta kernel."""

from dataclasses import dataclass

import numpy as np
from numba.core.errors import TypingError

from .._bind import bind
from .._validate import as_bool, as_float_array, as_scalar, as_steps, check_jitted
from ..errors import DivergenceError
from ..systems import System
from . import kernels
from .tableau import get_method


@dataclass(frozen=True, eq=False)
class Solution:
    """The result of ``solve`` / ``solve_batch`` and of model simulations.

    Attributes
    ----------
    t : ndarray, shape (n_t,)
        Output times.
    y : ndarray, shape (n_t, n) or (n_t, batch, n)
        States, time first.
    n_steps, n_rejected, n_fev : int or ndarray of shape (batch,)
        Accepted steps, rejected steps and right-hand-side evaluations.
    status : int or ndarray of shape (batch,)
        0 finished, 1 diverged, 2 too many steps, 3 step size too small.
    """

    t: np.ndarray
    y: np.ndarray
    n_steps: object = 0
    n_rejected: object = 0
    n_fev: object = 0
    status: object = 0

    @property
    def success(self):
        """True where the integration reached the end of the interval."""
        return np.asarray(self.status) == kernels.OK

    def plot(self, ax=None, **kwargs):
        """Plot every state component against time; returns the Axes."""
        from ..plot import time_series

        return time_series(self.t, self.y, ax=ax, **kwargs)

    def __repr__(self):
        return (f"Solution(t: {self.t.shape}, y: {self.y.shape}, steps={self.n_steps}, "
                f"rejected={self.n_rejected}, fev={self.n_fev}, status={self.status})")


_MESSAGES = {
    kernels.MAX_STEPS: "the step limit max_steps was reached before the end of t_span",
    kernels.STEP_TOO_SMALL: "the step size became too small for the tolerances (stiff or singular problem?)",
}


def _as_system(system, params):
    if isinstance(system, System):
        if params is not None:
            system = system.with_params(params)
        return system
    check_jitted("system", system)
    return System(system, np.zeros(0) if params is None else params)


def _check_rhs(system, y0, t0):
    """Call rhs once here, so a wrong signature fails with a clear message."""
    out = np.zeros_like(y0)
    try:
        system.rhs(t0, y0.copy(), system.params, out)
    except (TypingError, TypeError) as err:
        raise TypeError(
            f"system.rhs cannot be called as rhs(t: float, y: float64[n], params: float64[p], "
            f"dydt: float64[n]) with n={y0.size}, p={system.params.size}: {str(err).splitlines()[0]}"
        ) from None


def _prepare(system, y0, t_span, params, method, dt, adaptive, rtol, atol, t_eval, max_steps,
             h_max, y0_ndim):
    system = _as_system(system, params)
    y0 = as_float_array("y0", y0, ndim=y0_ndim)
    if y0.shape[-1] == 0:
        raise ValueError("y0 must have at least one component")
    if system.n is not None and y0.shape[-1] != system.n:
        raise ValueError(f"y0 must have {system.n} components for {system.name}, got {y0.shape[-1]}")
    ts = as_float_array("t_span", t_span, shape=(2,))
    t0, t1 = float(ts[0]), float(ts[1])
    if not t1 > t0:
        raise ValueError(f"t_span must be increasing (t0 < t1), got {t_span}")
    tab = get_method(method)
    if adaptive is None:
        adaptive = tab.adaptive
    if adaptive and not tab.adaptive:
        raise ValueError(f"method {tab.name!r} has no error estimate; adaptive stepping needs an embedded pair such as 'dopri5'")
    if dt is None:
        if not adaptive:
            raise ValueError(f"dt is required for fixed-step integration with {tab.name!r}")
        dt = 0.0
    else:
        dt = as_scalar("dt", dt, low=0.0, low_open=True)
    rtol = as_scalar("rtol", rtol, low=0.0, low_open=True)
    atol = as_scalar("atol", atol, low=0.0)
    if adaptive and rtol < 100 * np.finfo(float).eps:
        raise ValueError(f"rtol must be at least {100 * np.finfo(float).eps:.1e}, got {rtol}")
    max_steps = as_scalar("max_steps", max_steps, low=1, integer=True)
    h_max = np.inf if h_max is None or h_max == np.inf else as_scalar("h_max", h_max, low=0.0, low_open=True)
    if t_eval is not None:
        t_eval = as_float_array("t_eval", t_eval, ndim=1)
        if t_eval.size and (t_eval[0] < t0 or t_eval[-1] > t1):
            raise ValueError(f"t_eval must lie within t_span [{t0}, {t1}]")
        if np.any(np.diff(t_eval) < 0):
            raise ValueError("t_eval must be sorted in increasing order")
    elif not adaptive:
        n = as_steps("t_span", (t1 - t0) * (1.0 - 1e-12), dt, ceil=True)
        t_eval = np.minimum(t0 + dt * np.arange(n + 1), t1)
        t_eval[-1] = t1
    e = tab.e if tab.adaptive else np.zeros(tab.n_stages)
    P = tab.P if tab.P is not None else np.zeros((0, 0))
    err_order = tab.error_order if tab.adaptive else tab.order
    args = (t0, t1, dt, bool(adaptive), rtol, atol, h_max, max_steps,
            tab.A, tab.b, tab.c, e, P, tab.fsal, err_order)
    return system, y0, args, t_eval, t0


def _raise_failure(stats, item=None):
    status = int(stats[0])
    if status == kernels.DIVERGED:
        raise DivergenceError(stats[4], stats[5], item=item)
    if status in _MESSAGES:
        where = f"item {item}: " if item is not None else ""
        raise RuntimeError(f"{where}{_MESSAGES[status]} (after {stats[1]} steps)")


def solve(system, y0, t_span, params=None, *, method="dopri5", dt=None, adaptive=None,
          rtol=1e-6, atol=1e-9, t_eval=None, max_steps=10_000_000, h_max=None, nan_ok=False):
    """Integrate an ODE system with an explicit Runge-Kutta method.

    Parameters
    ----------
    system : System or numba @njit function
        The system, or its ``rhs(t, y, params, dydt)``.
    y0 : array_like, shape (n,)
        Initial state.
    t_span : (float, float)
        Start and end time, ``t0 < t1``.
    params : array_like, shape (p,), optional
        Overrides ``system.params``.
    method : str or ButcherTableau
        ``'euler'``, ``'heun'``, ``'rk4'`` or ``'dopri5'`` (Dormand-Prince 5(4)).
    dt : float, optional
        Fixed step; in adaptive mode the first step (default: chosen automatically).
    adaptive : bool, optional
        Error-controlled steps; defaults to True for embedded pairs (``'dopri5'``).
    rtol, atol : float
        Tolerances of the adaptive mode, per component:
        ``|err_i| <= atol + rtol * |y_i|`` in the RMS norm.
    t_eval : array_like, shape (n_t,), optional
        Sorted output times in ``t_span``, filled by the method's dense output
        (Dormand-Prince's quartic, else cubic Hermite). Default: every step.
    max_steps : int
        Give up after this many accepted steps.
    h_max : float, optional
        Upper bound on the adaptive step.
    nan_ok : bool
        Return on divergence (states after it are NaN, ``status`` says why)
        instead of raising ``DivergenceError``.

    Returns
    -------
    Solution
        ``t`` of shape ``(n_t,)``, ``y`` of shape ``(n_t, n)``, and step counts.

    References
    ----------
    .. [1] E. Hairer, S. P. Norsett, G. Wanner, "Solving Ordinary Differential
           Equations I", 2nd ed., Springer, 1993.
    """
    system, y0, args, t_eval, t0 = _prepare(system, y0, t_span, params, method, dt, adaptive,
                                            rtol, atol, t_eval, max_steps, h_max, 1)
    _check_rhs(system, y0, t0)
    record = t_eval is None
    te = np.zeros(0) if record else t_eval
    y_out = np.empty((te.size, y0.size))
    stats = np.zeros(kernels.N_STATS, np.int64)
    ts, ys, n_rec = bind(kernels.rk_core, system.rhs)(system.params, y0, *args, te, record, y_out, stats)
    if not as_bool("nan_ok", nan_ok):
        _raise_failure(stats)
    if record:
        t_out, y_out = ts[:n_rec].copy(), ys[:n_rec].copy()
    else:
        t_out = te
    return Solution(t_out, y_out, int(stats[1]), int(stats[2]), int(stats[3]), int(stats[0]))


def solve_batch(system, y0, t_span, params=None, *, method="dopri5", dt=None, adaptive=None,
                rtol=1e-6, atol=1e-9, t_eval=None, max_steps=10_000_000, h_max=None,
                nan_ok=False):
    """Integrate many initial conditions and/or parameter sets in one parallel kernel.

    Each item is integrated independently (its own adaptive steps), so the result
    does not depend on the number of threads.

    Parameters
    ----------
    system : System or numba @njit function
    y0 : array_like, shape (batch, n) or (n,)
        Initial states; one state is shared by all items.
    t_span : (float, float)
    params : array_like, shape (batch, p) or (p,), optional
        Parameter sets; a 1-D array is shared by all items.
    t_eval : array_like, shape (n_t,)
        Output times. Required in adaptive mode; default in fixed-step mode:
        every step.
    method, dt, adaptive, rtol, atol, max_steps, h_max, nan_ok
        As in :func:`solve`. With ``nan_ok`` a diverging item does not stop the
        batch: its rows after the divergence are NaN and ``status`` flags it.

    Returns
    -------
    Solution
        ``y`` of shape ``(n_t, batch, n)``; ``n_steps``, ``status`` etc. of shape
        ``(batch,)``.
    """
    system = _as_system(system, None)
    p = system.params if params is None else as_float_array("params", params, ndim=(1, 2))
    y0a = as_float_array("y0", y0, ndim=(1, 2))
    batch = None
    if y0a.ndim == 2:
        batch = y0a.shape[0]
    if p.ndim == 2:
        if batch is not None and p.shape[0] != batch:
            raise ValueError(f"params has {p.shape[0]} rows but y0 has {batch}: batch sizes must match")
        batch = p.shape[0]
    if batch is None:
        raise ValueError("solve_batch needs a batch: give y0 of shape (batch, n) or params of shape (batch, p)")
    if batch == 0:
        raise ValueError("the batch is empty: y0 or params has no rows")
    y0b = np.ascontiguousarray(np.broadcast_to(y0a, (batch, y0a.shape[-1])))
    pb = np.ascontiguousarray(np.broadcast_to(p, (batch, p.shape[-1])))
    system, _, args, t_eval, t0 = _prepare(system, y0b, t_span, pb[0], method, dt, adaptive,
                                           rtol, atol, t_eval, max_steps, h_max, 2)
    if t_eval is None:
        raise ValueError("t_eval is required for an adaptive batch (the items take different steps)")
    _check_rhs(system, y0b[0], t0)
    y_out = np.empty((batch, t_eval.size, y0b.shape[1]))
    stats = np.zeros((batch, kernels.N_STATS), np.int64)
    kernels.rk_batch(bind(kernels.rk_core, system.rhs), pb, y0b, *args, t_eval, y_out, stats)
    if not as_bool("nan_ok", nan_ok):
        for i in range(batch):
            if stats[i, 0] != kernels.OK:
                _raise_failure(stats[i], item=i)
    return Solution(t_eval, np.ascontiguousarray(y_out.transpose(1, 0, 2)), stats[:, 1].copy(),
                    stats[:, 2].copy(), stats[:, 3].copy(), stats[:, 0].copy())
