"""Continuous-time recurrent neural networks (Beer's formulation).

Equations (Beer 1995)::

    tau_i dy_i/dt = -y_i + sum_j w_ji sigma(g_j (y_j + theta_j)) + I_i(t)
    o_j = sigma(g_j (y_j + theta_j)),   sigma(x) = 1 / (1 + exp(-x))

Weight orientation: ``weights[j, i]`` is ``w_ji``, the connection **from neuron j
(source, row) to neuron i (target, column)**, so the recurrent drive is the row
vector ``o @ weights``. Likewise ``input_weights[k, i]`` goes from input k to
neuron i: ``I = u @ input_weights``. ``bias`` is Beer's ``theta``.

Jacobian of the vector field ``f_i = dy_i/dt``::

    J[i, k] = (-delta_ik + w_ki g_k sigma'(g_k (y_k + theta_k))) / tau_i

Inputs are sampled on the step grid and held constant within a step (zero-order
hold), as in Beer's C++ code.

A multiple-timescale network (MTRNN, Yamashita and Tani 2008) is a CTRNN whose
neurons come in groups with different time constants: see :func:`mtrnn`.

References
----------
.. [1] R. D. Beer, "On the dynamics of small continuous-time recurrent neural
       networks", Adaptive Behavior 3(4), 469-509, 1995.
.. [2] R. D. Beer, "Parameter space structure of continuous-time recurrent neural
       networks", Neural Computation 18, 3009-3051, 2006 (center-crossing).
.. [3] Y. Yamashita, J. Tani, "Emergence of functional hierarchy in a multiple
       timescale neural network model", PLoS Comput. Biol. 4(11), 2008.
"""

import functools
import warnings
from dataclasses import dataclass

import numba
import numpy as np
from numba import njit

from .._bind import entry_point
from .._math import is_finite, sigmoid
from .._simd import batched_matvec_add
from .._threads import strided
from .._validate import as_bool, as_choice, as_float_array, as_rng, as_scalar, as_steps
from ..config import JIT, JIT_NO_RC, POP_BLOCK, POP_BLOCK_SMALL, POP_SMALL_N
from ..errors import DivergenceError, NumericalWarning
from ..integrate.kernels import stage_input
from ..integrate.solve import Solution
from ..integrate.tableau import get_method
from ..systems import System

