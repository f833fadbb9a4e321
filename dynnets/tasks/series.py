"""Benchmark time series for reservoir computing, and the error measure used with them.

Mackey-Glass delay differential equation (Mackey and Glass 1977)::

    dx/dt = beta x(t - tau) / (1 + x(t - tau)^n) - gamma x(t)

chaotic for ``tau = 17`` with ``beta = 0.2, gamma = 0.1, n = 10``. It is integrated
here by RK4 with step ``dt`` (``tau / dt`` an integer) on a history buffer; the
delayed value at a half step is the cubic Hermite interpolant of the stored values
and derivatives, so the method keeps order 4 (exact for piecewise cubics, which
the tests use).

NARMA10 (Atiya and Parlos 2000)::

    y(t+1) = 0.3 y(t) + 0.05 y(t) sum_{i=0..9} y(t-i) + 1.5 u(t-9) u(t) + 0.1,
    u(t) ~ U[0, 0.5]

Normalised root-mean-square error, as used throughout this library::

    NRMSE = sqrt(mean((y - y_hat)^2) / var(y))

(the variance of the target, population form; peers differ: some divide the RMSE
by the standard deviation, by the range, or by the mean, so compare with care).

References
----------
.. [1] M. C. Mackey, L. Glass, "Oscillation and chaos in physiological control
       systems", Science 197, 287-289, 1977.
.. [2] A. F. Atiya, A. G. Parlos, "New results on recurrent network training:
       unifying the algorithms and accelerating convergence", IEEE Trans. Neural
       Netw. 11(3), 697-709, 2000.
.. [3] H. Jaeger, H. Haas, "Harnessing nonlinearity: predicting chaotic systems
       and saving energy in wireless communication", Science 304, 78-80, 2004.
"""

import numpy as np
from numba import njit

from .._validate import as_float_array, as_rng, as_scalar, as_steps
from ..config import JIT


@njit(cache=True, **JIT)
def _mg_rhs(x, xd, beta, gamma, n):
    return beta * xd / (1.0 + xd**n) - gamma * x


