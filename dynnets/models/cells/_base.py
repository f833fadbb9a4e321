"""What every cell shares: validation, the batch layout, the gradient buffers,
and the small linear-algebra kernels the forward, backward and RTRL passes
are built from.

Layout. The public arrays are time first, ``(T, B, ...)``. Inside, each
sequence is contiguous, ``(B, T, ...)``, so one parallel work item reads and
writes one block of memory; :class:`Run` holds the public views of those
arrays and :meth:`_Cell.gradients` takes them back without a copy.

Gradient buffers. A batch's gradient is accumulated in ``K = min(B, 8)``
buffers, buffer ``k`` holding the sum over sequences ``k, k + K, ...``; the
buffers are summed in order afterwards. ``K`` depends on the batch size only,
so the result is the same at any thread count.
"""

from dataclasses import dataclass

import numba
import numpy as np
from numba import njit

from ..._bind import entry_point
from ..._math import is_finite, sigmoid, tanh
from ..._repr import array_repr
from ..._simd import gemm_tn_add, outer_add
from ..._validate import as_float_array, as_rng, as_scalar
from ...config import JIT
from ...errors import DivergenceError

GRAD_BUFFERS = 8

# nonlinearities by code, so kernels take an int; the derivative is written
# in terms of the output y = f(a)
NONLINEARITIES = {"tanh": 0, "relu": 1, "sigmoid": 2}


@njit(cache=True, inline="always", **JIT)
def _activate(a, out, kind):
    """``out = f(a)`` for the nonlinearity code ``kind``."""
    if kind == 0:
        for k in range(a.size):
            out[k] = tanh(a[k])
    elif kind == 1:
        for k in range(a.size):
            out[k] = 0.0 if a[k] <= 0.0 else a[k]  # noqa: FURB136 (max(0.0, NaN) is 0: NaN must stay NaN)
    else:
        for k in range(a.size):
            out[k] = sigmoid(a[k])


@njit(cache=True, **JIT)
def _activate_backward(y, d, kind, out):
    """``out = d * f'(a)`` with ``f'`` written through ``y = f(a)``."""
    if kind == 0:
        for k in range(y.size):
            out[k] = d[k] * (1.0 - y[k] * y[k])
    elif kind == 1:
        for k in range(y.size):
            out[k] = d[k] if y[k] > 0.0 else 0.0
    else:
        for k in range(y.size):
            out[k] = d[k] * y[k] * (1.0 - y[k])


@njit(cache=True, inline="always", **JIT)
def _finite(v):
    """Every element of ``v`` is finite (checked on the bits: survives fastmath)."""
    ok = True
    for k in range(v.size):
        ok &= is_finite(v[k])
    return ok


def _check_finite(bad, states):
    """Raise :class:`DivergenceError` for the first sequence whose forward pass
    reported a non-finite state at step ``bad[s] >= 0``; ``states`` (B, T, H)."""
    for s in np.flatnonzero(bad >= 0)[:1]:
        t = int(bad[s])
        unit = int(np.flatnonzero(~np.isfinite(states[s, t]))[:1].sum())
        raise DivergenceError(t, unit, s, hint="the weights or inputs are too large (lower the learning rate, "
                              "clip the gradients, or bound the recurrent weights)")


@njit(cache=True, inline="always", **JIT)
def _keep_next(S):
    """The end of a :class:`Stepper` kernel: ``S`` holds the state's rows (h, and
    c) and then the next state's; keep the next state if it is finite.
    Returns -1, or 0 (not finite: the state stays as it was)."""
    k = S.shape[0] // 2
    for i in range(k):
        if not _finite(S[k + i]):
            return 0
    for i in range(k):
        for j in range(S.shape[1]):
            S[i, j] = S[k + i, j]
    return -1


@njit(cache=True, inline="always", **JIT)
def _add(a, b):
    """``a += b`` for 1-d arrays, as a loop: numba's array expression ``a += b``
    took half the elementwise time of the LSTM's backward step (its ``gb += da``)."""
    for k in range(a.size):
        a[k] += b[k]


