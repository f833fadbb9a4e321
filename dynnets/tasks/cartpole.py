"""Pole balancing: a cart on a track with one or two poles (Wieland's equations).

State ``s = (x, x', theta_1, theta_1', theta_2, theta_2')`` (SI units, angles in
radians from upright; one pole: the first four). With cart mass M = 1 kg, pole
masses m_1 = 0.1 kg, m_2 = 0.01 kg, half-lengths l_1 = 0.5 m, l_2 = 0.05 m,
friction mu_c = 5e-4 (cart), mu_p = 2e-6 (poles), g = 9.8 m/s^2 (Wieland 1991;
Gomez and Miikkulainen's code, used by Stanley and Miikkulainen 2002, Igel 2003
and Gomez et al. 2008)::

    F~_i = m_i l_i theta_i'^2 sin theta_i + 3/4 m_i cos theta_i (mu_p theta_i' / (m_i l_i) + g sin theta_i)
    m~_i = m_i (1 - 3/4 cos^2 theta_i)
    x''  = (F - mu_c sgn(x') + sum_i F~_i) / (M + sum_i m~_i)
    theta_i'' = -3 / (4 l_i) (x'' cos theta_i - g sin theta_i + mu_p theta_i' / (m_i l_i))

The controller's action ``a`` in [0, 1] is the force ``F = 20 (a - 0.5)`` N,
held for one control step of 0.02 s, integrated by two RK4 steps of 0.01 s.
An episode fails when ``|x| > 2.4`` m or a pole leaves ``|theta| <= 36``
degrees. Observations are scaled as in those codes: ``x / 4.8``, velocities
``/ 2``, angles ``/ 0.52``.

The standard tasks:

- double pole with velocities (6 inputs): fitness = steps balanced;
- double pole **without** velocities (3 inputs: x, theta_1, theta_2), start
  ``theta_1 = 4.5`` degrees, 1000 steps, Gruau's *damping* fitness
  ``0.1 t / 1000 + 0.9 * 0.75 / sum_{last 100 steps} (|x| + |x'| + |theta_1| +
  |theta_1'|)`` (the second term from step 100 on), which rewards calm
  balancing; a network *solves* it when it balances 100,000 steps from the
  standard start and then at least 200 of the 625 starts of the
  generalisation test (:func:`generalization_starts`) for 1000 steps each.

References
----------
.. [1] A. Wieland, "Evolving neural network controllers for unstable systems",
       IJCNN 1991, vol. 2, 667-673.
.. [2] F. Gruau, D. Whitley, L. Pyeatt, "A comparison between cellular encoding
       and direct encoding for genetic neural networks", GP 1996, 81-89.
.. [3] K. O. Stanley, R. Miikkulainen, "Evolving neural networks through
       augmenting topologies", Evolutionary Computation 10(2), 99-127, 2002.
.. [4] F. Gomez, J. Schmidhuber, R. Miikkulainen, "Accelerated neural evolution
       through cooperatively coevolved synapses", JMLR 9, 937-965, 2008.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit

from .._repr import array_repr
from .._threads import strided
from .._validate import as_bool, as_float_array, as_scalar
from ..config import JIT
from ._agent import check_dt, controller_arrays, euler_step, reset

__all__ = ["BalanceResult", "balance", "cartpole_step", "generalization_starts", "n_observations", "solves",
           "standard_start", "trajectory"]

GRAVITY = 9.8
MASS_CART = 1.0
MASS_POLE = (0.1, 0.01)
HALF_LENGTH = (0.5, 0.05)
MU_CART = 0.0005
MU_POLE = 0.000002
FORCE_MAG = 10.0
TAU = 0.01            # RK4 step (s); two per control step
CONTROL_DT = 0.02     # s
TRACK_LIMIT = 2.4     # m
FAILURE_ANGLE = 0.628329  # 36 degrees, the constant of the reference codes
START_ANGLE = 4.5 * np.pi / 180.0
SCALE_X, SCALE_V, SCALE_ANGLE = 4.8, 2.0, 0.52
SOLVE_STEPS = 100_000
GENERALIZATION_STEPS = 1000
GENERALIZATION_NEEDED = 200


def _check_poles(n_poles):
    n_poles = as_scalar("n_poles", n_poles, integer=True)
    if n_poles not in (1, 2):
        raise ValueError(f"n_poles must be 1 or 2, got {n_poles}")
    return n_poles


def n_observations(n_poles=2, velocities=False):
    """Inputs the controller receives: ``2 + 2 n_poles`` with velocities, else ``1 + n_poles``.

    Parameters
    ----------
    n_poles : {1, 2}
    velocities : bool

    Returns
    -------
    int
    """
    n_poles = _check_poles(n_poles)
    return (2 + 2 * n_poles) if as_bool("velocities", velocities) else (1 + n_poles)


def standard_start(n_poles=2):
    """The start of the standard tasks: pole 1 at 4.5 degrees, everything else 0.

    Parameters
    ----------
    n_poles : {1, 2}

    Returns
    -------
    ndarray, shape (2 + 2 n_poles,)
    """
    s = np.zeros(2 + 2 * _check_poles(n_poles))
    s[2] = START_ANGLE
    return s


def generalization_starts():
    """The 625 starts of the generalisation test (Gruau et al. 1996): x, x',
    theta_1 and theta_1' each at 0.05, 0.25, 0.5, 0.75 and 0.95 of the ranges
    +-2.16 m, +-1.35 m/s, +-3.6 degrees and +-8.6 degrees/s; pole 2 at rest.
    Shape (625, 6)."""
    levels = np.array([0.05, 0.25, 0.5, 0.75, 0.95])
    half = np.array([2.16, 1.35, 3.6 * np.pi / 180.0, 8.6 * np.pi / 180.0])
    grid = np.stack(np.meshgrid(*[levels] * 4, indexing="ij"), axis=-1).reshape(-1, 4)
    out = np.zeros((grid.shape[0], 6))
    out[:, :4] = (2.0 * grid - 1.0) * half
    return out


# ----------------------------------------------------------------------------
# physics kernels
# ----------------------------------------------------------------------------


@njit(cache=True, **JIT)
def _pole(force_sum, mass_sum, th, w, m, half):
    """Pole terms of Wieland's equations: (F~ added, m~ added, cos, sin)."""
    ml = m * half
    c = np.cos(th)
    sn = np.sin(th)
    force_sum += ml * w * w * sn + 0.75 * m * c * (MU_POLE / ml * w - GRAVITY * sn)
    mass_sum += m * (1.0 - 0.75 * c * c)
    return force_sum, mass_sum, c, sn


