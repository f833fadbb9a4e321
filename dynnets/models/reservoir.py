"""Echo state reservoirs: leaky-integrator tanh units driven by an input.

The state update (Jaeger 2001; Jaeger, Lukosevicius, Popovici and Siewert 2007)::

    x(t) = (1 - a) x(t-1) + a tanh(W x(t-1) + W_in u(t) + W_fb y(t-1) + b)

with leak rate ``a`` in (0, 1] (one per unit), sparse recurrent weights ``W``
(``W[i, j]`` from unit j to unit i), input weights ``W_in`` (N, m), optional
output feedback ``W_fb`` (N, k) and bias ``b``. ``x(t)`` is the state after the
input ``u(t)``, so a readout ``y(t) = W_out [u(t); x(t)]`` predicts from
everything seen up to and including time t. With ``activation="identity"`` the
units are linear (the memory-capacity theory uses that case).

Time is the first axis: inputs ``u`` are (T, m), states (T, N); a batch of
equal-length sequences is (T, S, m) -> (T, S, N).

A batch of reservoirs (different seeds or hyperparameters) is one block-diagonal
reservoir, :meth:`Reservoir.stack`: the blocks and the input sequences are the
independent items of one parallel kernel. A single large reservoir is instead
split by rows at every step.

References
----------
.. [1] H. Jaeger, "The 'echo state' approach to analysing and training recurrent
       neural networks", GMD Report 148, 2001.
.. [2] H. Jaeger, M. Lukosevicius, D. Popovici, U. Siewert, "Optimization and
       applications of echo state networks with leaky-integrator neurons",
       Neural Networks 20(3), 335-352, 2007.
.. [3] M. Lukosevicius, "A practical guide to applying echo state networks",
       in Neural Networks: Tricks of the Trade, LNCS 7700, 659-686, 2012.
"""

import threading
import warnings
from dataclasses import dataclass

import networkx as nx
import numba
import numpy as np
import scipy.sparse as sp
from numba import njit, prange

from .._math import is_finite, tanh
from .._simd import sell_chunk
from .._threads import HAND_OVER, load_acquire, store_release, strided, wait_for
from .._validate import argument, as_float_array, as_rng, as_scalar
from ..config import JIT
from ..errors import DivergenceError, NumericalWarning
from . import topology as _topology

ACTIVATIONS = ("tanh", "identity")
_ROW_PARALLEL_NNZ = 20_000  # one reservoir with more connections is split by rows
SELL_C = 8  # rows per chunk of the sliced ELLPACK layout (dynnets._simd.sell_chunk is written for 8)
_PART = 256  # rows per part: the items of the row-parallel kernel
# A single run of at least _HAND_OVER_STATES states (steps x units) on a machine
# with a second core steps on one thread and writes the states out on another
# (_run_ahead, _write_behind), through a ring of _RING states handed over
# _BATCH at a time. The two threads share an int64 array of counters, each on
# its own cache line: steps done, steps written out, and a stop flag.
_HAND_OVER_STATES = 1 << 20
_DONE, _WRITTEN, _STOPPED, _N_FLAGS = 0, 8, 16, 24
_RING = 4096  # enough for the writer to fault in a 2 MB page of the output (about 1 ms) without falling behind
_BATCH = 32
_RINGS = threading.local()  # each thread's ring, kept: its first touch would cost as much as it saves


# ----------------------------------------------------------------------------
# kernels
# ----------------------------------------------------------------------------