@njit(cache=True, inline="always", **JIT)
def _affine(W, v, b, out):
    """``out = b + W v`` (``out`` may be ``b``)."""
    if v.size < 4:  # few inputs: run along the rows, which vectorises (2x at one input)
        v0 = v[0]
        for r in range(out.size):
            out[r] = b[r] + W[r, 0] * v0
        for j in range(1, v.size):
            vj = v[j]
            for r in range(out.size):
                out[r] += W[r, j] * vj
        return
    for r in range(out.size):
        s = b[r]
        for j in range(v.size):
            s += W[r, j] * v[j]
        out[r] = s


@njit(cache=True, **JIT)
def _outer_add(G, d, v):
    """``G += d v^T``."""
    if v.size < 4:  # few columns: run down them (10x at one column)
        for j in range(v.size):
            vj = v[j]
            for r in range(d.size):
                G[r, j] += d[r] * vj
        return
    outer_add(G, d, v)


@njit(cache=True, **JIT)
def _t_matvec_add(W, d, out):
    """``out += W^T d`` for a short ``d`` (a readout's few outputs); for the
    weights of a cell use :func:`~dynnets._simd.matvec_t` (many outputs) or a
    transposed copy and :func:`_matvec_add` (few outputs)."""
    for r in range(d.size):
        dr = d[r]
        for j in range(out.size):
            out[j] += W[r, j] * dr


@njit(cache=True, **JIT)
def _matvec_add(A, d, out):
    """``out += A d`` as row dot products. The backward kernels pass ``A = W^T``
    (copied once per call) where ``W^T d`` has few outputs, such as ``dx`` (one
    per input): summed over the rows of ``W`` it loaded and stored ``out`` once
    per row, 30x slower for one input. For many outputs the column sums of
    :func:`~dynnets._simd.matvec_t` on ``W`` itself are faster."""
    for j in range(out.size):
        s = out.dtype.type(0.0)  # the arrays' precision (float32 LSTMs)
        for r in range(d.size):
            s += A[j, r] * d[r]
        out[j] += s


@njit(cache=True, **JIT)
def _weight_gradients(DA, x, h0, H, gW_ih, gW_hh):
    """``gW_ih += sum_t da_t x_t^T`` and ``gW_hh += sum_t da_t h_{t-1}^T`` over
    consecutive steps of a sequence: ``DA``, ``x`` and ``H`` (T, .) for those
    steps, ``h0`` the state before the first. As matrix products after the
    steps' backward pass, the sums keep blocks of the gradient in registers; an
    outer product per step loaded and stored all of ``gW_hh`` every step, which
    with ``W_hh`` no longer fit in L1 (0.38 of 0.95 us a step at 32 units)."""
    if DA.shape[0] == 0:
        return
    gemm_tn_add(DA, x, gW_ih)
    _outer_add(gW_hh, DA[0], h0)
    gemm_tn_add(DA[1:], H[:-1], gW_hh)


# -- real-time recurrent learning (forward-mode sensitivities) -----------------
# Parameters are flattened as [W_ih (R x I, row-major), W_hh (R x H), b (R), ...];
# b stands for b_ih and b_hh alike (both enter the same sum).


@njit(cache=True, **JIT)
def _rtrl_direct(n_rows, x, hp, r, col_b, dA):
    """Add to row ``r`` of ``dA`` (d a_r / d theta) the direct dependence of
    pre-activation r on its own weights: x (W_ih), h_{t-1} (W_hh), 1 (bias)."""
    m, n = x.size, hp.size
    o = r * m
    for j in range(m):
        dA[r, o + j] += x[j]
    o = n_rows * m + r * n
    for j in range(n):
        dA[r, o + j] += hp[j]
    dA[r, col_b + r] += 1.0


@njit(cache=True, **JIT)
def _rtrl_recurrent(W_hh, S, dA):
    """``dA = W_hh S`` (rows of pre-activations x parameters)."""
    for r in range(dA.shape[0]):
        for p in range(dA.shape[1]):
            dA[r, p] = 0.0
        for j in range(S.shape[0]):
            w = W_hh[r, j]
            for p in range(dA.shape[1]):
                dA[r, p] += w * S[j, p]


