"""Beer's single-leg walker, driven by a CTRNN central pattern generator.

A body on one leg (length 15) hinged at a joint 12.5 above the ground. Its
state is ``(x, v, angle, omega, foot_x, foot_y, foot_down)``: body position
and velocity, the leg's angle (0 vertical, positive forward, limits +-pi/6)
and angular velocity, the foot's position and whether it is on the ground.
Three neurons act on it each Euler step of dt = 0.1 (Beer's published code):

- neuron 1's output above 0.5 puts the foot down (and stops the leg's swing);
- neurons 2 and 3 give the forward and backward swing forces F, B
  (outputs times the maximum leg force 0.05).

With the foot down the net force ``F - B`` accelerates the body, but only
while the angle is within its limits (or pushes back toward them); the body
velocity is clipped to +-6 and the leg's angle follows the planted foot. With
the foot up the body stops and the leg swings with angular acceleration
``0.5 (B - F)``, angular velocity clipped to +-1 and angle to its limits. The
body also stops when it is more than 20 ahead of the foot. Fitness is the
average forward velocity ``x(T) / T``; the optimal hand-coded gait (full
strokes between the angle limits) reaches about 0.624 at T = 200
(:func:`optimal_gait_velocity`); evolved gaits with shorter swings can do
slightly better.

References
----------
.. [1] R. D. Beer, J. C. Gallagher, "Evolving dynamical neural networks for
       adaptive behavior", Adaptive Behavior 1(1), 91-122, 1992.
.. [2] R. D. Beer, H. J. Chiel, J. C. Gallagher, "Evolution and analysis of
       model CPGs for walking: II. General principles and individual
       variability", J. Comput. Neurosci. 7, 119-147, 1999.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit

from .._repr import array_repr
from .._threads import strided
from .._validate import as_float_array, as_scalar, as_steps
from ..config import JIT
from ._agent import check_dt, controller_arrays, euler_step, reset

__all__ = ["WalkResult", "initial_state", "leg_step", "optimal_gait_velocity", "walk", "walk_trajectory"]

LEG_LENGTH = 15.0
JOINT_HEIGHT = 12.5
MAX_LEG_FORCE = 0.05
FORWARD_LIMIT = np.pi / 6
BACKWARD_LIMIT = -np.pi / 6
MAX_VELOCITY = 6.0
MAX_TORQUE = 0.5
MAX_OMEGA = 1.0
STEP = 0.1
DURATION = 200.0
STATE = ("x", "v", "angle", "omega", "foot_x", "foot_y", "foot_down")
_ROLES = "foot, forward, backward"


def initial_state():
    """Body at 0 at rest, foot up, leg at its forward limit. Shape (7,)."""
    s = np.zeros(7)
    s[2] = FORWARD_LIMIT
    s[4] = LEG_LENGTH * np.sin(FORWARD_LIMIT)
    s[5] = JOINT_HEIGHT + LEG_LENGTH * np.cos(FORWARD_LIMIT)
    return s


@njit(cache=True, **JIT)
def _leg_step(s, foot, forward, backward, dt):
    """One step of the body in place; ``foot`` the foot neuron's output,
    ``forward`` / ``backward`` the two force neurons' outputs."""
    down = foot > 0.5
    if down:
        s[3] = 0.0
    s[6] = 1.0 if down else 0.0
    ff = forward * MAX_LEG_FORCE
    fb = backward * MAX_LEG_FORCE
    f = ff - fb
    angle = s[2]
    force = 0.0
    if down and ((BACKWARD_LIMIT <= angle <= FORWARD_LIMIT) or (angle < BACKWARD_LIMIT and f < 0.0)
                 or (angle > FORWARD_LIMIT and f > 0.0)):
        force = f
    v = min(max(s[1] + dt * force, -MAX_VELOCITY), MAX_VELOCITY)
    s[0] += dt * v  # the body, and the joint with it (at height JOINT_HEIGHT above x)
    if down:
        s[2] = np.arctan2(s[4] - s[0], s[5] - JOINT_HEIGHT)
        s[3] = 0.0
    else:
        v = 0.0
        omega = min(max(s[3] + dt * MAX_TORQUE * (fb - ff), -MAX_OMEGA), MAX_OMEGA)
        angle = angle + dt * omega
        if angle < BACKWARD_LIMIT:
            angle = BACKWARD_LIMIT
            omega = 0.0
        if angle > FORWARD_LIMIT:
            angle = FORWARD_LIMIT
            omega = 0.0
        s[2] = angle
        s[3] = omega
        s[4] = s[0] + LEG_LENGTH * np.sin(angle)
        s[5] = JOINT_HEIGHT + LEG_LENGTH * np.cos(angle)
    if s[0] - s[4] > 20.0:
        v = 0.0
    s[1] = v