def _to_sell(W, blocks):
    """``W`` in sliced ELLPACK form (SELL-C-sigma, Kreutzer et al. 2014), with
    the kernels' order of the units: *slots*. Each block's rows go in parts of
    ``_PART`` consecutive rows, each part's rows longest first, in chunks of
    ``SELL_C`` that store their rows column by column, zero-padded to the
    longest, so the inner loop runs across rows and a chunk's sums land in
    ``SELL_C`` consecutive slots. A block's states live in slot order too, so
    column indices are block-local slots (uint16 when every block has at most
    2**16 slots, else uint32) and there is no scatter of the sums;
    units are put back in order only when states are written out. A block's
    slots are its units then zeros up to a whole chunk.

    Returns ``(val, col, chunk_off, chunk_len, slot_units, block_chunks)``:
    chunk c of block b fills the block's slots ``(c - block_chunks[b]) * SELL_C
    ..`` and ``slot_units`` gives each slot's block-local unit (-1 for padding),
    from the block's first slot ``block_chunks[b] * SELL_C``. Parts of
    ``_PART // SELL_C`` chunks write only their own slots, so they run in
    parallel without sharing cache lines."""
    C = SELL_C
    lens = np.diff(W.indptr)
    vals, cols, offs, clens, units, bchunks = [], [], [0], [], [], [0]
    for b in range(blocks.size - 1):
        r0, r1 = blocks[b], blocks[b + 1]
        order = np.concatenate([p0 - r0 + np.argsort(-lens[p0:min(r1, p0 + _PART)], kind="stable")
                                for p0 in range(r0, r1, _PART)])
        slot = np.empty(r1 - r0, np.int64)
        slot[order] = np.arange(r1 - r0)
        order = np.concatenate([order, np.full(-order.size % C, -1)])
        for c in range(order.size // C):
            rows = order[c * C:(c + 1) * C]
            L = max(int(lens[r0 + r]) if r >= 0 else 0 for r in rows)
            v = np.zeros((L, C))
            j = np.zeros((L, C), np.int64)
            for i, r in enumerate(rows):
                if r >= 0:
                    a, e = W.indptr[r0 + r], W.indptr[r0 + r + 1]
                    v[:e - a, i] = W.data[a:e]
                    j[:e - a, i] = slot[W.indices[a:e] - r0]
            vals.append(v.ravel())
            cols.append(j.ravel())
            offs.append(offs[-1] + L * C)
            clens.append(L)
        units.append(order)
        bchunks.append(len(clens))
    index = np.uint16 if max(u.size for u in units) <= 1 << 16 else np.uint32
    return (np.concatenate(vals), np.concatenate(cols).astype(index), np.array(offs, np.int64),
            np.array(clens, np.int64), np.concatenate(units).astype(np.int64), np.array(bchunks, np.int64))


@njit(cache=True, **JIT)
def _to_slots(x, units, n_slots):
    """A block's states in slot order (padding 0) from ``x`` in unit order."""
    xs = np.zeros(n_slots)
    for s in range(units.size):
        xs[s] = x[units[s]]
    return xs


@njit(cache=True, **JIT)
def _to_units(xs, units, x):
    """``x[units[s]] = xs[s]``: a block's states back in unit order."""
    for s in range(units.size):
        x[units[s]] = xs[s]


@njit(cache=True, **JIT)
def _drive(W_inT, W_fbT, bias, u, fb, t, pre):
    """``pre = (W_in u(t) + W_fb fb(t) + b)`` (transposed input weights, so the
    loops over units vectorise). Callers pass their block's views, so every index
    starts at 0 (see ``dynnets.config`` on wrap-around code)."""
    n = pre.size
    for i in range(n):
        pre[i] = bias[i]
    for k in range(u.shape[1]):
        uk = u[t, k]
        for i in range(n):
            pre[i] += W_inT[k, i] * uk
    for k in range(fb.shape[1]):
        fk = fb[t, k]
        for i in range(n):
            pre[i] += W_fbT[k, i] * fk


@njit(cache=True, **JIT)
def _leaky(x, pre, leak, linear):
    """``x <- (1 - a) x + a f(pre)`` (the block's views); vectorises (tanh is
    plain arithmetic). Returns whether every new state is finite."""
    ok = True
    if linear:
        for i in range(x.size):
            a = leak[i]
            x[i] = (1.0 - a) * x[i] + a * pre[i]
            ok &= is_finite(x[i])
    else:
        for i in range(x.size):
            a = leak[i]
            x[i] = (1.0 - a) * x[i] + a * tanh(pre[i])
            ok &= is_finite(x[i])
    return ok


@njit(cache=True, **JIT)
def _recurrent(val, col, coff, clen, c0, c1, x, pre):
    """``pre += W x`` over chunks ``c0 .. c1``, whose slots start at ``pre[0]``
    (``x`` is the block's state, in slot order); each row's sum one chain of
    FMAs from ``pre`` in storage order (:func:`dynnets._simd.sell_chunk`), so
    every caller gets the same bits."""
    for c in range(c0, c1):
        sell_chunk(val, col, coff[c], clen[c], x, pre, (c - c0) * SELL_C)


@njit(cache=True, **JIT)
def _step(val, col, coff, clen, c0, c1, W_inT, bias, leak, W_fbT, linear, s0, x, u, fb, t, pre):
    """One update of a block's state ``x`` (slot order, slots ``s0 .. s0 +
    x.size``, chunks c0..c1), in place, with input row ``u[t]`` and feedback
    row ``fb[t]``."""
    s1 = s0 + x.size
    _drive(W_inT[:, s0:s1], W_fbT[:, s0:s1], bias[s0:s1], u, fb, t, pre)
    _recurrent(val, col, coff, clen, c0, c1, x, pre)
    _leaky(x, pre, leak[s0:s1], linear)


@njit(cache=True, **JIT)
def _run_item(val, col, coff, clen, units, bchunks, W_inT, bias, leak, W_fbT, linear, blocks, b, u, fb, t0, t1, x0,
              X):
    """States ``X[t, block b]`` for ``t in [t0, t1)``, from ``x0`` (the block's
    units). Returns the first step with a non-finite state (it stops there), or -1."""
    c0, c1 = bchunks[b], bchunks[b + 1]
    s0, s1 = c0 * SELL_C, c1 * SELL_C
    units = units[s0:s0 + blocks[b + 1] - blocks[b]]
    x = _to_slots(x0, units, s1 - s0)
    pre = np.empty(s1 - s0)
    # the block's own views, indexed from 0 (no wrap-around code for negative indices)
    W_inT, W_fbT, bias, leak, X = W_inT[:, s0:s1], W_fbT[:, s0:s1], bias[s0:s1], leak[s0:s1], X[:, blocks[b]:]
    for t in range(t0, t1):
        # :func:`_step` spelled out: measured ~8% faster at 100 units than the call
        _drive(W_inT, W_fbT, bias, u, fb, t, pre)
        _recurrent(val, col, coff, clen, c0, c1, x, pre)
        ok = _leaky(x, pre, leak, linear)
        _to_units(x, units, X[t])
        if not ok:
            return t
    return -1


@njit(cache=True, nogil=True, **JIT)
def _run_items(first, stride, val, col, coff, clen, units, bchunks, W_inT, bias, leak, W_fbT, linear, blocks, starts,
               u, fb, x0, X, bad):
    """Every (block, sequence) pair is an independent item; ``x0[s, :]`` per
    sequence; ``bad[item]`` gets :func:`_run_item`'s status. Items ``first,
    first + stride, ...``: one task of :func:`dynnets._threads.strided`."""
    nb = blocks.size - 1
    ns = starts.size - 1
    for item in range(first, nb * ns, stride):
        b = item // ns
        s = item % ns
        bad[item] = _run_item(val, col, coff, clen, units, bchunks, W_inT, bias, leak, W_fbT, linear, blocks, b, u,
                              fb, starts[s], starts[s + 1], x0[s, blocks[b]:blocks[b + 1]], X)


@njit(cache=True, nogil=True, **JIT)
def _run_ahead(val, col, coff, clen, units, W_inT, bias, leak, W_fbT, linear, u, fb, x, ring, direct, flags, X):
    """:func:`_run_item` for one reservoir of one block (``x`` its state in slot
    order) that hands the states to :func:`_write_behind`, on another thread,
    through the rows of ``ring``: ``flags[_DONE]`` counts the steps done
    (published every ``_BATCH``), ``flags[_WRITTEN]`` the steps written out, and
    ``flags[_STOPPED]`` is set when it stops. It never waits: when the writer has not yet freed the
    ring rows of a batch (another program has its CPU, say), this thread writes
    that batch out itself and marks it ``direct``. Returns the first step with
    a non-finite state (it stops there), or -1."""
    pre = np.empty(x.size)
    R = ring.shape[0]
    T = u.shape[0]
    bad = -1
    ahead = True
    for t in range(T):
        if t % _BATCH == 0:
            ahead = t < R or load_acquire(flags, _WRITTEN) >= t - R + _BATCH
            direct[t // _BATCH] = not ahead
        _drive(W_inT, W_fbT, bias, u, fb, t, pre)
        _recurrent(val, col, coff, clen, 0, clen.size, x, pre)
        ok = _leaky(x, pre, leak, linear)
        if ahead:
            row = ring[t % R]
            for i in range(x.size):
                row[i] = x[i]
        else:
            _to_units(x, units, X[t])
        if not ok:
            bad = t
            break
        if (t + 1) % _BATCH == 0:
            store_release(flags, _DONE, t + 1)
    store_release(flags, _DONE, T if bad < 0 else bad + 1)
    store_release(flags, _STOPPED, 1)
    return bad


@njit(cache=True, nogil=True, **JIT)
def _write_behind(units, ring, direct, flags, X):
    """The other side of :func:`_run_ahead`: ``X[t]`` in unit order from the ring
    rows as they are handed over (skipping batches written ``direct``), until
    the stepping thread has stopped and every handed-over state is written."""
    R = ring.shape[0]
    t = 0
    while True:
        done = load_acquire(flags, _DONE)
        if t == done:
            if load_acquire(flags, _STOPPED) != 0 and load_acquire(flags, _DONE) == t:
                return
            wait_for(flags, _DONE, t + 1, _STOPPED)
            continue
        while t < done:
            if not direct[t // _BATCH]:
                _to_units(ring[t % R], units, X[t])
            t += 1
        store_release(flags, _WRITTEN, t)


@njit(parallel=True, **JIT)
def _run_rows(val, col, coff, clen, units, bchunks, W_inT, bias, leak, W_fbT, linear, blocks, u, fb, x0, X):
    """One large reservoir, one sequence, split within each step into parts of
    ``_PART // SELL_C`` chunks (:func:`_to_sell`), one parallel loop per step:
    each part computes its slots' new states from the previous state
    (double-buffered) with the code of :func:`_step`, so the result is the
    serial one at any thread count. Returns the first step with a non-finite
    state, or -1."""
    n = x0.size
    n_slots = bias.size
    per_part = _PART // SELL_C
    n_parts = (clen.size + per_part - 1) // per_part
    xa = _to_slots(x0, units[:n], n_slots)
    xb = np.empty(n_slots)
    pre = np.empty(n_slots)
    ok = np.empty(n_parts, np.bool_)
    for t in range(u.shape[0]):
        old, new = (xa, xb) if t % 2 == 0 else (xb, xa)
        for q in prange(n_parts):
            c0 = q * per_part
            c1 = min(c0 + per_part, clen.size)
            a, b = c0 * SELL_C, c1 * SELL_C
            p = pre[a:b]
            _drive(W_inT[:, a:b], W_fbT[:, a:b], bias[a:b], u, fb, t, p)
            _recurrent(val, col, coff, clen, c0, c1, old, p)
            x = new[a:b]
            x[:] = old[a:b]
            ok[q] = _leaky(x, p, leak[a:b], linear)
            _to_units(x, units[a:min(b, n)], X[t])
        if not ok.all():
            return t
    return -1


@njit(cache=True, **JIT)
def _generate_one(val, col, coff, clen, units, bchunks, W_inT, bias, leak, W_fbT, linear, blocks, x0, y0, coef,
                  intercept, use_input, to_input, to_fb, u_ext, Y, X):
    """Closed loop from state ``x0`` and last output ``y0``: the readout
    ``y = intercept + coef^T [u; x]`` (or ``[x]``; ``coef``'s rows for ``x`` in
    slot order) is fed back as the next input (``to_input``) and/or through
    ``W_fb`` (``to_fb``); other inputs come from ``u_ext[t]``. Every block
    steps before the readout. Writes ``Y[t]`` and ``X[t]``."""
    nb = blocks.size - 1
    m = W_inT.shape[0]
    x = np.zeros(bias.size)
    for b in range(nb):
        s0 = bchunks[b] * SELL_C
        n_b = blocks[b + 1] - blocks[b]
        x[s0:s0 + n_b] = _to_slots(x0[blocks[b]:blocks[b + 1]], units[s0:s0 + n_b], n_b)
    y = y0.copy()
    pre = np.empty(bias.size)
    u_t = np.empty((1, m))
    fb_t = np.empty((1, W_fbT.shape[0]))
    off = m if use_input else 0
    for t in range(Y.shape[0]):
        for k in range(m):
            u_t[0, k] = y[k] if to_input else u_ext[t, k]
        if to_fb:
            fb_t[0, :] = y
        for b in range(nb):
            c0, c1 = bchunks[b], bchunks[b + 1]
            s0, s1 = c0 * SELL_C, c1 * SELL_C
            _step(val, col, coff, clen, c0, c1, W_inT, bias, leak, W_fbT, linear, s0, x[s0:s1], u_t, fb_t, 0,
                  pre[s0:s1])
        for o in range(y.size):
            a = intercept[o]
            if use_input:
                for k in range(m):
                    a += coef[k, o] * u_t[0, k]
            for i in range(x.size):
                a += coef[off + i, o] * x[i]
            y[o] = a
        for o in range(y.size):
            Y[t, o] = y[o]
        for b in range(nb):
            s0 = bchunks[b] * SELL_C
            _to_units(x[s0:], units[s0:s0 + blocks[b + 1] - blocks[b]], X[t, blocks[b]:])


@njit(cache=True, nogil=True, **JIT)
def _generate_many(first, stride, val, col, coff, clen, units, bchunks, W_inT, bias, leak, W_fbT, linear, blocks, x0,
                   y0, coef, intercept, use_input, to_input, to_fb, u_ext, Y, X):
    """Independent closed-loop runs from ``x0[s]``, ``y0[s]``: ``Y[:, s]``, ``X[:, s]``,
    for ``s = first, first + stride, ...``."""
    for s in range(first, x0.shape[0], stride):
        _generate_one(val, col, coff, clen, units, bchunks, W_inT, bias, leak, W_fbT, linear, blocks, x0[s], y0[s],
                      coef, intercept, use_input, to_input, to_fb, u_ext[:, s], Y[:, s], X[:, s])


# ----------------------------------------------------------------------------
# the model
# ----------------------------------------------------------------------------


def _csr(name, W):
    if sp.issparse(W):
        W = sp.csr_array(W, dtype=np.float64)
    else:
        W = sp.csr_array(as_float_array(name, W, ndim=2))
    if W.shape[0] != W.shape[1] or W.shape[0] == 0:
        raise ValueError(f"{name} must be square with at least one unit, got shape {W.shape}")
    W = W.copy()
    W.sum_duplicates()
    W.sort_indices()
    if not np.all(np.isfinite(W.data)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    for a in (W.data, W.indices, W.indptr):
        a.setflags(write=False)
    return W


@dataclass(frozen=True, eq=False)
class Reservoir:
    """An echo state reservoir (a frozen, validated parameter object).

    Parameters
    ----------
    W : sparse matrix or array_like, shape (N, N)
        Recurrent weights, ``W[i, j]`` from unit j to unit i; stored as CSR.
    W_in : array_like, shape (N, m)
        Input weights.
    bias : array_like, shape (N,), or scalar
    leak : array_like, shape (N,), or scalar
        Leak rates ``a`` in (0, 1]; 1 is the non-leaky ESN.
    W_fb : array_like, shape (N, k), optional
        Output feedback weights (teacher-forced in training, closed in generation).
    activation : {"tanh", "identity"}
    blocks : array_like of int, shape (n_blocks + 1,), optional
        Unit offsets of independent sub-reservoirs (set by :meth:`stack`).

    See :func:`Reservoir.random` for the usual random construction.
    """

    W: object
    W_in: np.ndarray
    bias: np.ndarray = 0.0
    leak: np.ndarray = 1.0
    W_fb: np.ndarray = None
    activation: str = "tanh"
    blocks: np.ndarray = None

    def __post_init__(self):
        W = _csr("W", self.W)
        n = W.shape[0]
        W_in = as_float_array("W_in", self.W_in, ndim=2)
        if W_in.shape[0] != n or W_in.shape[1] == 0:
            raise ValueError(f"W_in must have shape ({n}, m) with m >= 1, got {W_in.shape}")
        vec = {}
        for name in ("bias", "leak"):
            a = as_float_array(name, getattr(self, name), ndim=(0, 1))
            a = np.full(n, float(a)) if a.ndim == 0 else a
            if a.shape != (n,):
                raise ValueError(f"{name} must be a scalar or have shape ({n},), got {a.shape}")
            vec[name] = a
        if np.any(vec["leak"] <= 0) or np.any(vec["leak"] > 1):
            raise ValueError("leak must be in (0, 1]")
        W_fb = np.zeros((n, 0)) if self.W_fb is None else as_float_array("W_fb", self.W_fb, ndim=2)
        if W_fb.shape[0] != n:
            raise ValueError(f"W_fb must have shape ({n}, k), got {W_fb.shape}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {self.activation!r}")
        blocks = np.array([0, n] if self.blocks is None else self.blocks, dtype=np.int64)
        if blocks.ndim != 1 or blocks.size < 2 or blocks[0] != 0 or blocks[-1] != n or np.any(np.diff(blocks) <= 0):
            raise ValueError(f"blocks must be increasing unit offsets from 0 to {n}, got {blocks}")
        if blocks.size > 2:
            rows = np.repeat(np.arange(n), np.diff(W.indptr))
            owner = np.searchsorted(blocks, np.arange(n), side="right") - 1
            if np.any(owner[rows] != owner[W.indices]):
                raise ValueError("W has connections between blocks; blocks must be independent")
        fields = {"W": W, "W_in": W_in, "bias": vec["bias"], "leak": vec["leak"], "W_fb": W_fb, "blocks": blocks}
        for name, a in fields.items():
            if isinstance(a, np.ndarray):
                a = np.ascontiguousarray(a)
                a.setflags(write=False)
            object.__setattr__(self, name, a)
        # what every kernel takes, built once: W in SELL form, and in its slot
        # order the transposed input and feedback weights (so the drive loops
        # run over units), bias and leak (padding slots: zero weights and leak,
        # so their states stay 0), then the rest
        sell = _to_sell(W, blocks)
        units, bchunks = sell[4], sell[5]
        slot_units = units + np.repeat(blocks[:-1], np.diff(bchunks) * SELL_C)  # -> global units
        slot_units[units < 0] = -1
        object.__setattr__(self, "_slot_units", slot_units)
        object.__setattr__(self, "_args", sell + (
            self._to_slots(W_in.T), self._to_slots(vec["bias"]), self._to_slots(vec["leak"]),
            self._to_slots(W_fb.T), self.activation == "identity", blocks))

    # -- sizes -------------------------------------------------------------
    @property
    def n_units(self):
        return self.W.shape[0]

    @property
    def n_inputs(self):
        return self.W_in.shape[1]

    @property
    def n_feedback(self):
        return self.W_fb.shape[1]

    @property
    def n_blocks(self):
        return self.blocks.size - 1

    def __repr__(self):
        a = self.leak
        leak = f"{a[0]:.3g}" if np.all(a == a[0]) else f"[{a.min():.3g}, {a.max():.3g}]"
        blocks = f", blocks={self.n_blocks}" if self.n_blocks > 1 else ""
        fb = f", feedback={self.n_feedback}" if self.n_feedback else ""
        return (f"Reservoir(units={self.n_units}, inputs={self.n_inputs}{fb}, nnz={self.W.nnz}, "
                f"leak={leak}, activation={self.activation!r}{blocks})")

    # -- construction ------------------------------------------------------
    @classmethod
    def random(cls, n_units, n_inputs=1, *, spectral_radius=0.9, density=0.1, input_scaling=1.0,
               bias_scaling=0.0, leak=1.0, n_feedback=0, feedback_scaling=1.0, topology="erdos_renyi",
               input_distribution="uniform", activation="tanh", seed=None):
        """The usual random reservoir.

        Parameters
        ----------
        n_units, n_inputs : int
        spectral_radius : float
            Of ``W`` (scaled with a sparse eigensolver).
        density : float
            Fraction of nonzero recurrent weights (Erdos-Renyi topology).
        input_scaling : float or array_like, shape (n_inputs,)
            ``W_in`` is drawn from U[-1, 1] (or ``input_distribution``) times this.
        bias_scaling : float
            ``b`` drawn from U[-bias_scaling, bias_scaling].
        leak : float
        n_feedback, feedback_scaling :
            Output feedback weights from U[-1, 1] times the scaling.
        topology : str or networkx.Graph or sparse matrix
            ``"erdos_renyi"``, ``"small_world"``, ``"scale_free"``,
            ``"simple_cycle"``, ``"orthogonal"``, any networkx graph (random
            weights on its edges), or a given matrix (scaled to ``spectral_radius``).
        seed : int or numpy.random.Generator, optional
        """
        n = as_scalar("n_units", n_units, low=1, integer=True)
        rho = as_scalar("spectral_radius", spectral_radius, low=0.0)
        if rho > 1.5 and np.all(np.asarray(leak) == 1.0):
            warnings.warn(f"spectral_radius = {rho:g} without leak: such a reservoir is usually chaotic and has no "
                          "echo state property; use a radius near 1 or leak < 1", NumericalWarning, stacklevel=2)
        rng = as_rng(seed)
        if isinstance(topology, nx.Graph):
            W = _topology.from_graph(topology, rho, seed=rng)
        elif sp.issparse(topology) or isinstance(topology, np.ndarray):
            W = _topology.scale_spectral_radius(topology, rho)
        elif topology == "erdos_renyi":
            W = _topology.erdos_renyi(n, density, rho, seed=rng)
        elif topology == "small_world":
            W = _topology.small_world(n, rho=rho, seed=rng)
        elif topology == "scale_free":
            W = _topology.scale_free(n, rho=rho, seed=rng)
        elif topology == "simple_cycle":
            W = _topology.simple_cycle(n, rho)
        elif topology == "orthogonal":
            W = _topology.orthogonal(n, rho, seed=rng)
        else:
            raise ValueError(f"unknown topology {topology!r}")
        if W.shape[0] != n:
            raise ValueError(f"topology has {W.shape[0]} units, n_units is {n}")
        with argument("input_scaling"):
            W_in = _topology.input_weights(n, n_inputs, input_scaling, distribution=input_distribution, seed=rng)
        bias_scaling = as_scalar("bias_scaling", bias_scaling, low=0.0)
        bias = rng.uniform(-bias_scaling, bias_scaling, n) if bias_scaling > 0 else np.zeros(n)
        n_feedback = as_scalar("n_feedback", n_feedback, low=0, integer=True)
        W_fb = (rng.uniform(-1.0, 1.0, (n, n_feedback)) * as_scalar("feedback_scaling", feedback_scaling)
                if n_feedback else None)
        return cls(W, W_in, bias, as_scalar("leak", leak, low=0.0, high=1.0, low_open=True), W_fb, activation)

    @classmethod
    def stack(cls, reservoirs):
        """Several reservoirs as one block-diagonal reservoir that runs them all
        in one parallel kernel (same input and feedback dimensions and activation).
        Split its states with :meth:`split`."""
        res = list(reservoirs)
        if not res or not all(isinstance(r, Reservoir) for r in res):
            raise TypeError("reservoirs must be a non-empty sequence of Reservoir")
        for name in ("n_inputs", "n_feedback", "activation"):
            vals = {getattr(r, name) for r in res}
            if len(vals) > 1:
                raise ValueError(f"reservoirs must share {name}, got {sorted(vals)}")
        sizes = [r.n_units for r in res]
        blocks = np.concatenate([[0], np.cumsum(sizes)])
        return cls(sp.block_diag([r.W for r in res], format="csr"), np.vstack([r.W_in for r in res]),
                   np.concatenate([r.bias for r in res]), np.concatenate([r.leak for r in res]),
                   np.vstack([r.W_fb for r in res]) if res[0].n_feedback else None, res[0].activation, blocks)

    def split(self, states):
        """Per-block views of states ``(..., N)``: a list of ``(..., N_b)`` arrays."""
        return [states[..., self.blocks[b]:self.blocks[b + 1]] for b in range(self.n_blocks)]

    # -- simulation --------------------------------------------------------
    def _kernel_args(self):
        """The arrays every kernel takes (built once in ``__post_init__``)."""
        return self._args

    def _to_slots(self, a):
        """``a`` (..., N) in unit order as (..., n_slots) in the kernels' slot
        order (:func:`_to_sell`), zero in padding slots."""
        su = self._slot_units
        out = np.zeros(a.shape[:-1] + su.shape)
        out[..., su >= 0] = a[..., su[su >= 0]]
        return out

    def _sequences(self, u, name="u"):
        """``u`` as one (T_total, m) array with sequence offsets, and a function
        that shapes the states as ``u`` was given."""
        m = self.n_inputs
        if isinstance(u, (list, tuple)):
            seqs = [self._as_inputs(v, f"{name}[{i}]") for i, v in enumerate(u)]
            if not seqs:
                raise ValueError(f"{name} is an empty list")
            lengths = [len(s) for s in seqs]
            starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
            return np.concatenate(seqs), starts, lambda X: [X[starts[i]:starts[i + 1]] for i in range(len(seqs))]
        a = as_float_array(name, u, ndim=(1, 2, 3))
        if a.ndim == 3:
            T, S, mm = a.shape
            if mm != m:
                raise ValueError(f"{name} must have shape (T, S, {m}), got {a.shape}")
            if T == 0 or S == 0:
                raise ValueError(f"{name} must have at least one step and one sequence, got {a.shape}")
            flat = np.ascontiguousarray(a.transpose(1, 0, 2)).reshape(S * T, m)
            starts = np.arange(S + 1, dtype=np.int64) * T
            return flat, starts, lambda X: np.ascontiguousarray(X.reshape(S, T, -1).transpose(1, 0, 2))
        a = self._as_inputs(a, name)
        return a, np.array([0, len(a)], np.int64), lambda X: X

    def _as_inputs(self, u, name):
        m = self.n_inputs
        a = as_float_array(name, u, ndim=(1, 2))
        if a.ndim == 1:
            if m != 1:
                raise ValueError(f"{name} must have shape (T, {m}), got {a.shape}")
            a = a[:, None]
        if a.shape[1] != m:
            raise ValueError(f"{name} must have shape (T, {m}) (T steps, {m} inputs), got {a.shape}")
        if a.shape[0] == 0:
            raise ValueError(f"{name} must have at least one step")
        return a

    def _feedback(self, feedback, starts, T_total):
        """Teacher outputs ``y`` shaped like the inputs, shifted one step: the
        update at time t sees ``y(t - 1)`` (zero at each sequence's start)."""
        k = self.n_feedback
        if k == 0:
            if feedback is not None:
                raise ValueError("feedback given but the reservoir has no W_fb")
            return np.zeros((T_total, 0))
        if feedback is None:
            raise ValueError(f"the reservoir has output feedback: pass feedback (teacher outputs, {k} per step)")
        if isinstance(feedback, (list, tuple)):
            y = np.concatenate([as_float_array(f"feedback[{i}]", f, ndim=(1, 2)).reshape(len(f), -1)
                                for i, f in enumerate(feedback)])
        else:
            y = as_float_array("feedback", feedback, ndim=(1, 2, 3))
            if y.ndim == 3:
                y = np.ascontiguousarray(y.transpose(1, 0, 2)).reshape(-1, y.shape[2])
            y = y.reshape(len(y), -1)
        if y.shape != (T_total, k):
            raise ValueError(f"feedback must have the inputs' steps and {k} outputs: expected {(T_total, k)} "
                             f"in all, got {y.shape}")
        fb = np.zeros_like(y)
        fb[1:] = y[:-1]
        fb[starts[:-1]] = 0.0
        return fb

    def run(self, u, x0=None, *, feedback=None):
        """Drive the reservoir with inputs and return its states.

        Parameters
        ----------
        u : array_like, shape (T, m) or (T,) or (T, S, m), or a list of (T_i, m)
            Inputs, time first; a batch of S sequences, or a list of sequences
            of different lengths.
        x0 : array_like, shape (N,) or (S, N), optional
            Initial state(s) (zero by default).
        feedback : array_like, optional
            Teacher outputs, shaped like ``u`` with k per step, for reservoirs
            with ``W_fb`` (teacher forcing: step t sees ``feedback[t - 1]``).

        Returns
        -------
        states : ndarray, shape (T, N), (T, S, N), or a list of (T_i, N)
            ``states[t]`` is ``x(t)``, the state after input ``u[t]``.
        """
        flat, starts, shape = self._sequences(u)
        S, N = starts.size - 1, self.n_units
        fb = self._feedback(feedback, starts, flat.shape[0])
        if x0 is None:
            X0 = np.zeros((S, N))
        else:
            X0 = as_float_array("x0", x0, ndim=(1, 2))
            X0 = np.broadcast_to(X0, (S, N)) if X0.shape == (N,) else X0
            if X0.shape != (S, N):
                raise ValueError(f"x0 must have shape ({N},) or ({S}, {N}), got {X0.shape}")
            X0 = np.ascontiguousarray(X0)
        X = np.empty((flat.shape[0], N))
        args = self._kernel_args()
        nb = self.n_blocks
        bad = np.empty(nb * S, np.int64)  # per (block, sequence): first non-finite step, or -1
        if S == 1 and nb == 1 and self.W.nnz >= _ROW_PARALLEL_NNZ and numba.get_num_threads() > 1:
            bad[0] = _run_rows(*args, flat, fb, X0[0], X)
        elif S == 1 and nb == 1 and X.size >= _HAND_OVER_STATES and HAND_OVER and numba.get_num_threads() > 1:
            bad[0] = self._run_handed_over(flat, fb, X0[0], X)
        elif S == 1 and nb == 1:
            bad[0] = _run_item(*args, 0, flat, fb, 0, flat.shape[0], X0[0], X)
        else:
            strided(_run_items, nb * S, *args, starts, flat, fb, X0, X, bad)
        if np.any(bad >= 0):
            item = int(np.flatnonzero(bad >= 0)[0])
            b, s, t = item // S, item % S, int(bad[item])
            cols = slice(self.blocks[b], self.blocks[b + 1])
            unit = int(self.blocks[b] + np.flatnonzero(~np.isfinite(X[t, cols]))[0])
            raise DivergenceError(t - starts[s], unit, s if S > 1 else None)
        return shape(X)

    def _run_handed_over(self, u, fb, x0, X):
        """One reservoir and one sequence: :func:`_run_ahead` steps it on this
        thread while :func:`_write_behind` writes the states out on another,
        putting the units back in order and touching the output's fresh memory
        first (the kernel's zeroing of it took 10-25% of a run of 100 units on
        a 2-core VM). 6-17% faster there in interleaved runs; the states are
        the serial ones."""
        val, col, coff, clen, units, _, W_inT, bias, leak, W_fbT, linear, _ = self._args
        units = units[:self.n_units]
        if getattr(_RINGS, "buffer", np.empty(0)).size < _RING * bias.size:
            _RINGS.buffer = np.empty(_RING * bias.size)
        ring = _RINGS.buffer[:_RING * bias.size].reshape(_RING, bias.size)
        direct = np.zeros(-(-len(u) // _BATCH), np.bool_)
        flags = np.zeros(_N_FLAGS, np.int64)
        writer = threading.Thread(target=_write_behind, args=(units, ring, direct, flags, X), name="dynnets-writer",
                                  daemon=True)
        writer.start()
        try:
            bad = _run_ahead(val, col, coff, clen, units, W_inT, bias, leak, W_fbT, linear, u, fb,
                             _to_slots(x0, units, bias.size), ring, direct, flags, X)
        finally:
            flags[_STOPPED] = 1  # (set already, unless the kernel failed to run)
            writer.join()
        if flags[_WRITTEN] != flags[_DONE]:
            raise RuntimeError("the thread writing out the reservoir's states stopped before the end")
        return bad

    def generate(self, coef, intercept, x0, y0, n_steps, *, use_input=True, to_input=True, u=None):
        """Closed-loop run: the linear readout's output drives the reservoir.

        Parameters
        ----------
        coef : array_like, shape (m + N, d) or (N, d)
            Readout weights on ``[u(t); x(t)]`` (``use_input``) or ``x(t)``.
        intercept : array_like, shape (d,)
        x0 : array_like, shape (N,) or (S, N)
            State(s) to start from (typically the last state of a teacher-forced
            warm-up); S independent runs go in parallel.
        y0 : array_like, shape (d,) or (S, d)
            The readout output at ``x0``: the first value fed back.
        n_steps : int
        use_input : bool
            Whether the readout also sees the input.
        to_input : bool
            Feed the output back as the next input (forecasting; needs d = m).
            Otherwise inputs come from ``u``; the output is fed through ``W_fb``
            when the reservoir has it.
        u : array_like, shape (n_steps, m) or (n_steps, S, m), optional
            External inputs when ``to_input`` is False.

        Returns
        -------
        y : ndarray, shape (n_steps, d) or (n_steps, S, d)
            ``y[t]`` is the output after the t-th closed-loop update.
        states : ndarray, shape (n_steps, N) or (n_steps, S, N)
        """
        N, m = self.n_units, self.n_inputs
        n_steps = as_scalar("n_steps", n_steps, low=1, integer=True)
        X0 = as_float_array("x0", x0, ndim=(1, 2))
        single = X0.ndim == 1
        X0 = X0.reshape(-1, X0.shape[-1])
        if X0.shape[1] != N:
            raise ValueError(f"x0 must have shape ({N},) or (S, {N}), got {X0.shape}")
        S = X0.shape[0]
        n_feat = (m if use_input else 0) + N
        C = as_float_array("coef", coef, ndim=2)
        if C.shape[0] != n_feat:
            raise ValueError(f"coef must have {n_feat} rows ({'m + N' if use_input else 'N'}), got {C.shape}")
        d = C.shape[1]
        b = as_float_array("intercept", intercept, shape=(d,))
        Y0 = np.ascontiguousarray(np.broadcast_to(as_float_array("y0", y0, ndim=(1, 2)), (S, d)))
        to_fb = self.n_feedback > 0
        if to_fb and self.n_feedback != d:
            raise ValueError(f"the readout has {d} outputs but W_fb takes {self.n_feedback}")
        if to_input:
            if d != m:
                raise ValueError(f"to_input needs as many outputs as inputs: {d} != {m}")
            U = np.zeros((n_steps, S, m))
        else:
            if u is None:
                raise ValueError("u (external inputs) is required when to_input is False")
            U = as_float_array("u", u, ndim=(2, 3))
            U = U[:, None, :] if U.ndim == 2 else U
            if U.shape[0] != n_steps or U.shape[1] not in (1, S) or U.shape[2] != m:
                raise ValueError(f"u must have shape ({n_steps}, {m}) or ({n_steps}, {S}, {m}), got {U.shape}")
            U = np.ascontiguousarray(np.broadcast_to(U, (n_steps, S, m)))
        Y = np.empty((n_steps, S, d))
        X = np.empty((n_steps, S, N))
        off = m if use_input else 0
        C = np.concatenate([C[:off], self._to_slots(C[off:].T).T])  # the state's rows in slot order
        strided(_generate_many, X0.shape[0], *self._kernel_args(), np.ascontiguousarray(X0), Y0,
                C, b, bool(use_input), bool(to_input), to_fb, U, Y, X)
        if not np.all(np.isfinite(Y)):
            t, s = np.argwhere(~np.isfinite(Y))[0][:2]
            raise DivergenceError(t, 0, None if single else int(s))
        return (Y[:, 0], X[:, 0]) if single else (Y, X)

    def jacobian(self, x, u, fb=None):
        """Jacobian of the update ``dx(t)/dx(t-1)`` at state ``x(t-1)`` and input
        ``u(t)``: ``(1 - a) I + a diag(f'(pre)) W``, a dense (N, N) array."""
        N = self.n_units
        x = as_float_array("x", x, shape=(N,))
        u = as_float_array("u", u, ndim=(0, 1)).reshape(-1)
        if u.size != self.n_inputs:
            raise ValueError(f"u must have {self.n_inputs} values, got {u.size}")
        fb = np.zeros(self.n_feedback) if fb is None else as_float_array("fb", fb, shape=(self.n_feedback,))
        pre = self.W @ x + self.W_in @ u + self.W_fb @ fb + self.bias
        d = np.ones(N) if self.activation == "identity" else 1.0 - np.tanh(pre) ** 2
        return np.diag(1.0 - self.leak) + (self.leak * d)[:, None] * self.W.toarray()