# ----------------------------------------------------------------------------
# the model
# ----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class CTRNN:
    """A CTRNN, or a population of P CTRNNs of the same size.

    Parameters
    ----------
    weights : array_like, shape (n, n) or (P, n, n)
        ``weights[..., j, i]``: from neuron j to neuron i.
    tau : array_like, shape (n,) or (P, n), or scalar
        Time constants, > 0.
    bias : array_like, shape (n,) or (P, n), or scalar
        Biases ``theta``.
    gain : array_like, shape (n,) or (P, n), or scalar
        Gains ``g``.
    input_weights : array_like, shape (m, n) or (P, m, n), optional
        ``input_weights[..., k, i]``: from input k to neuron i. Without it the
        input is a current per neuron (``m = n``).

    Any parameter given without the population axis is shared by the population.
    The arrays are stored read-only.
    """

    weights: np.ndarray
    tau: np.ndarray = 1.0
    bias: np.ndarray = 0.0
    gain: np.ndarray = 1.0
    input_weights: np.ndarray = None

    def __post_init__(self):
        W = as_float_array("weights", self.weights, ndim=(2, 3))
        n = W.shape[-1]
        if W.shape[-2] != n or n == 0:
            raise ValueError(f"weights must be square with at least one neuron, got shape {W.shape}")
        arrays = {"weights": W}
        for name in ("tau", "bias", "gain"):
            a = as_float_array(name, getattr(self, name), ndim=(0, 1, 2))
            if a.ndim == 0:
                a = np.full(n, float(a))
            if a.shape[-1] != n:
                raise ValueError(f"{name} must have shape ({n},) or (P, {n}), got {a.shape}")
            arrays[name] = a
        if np.any(arrays["tau"] <= 0):
            raise ValueError("tau must be positive (time constants)")
        if self.input_weights is not None:
            Win = as_float_array("input_weights", self.input_weights, ndim=(2, 3))
            if Win.shape[-1] != n or Win.shape[-2] == 0:
                raise ValueError(f"input_weights must have shape (m, {n}) or (P, m, {n}) with m >= 1, got {Win.shape}")
            arrays["input_weights"] = Win
        # the population axis is the leading axis of any parameter that has one
        matrix = ("weights", "input_weights")
        pops = {name: a.shape[0] for name, a in arrays.items() if a.ndim == (3 if name in matrix else 2)}
        if len(set(pops.values())) > 1:
            raise ValueError(f"population sizes disagree: {pops}")
        if pops:
            P = next(iter(pops.values()))
            if P == 0:
                raise ValueError("the population is empty")
            for name, a in arrays.items():
                tail = a.shape[-2:] if name in matrix else a.shape[-1:]
                arrays[name] = np.broadcast_to(a, (P,) + tail)
        for name, a in arrays.items():
            a = np.array(a, dtype=np.float64, order="C")
            a.setflags(write=False)
            object.__setattr__(self, name, a)

    # -- sizes -------------------------------------------------------------
    @property
    def n_neurons(self):
        return self.weights.shape[-1]

    @property
    def population(self):
        """P for a population, None for a single network."""
        return self.weights.shape[0] if self.weights.ndim == 3 else None

    @property
    def n_inputs(self):
        return self.n_neurons if self.input_weights is None else self.input_weights.shape[-2]

    def __repr__(self):
        pop = f", population={self.population}" if self.population else ""
        tau = f"tau in [{self.tau.min():.3g}, {self.tau.max():.3g}]"
        return f"CTRNN(n={self.n_neurons}, inputs={self.n_inputs}{pop}, {tau})"

    def __getitem__(self, p):
        """Network ``p`` of a population, as a single CTRNN."""
        if self.population is None:
            raise TypeError("a single CTRNN is not indexable; index a population")
        Win = None if self.input_weights is None else self.input_weights[p]
        return CTRNN(self.weights[p], self.tau[p], self.bias[p], self.gain[p], Win)

    # -- equations ---------------------------------------------------------
    def outputs(self, y):
        """Neuron outputs ``sigma(gain * (y + bias))`` for states of shape (..., n).
        NaN states (the rows of a diverged run kept with ``nan_ok``) give NaN outputs."""
        y = as_float_array("y", y, ndim=tuple(range(1, 33)), finite=False)
        if y.shape[-1] != self.n_neurons:
            raise ValueError(f"y must have {self.n_neurons} components on its last axis, got {y.shape}")
        x = self.gain * (y + self.bias)
        return 0.5 * (1.0 + np.tanh(0.5 * x))

    def jacobian(self, y, current=None):
        """Jacobian ``J[i, k] = d(dy_i/dt)/dy_k`` at state ``y`` (shape (n,) -> (n, n))."""
        self._single("jacobian")
        y = as_float_array("y", y, shape=(self.n_neurons,))
        J = np.empty((self.n_neurons,) * 2)
        ctrnn_jac(0.0, y, self.params(current), J)
        return J

    def params(self, current=None):
        """The flat parameter vector of :func:`ctrnn_rhs`: weights (row-major),
        tau, bias, gain and a constant external current ``current`` (shape (n,))."""
        self._single("params")
        n = self.n_neurons
        I = np.zeros(n) if current is None else as_float_array("current", current, shape=(n,))
        return np.concatenate([self.weights.ravel(), self.tau, self.bias, self.gain, I])

    def system(self, current=None):
        """This network as a ``System`` (with a constant external current) for
        ``solve`` and the analysis tools."""
        return System(ctrnn_rhs, self.params(current), ctrnn_jac, self.n_neurons, "ctrnn")

    def stepper(self, dt=0.01, *, method="euler", y0=None):
        """A stepper for loops that feed one input at a time from Python (a
        controller in an environment written in Python): ``y = stepper(u)``
        advances the network, or every network of a population, by one step of
        ``dt`` with the input ``u`` held within the step, as :func:`simulate`
        does (same numbers, bit for bit, network by network).

        Parameters
        ----------
        dt : float
        method : str or ButcherTableau
            ``'euler'`` (default, as in Beer's code), ``'heun'``, ``'rk4'`` ...
        y0 : array_like, shape (n,) or (P, n), optional
            Initial state (zero by default).

        Returns
        -------
        CTRNNStepper
        """
        return CTRNNStepper(self, dt, method, y0)

    def _single(self, what):
        if self.population is not None:
            raise ValueError(f"{what} is defined for a single network; index the population first (net[p])")

    # -- constructors ------------------------------------------------------
    @classmethod
    def center_crossing(cls, weights, tau=1.0, gain=1.0, input_weights=None):
        """A CTRNN whose biases put every neuron at the centre of its sigmoid when
        all others are too: ``theta_i = -sum_j w_ji / 2`` (Mathayomchan and Beer
        2002; Beer 2006)."""
        W = as_float_array("weights", weights, ndim=(2, 3))
        return cls(W, tau, -0.5 * W.sum(axis=-2), gain, input_weights)

    @classmethod
    def random(cls, n, population=None, *, weight_range=(-16.0, 16.0), bias_range=(-16.0, 16.0),
               tau_range=(0.5, 10.0), gain_range=(1.0, 1.0), n_inputs=None,
               input_weight_range=(-16.0, 16.0), center_crossing=False, seed=None):
        """Parameters drawn uniformly from ranges (defaults: Beer's usual search ranges).

        Parameters
        ----------
        n : int
            Neurons per network.
        population : int, optional
            Number of networks P; each gets its own parameters.
        *_range : (low, high)
            Uniform ranges; ``tau`` must stay positive.
        n_inputs : int, optional
            Draw ``input_weights`` of shape ``(n_inputs, n)``.
        center_crossing : bool
            Replace the drawn biases by the center-crossing ones.
        seed : int or numpy Generator
        """
        n = as_scalar("n", n, low=1, integer=True)
        rng = as_rng(seed)
        lead = () if population is None else (as_scalar("population", population, low=1, integer=True),)

        def draw(name, rng_range, shape):
            lo, hi = as_float_array(name, rng_range, shape=(2,))
            if lo > hi:
                raise ValueError(f"{name} must be (low, high) with low <= high, got {rng_range}")
            return rng.uniform(lo, hi, lead + shape)

        W = draw("weight_range", weight_range, (n, n))
        tau = draw("tau_range", tau_range, (n,))
        bias = draw("bias_range", bias_range, (n,))
        gain = draw("gain_range", gain_range, (n,))
        Win = None
        if n_inputs is not None:
            m = as_scalar("n_inputs", n_inputs, low=1, integer=True)
            Win = draw("input_weight_range", input_weight_range, (m, n))
        if as_bool("center_crossing", center_crossing):
            bias = -0.5 * W.sum(axis=-2)
        return cls(W, tau, bias, gain, Win)


