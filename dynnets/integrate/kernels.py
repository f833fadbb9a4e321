"""The explicit Runge-Kutta kernel: one serial core run by any tableau, in fixed-step
or adaptive mode, and its batched (``prange``) form.

The user's right-hand side is an ``@njit`` function ``rhs(t, y, params, dydt)``
that writes ``dy/dt`` into ``dydt``. The kernels that take it are
``inline="always"`` so that ``dynnets._bind.bind(rk_core, rhs)`` can compile them
with ``rhs`` as a global and cache the result on disk (see ``_bind``).

Step-size control is the PI controller of Hairer and Wanner (as in their DOPRI5
code): ``h_new = h * safety * err**(-alpha) * err_prev**beta`` with
``beta = 0.2 / q``, ``alpha = 1/q - 0.75 beta`` and ``q = error_order + 1``; the
error is the RMS norm of ``h * sum_i e_i K_i`` scaled by
``atol + rtol * max(|y|, |y_new|)``.

References
----------
.. [1] E. Hairer, G. Wanner, "Solving Ordinary Differential Equations II",
       2nd ed., Springer, 1996, Sec. IV.2 (PI step-size control).
.. [2] E. Hairer, S. P. Norsett, G. Wanner, "Solving Ordinary Differential
       Equations I", Springer, 1993, Sec. II.4 (starting step size).
"""

import numpy as np
from numba import njit, prange

from .._math import is_finite
from ..config import JIT

# status codes (stats[0])
OK = 0
DIVERGED = 1
MAX_STEPS = 2
STEP_TOO_SMALL = 3

# stats layout: status, accepted steps, rejected steps, rhs evaluations, failing step, failing unit
N_STATS = 6

SAFETY = 0.9
MIN_FACTOR = 0.2
MAX_FACTOR = 10.0


@njit(**JIT)
def stage_input(y, K, A, st, h, out):
    """The input of stage ``st``: ``out = y + h * sum_{j < st} A[st, j] K[j]``."""
    for m in range(y.size):
        acc = 0.0
        for j in range(st):
            acc += A[st, j] * K[j, m]
        out[m] = y[m] + h * acc


@njit(inline="always", **JIT)
def rk_step(rhs, t, y, params, h, A, b, c, K, yt):
    """One explicit RK step of ``y' = rhs(t, y)`` in place; ``K`` (s, n) holds the
    stages afterwards (``K[0] = f(t, y_old)``), ``yt`` (n,) is scratch."""
    s = b.size
    for st in range(s):
        stage_input(y, K, A, st, h, yt)
        rhs(t + c[st] * h, yt, params, K[st])
    for m in range(y.size):
        acc = 0.0
        for st in range(s):
            acc += b[st] * K[st, m]
        y[m] += h * acc


@njit(**JIT)
def _rms(v, y, y_new, rtol, atol):
    s = 0.0
    for i in range(v.size):
        sc = atol + rtol * max(abs(y[i]), abs(y_new[i]))
        s += (v[i] / sc) ** 2
    return np.sqrt(s / v.size)


@njit(inline="always", **JIT)
def _initial_step(rhs, params, t0, y0, f0, order, rtol, atol, t_len, work):
    """Hairer's starting step (Solving ODEs I, II.4). ``work`` is (2, n)."""
    n = y0.size
    d0 = 0.0
    d1 = 0.0
    for i in range(n):
        sc = atol + abs(y0[i]) * rtol
        d0 += (y0[i] / sc) ** 2
        d1 += (f0[i] / sc) ** 2
    d0 = np.sqrt(d0 / n)
    d1 = np.sqrt(d1 / n)
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    h0 = min(h0, t_len)
    y1 = work[0]
    f1 = work[1]
    for i in range(n):
        y1[i] = y0[i] + h0 * f0[i]
    rhs(t0 + h0, y1, params, f1)
    d2 = 0.0
    for i in range(n):
        sc = atol + abs(y0[i]) * rtol
        d2 += ((f1[i] - f0[i]) / sc) ** 2
    d2 = np.sqrt(d2 / n) / h0
    m = max(d1, d2)
    if m <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / m) ** (1.0 / (order + 1))
    return min(100.0 * h0, h1, t_len)


