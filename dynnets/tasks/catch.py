"""Catching falling objects with a visually guided agent (minimal cognition,
Beer 1996).

A circular agent (diameter 30) moves left and right along the bottom of a 2-D
world. A circular object (diameter 26) falls straight down from height 275 at
speed 3, starting at a horizontal offset from the agent. The agent sees it
through 7 distance rays of length 220 fanned uniformly over pi/6 about the
vertical; ray k gives the input ``10 (1 - d_k / 220)`` when it meets the
object at distance ``d_k`` (0 when it does not). Its controller is a CTRNN
stepped with Euler steps of dt = 0.1; the last two neurons are the motors,
and the agent's velocity is ``5 (o_right - o_left)``. A trial ends when the
object reaches the agent's height; the agent catches it when their centres
are within the agent's radius (15) of each other horizontally. Fitness is
``1 - min(|dx|, 50) / 50`` averaged over trials.

The usual controller (Beer 1996) has 14 neurons: 7 sensory neurons (one per
ray), 5 fully interconnected interneurons and 2 motor neurons; express it with
a 14-neuron CTRNN whose input weights are diagonal on the first seven and
whose weight matrix is masked (see ``experiments/catch.py``).

Random trials are drawn inside the kernel, each network from its own
SplitMix64 stream derived from ``seed``: the result does not depend on the
number of threads.

References
----------
.. [1] R. D. Beer, "Toward the evolution of dynamical neural networks for
       minimally cognitive behavior", From Animals to Animats 4 (SAB 1996),
       421-429.
.. [2] R. D. Beer, "The dynamics of active categorical perception in an
       evolved model agent", Adaptive Behavior 11(4), 209-243, 2003.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit

from .._random import stream_states, uniform
from .._repr import array_repr
from .._threads import strided
from .._validate import as_float_array, as_scalar, as_steps
from ..config import JIT
from ._agent import check_dt, controller_arrays, euler_step, reset

__all__ = ["CatchResult", "catch", "catch_trajectory"]

N_RAYS = 7
RAY_LENGTH = 220.0
RAY_SPREAD = np.pi / 6
AGENT_RADIUS = 15.0
OBJECT_RADIUS = 13.0
DROP_HEIGHT = 275.0
FALL_SPEED = 3.0
MOTOR_GAIN = 5.0
MAX_DISTANCE = 50.0
MAX_OFFSET = 50.0
STEP = 0.1
_ANGLES = [-RAY_SPREAD / 2 + RAY_SPREAD * k / (N_RAYS - 1) for k in range(N_RAYS)]
_RAY_X = tuple(float(np.sin(a)) for a in _ANGLES)  # ray directions, from vertical
_RAY_Y = tuple(float(np.cos(a)) for a in _ANGLES)


@njit(cache=True, **JIT)
def _rays(ax, ox, oy, u):
    """Inputs of the 7 rays from the agent at (ax, 0) to the object at (ox, oy)."""
    cx = ox - ax
    for k in range(N_RAYS):
        dx = _RAY_X[k]
        dy = _RAY_Y[k]
        b = dx * cx + dy * oy
        disc = b * b - (cx * cx + oy * oy - OBJECT_RADIUS * OBJECT_RADIUS)
        u[k] = 0.0
        if disc >= 0.0:
            t = b - np.sqrt(disc)
            if 0.0 <= t < RAY_LENGTH:
                u[k] = 10.0 * (1.0 - t / RAY_LENGTH)


@njit(cache=True, **JIT)
def _trial(W, tau, bias, gain, Win, offset, dt, record, track):
    """One drop; returns the final horizontal distance |object - agent|."""
    n = tau.size
    y = np.empty(n)
    o = np.empty(n)
    u = np.empty(N_RAYS)
    reset(y, o, bias, gain)
    ax = 0.0
    ox = offset
    oy = DROP_HEIGHT
    t = 0
    while oy > 0.0:
        _rays(ax, ox, oy, u)
        euler_step(W, tau, bias, gain, Win, u, y, o, dt)
        ax += dt * MOTOR_GAIN * (o[n - 1] - o[n - 2])
        oy -= dt * FALL_SPEED
        if record and t < track.shape[0]:
            track[t, 0] = ax
            track[t, 1] = oy
            for k in range(N_RAYS):
                track[t, 2 + k] = u[k]
        t += 1
    return abs(ox - ax)


@njit(cache=True, nogil=True, **JIT)
def _catch_fixed(first, stride, W, tau, bias, gain, Win, offsets, dt, distance):
    P = W.shape[0]
    S = offsets.size
    none = np.zeros((1, 1))
    for k in range(first, P * S, stride):
        p = k // S
        s = k - p * S
        distance[p, s] = _trial(W[p], tau[p], bias[p], gain[p], Win[p], offsets[s], dt, False, none)


@njit(cache=True, nogil=True, **JIT)
def _catch_random(first, stride, W, tau, bias, gain, Win, streams, dt, offsets, distance):
    """Network p draws its own offsets from stream p, then runs them."""
    P = W.shape[0]
    S = offsets.shape[1]
    none = np.zeros((1, 1))
    for p in range(first, P, stride):
        for s in range(S):
            offsets[p, s] = MAX_OFFSET * (2.0 * uniform(streams, p) - 1.0)
            distance[p, s] = _trial(W[p], tau[p], bias[p], gain[p], Win[p], offsets[p, s], dt, False, none)


@dataclass
class CatchResult:
    """Trials of :func:`catch`.

    Attributes
    ----------
    offsets : ndarray, shape (P, S)
        Horizontal start offset of the object from the agent, per trial.
    distance : ndarray, shape (P, S)
        Final horizontal distance between the centres.
    caught : ndarray of bool, shape (P, S)
        ``distance <= 15`` (the agent's radius).
    fitness : ndarray, shape (P,)
        ``1 - min(distance, 50) / 50`` averaged over the trials.
    """

    __repr__ = array_repr

    offsets: np.ndarray
    distance: np.ndarray
    caught: np.ndarray
    fitness: np.ndarray

    def plot(self, ax=None):
        """Final distance against the start offset, every network and trial, with
        the catch radius; returns the Axes."""
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        ax.plot(self.offsets.ravel(), self.distance.ravel(), ".", ms=3)
        ax.axhline(AGENT_RADIUS, color="C3", ls="--", lw=0.8, label="caught below")
        ax.set(xlabel="start offset of the object", ylabel="final horizontal distance")
        ax.legend(fontsize="small")
        return ax


def catch(net, offsets=None, *, n_trials=16, seed=None, dt=STEP):
    """Drop objects for CTRNN agents, every network and trial in one parallel kernel.

    Parameters
    ----------
    net : CTRNN
        One network or a population of P, with ``input_weights`` of shape
        ``(7, n)`` (ray k to the neurons); the last two neurons are the motors.
    offsets : array_like, shape (S,), optional
        The same start offsets for every network. Without it each network
        draws ``n_trials`` offsets uniformly in [-50, 50] from its own stream.
    n_trials : int
        Random trials per network (when ``offsets`` is not given).
    seed : int, SeedSequence or Generator
        Seeds the streams (required for random trials).
    dt : float

    Returns
    -------
    CatchResult
    """
    W, tau, bias, gain, Win = controller_arrays(net, N_RAYS, min_neurons=2, roles="the motors")
    dt = check_dt(dt, tau)
    as_steps("the fall time", DROP_HEIGHT / FALL_SPEED, dt)  # refuse a dt that makes a trial endless
    P = W.shape[0]
    if offsets is not None:
        off = as_float_array("offsets", offsets, ndim=1)
        if off.size == 0:
            raise ValueError("offsets must not be empty")
        distance = np.empty((P, off.size))
        strided(_catch_fixed, P * off.size, W, tau, bias, gain, Win, off, dt, distance)
        off = np.broadcast_to(off, (P, off.size)).copy()
    else:
        if seed is None:
            raise ValueError("random trials need a seed= (or give offsets)")
        n_trials = as_scalar("n_trials", n_trials, low=1, integer=True)
        off = np.empty((P, n_trials))
        distance = np.empty((P, n_trials))
        strided(_catch_random, P, W, tau, bias, gain, Win, stream_states(seed, P), dt, off, distance)
    fitness = (1.0 - np.minimum(distance, MAX_DISTANCE) / MAX_DISTANCE).mean(axis=1)
    return CatchResult(off, distance, distance <= AGENT_RADIUS, fitness)


def catch_trajectory(net, offset, *, dt=STEP):
    """One network's trial, recorded: ``(t, agent_x, object_y, rays)`` with
    shapes (T,), (T,), (T,) and (T, 7); the object is at ``offset`` throughout.

    Parameters
    ----------
    net : CTRNN
        A single network with 7 inputs.
    offset : float
        The object's horizontal start offset.
    dt : float
    """
    W, tau, bias, gain, Win = controller_arrays(net, N_RAYS, min_neurons=2, roles="the motors",
                                                single="catch_trajectory")
    dt = check_dt(dt, tau)
    offset = as_scalar("offset", offset)
    T = as_steps("the fall time", DROP_HEIGHT / FALL_SPEED, dt, ceil=True) + 1
    track = np.full((T, 2 + N_RAYS), np.nan)
    _trial(W[0], tau[0], bias[0], gain[0], Win[0], offset, dt, True, track)
    keep = ~np.isnan(track[:, 0])
    track = track[keep]
    return dt * np.arange(1, track.shape[0] + 1), track[:, 0], track[:, 1], track[:, 2:]