def mtrnn(sizes, taus, *, weight_scale=1.0, connect="chain", n_inputs=None, seed=None):
    """A multiple-timescale RNN: groups of neurons with their own time constant.

    Weights are ``N(0, weight_scale**2 / n)``, masked so that each group connects
    to itself and (``connect='chain'``) to its neighbouring groups, as in
    Yamashita and Tani (2008), where input-output, fast and slow groups form a
    chain; ``connect='all'`` keeps every connection. Biases are zero, gains 1.

    Parameters
    ----------
    sizes : sequence of int
        Neurons per group, fastest group first by convention.
    taus : sequence of float
        Time constant of each group.
    n_inputs : int, optional
        Inputs, connected to the first group only.
    seed : int or numpy Generator

    Returns
    -------
    CTRNN
        ``n = sum(sizes)``; ``tau`` is constant within each group.
    """
    if not (isinstance(sizes, (list, tuple)) or (isinstance(sizes, np.ndarray) and sizes.ndim == 1)):
        raise TypeError(f"sizes must be a sequence of group sizes, got {type(sizes).__name__}")
    sizes = [as_scalar("sizes", s, low=1, integer=True) for s in sizes]
    taus = as_float_array("taus", taus, ndim=1)
    if len(sizes) != taus.size or not sizes:
        raise ValueError(f"sizes and taus must have the same non-zero length, got {len(sizes)} and {taus.size}")
    as_choice("connect", connect, ("chain", "all"))
    rng = as_rng(seed)
    n = sum(sizes)
    group = np.repeat(np.arange(len(sizes)), sizes)
    mask = np.abs(group[:, None] - group[None, :]) <= (1 if connect == "chain" else len(sizes))
    weight_scale = as_scalar("weight_scale", weight_scale, low=0.0)
    W = rng.normal(0.0, weight_scale / np.sqrt(n), (n, n)) * mask
    Win = None
    if n_inputs is not None:
        m = as_scalar("n_inputs", n_inputs, low=1, integer=True)
        Win = np.zeros((m, n))
        Win[:, : sizes[0]] = rng.normal(0.0, 1.0, (m, sizes[0]))
    return CTRNN(W, np.repeat(taus, sizes), 0.0, 1.0, Win)


# ----------------------------------------------------------------------------
# right-hand side and Jacobian for `solve` and the analysis tools
# params = [W (n*n, row-major, W[j, i] from j to i), tau (n), bias (n), gain (n), I (n)]
# ----------------------------------------------------------------------------