@njit(cache=True, **JIT)
def _sensitivity_add(w, S, g):
    """``g += w^T S``: the gradient of ``w . h`` through ``S = dh/dtheta``."""
    for k in range(w.size):
        wk = w[k]
        for p in range(g.size):
            g[p] += wk * S[k, p]


# ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """Forward pass of a cell over a batch.

    Attributes
    ----------
    h : ndarray, shape (T, B, H)
        States after each step (the output of a Jordan network).
    c : ndarray, shape (T, B, H) or None
        LSTM cell states.
    gates : ndarray, shape (T, B, k, H) or None
        Gate activations per step; each cell documents its ``k`` rows.
    """

    __repr__ = array_repr

    h: np.ndarray
    c: np.ndarray = None
    gates: np.ndarray = None

    def plot(self, ax=None, item=0):
        """The states ``h`` of batch item ``item`` against the step; returns the Axes."""
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        ax.plot(self.h[:, item, :], lw=0.8)
        ax.set(xlabel="step", ylabel="h")
        return ax


def _time_first(a):
    """Public ``(T, B, ...)`` view of an internal ``(B, T, ...)`` array."""
    return None if a is None else a.swapaxes(0, 1)


def _batch_first(a):
    """Internal contiguous ``(B, T, ...)`` array from a public one (no copy for
    the views :func:`_time_first` made)."""
    return None if a is None else np.ascontiguousarray(a.swapaxes(0, 1))


class _Cell:
    """Shared validation and layout; each subclass defines its parameters
    (``PARAMS``), ``_forward`` and ``_backward`` on the internal layout."""

    PARAMS = ()
    has_cell_state = False
    dtype = np.dtype(np.float64)  # of the parameters and of run and gradients (LSTMs may be float32)

    n_inputs = property(lambda self: self.W_ih.shape[1])

    @property
    def n_hidden(self):
        """Number of hidden units."""
        return self.W_hh.shape[1]

    @property
    def n_state(self):
        """Size of the state ``h`` that recurs (the outputs of a Jordan network,
        the hidden units otherwise)."""
        return self.n_hidden

    def __repr__(self):
        return f"{type(self).__name__}(inputs={self.n_inputs}, hidden={self.n_hidden})"

    def _transposed(self):
        """The weight matrices as the forward kernels take them: copies of
        ``W_ih^T`` and ``W_hh^T``, C-contiguous, whose columns the kernels sum
        down (:func:`~dynnets._simd.matvec_t`). Cells with other matrices
        (GRU, Jordan, IndRNN) override it."""
        return np.array(self.W_ih.T, order="C"), np.array(self.W_hh.T, order="C")

    @classmethod
    def random(cls, n_inputs, n_hidden, *, scale=None, seed=None, **options):
        """Parameters uniform in ``[-s, s]``, ``s = 1 / sqrt(H)`` by default
        (PyTorch's initialisation); ``options`` as for the constructor."""
        n_in = as_scalar("n_inputs", n_inputs, low=1, integer=True)
        n = as_scalar("n_hidden", n_hidden, low=1, integer=True)
        s = 1.0 / np.sqrt(n) if scale is None else as_scalar("scale", scale, low=0.0)
        rng = as_rng(seed)
        shapes = cls._shapes(n_in, n, **options)
        return cls(**{k: rng.uniform(-s, s, shape) for k, shape in shapes.items()}, **options)

    def parameters(self):
        """The trainable arrays by name (the arrays themselves: optimisers
        update them in place)."""
        return {p: getattr(self, p) for p in self.PARAMS}

    def project(self):
        """Put the parameters back into their allowed set after an update
        (a no-op except for constrained cells such as :class:`IndRNN`)."""

    # -- validation ----------------------------------------------------------
    def _inputs(self, x, h0, c0):
        X = as_float_array("x", x, ndim=(2, 3))
        X = X[:, None, :] if X.ndim == 2 else X
        T, B, m = X.shape
        if m != self.n_inputs or T == 0 or B == 0:
            raise ValueError(f"x must have shape (T, {self.n_inputs}) or (T, B, {self.n_inputs}) with T, B >= 1, "
                             f"got {np.shape(x)}")
        if c0 is not None and not self.has_cell_state:
            raise ValueError(f"c0: a {type(self).__name__} cell has no cell state")
        return _batch_first(X), self._state("h0", h0, B), self._state("c0", c0, B) if self.has_cell_state else None

    def _state(self, name, v, B):
        n = self.n_state
        if v is None:
            return np.zeros((B, n))
        a = as_float_array(name, v, ndim=(1, 2))
        if a.shape not in ((n,), (B, n)):
            raise ValueError(f"{name} must have shape ({n},) or ({B}, {n}), got {a.shape}")
        return np.ascontiguousarray(np.broadcast_to(a, (B, n)))

    def _grad_in(self, name, d, shape):
        """Outside gradient ``d`` (T, B, H) or (T, H), in the internal layout and
        the cell's dtype."""
        if d is None:
            return np.zeros((shape[1], shape[0]) + shape[2:], self.dtype)
        a = as_float_array(name, d, ndim=(2, 3))
        a = a[:, None, :] if a.ndim == 2 else a
        if a.shape != shape:
            raise ValueError(f"{name} must have the shape of the states that x gives, {shape}, got {a.shape}")
        if self.dtype != a.dtype:  # one copy, cast on the way
            return np.ascontiguousarray(a.swapaxes(0, 1), dtype=self.dtype)
        return _batch_first(a)

    # -- public passes -----------------------------------------------------------
    def run(self, x, h0=None, c0=None):
        """States for inputs ``x`` (T, I) or (T, B, I), from ``h0`` (and ``c0``
        for an LSTM), each (H,) or (B, H), zero by default.

        Returns
        -------
        Run
            ``h`` (T, B, H), with a batch axis of 1 for a single sequence;
            ``c`` and ``gates`` where the cell has them.
        """
        X, h0, c0 = self._inputs(x, h0, c0)
        return self._forward(X, h0, c0)

    def gradients(self, x, dh, run=None, h0=None, c0=None, dc=None):
        """Backpropagation through time.

        Parameters
        ----------
        x : array_like, shape (T, B, I) or (T, I)
        dh : array_like, shape (T, B, H)
            ``dL/dh_t`` from outside the cell (readout and loss) at every step.
        run : Run, optional
            The forward pass of ``x`` (recomputed if not given).
        h0, c0 : array_like, optional
            Initial states as in :meth:`run`.
        dc : array_like, shape (T, B, H), optional
            LSTM only: an outside gradient on the cell states.

        Returns
        -------
        dict
            One entry per parameter (summed over the batch), ``x`` (T, B, I),
            ``h0`` (B, H) and, for an LSTM, ``c0`` (B, H).
        """
        X, h0, c0 = self._inputs(x, h0, c0)
        run = self._forward(X, h0, c0) if run is None else run
        B, T = X.shape[:2]
        n = self.n_state
        dH = self._grad_in("dh", dh, (T, B, n))
        if dc is not None and not self.has_cell_state:
            raise ValueError(f"dc: a {type(self).__name__} cell has no cell state")
        dC = None
        if self.has_cell_state:
            # no outside gradient on c (the usual case): an empty array, not zeros
            # the size of the states (fresh pages are a measurable cost)
            dC = np.zeros((B, 0, n), self.dtype) if dc is None else self._grad_in("dc", dc, (T, B, n))
        g = self._backward(X, h0, c0, run, dH, dC)
        g["x"] = _time_first(g["x"])
        return g

    def step(self, x, h, c=None):
        """One step from Python code: the next state for input ``x`` (I,) and
        state ``h`` (H,) (and ``c`` for an LSTM).

        Returns
        -------
        h : ndarray, shape (H,), or (h, c) for an LSTM

        Notes
        -----
        Made for loops that step a cell from Python (agents, interactive use):
        arrays that are already float64 and of the right shape skip conversion.
        Sequences known in advance run far faster through :meth:`run`.
        """
        x = _vector("x", x, self.n_inputs)
        h = _vector("h", h, self.n_state)
        if self.has_cell_state:
            out = self._step(x, h, _vector("c", c, self.n_hidden))
        elif c is not None:
            raise ValueError(f"c: a {type(self).__name__} cell has no cell state")
        else:
            out = self._step(x, h, None)
        if out[-1] >= 0:
            _check_finite(np.array([0]), out[0][None])
        return (out[0][0], out[1][0]) if self.has_cell_state else out[0][0]

    def stepper(self, h0=None, c0=None):
        """A stateful stepper for loops that feed one input at a time from Python
        (agents, control, interactive use): ``h = stepper(x)``.

        It holds a copy of the weights taken now (make a new one after training)
        and its own state, and calls the compiled step directly: about 0.75 us a
        step for an LSTM of 32 units (0.4 us for an Elman network), where
        :meth:`step` spends 5-7 us in argument checks, new arrays and a
        transposed copy of the weights. Same numbers as :meth:`run`, bit for bit.

        Parameters
        ----------
        h0 : array_like, shape (H,), optional
            Initial state (zero by default; a Jordan network's is its output).
        c0 : array_like, shape (H,), optional
            LSTM only: initial cell state.

        Returns
        -------
        Stepper
        """
        if c0 is not None and not self.has_cell_state:
            raise ValueError(f"c0: a {type(self).__name__} cell has no cell state")
        return Stepper(self, h0, c0)

    def _buffers(self, B, names=None):
        """Zeroed gradient buffers ``(K,) + shape`` for the parameters, for ``B``
        sequences (or blocks of them)."""
        K = min(B, GRAD_BUFFERS)
        return [np.zeros((K,) + getattr(self, p).shape, getattr(self, p).dtype) for p in (names or self.PARAMS)]

    def as_map(self, x=None):
        """The state update at a constant input ``x`` (I,) (zero by default) as a
        :class:`dynnets.Map`, for :func:`dynnets.analysis.fixed_points`,
        Lyapunov exponents and the other map tools. The map's state is ``h``
        ((h, c) stacked for an LSTM); its parameters are a copy of the weights
        taken now.

        Fixed points of a trained network at zero input are the "memories" and
        saddles of Sussillo and Barak (2013).
        """
        from ...systems import Map

        x = np.zeros(self.n_inputs) if x is None else as_float_array("x", x, shape=(self.n_inputs,))
        flags, arrays = self._map_parts()
        params = np.concatenate([[float(self.n_state), float(self.n_inputs)], flags, x]
                                + [np.ravel(a) for a in arrays])
        n = self.n_state * (2 if self.has_cell_state else 1)
        return Map(self._MAP_STEP, params, n=n, name=f"{type(self).__name__.lower()} map")

    def jacobian(self, x, h, c=None):
        """Jacobian of the state update at input ``x`` (I,) and state ``h`` (H,)
        (and ``c`` for an LSTM): ``dh_t / dh_{t-1}``, (H, H), or for an LSTM
        ``d(h_t, c_t) / d(h_{t-1}, c_{t-1})``, (2H, 2H) ordered ``[h; c]``."""
        x = as_float_array("x", x, shape=(self.n_inputs,))
        h = as_float_array("h", h, shape=(self.n_state,))
        if self.has_cell_state:
            return self._jacobian(x, h, as_float_array("c", c, shape=(self.n_hidden,)))
        if c is not None:
            raise ValueError(f"c: a {type(self).__name__} cell has no cell state")
        return self._jacobian(x, h)


_FLOAT64 = np.dtype(np.float64)
_NDARRAY = np.ndarray


class Stepper:
    """A cell advanced one input at a time: ``h = stepper(x)``.

    Made by :meth:`_Cell.stepper`. ``h`` (and, for an LSTM, ``c``) are live views
    of the stepper's state, overwritten by the next step: copy what you keep;
    ``gates`` holds the last step's gate activations (LSTM: i, f, g, o; GRU: r,
    z, n and the recurrent part of n's argument), None for cells without gates.
    A step whose new state is not finite raises
    :class:`~dynnets.errors.DivergenceError` and leaves the state as it was.

    Attributes
    ----------
    steps : int
        Steps taken since construction or the last :meth:`reset`.
    """

    __slots__ = ("_S", "_call", "_k", "_m", "_name", "c", "gates", "h", "steps")

    def __init__(self, cell, h0=None, c0=None):
        n, m = cell.n_state, cell.n_inputs
        self._k = k = 2 if cell.has_cell_state else 1
        # rows: the state (h, and c), then the next state the kernel writes
        self._S = S = np.zeros((2 * k, n))
        self._m, self._name = m, type(cell).__name__
        kernel, params, G, A, self.gates = cell._stepper_parts()
        self.h, self.c = S[0], S[1] if k == 2 else None
        self.reset(h0, c0)
        # x: any 1-d float64 array (strided too)
        self._call = entry_point(kernel, (*params, S, G, A), numba.types.float64[:])

    def reset(self, h0=None, c0=None):
        """Set the state (zero by default) and the step count to 0."""
        n = self._S.shape[1]
        self._S[0] = 0.0 if h0 is None else as_float_array("h0", h0, shape=(n,))
        if self._k == 2:
            self._S[1] = 0.0 if c0 is None else as_float_array("c0", c0, shape=(n,))
        self.steps = 0

    def __call__(self, x):
        """Advance one step with input ``x`` (I,); returns ``h`` (H,), a view."""
        # module-level names (not np.ndarray): this method is most of a step's time
        if type(x) is not _NDARRAY or x.dtype is not _FLOAT64 or x.ndim != 1:  # else the kernel checks the size
            x = _vector("x", x, self._m)  # what step() accepts
        status = self._call(x)
        if status != -1:
            if status == -2:
                raise ValueError(f"x must have {self._m} values (the cell's inputs), got {x.size}")
            S = self._S
            unit = int(np.flatnonzero(~np.isfinite(S[self._k:].ravel()))[0]) % S.shape[1]
            raise DivergenceError(self.steps, unit, hint="the state is left as it was before this step")
        self.steps += 1
        return self.h

    def __repr__(self):
        return f"Stepper({self._name}, inputs={self._m}, hidden={self._S.shape[1]}, steps={self.steps})"


def _vector(name, v, n):
    """``v`` as a float64 vector of length ``n``; arrays already in that form
    pass without a copy (the fast path of :meth:`_Cell.step`)."""
    if type(v) is np.ndarray and v.dtype == np.float64 and v.shape == (n,) and v.flags.c_contiguous:
        return v
    return as_float_array(name, v, shape=(n,))


class _TorchLayout:
    """Weight conversion for the cells PyTorch has (``nn.RNN``, ``nn.LSTM``,
    ``nn.GRU``): parameters ``W_ih``, ``W_hh``, ``b_ih``, ``b_hh``."""

    _TORCH = (("W_ih", "weight_ih"), ("W_hh", "weight_hh"), ("b_ih", "bias_ih"), ("b_hh", "bias_hh"))

    def _check_torch(self):
        """Raise if this instance is a variant PyTorch does not have."""

    def torch_state(self, layer=0):
        """The weights under PyTorch's names (``weight_ih_l0`` ...), as NumPy arrays
        (``torch.nn.LSTM(...).load_state_dict({k: torch.from_numpy(v) ...})``)."""
        self._check_torch()
        return {f"{t}_l{layer}": getattr(self, p).copy() for p, t in self._TORCH}

    @classmethod
    def from_torch_state(cls, state, layer=0):
        """Build from a PyTorch ``state_dict`` (tensors or arrays) of ``nn.RNN``
        (tanh), ``nn.LSTM`` or ``nn.GRU``, layer ``layer``."""
        def get(name):
            key = f"{name}_l{layer}"
            if key not in state:
                raise ValueError(f"state has no {key!r} (keys: {sorted(state)})")
            v = state[key]
            return np.asarray(v.detach().cpu().numpy() if hasattr(v, "detach") else v, dtype=np.float64)
        return cls(**{p: get(t) for p, t in cls._TORCH})