@njit(cache=True, **JIT)
def _accelerations(xd, t1, w1, t2, w2, force, n_poles):
    """Wieland's equations: (x'', theta_1'', theta_2'') of the state's
    velocities and angles (theta_2'' = 0 for one pole)."""
    sgn = 0.0
    if xd > 0.0:
        sgn = 1.0
    elif xd < 0.0:
        sgn = -1.0
    m1, m2 = MASS_POLE
    l1, l2 = HALF_LENGTH
    num, den, c1, s1 = _pole(force - MU_CART * sgn, MASS_CART, t1, w1, m1, l1)
    c2 = s2 = 0.0
    if n_poles == 2:
        num, den, c2, s2 = _pole(num, den, t2, w2, m2, l2)
    xdd = num / den
    a1 = -0.75 / l1 * (xdd * c1 - GRAVITY * s1 + MU_POLE / (m1 * l1) * w1)
    a2 = 0.0
    if n_poles == 2:
        a2 = -0.75 / l2 * (xdd * c2 - GRAVITY * s2 + MU_POLE / (m2 * l2) * w2)
    return xdd, a1, a2


@njit(cache=True, **JIT)
def _control_step(s, action, n_poles):
    """One control step in place: force from ``action`` in [0, 1], two RK4
    steps of TAU (scalars throughout: this is the innermost loop)."""
    force = (action - 0.5) * 2.0 * FORCE_MAG
    x, xd, t1, w1 = s[0], s[1], s[2], s[3]
    t2 = w2 = 0.0
    if n_poles == 2:
        t2, w2 = s[4], s[5]
    h = TAU
    for _ in range(2):
        a_1, b_1, c_1 = _accelerations(xd, t1, w1, t2, w2, force, n_poles)
        a_2, b_2, c_2 = _accelerations(xd + 0.5 * h * a_1, t1 + 0.5 * h * w1, w1 + 0.5 * h * b_1,
                                       t2 + 0.5 * h * w2, w2 + 0.5 * h * c_1, force, n_poles)
        v_2, o1_2, o2_2 = xd + 0.5 * h * a_1, w1 + 0.5 * h * b_1, w2 + 0.5 * h * c_1
        a_3, b_3, c_3 = _accelerations(xd + 0.5 * h * a_2, t1 + 0.5 * h * o1_2, w1 + 0.5 * h * b_2,
                                       t2 + 0.5 * h * o2_2, w2 + 0.5 * h * c_2, force, n_poles)
        v_3, o1_3, o2_3 = xd + 0.5 * h * a_2, w1 + 0.5 * h * b_2, w2 + 0.5 * h * c_2
        a_4, b_4, c_4 = _accelerations(xd + h * a_3, t1 + h * o1_3, w1 + h * b_3, t2 + h * o2_3, w2 + h * c_3,
                                       force, n_poles)
        v_4, o1_4, o2_4 = xd + h * a_3, w1 + h * b_3, w2 + h * c_3
        x += h / 6.0 * (xd + 2.0 * v_2 + 2.0 * v_3 + v_4)
        t1 += h / 6.0 * (w1 + 2.0 * o1_2 + 2.0 * o1_3 + o1_4)
        t2 += h / 6.0 * (w2 + 2.0 * o2_2 + 2.0 * o2_3 + o2_4)
        xd += h / 6.0 * (a_1 + 2.0 * a_2 + 2.0 * a_3 + a_4)
        w1 += h / 6.0 * (b_1 + 2.0 * b_2 + 2.0 * b_3 + b_4)
        w2 += h / 6.0 * (c_1 + 2.0 * c_2 + 2.0 * c_3 + c_4)
    s[0], s[1], s[2], s[3] = x, xd, t1, w1
    if n_poles == 2:
        s[4], s[5] = t2, w2