@njit(**JIT)
def _first_nonfinite(v):
    for i in range(v.size):
        if not is_finite(v[i]):
            return i
    return -1


@njit(inline="always", **JIT)
def rk_core(rhs, params, y0, t0, t1, dt, adaptive, rtol, atol, h_max, max_steps,
            A, b, c, e, P, fsal, error_order, t_eval, record, y_out, stats):
    """Integrate ``y' = rhs(t, y)`` from ``t0`` to ``t1``.

    Writes the solution at each ``t_eval`` (sorted, within ``[t0, t1]``) into
    ``y_out`` (shape ``(len(t_eval), n)``) by dense output. With ``record`` it also
    returns every accepted step as ``(ts, ys, count)`` (arrays grown by doubling).
    ``dt`` is the fixed step, or in adaptive mode the first step (0: automatic).
    After a failure the remaining rows of ``y_out`` are NaN and ``stats`` says why.
    """
    n = y0.size
    s = b.size
    n_eval = t_eval.size
    K = np.zeros((s + 1, n))  # row s: f(t_new, y_new) for Hermite output
    y = y0.copy()
    y_new = np.empty(n)
    y_tmp = np.empty(n)
    err = np.empty(n)
    cap = 64 if record else 1
    ts = np.empty(cap)
    ys = np.empty((cap, n))
    n_rec = 0
    if record:
        ts[0] = t0
        ys[0] = y0
        n_rec = 1
    status = OK
    n_acc = 0
    n_rej = 0
    fail_unit = -1

    i_out = 0
    while i_out < n_eval and t_eval[i_out] <= t0:
        y_out[i_out] = y0
        i_out += 1

    rhs(t0, y, params, K[0])
    n_fev = 1
    k0_ready = True
    t = t0
    t_len = t1 - t0
    q = error_order + 1.0
    beta = 0.2 / q
    alpha = 1.0 / q - 0.75 * beta
    err_prev = 1e-4
    if adaptive:
        if dt > 0.0:
            h = dt
        else:
            h = _initial_step(rhs, params, t0, y0, K[0], error_order, rtol, atol, t_len, K[1:3])
            n_fev += 1
        h = min(h, h_max)
        n_fixed = 0
    else:
        h = dt
        n_fixed = int(np.ceil(t_len / dt * (1.0 - 1e-12)))
    rejected_last = False
    eps = np.finfo(np.float64).eps

    while t < t1:
        if n_acc >= max_steps:
            status = MAX_STEPS
            break
        if not k0_ready:
            rhs(t, y, params, K[0])
            n_fev += 1
            k0_ready = True
        if adaptive:
            t_new = t + h
            if t_new >= t1 - 4.0 * eps * abs(t1):
                t_new = t1
                h = t1 - t
        else:
            t_new = t1 if n_acc + 1 >= n_fixed else t0 + (n_acc + 1) * dt
            h = t_new - t
        # stages
        for i in range(1, s):
            stage_input(y, K, A, i, h, y_tmp)
            rhs(t + c[i] * h, y_tmp, params, K[i])
        n_fev += s - 1
        for k in range(n):
            acc = 0.0
            for i in range(s):
                acc += b[i] * K[i, k]
            y_new[k] = y[k] + h * acc

        if adaptive:
            for k in range(n):
                acc = 0.0
                for i in range(s):
                    acc += e[i] * K[i, k]
                err[k] = h * acc
            err_norm = _rms(err, y, y_new, rtol, atol)
            if not is_finite(err_norm):
                fail_unit = max(_first_nonfinite(y_new), 0)
                n_rej += 1
                rejected_last = True
                h *= MIN_FACTOR
                if h < 10.0 * eps * max(abs(t), 1.0):
                    status = DIVERGED
                    break
                continue
            if err_norm > 1.0:
                n_rej += 1
                rejected_last = True
                h *= max(MIN_FACTOR, SAFETY * err_norm ** (-alpha))
                if h < 10.0 * eps * max(abs(t), 1.0):
                    status = STEP_TOO_SMALL
                    break
                continue
            factor = SAFETY * err_norm ** (-alpha) * err_prev ** beta if err_norm > 0.0 else MAX_FACTOR
            factor = min(MAX_FACTOR, max(MIN_FACTOR, factor))
            if rejected_last:
                factor = min(factor, 1.0)
            err_prev = max(err_norm, 1e-4)
            h_next = min(h * factor, h_max)
        else:
            h_next = h
        rejected_last = False

        # accepted (fixed steps are always accepted)
        bad = _first_nonfinite(y_new)
        if bad >= 0:
            status = DIVERGED
            fail_unit = bad
            break
        n_acc += 1

        # dense output at requested times in (t, t_new]
        have_f1 = fsal
        while i_out < n_eval and t_eval[i_out] <= t_new:
            te = t_eval[i_out]
            if te == t_new:
                y_out[i_out] = y_new
            else:
                theta = (te - t) / h
                if P.shape[0] > 0:
                    for k in range(n):
                        acc = 0.0
                        for i in range(s):
                            p_theta = 0.0
                            pw = 1.0
                            for m in range(P.shape[1]):
                                pw *= theta
                                p_theta += P[i, m] * pw
                            acc += K[i, k] * p_theta
                        y_out[i_out, k] = y[k] + h * acc
                else:
                    if not have_f1:
                        rhs(t_new, y_new, params, K[s])
                        n_fev += 1
                        have_f1 = True
                    f1 = K[s - 1] if fsal else K[s]
                    h00 = (1.0 + 2.0 * theta) * (1.0 - theta) ** 2
                    h10 = theta * (1.0 - theta) ** 2
                    h01 = theta * theta * (3.0 - 2.0 * theta)
                    h11 = theta * theta * (theta - 1.0)
                    for k in range(n):
                        y_out[i_out, k] = (h00 * y[k] + h10 * h * K[0, k]
                                           + h01 * y_new[k] + h11 * h * f1[k])
            i_out += 1

        if record:
            if n_rec == ts.size:
                ts2 = np.empty(2 * ts.size)
                ys2 = np.empty((2 * ts.size, n))
                ts2[:n_rec] = ts[:n_rec]
                ys2[:n_rec] = ys[:n_rec]
                ts = ts2
                ys = ys2
            ts[n_rec] = t_new
            ys[n_rec] = y_new
            n_rec += 1

        # f(t_new, y_new) is the next step's first stage when we already have it
        if fsal:
            K[0] = K[s - 1]
        elif have_f1:
            K[0] = K[s]
        else:
            k0_ready = False
        t = t_new
        y[:] = y_new
        h = h_next

    if status != OK:
        fail_unit = max(fail_unit, 0)
        for r in range(i_out, n_eval):
            y_out[r] = np.nan
    stats[0] = status
    stats[1] = n_acc
    stats[2] = n_rej
    stats[3] = n_fev
    stats[4] = n_acc  # index of the failing step (the one after the last accepted)
    stats[5] = fail_unit
    return ts, ys, n_rec


@njit(parallel=True, **JIT)
def rk_batch(core, params, y0, t0, t1, dt, adaptive, rtol, atol, h_max, max_steps,
             A, b, c, e, P, fsal, error_order, t_eval, y_out, stats):
    """``rk_core`` over a batch: item ``i`` starts at ``y0[i]`` with ``params[i]``
    and writes ``y_out[i]`` (shape ``(len(t_eval), n)``) and ``stats[i]``.
    ``core`` is ``bind(rk_core, rhs)``: this loop is compiled in every process,
    the integrator inside it comes from the disk cache."""
    for i in prange(y0.shape[0]):
        core(params[i], y0[i], t0, t1, dt, adaptive, rtol, atol, h_max, max_steps,
             A, b, c, e, P, fsal, error_order, t_eval, False, y_out[i], stats[i])