@njit(cache=True, **JIT)
def _mackey_glass(x0, m, dt, beta, gamma, n, n_steps, every, out):
    """RK4 with history: slot ``j % (m + 1)`` of ``xs``, ``fs`` holds x and dx/dt
    at step j (constant history x0 with zero derivative before t = 0)."""
    r = m + 1
    xs = np.full(r, x0)
    fs = np.zeros(r)
    x = x0
    h = dt
    out[0] = x
    for k in range(n_steps):
        i0 = (k + 1) % r  # step k - m, time t - tau
        xd0 = xs[i0]
        fd0 = fs[i0]
        k1 = _mg_rhs(x, xd0, beta, gamma, n)
        xs[k % r] = x  # replaces step k - m - 1, no longer needed
        fs[k % r] = k1
        i1 = (k + 2) % r  # step k - m + 1 (step k itself when m = 1)
        xd1 = xs[i1]
        # at t = 0 the solution leaves the constant history with a kink: seen
        # from the history side, the derivative there is zero
        fd1 = fs[i1] if k + 1 > m else 0.0
        xdh = 0.5 * (xd0 + xd1) + h * (fd0 - fd1) / 8.0  # cubic Hermite at the midpoint
        k2 = _mg_rhs(x + 0.5 * h * k1, xdh, beta, gamma, n)
        k3 = _mg_rhs(x + 0.5 * h * k2, xdh, beta, gamma, n)
        k4 = _mg_rhs(x + h * k3, xd1, beta, gamma, n)
        x = x + h / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        if (k + 1) % every == 0:
            out[(k + 1) // every] = x


def mackey_glass(n_samples, *, tau=17.0, beta=0.2, gamma=0.1, n=10.0, x0=1.2, dt=0.1,
                 sample_every=1.0, discard=0.0):
    """The Mackey-Glass series sampled every ``sample_every`` time units.

    Parameters
    ----------
    n_samples : int
        Length of the returned series.
    tau, beta, gamma, n : float
        Delay and parameters of the equation (defaults: the chaotic tau = 17 case).
    x0 : float
        Constant history ``x(t) = x0`` for ``t <= 0``.
    dt : float
        RK4 step; ``tau / dt`` and ``sample_every / dt`` must be integers.
    sample_every : float
        Time between samples (1.0 in Jaeger and Haas 2004 [3]_).
    discard : float
        Initial time to drop (the transient from the constant history).

    Returns
    -------
    x : ndarray, shape (n_samples,)
        ``x(discard + k * sample_every)``.
    """
    n_samples = as_scalar("n_samples", n_samples, low=1, integer=True)
    tau = as_scalar("tau", tau, low=0.0)
    dt = as_scalar("dt", dt, low=0.0, low_open=True)
    sample_every = as_scalar("sample_every", sample_every, low=0.0, low_open=True)
    discard = as_scalar("discard", discard, low=0.0)
    beta, gamma, n, x0 = (as_scalar(k, v) for k, v in (("beta", beta), ("gamma", gamma), ("n", n), ("x0", x0)))

    def whole_steps(name, value):
        k = as_steps(name, value, dt)
        if abs(k * dt - value) > 1e-9 * max(1.0, value):
            raise ValueError(f"{name} / dt must be an integer, got {name}={value}, dt={dt}")
        return k

    m = whole_steps("tau", tau)
    if m < 1:
        raise ValueError(f"tau must be at least dt, got tau={tau}, dt={dt}")
    every = whole_steps("sample_every", sample_every)
    skip = whole_steps("discard", discard)
    if every < 1:
        raise ValueError(f"sample_every must be at least dt, got {sample_every} < {dt}")
    if skip % every:
        raise ValueError("discard must be a multiple of sample_every")
    total = skip // every + n_samples - 1
    out = np.empty(total + 1)
    _mackey_glass(x0, m, dt, beta, gamma, n, total * every, every, out)
    x = out[skip // every:]
    if not np.all(np.isfinite(x)):
        raise FloatingPointError("the Mackey-Glass integration diverged; reduce dt")
    return x


@njit(cache=True, **JIT)
def _narma(u, order, a, b, c, d, y):
    for t in range(order - 1, u.size - 1):
        s = 0.0
        for i in range(order):
            s += y[t - i]
        y[t + 1] = a * y[t] + b * y[t] * s + c * u[t - order + 1] * u[t] + d


def narma(n_samples, order=10, *, seed=None, u=None, discard=200):
    """The NARMA task of the given order (10 by default) [2]_.

    Parameters
    ----------
    n_samples : int
        Length of the returned series.
    order : int
        Memory of the system (10 for NARMA10).
    seed : int or numpy.random.Generator, optional
        For the input ``u ~ U[0, 0.5]``.
    u : array_like, shape (n_samples + discard,), optional
        Use this input instead of drawing one.
    discard : int
        Initial samples to drop (the output starts at zero).

    Returns
    -------
    u, y : ndarray, shape (n_samples,)
        Input and target; ``y[t]`` depends on ``u[t - 1], ..., u[t - order]``.
        The standard constants (0.3, 0.05, 1.5, 0.1) are used for every order.
    """
    n_samples = as_scalar("n_samples", n_samples, low=1, integer=True)
    order = as_scalar("order", order, low=1, integer=True)
    discard = as_scalar("discard", discard, low=0, integer=True)
    total = n_samples + discard
    if u is None:
        u = as_rng(seed).uniform(0.0, 0.5, total)
    else:
        u = as_float_array("u", u, shape=(total,))
    y = np.zeros(total)
    _narma(u, order, 0.3, 0.05, 1.5, 0.1, y)
    if not np.all(np.isfinite(y)) or np.abs(y).max() > 1e3:
        raise FloatingPointError("the NARMA series diverged for this input; try another seed")
    return u[discard:].copy(), y[discard:].copy()


def lorenz_series(n_samples, *, dt=0.02, y0=(1.0, 1.0, 1.0), discard=10.0, rtol=1e-10, atol=1e-10):
    """The Lorenz system (sigma 10, rho 28, beta 8/3) sampled every ``dt``.

    Integrated by adaptive Dormand-Prince (:func:`dynnets.solve`) with dense
    output; ``discard`` time units of transient are dropped.

    Parameters
    ----------
    n_samples : int
    dt : float
        Sampling interval.
    y0 : array_like, shape (3,)
    discard : float
        Transient dropped (time units).
    rtol, atol : float
        Integration tolerances.

    Returns
    -------
    x : ndarray, shape (n_samples, 3)
    """
    from ..integrate import solve
    from ..models.flows import lorenz

    n_samples = as_scalar("n_samples", n_samples, low=1, integer=True)
    dt = as_scalar("dt", dt, low=0.0, low_open=True)
    discard = as_scalar("discard", discard, low=0.0)
    t = discard + dt * np.arange(n_samples)
    try:
        sol = solve(lorenz(), as_float_array("y0", y0, shape=(3,)), (0.0, t[-1] if t[-1] > 0 else dt),
                    rtol=rtol, atol=atol, t_eval=t)
    except RuntimeError as err:  # the integrator's step limit
        raise ValueError(f"n_samples, dt and discard ask for a longer run than the integrator allows: {err}") from None
    return sol.y


def nrmse(y_true, y_pred, *, multioutput="uniform_average"):
    """Normalised root-mean-square error ``sqrt(mean((y - y_hat)^2) / var(y))``.

    Parameters
    ----------
    y_true, y_pred : array_like, shape (n_samples,) or (n_samples, n_outputs)
    multioutput : {"uniform_average", "raw_values"}
        Mean over outputs, or one value per output.
    """
    y = as_float_array("y_true", y_true, ndim=(1, 2))
    p = as_float_array("y_pred", y_pred, ndim=(1, 2), finite=False)
    if p.shape != y.shape:
        raise ValueError(f"y_pred must have the shape of y_true {y.shape}, got {p.shape}")
    if y.shape[0] < 2:
        raise ValueError("y_true needs at least two samples")
    y2, p2 = y.reshape(y.shape[0], -1), p.reshape(p.shape[0], -1)
    var = y2.var(axis=0)
    if np.any(var == 0):
        raise ValueError("y_true is constant (zero variance): NRMSE is undefined")
    e = np.sqrt(np.mean((y2 - p2) ** 2, axis=0) / var)
    if multioutput == "raw_values":
        return e
    if multioutput == "uniform_average":
        return float(e.mean())
    raise ValueError(f"multioutput must be 'uniform_average' or 'raw_values', got {multioutput!r}")