@njit(cache=True, **JIT)
def _failed(s, n_poles):
    if s[0] < -TRACK_LIMIT or s[0] > TRACK_LIMIT:
        return True
    for i in range(n_poles):
        th = s[2 + 2 * i]
        if th < -FAILURE_ANGLE or th > FAILURE_ANGLE:
            return True
    return not np.isfinite(s[0] + s[1])


@njit(cache=True, **JIT)
def _observe(s, n_poles, velocities, u):
    if velocities:
        u[0] = s[0] / SCALE_X
        u[1] = s[1] / SCALE_V
        for i in range(n_poles):
            u[2 + 2 * i] = s[2 + 2 * i] / SCALE_ANGLE
            u[3 + 2 * i] = s[3 + 2 * i] / SCALE_V
    else:
        u[0] = s[0] / SCALE_X
        for i in range(n_poles):
            u[1 + i] = s[2 + 2 * i] / SCALE_ANGLE


@njit(cache=True, **JIT)
def _episode(W, tau, bias, gain, Win, start, n_poles, velocities, max_steps, dt, output, record, states, outs):
    """One episode; returns (steps balanced, damping fitness). With ``record``
    the states (max_steps + 1, d) and network outputs (max_steps, n) are written."""
    n = tau.size
    s = start.copy()
    y = np.empty(n)
    o = np.empty(n)
    u = np.empty(Win.shape[0])
    jiggle = np.zeros(100)
    reset(y, o, bias, gain)
    if record:
        states[0, :] = s
    t = 0
    while t < max_steps:
        _observe(s, n_poles, velocities, u)
        euler_step(W, tau, bias, gain, Win, u, y, o, dt)
        _control_step(s, o[output], n_poles)
        if record:
            states[t + 1, :] = s
            outs[t, :] = o
        if _failed(s, n_poles):
            break
        jiggle[t % 100] = abs(s[0]) + abs(s[1]) + abs(s[2]) + abs(s[3])
        t += 1
    fit = 0.1 * t / 1000.0
    if t >= 100:
        fit += 0.9 * 0.75 / jiggle.sum()
    return t, fit