@njit(cache=True, **JIT)
def ctrnn_rhs(t, y, params, dydt):
    n = y.size
    nn = n * n
    for i in range(n):
        dydt[i] = params[nn + 3 * n + i] - y[i]
    for j in range(n):
        oj = sigmoid(params[nn + 2 * n + j] * (y[j] + params[nn + n + j]))
        for i in range(n):
            dydt[i] += params[j * n + i] * oj
    for i in range(n):
        dydt[i] /= params[nn + i]


@njit(cache=True, **JIT)
def ctrnn_jac(t, y, params, J):
    n = y.size
    nn = n * n
    for k in range(n):
        g = params[nn + 2 * n + k]
        o = sigmoid(g * (y[k] + params[nn + n + k]))
        d = g * o * (1.0 - o)
        for i in range(n):
            J[i, k] = (params[k * n + i] * d - (1.0 if i == k else 0.0)) / params[nn + i]


# ----------------------------------------------------------------------------
# fixed-step simulation kernels (any explicit tableau)
# ----------------------------------------------------------------------------


@njit(cache=True, inline="always", **JIT)
def _field_single(z, W, inv_tau, bias, gain, I, o, out):
    n = z.size
    for j in range(n):
        o[j] = sigmoid(gain[j] * (z[j] + bias[j]))
    for i in range(n):
        out[i] = I[i] - z[i]
    for j in range(n):
        oj = o[j]
        for i in range(n):
            out[i] += W[j, i] * oj
    for i in range(n):
        out[i] *= inv_tau[i]


@njit(cache=True, inline="always", **JIT)
def _step_single(W, inv_tau, bias, gain, Win, ut, A, b, dt, y, y_next, K, z, o, I):
    """One step of one network from ``y`` into ``y_next`` (may be ``y``) with the
    input row ``ut`` (m,), held within the step (m = 0: no input); ``K`` (s, n),
    ``z``, ``o``, ``I`` (n,) are scratch. Returns the first unit whose new state
    is not finite, or -1."""
    n = y.size
    s = b.size
    m = ut.size
    if m == 0:
        for i in range(n):
            I[i] = 0.0
    elif Win.shape[0] == 0:  # direct currents
        for i in range(n):
            I[i] = ut[i]
    else:
        for i in range(n):
            I[i] = 0.0
        for k in range(m):
            for i in range(n):
                I[i] += ut[k] * Win[k, i]
    for st in range(s):
        stage_input(y, K, A, st, dt, z)
        _field_single(z, W, inv_tau, bias, gain, I, o, K[st])
    bad = -1
    for i in range(n):
        acc = 0.0
        for st in range(s):
            acc += b[st] * K[st, i]
        y_next[i] = y[i] + dt * acc
        if bad < 0 and not is_finite(y_next[i]):
            bad = i
    return bad


