"""What the embodied tasks share: a CTRNN controller stepped once per control
step, inside the compiled environment kernels.

A controller is a :class:`~dynnets.models.ctrnn.CTRNN` (one network or a
population). Its state starts at zero in every episode and advances by one
Euler step of ``dt`` per control step, the order of Beer's C++ ``EulerStep``:
the outputs of the current state drive the update, then the outputs are
recomputed and act on the body::

    y <- y + dt / tau * (-y + o @ W + u @ W_in),   o = sigma(g (y + theta))
"""

import numpy as np
from numba import njit

from .._math import sigmoid
from .._validate import as_scalar
from ..config import JIT
from ..models.ctrnn import CTRNN


def controller_arrays(net, n_inputs, name="net", *, min_neurons=1, roles="", single=None):
    """``(W, tau, bias, gain, W_in)`` with a leading population axis (P >= 1),
    after checking that ``net`` is a CTRNN taking ``n_inputs`` inputs
    (``n_inputs = 0``: no inputs; the network then needs no ``input_weights``)
    with at least ``min_neurons`` neurons (``roles`` names them in the error),
    and, when ``single`` names the calling function, that it is one network."""
    if not isinstance(net, CTRNN):
        raise TypeError(f"{name} must be a dynnets CTRNN (or a population of them), got {type(net).__name__}")
    if single and net.population is not None:
        raise ValueError(f"{single} takes a single network; index the population first (net[p])")
    P = net.population or 1
    n = net.n_neurons
    if n < min_neurons:
        raise ValueError(f"{name} needs at least {min_neurons} neurons{f' ({roles})' if roles else ''}, got {n}")
    W = net.weights.reshape(P, n, n)
    tau, bias, gain = (a.reshape(P, n) for a in (net.tau, net.bias, net.gain))
    if n_inputs == 0:
        if net.input_weights is not None:
            raise ValueError(f"{name} must have no input_weights: this task gives the network no inputs")
        Win = np.zeros((P, 0, n))
    else:
        if net.input_weights is None or net.n_inputs != n_inputs:
            have = "none" if net.input_weights is None else net.n_inputs
            raise ValueError(f"{name} needs input_weights for {n_inputs} inputs (shape ({n_inputs}, {n}) or "
                             f"(P, {n_inputs}, {n})), it has {have}")
        Win = net.input_weights.reshape(P, n_inputs, n)
    return W, tau, bias, gain, Win


def check_dt(dt, tau):
    """The Euler step must be positive; a step above the smallest time constant
    is allowed (Beer's discrete-time limit is tau = dt) but not above 2 tau,
    where Euler's update overshoots and oscillates."""
    dt = as_scalar("dt", dt, low=0.0, low_open=True)
    if dt > 2.0 * tau.min():
        raise ValueError(f"dt = {dt} is more than twice the smallest time constant ({tau.min():g}): "
                         "the Euler step of the controller is unstable")
    return dt


@njit(cache=True, **JIT)
def reset(y, o, bias, gain):
    """State zero, outputs ``sigma(g theta)``."""
    for i in range(y.size):
        y[i] = 0.0
        o[i] = sigmoid(gain[i] * bias[i])


@njit(cache=True, **JIT)
def euler_step(W, tau, bias, gain, Win, u, y, o, dt):
    """One Euler step of one network in place: ``y`` and ``o`` (n,), inputs ``u`` (m,)."""
    n = y.size
    m = u.size
    for i in range(n):
        s = -y[i]
        for j in range(n):
            s += o[j] * W[j, i]
        for k in range(m):
            s += u[k] * Win[k, i]
        y[i] += dt * s / tau[i]
    for i in range(n):
        o[i] = sigmoid(gain[i] * (y[i] + bias[i]))