@njit(cache=True, nogil=True, **JIT)
def _balance_population(first, stride, W, tau, bias, gain, Win, starts, n_poles, velocities, max_steps, dt, output,
                        steps, fitness):
    """Every network (P) from every start (S): P * S independent episodes."""
    P = W.shape[0]
    S = starts.shape[0]
    none = np.zeros((1, 1))
    for k in range(first, P * S, stride):
        p = k // S
        s = k - p * S
        t, f = _episode(W[p], tau[p], bias[p], gain[p], Win[p], starts[s], n_poles, velocities, max_steps, dt,
                        output, False, none, none)
        steps[p, s] = t
        fitness[p, s] = f


# ----------------------------------------------------------------------------
# public functions
# ----------------------------------------------------------------------------


def cartpole_step(state, action):
    """Advance the cart-pole by one control step (0.02 s).

    Parameters
    ----------
    state : array_like, shape (4,) or (6,)
        ``(x, x', theta_1, theta_1'[, theta_2, theta_2'])``; the size gives the
        number of poles.
    action : float in [0, 1]
        Force ``20 (action - 0.5)`` newtons, held through the step.

    Returns
    -------
    ndarray, shape like ``state``
    """
    s = as_float_array("state", state, ndim=1, copy=True)
    if s.size not in (4, 6):
        raise ValueError(f"state must have 4 (one pole) or 6 (two poles) components, got {s.size}")
    action = as_scalar("action", action, low=0.0, high=1.0)
    _control_step(s, action, (s.size - 2) // 2)
    return s


@dataclass
class BalanceResult:
    """Episodes of :func:`balance`.

    Attributes
    ----------
    steps : ndarray of int, shape (P, S)
        Control steps balanced, network p from start s (at most ``max_steps``).
    fitness : ndarray, shape (P, S)
        Gruau's damping fitness of each episode.
    """

    __repr__ = array_repr

    steps: np.ndarray
    fitness: np.ndarray

    def plot(self, ax=None):
        """Histogram of the steps balanced over all episodes; returns the Axes."""
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        ax.hist(self.steps.ravel(), bins=40)
        ax.set(xlabel="control steps balanced", ylabel="episodes")
        return ax


def _starts(starts, n_poles):
    d = 2 + 2 * n_poles
    if starts is None:
        return standard_start(n_poles)[None, :]
    s = as_float_array("starts", starts, ndim=(1, 2))
    if s.size == 0:
        raise ValueError(f"starts must hold at least one start, got shape {s.shape}")
    s = s.reshape(-1, s.shape[-1])
    if s.shape[1] == 6 and d == 4:
        s = s[:, :4]
    if s.shape[1] != d or s.shape[0] == 0:
        raise ValueError(f"starts must have shape (S, {d}) for {n_poles} pole(s), got {s.shape}")
    return np.ascontiguousarray(s)


def balance(net, starts=None, *, n_poles=2, velocities=False, max_steps=1000, dt=CONTROL_DT, output=0):
    """Let CTRNN controllers balance the poles: every network from every start,
    in one parallel kernel.

    Each control step the network gets the scaled observation as input, takes
    one Euler step of ``dt`` and neuron ``output``'s output is the action.

    Parameters
    ----------
    net : CTRNN
        One network or a population of P; ``input_weights`` of shape
        ``(n_observations(n_poles, velocities), n)``.
    starts : array_like, shape (S, 2 + 2 n_poles), optional
        Initial states (default: :func:`standard_start`).
    n_poles : {1, 2}
    velocities : bool
        Whether the network sees the velocities.
    max_steps : int
        Episode length (1000 for the damping fitness, 100,000 to call it solved).
    dt : float
        The network's Euler step per control step (its time unit is the second).
    output : int
        The neuron whose output is the action.

    Returns
    -------
    BalanceResult
        ``steps`` and ``fitness`` of shape (P, S) (P = 1 for a single network).
    """
    n_poles = _check_poles(n_poles)
    W, tau, bias, gain, Win = controller_arrays(net, n_observations(n_poles, bool(velocities)))
    s = _starts(starts, n_poles)
    max_steps = as_scalar("max_steps", max_steps, low=1, integer=True)
    dt = check_dt(dt, tau)
    output = as_scalar("output", output, low=0, high=W.shape[-1] - 1, integer=True)
    steps = np.zeros((W.shape[0], s.shape[0]), dtype=np.int64)
    fitness = np.zeros((W.shape[0], s.shape[0]))
    strided(_balance_population, W.shape[0] * s.shape[0], W, tau, bias, gain, Win, s, n_poles, bool(velocities),
            max_steps, dt, output, steps, fitness)
    return BalanceResult(steps, fitness)


def trajectory(net, start=None, *, n_poles=2, velocities=False, n_steps=1000, dt=CONTROL_DT, output=0):
    """One network's episode, recorded: ``(states, outputs)`` of shapes
    (T + 1, 2 + 2 n_poles) and (T, n), T the steps run (at most ``n_steps``,
    one more than balanced if the episode failed).

    Parameters
    ----------
    net : CTRNN
        A single network.
    start : array_like, shape (2 + 2 n_poles,), optional
        Default :func:`standard_start`.
    n_poles, velocities, dt, output
        As in :func:`balance`.
    n_steps : int
    """
    n_poles = _check_poles(n_poles)
    W, tau, bias, gain, Win = controller_arrays(net, n_observations(n_poles, bool(velocities)), single="trajectory")
    s = _starts(start, n_poles)
    if s.shape[0] != 1:
        raise ValueError("trajectory takes one start state")
    n_steps = as_scalar("n_steps", n_steps, low=1, integer=True)
    dt = check_dt(dt, tau)
    output = as_scalar("output", output, low=0, high=W.shape[-1] - 1, integer=True)
    states = np.full((n_steps + 1, s.shape[1]), np.nan)
    outs = np.full((n_steps, W.shape[-1]), np.nan)
    t, _ = _episode(W[0], tau[0], bias[0], gain[0], Win[0], s[0], n_poles, bool(velocities), n_steps, dt, output,
                    True, states, outs)
    T = min(t + 1, n_steps)
    return states[:T + 1], outs[:T]


def solves(net, *, n_poles=2, velocities=False, dt=CONTROL_DT, output=0):
    """The standard test of a pole-balancing controller: 100,000 steps from
    :func:`standard_start`, then the 625 starts of :func:`generalization_starts`
    for 1000 steps each.

    Parameters
    ----------
    net : CTRNN
        A single network.
    n_poles, velocities, dt, output
        As in :func:`balance`.

    Returns
    -------
    dict
        ``balanced`` (steps of the long test), ``generalization`` (starts
        balanced for 1000 steps, out of 625; 0 when the long test failed) and
        ``solved`` (balanced 100,000 steps and generalization >= 200).
    """
    if net.population is not None:
        raise ValueError("solves takes a single network; index the population first (net[p])")
    long = balance(net, n_poles=n_poles, velocities=velocities, max_steps=SOLVE_STEPS, dt=dt, output=output)
    balanced = int(long.steps[0, 0])
    general = 0
    if balanced >= SOLVE_STEPS:
        g = balance(net, generalization_starts(), n_poles=n_poles, velocities=velocities,
                    max_steps=GENERALIZATION_STEPS, dt=dt, output=output)
        general = int((g.steps[0] >= GENERALIZATION_STEPS).sum())
    return {"balanced": balanced, "generalization": general,
            "solved": balanced >= SOLVE_STEPS and general >= GENERALIZATION_NEEDED}