@njit(cache=True, **JIT)
def _walk(W, tau, bias, gain, Win, start, n_steps, dt, record, states, outs):
    """One walk of ``n_steps``; returns the final body position."""
    n = tau.size
    y = np.empty(n)
    o = np.empty(n)
    u = np.empty(0)
    s = start.copy()
    reset(y, o, bias, gain)
    for t in range(n_steps):
        euler_step(W, tau, bias, gain, Win, u, y, o, dt)
        _leg_step(s, o[0], o[1], o[2], dt)
        if record:
            states[t, :] = s
            outs[t, :] = o
    return s[0]


@njit(cache=True, nogil=True, **JIT)
def _walk_population(first, stride, W, tau, bias, gain, Win, start, n_steps, dt, distance):
    none = np.zeros((1, 1))
    for p in range(first, W.shape[0], stride):
        distance[p] = _walk(W[p], tau[p], bias[p], gain[p], Win[p], start, n_steps, dt, False, none, none)


def leg_step(state, foot, forward, backward, dt=STEP):
    """The body's update for given neuron outputs (for hand-made gaits and tests).

    Parameters
    ----------
    state : array_like, shape (7,)
        ``(x, v, angle, omega, foot_x, foot_y, foot_down)``.
    foot, forward, backward : float in [0, 1]
        Outputs of the foot neuron and the forward and backward swing neurons.
    dt : float

    Returns
    -------
    ndarray, shape (7,)
    """
    s = as_float_array("state", state, shape=(7,), copy=True)
    for name, v in (("foot", foot), ("forward", forward), ("backward", backward)):
        as_scalar(name, v, low=0.0, high=1.0)
    _leg_step(s, float(foot), float(forward), float(backward), as_scalar("dt", dt, low=0.0, low_open=True))
    return s


def _steps(duration, dt):
    duration = as_scalar("duration", duration, low=0.0, low_open=True)
    dt = as_scalar("dt", dt, low=0.0, low_open=True)
    return as_steps("duration", duration, dt, at_least=1), duration, dt


@dataclass
class WalkResult:
    """Walks of :func:`walk`.

    Attributes
    ----------
    distance : ndarray, shape (P,)
        Body position at the end.
    fitness : ndarray, shape (P,)
        Average forward velocity ``distance / duration``.
    """

    __repr__ = array_repr

    distance: np.ndarray
    fitness: np.ndarray

    def plot(self, ax=None):
        """Histogram of the average velocities; returns the Axes."""
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        ax.hist(self.fitness, bins=40)
        ax.set(xlabel="average forward velocity", ylabel="walkers")
        return ax


def walk(net, *, duration=DURATION, dt=STEP):
    """Let CTRNN pattern generators walk the leg, all in one parallel kernel.

    Parameters
    ----------
    net : CTRNN
        One network or a population of P, at least 3 neurons, no inputs:
        neuron 0 drives the foot, neurons 1 and 2 the forward and backward
        swing forces (Beer's neurons 1-3).
    duration : float
        Walking time (200 in the usual setting).
    dt : float
        Euler step of network and body (0.1).

    Returns
    -------
    WalkResult
    """
    W, tau, bias, gain, Win = controller_arrays(net, 0, min_neurons=3, roles=_ROLES)
    dt = check_dt(dt, tau)
    n_steps, duration, _ = _steps(duration, dt)
    distance = np.empty(W.shape[0])
    strided(_walk_population, W.shape[0], W, tau, bias, gain, Win, initial_state(), n_steps, dt, distance)
    return WalkResult(distance, distance / duration)


def walk_trajectory(net, *, duration=DURATION, dt=STEP):
    """One network's walk, recorded: ``(t, states, outputs)`` of shapes (T,),
    (T, 7) (columns :data:`STATE`) and (T, n), after each step.

    Parameters
    ----------
    net : CTRNN
        A single network (no inputs, at least 3 neurons).
    duration, dt : float
        As in :func:`walk`.
    """
    W, tau, bias, gain, Win = controller_arrays(net, 0, min_neurons=3, roles=_ROLES, single="walk_trajectory")
    dt = check_dt(dt, tau)
    n_steps, _, _ = _steps(duration, dt)
    states = np.empty((n_steps, 7))
    outs = np.empty((n_steps, W.shape[-1]))
    _walk(W[0], tau[0], bias[0], gain[0], Win[0], initial_state(), n_steps, dt, True, states, outs)
    return dt * np.arange(1, n_steps + 1), states, outs


def optimal_gait_velocity(duration=DURATION, dt=STEP):
    """Average velocity of the best hand-coded gait: foot down and full forward
    force until the body stops (20 ahead of the foot), then foot up and full
    swing to the forward limit, and again: 0.6236 at T = 200.

    Parameters
    ----------
    duration, dt : float
        As in :func:`walk`.

    Returns
    -------
    float
    """
    n_steps, duration, dt = _steps(duration, dt)
    s = initial_state()
    stance = True
    for _ in range(n_steps):
        if stance:
            _leg_step(s, 1.0, 1.0, 0.0, dt)
            stance = s[0] - s[4] <= 20.0
        else:
            _leg_step(s, 0.0, 0.0, 1.0, dt)
            stance = s[2] >= FORWARD_LIMIT
    return s[0] / duration