@njit(cache=True, **JIT)
def _simulate_single(W, tau, bias, gain, Win, u, y0, dt, n_steps, save_every, A, b, y_out, stats):
    """One network. ``u``: (n_steps, m) inputs (m = 0: none); ``Win`` (m, n) or
    (0, 0) for direct currents. Writes ``y_out[k] = y(k * save_every * dt)``."""
    n = y0.size
    inv_tau = 1.0 / tau
    K = np.empty((b.size, n))
    z = np.empty(n)
    o = np.empty(n)
    I = np.zeros(n)
    y = y0.copy()
    y_out[0] = y
    none = I[:0]
    for step in range(n_steps):
        ut = u[step] if u.shape[1] > 0 else none
        bad = _step_single(W, inv_tau, bias, gain, Win, ut, A, b, dt, y, y, K, z, o, I)
        if bad >= 0:
            stats[0] = 1
            stats[1] = step
            stats[2] = bad
            for r in range(step // save_every + 1, y_out.shape[0]):
                y_out[r] = np.nan
            return
        if (step + 1) % save_every == 0:
            y_out[(step + 1) // save_every] = y


@njit(cache=True, **JIT_NO_RC)
def _ctrnn_stepper(W, inv_tau, bias, gain, Win, A, b, dt, Y, K, z, o, I, u):
    """:class:`CTRNNStepper`'s step for P networks (parameters with a leading P
    axis; ``Win`` (P, m, n) or (P, 0, 0)); ``Y`` (2, P, n) holds the states and
    the next ones, kept only if all are finite; ``u`` (1 or P, m), m = 0 for no
    input. Returns -1, ``p * n + unit`` of the first non-finite new state, or -2
    (``u`` of the wrong shape)."""
    P, n = Y.shape[1], Y.shape[2]
    m = u.shape[1]
    if (m != 0 and m != (Win.shape[1] if Win.shape[1] > 0 else n)) or (u.shape[0] != 1 and u.shape[0] != P):
        return -2
    for p in range(P):
        ut = u[0] if u.shape[0] == 1 else u[p]
        bad = _step_single(W[p], inv_tau[p], bias[p], gain[p], Win[p], ut, A, b, dt, Y[0, p], Y[1, p], K, z, o, I)
        if bad >= 0:
            return p * n + bad
    for p in range(P):
        for i in range(n):
            Y[0, p, i] = Y[1, p, i]
    return -1


_FLOAT64 = np.dtype(np.float64)
_NDARRAY = np.ndarray


class CTRNNStepper:
    """A CTRNN (or a population) advanced one step at a time: ``y = stepper(u)``.

    Made by :meth:`CTRNN.stepper`. ``u`` is the input of this step, shape (m,)
    (shared by a population) or (P, m), or None for no input; ``y`` (n,) or
    (P, n) is a live view of the state, overwritten by the next step (copy what
    you keep); ``net.outputs(y)`` gives the neuron outputs. A step whose new
    state is not finite raises :class:`~dynnets.errors.DivergenceError` and
    leaves the state as it was.

    Attributes
    ----------
    steps : int
        Steps taken since construction or the last :meth:`reset`.
    t : float
        ``steps * dt``.
    """

    __slots__ = ("_P", "_Y", "_call", "_m", "dt", "steps", "y")

    def __init__(self, net, dt, method, y0):
        if not isinstance(net, CTRNN):
            raise TypeError(f"net must be a CTRNN, got {type(net).__name__}")
        self.dt = as_scalar("dt", dt, low=0.0, low_open=True)
        _warn_long_step(self.dt, net, stacklevel=3)
        tab = get_method(method)
        n, P, self._m = net.n_neurons, net.population, net.n_inputs
        self._P = P
        Pn = 1 if P is None else P
        W = np.ascontiguousarray(net.weights.reshape(Pn, n, n))
        tau, bias, gain = (np.ascontiguousarray(a.reshape(Pn, n)) for a in (net.tau, net.bias, net.gain))
        Win = (np.zeros((Pn, 0, 0)) if net.input_weights is None
               else np.ascontiguousarray(net.input_weights.reshape(Pn, self._m, n)))
        self._Y = Y = np.zeros((2, Pn, n))
        self.y = Y[0] if P is not None else Y[0, 0]
        self.reset(y0)
        args = (W, 1.0 / tau, bias, gain, Win, tab.A, tab.b, self.dt, Y, np.empty((tab.n_stages, n)),
                np.empty(n), np.empty(n), np.zeros(n))
        self._call = entry_point(_ctrnn_stepper, args, numba.types.float64[:, :])  # u: any 2-d float64 array

    def reset(self, y0=None):
        """Set the state (zero by default) and the step count to 0."""
        n = self._Y.shape[2]
        if y0 is None:
            self._Y[0] = 0.0
        else:
            y0 = as_float_array("y0", y0, ndim=(1, 2))
            if y0.shape not in ((n,), (self._Y.shape[1], n)) or (self._P is None and y0.ndim == 2):
                want = f"({n},)" + ("" if self._P is None else f" or ({self._P}, {n})")
                raise ValueError(f"y0 must have shape {want}, got {y0.shape}")
            self._Y[0] = y0
        self.steps = 0

    @property
    def t(self):
        return self.steps * self.dt

    def __call__(self, u=None):
        """Advance one step; returns ``y``, a view."""
        if u is None:
            u = _NO_INPUT
        else:
            if type(u) is not _NDARRAY or u.dtype is not _FLOAT64 or not 1 <= u.ndim <= 2:  # the kernel checks the shape
                u = as_float_array("u", u, ndim=(1, 2) if self._P is not None else 1)
            if u.ndim == 1:
                u = u[None]
        status = self._call(u)
        if status != -1:
            if status == -2:
                want = f"({self._m},)" + ("" if self._P is None else f" or ({self._P}, {self._m})")
                raise ValueError(f"u must have shape {want}, got {np.shape(u)}")
            n = self._Y.shape[2]
            raise DivergenceError(self.steps, status % n, item=None if self._P is None else status // n,
                                  t=(self.steps + 1) * self.dt, hint="the state is left as it was before this step")
        self.steps += 1
        return self.y

    def __repr__(self):
        pop = "" if self._P is None else f", population={self._P}"
        return f"CTRNNStepper(n={self._Y.shape[2]}{pop}, dt={self.dt:g}, steps={self.steps})"


_NO_INPUT = np.zeros((1, 0))


@njit(cache=True, **JIT)
def _aligned_empty(n, B):
    """An uninitialised (n, n, B) array whose data starts on a 64-byte boundary,
    so that no vector load of it straddles two cache lines (those run at half rate)."""
    size = n * n * B
    buf = np.empty(size + 8)
    s = (-buf.ctypes.data % 64) // 8
    return buf[s:s + size].reshape((n, n, B))


@njit(cache=True, **JIT)
def _combine(coef, K, n_terms, acc):
    """``acc = sum_{j < n_terms} coef[j] K[j]`` over a block's flat state, in
    order of ``j``, one pass per nonzero coefficient (RK4's stages have one each):
    a zero term adds nothing to a finite sum, so this is the sum the
    single-network step takes over every term."""
    first = True
    for j in range(n_terms):
        c = coef[j]
        if c != 0.0:
            if first:
                for e in range(acc.size):
                    acc[e] = c * K[j, e]
                first = False
            else:
                for e in range(acc.size):
                    acc[e] += c * K[j, e]
    if first:
        for e in range(acc.size):
            acc[e] = 0.0


def _block_size(n_fixed):
    """Networks per block of ``_population_kernel(n_fixed)``."""
    return POP_BLOCK_SMALL if n_fixed else POP_BLOCK


@functools.cache
def _population_kernel(n_fixed):
    """The population kernel for networks of ``n_fixed`` neurons, a compile-time
    constant (one kernel per size up to ``POP_SMALL_N``, compiled on first use),
    or of any size for ``n_fixed = 0``.

    With a constant size LLVM unrolls the weighted sums and keeps each network's
    sum in a register, 64 networks to a block. Larger networks run the any-size
    kernel, 16 networks to a block, whose sums are :func:`batched_matvec_add`: it
    keeps 16 independent sums in registers, where one sum at a time runs at the
    latency of one chain of FMAs. (Per-size kernels with those sums measured no
    faster at 7-10 neurons and took 11-14 s each to compile.) Both sum in the
    same order: the numbers are the same bits (tested).
    """
    B = _block_size(n_fixed)

    @njit(cache=True, nogil=True, **JIT)
    def kernel(first, stride, Wt, tau_t, bias_t, gain_t, Wint, u, u_shared, y0, dt, n_steps, save_every, A, b, y_out,
               stats):
        """P networks, laid out with the network index last so inner loops run over
        networks and vectorise: ``Wt[j, i, p]``, ``tau_t[i, p]``, ``Wint[k, i, p]``
        (shape (0, 0, 0) for direct currents), inputs ``u[step, p or 0, k]``.

        The parameter arrays are padded to a multiple of ``B`` networks (the
        padding is simulated and discarded). This runs blocks ``first, first +
        stride, ...`` of ``B`` networks: one task of :func:`dynnets._threads.strided`.
        Within a block the state is flat, ``e = i * B + q``, so the elementwise
        passes are one vectorised loop each. Writes ``y_out[r, p, i]`` for the
        ``P = y0.shape[0]`` real networks and ``stats[p] = (diverged, step, unit)``.
        """
        n = n_fixed if n_fixed else tau_t.shape[0]
        N = n * B  # a block's neurons; the elementwise passes run over all of them at once
        P = y0.shape[0]
        s = b.size
        m = u.shape[2]
        direct = Wint.shape[0] == 0
        n_blocks = tau_t.shape[1] // B
        for blk in range(first, n_blocks, stride):
            p0 = blk * B
            bw = min(B, P - p0)
            # the block's parameters, copied so that hot loops index with e = i * B + q alone
            W = _aligned_empty(n, B)
            W[:] = Wt[:, :, p0:p0 + B]
            gain = gain_t[:, p0:p0 + B].copy().reshape(N)
            bias = bias_t[:, p0:p0 + B].copy().reshape(N)
            inv_tau = (1.0 / tau_t[:, p0:p0 + B]).reshape(N)
            y = np.zeros(N)
            o2 = np.empty((n, B))
            # flat views made once per block: a view costs two atomic reference counts,
            # and made in the elementwise loops these were 20% of the time (K3[st] and
            # A[st], once a stage, are not worth a second form of the helpers)
            o = o2.reshape(N)
            I = np.zeros(N)
            K3 = np.empty((s, n, B))
            K = K3.reshape((s, N))
            acc = np.empty(N)
            done = np.zeros(B, np.bool_)
            for i in range(n):
                for q in range(bw):
                    y[i * B + q] = y0[p0 + q, i]
                    y_out[0, p0 + q, i] = y0[p0 + q, i]
            for step in range(n_steps):
                if m > 0:
                    for i in range(n):
                        for q in range(B):
                            pu = 0 if u_shared else min(p0 + q, P - 1)
                            if direct:
                                I[i * B + q] = u[step, pu, i]
                            else:
                                a = 0.0
                                for k in range(m):
                                    a += u[step, pu, k] * Wint[k, i, p0 + q]
                                I[i * B + q] = a
                for st in range(s):
                    _combine(A[st], K, st, acc)
                    # K_st = (I - z + W^T o) / tau for every network, z the stage's state
                    for e in range(N):
                        z = y[e] + dt * acc[e]
                        K[st, e] = I[e] - z
                        o[e] = sigmoid(gain[e] * (z + bias[e]))
                    if n_fixed:
                        for i in range(n_fixed):
                            for q in range(B):
                                a = K3[st, i, q]
                                for j in range(n_fixed):
                                    a += W[j, i, q] * o2[j, q]
                                K3[st, i, q] = a
                    else:
                        batched_matvec_add(W, o2, K3[st])
                    for e in range(N):
                        K[st, e] *= inv_tau[e]
                _combine(b, K, s, acc)
                n_bad = 0
                for e in range(N):
                    y[e] += dt * acc[e]
                    n_bad += 0 if is_finite(y[e]) else 1
                if n_bad:
                    for q in range(bw):
                        if not done[q]:
                            for i in range(n):
                                if not is_finite(y[i * B + q]):
                                    done[q] = True
                                    stats[p0 + q, 0] = 1
                                    stats[p0 + q, 1] = step
                                    stats[p0 + q, 2] = i
                                    break
                if (step + 1) % save_every == 0:
                    r = (step + 1) // save_every
                    for q in range(bw):
                        for i in range(n):
                            y_out[r, p0 + q, i] = y[i * B + q]

    return kernel


def _pad_last(a, P_pad, fill):
    """``a`` with its last (network) axis padded to ``P_pad`` with ``fill``."""
    out = np.full(a.shape[:-1] + (P_pad,), fill)
    out[..., : a.shape[-1]] = a
    return out


# ----------------------------------------------------------------------------
# the public simulation function
# ----------------------------------------------------------------------------


def _warn_long_step(dt, net, stacklevel):
    if dt > net.tau.min():
        warnings.warn(f"dt = {dt:g} is longer than the smallest time constant ({net.tau.min():g}): the explicit "
                      "step is inaccurate and may be unstable", NumericalWarning, stacklevel=stacklevel)


def simulate(net, y0=None, *, dt=0.01, n_steps=None, t_max=None, inputs=None, method="euler",
             save_every=1, nan_ok=False):
    """Simulate a CTRNN (or a population of them) with a fixed-step Runge-Kutta method.

    Parameters
    ----------
    net : CTRNN
        One network, or a population of P networks (parameters with a leading
        population axis); a population runs in one thread-parallel kernel.
    y0 : array_like, shape (n,) or (P, n), optional
        Initial states (default zeros). One state of shape (n,) is shared by the
        population.
    dt : float
        Step size (> 0).
    n_steps : int, optional
        Number of steps; or give ``t_max`` (``n_steps = round(t_max / dt)``), or
        let the length of ``inputs`` decide.
    inputs : array_like, optional
        External input sampled on the step grid, held within each step:
        shape ``(n_steps, m)`` (shared by the population) or ``(n_steps, P, m)``,
        where ``m`` is ``n_inputs`` (``n`` when the network has no input weights).
    method : str or ButcherTableau
        ``'euler'`` (default, as in Beer's code), ``'heun'``, ``'rk4'``, or any
        explicit tableau.
    save_every : int
        Record every k-th step (1: all); ``n_steps`` must be a multiple of it.
    nan_ok : bool
        Record divergence (NaN rows, ``status`` 1) instead of raising ``DivergenceError``.

    Returns
    -------
    Solution
        ``t`` of shape ``(n_saved,)`` with ``n_saved = n_steps // save_every + 1``;
        ``y`` of shape ``(n_saved, n)`` or ``(n_saved, P, n)``; ``status``, an int or
        an array of shape ``(P,)``. Neuron outputs are ``net.outputs(sol.y)``.

    References
    ----------
    .. [1] R. D. Beer, "On the dynamics of small continuous-time recurrent neural
           networks", Adaptive Behavior 3(4), 1995.
    """
    if not isinstance(net, CTRNN):
        raise TypeError(f"net must be a CTRNN, got {type(net).__name__}")
    n, P, m = net.n_neurons, net.population, net.n_inputs
    dt = as_scalar("dt", dt, low=0.0, low_open=True)
    _warn_long_step(dt, net, stacklevel=3)
    tab = get_method(method)
    u = None
    if inputs is not None:
        u = as_float_array("inputs", inputs, ndim=(2, 3) if P else 2)
        if u.shape[-1] != m:
            raise ValueError(f"inputs must have {m} columns (the network's inputs) on the last axis, got shape {u.shape}")
        if u.ndim == 3 and u.shape[1] != P:
            raise ValueError(f"inputs has {u.shape[1]} networks on axis 1, the population {P}")
    if n_steps is None:
        if t_max is not None:
            n_steps = as_steps("t_max", as_scalar("t_max", t_max, low=0.0, low_open=True), dt)
        elif u is not None:
            n_steps = u.shape[0]
        else:
            raise ValueError("give n_steps, t_max or inputs to set the length of the run")
    n_steps = as_scalar("n_steps", n_steps, low=1, integer=True)
    if u is not None and u.shape[0] < n_steps:
        raise ValueError(f"inputs has {u.shape[0]} steps, fewer than n_steps={n_steps}")
    save_every = as_scalar("save_every", save_every, low=1, integer=True)
    if n_steps % save_every:
        raise ValueError(f"n_steps ({n_steps}) must be a multiple of save_every ({save_every})")
    n_saved = n_steps // save_every + 1
    t = np.arange(n_saved) * (save_every * dt)

    if P is None:
        y0 = np.zeros(n) if y0 is None else as_float_array("y0", y0, shape=(n,))
        uu = np.zeros((0, 0)) if u is None else u[:n_steps]
        Win = np.zeros((0, 0)) if net.input_weights is None else net.input_weights
        y_out = np.empty((n_saved, n))
        stats = np.zeros(3, np.int64)
        _simulate_single(net.weights, net.tau, net.bias, net.gain, Win, uu, y0, dt, n_steps,
                         save_every, tab.A, tab.b, y_out, stats)
        if stats[0] and not as_bool("nan_ok", nan_ok):
            raise DivergenceError(stats[1], stats[2], t=(stats[1] + 1) * dt)
        return Solution(t, y_out, n_steps, 0, n_steps * tab.n_stages, int(stats[0]))

    y0 = np.zeros((P, n)) if y0 is None else as_float_array("y0", y0, ndim=(1, 2))
    if y0.shape not in ((n,), (P, n)):
        raise ValueError(f"y0 must have shape ({n},) or ({P}, {n}), got {y0.shape}")
    y0 = np.ascontiguousarray(np.broadcast_to(y0, (P, n)))
    if u is None:
        uu, shared = np.zeros((0, 1, 0)), True
    elif u.ndim == 2:
        uu, shared = u[:n_steps, None, :], True
    else:
        uu, shared = u[:n_steps], False
    n_fixed = n if n <= POP_SMALL_N else 0
    B = _block_size(n_fixed)
    P_pad = -(-P // B) * B
    Wt = _pad_last(net.weights.transpose(1, 2, 0), P_pad, 0.0)
    Wint = (np.zeros((0, 0, 0)) if net.input_weights is None
            else _pad_last(net.input_weights.transpose(1, 2, 0), P_pad, 0.0))
    y_out = np.empty((n_saved, P, n))
    stats = np.zeros((P, 3), np.int64)
    args = (Wt, _pad_last(net.tau.T, P_pad, 1.0), _pad_last(net.bias.T, P_pad, 0.0), _pad_last(net.gain.T, P_pad, 0.0),
            Wint, np.ascontiguousarray(uu), shared, y0, dt, n_steps, save_every, tab.A, tab.b, y_out, stats)
    kernel = _population_kernel(n_fixed)
    strided(kernel, P_pad // B, *args)
    status = stats[:, 0].copy()
    if status.any():
        for p in np.flatnonzero(status):
            first = stats[p, 1] // save_every + 1
            y_out[first:, p] = np.nan
        if not as_bool("nan_ok", nan_ok):
            p = int(np.flatnonzero(status)[0])
            raise DivergenceError(stats[p, 1], stats[p, 2], item=p, t=(stats[p, 1] + 1) * dt)
    return Solution(t, y_out, n_steps, 0, n_steps * tab.n_stages, status)
