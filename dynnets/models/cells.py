"""Discrete recurrent cells in PyTorch's layout, with hand-derived backward passes.

Every cell maps an input sequence ``x`` (T, B, I), time first, to hidden states
``h`` (T, B, H); the weights use PyTorch's names and shapes (``W_ih`` (G H, I),
``W_hh`` (G H, H), biases ``b_ih``, ``b_hh`` (G H)) so models move between the
two with :meth:`torch_state` / :meth:`from_torch_state`.

Elman (PyTorch ``nn.RNN``)::

    h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)

LSTM with forget gate, no peepholes (Greff et al. 2017's "NP" variant, PyTorch
``nn.LSTM``; gate order i, f, g, o)::

    i, f, o = sigma(a_i), sigma(a_f), sigma(a_o),  g = tanh(a_g),
    a = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
    c_t = f c_{t-1} + i g,   h_t = o tanh(c_t)

GRU, reset after the recurrent product (PyTorch ``nn.GRU``; order r, z, n)::

    r = sigma(W_ir x + b_ir + W_hr h + b_hr),  z = sigma(W_iz x + b_iz + W_hz h + b_hz)
    n = tanh(W_in x + b_in + r (W_hn h + b_hn)),  h_t = (1 - z) n + z h_{t-1}

``gradients`` runs backpropagation through time: given ``dL/dh_t`` for every
step (the readout's and loss's part, computed outside), it returns the
gradients of every weight, of the inputs and of the initial state. Sequences
of a batch are independent items of one parallel kernel, each with its own
gradient buffer; the buffers are summed afterwards in a fixed order, so the
result does not depend on the number of threads. ``rtrl`` (Elman, LSTM) gives
the same weight gradients by real-time recurrent learning, forward in time.

References
----------
.. [1] J. L. Elman, "Finding structure in time", Cognitive Science 14, 179-211, 1990.
.. [2] S. Hochreiter, J. Schmidhuber, "Long short-term memory", Neural Computation
       9(8), 1735-1780, 1997; F. A. Gers, J. Schmidhuber, F. Cummins, "Learning to
       forget", Neural Computation 12(10), 2451-2471, 2000.
.. [3] K. Greff, R. K. Srivastava, J. Koutnik, B. R. Steunebrink, J. Schmidhuber,
       "LSTM: a search space odyssey", IEEE TNNLS 28(10), 2222-2232, 2017.
.. [4] K. Cho et al., "Learning phrase representations using RNN encoder-decoder
       for statistical machine translation", EMNLP 2014.
.. [5] P. J. Werbos, "Backpropagation through time: what it does and how to do it",
       Proc. IEEE 78(10), 1550-1560, 1990.
.. [6] R. J. Williams, D. Zipser, "A learning algorithm for continually running
       fully recurrent neural networks", Neural Computation 1(2), 270-280, 1989.
"""

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .._math import sigmoid, tanh
from .._validate import as_float_array, as_rng, as_scalar
from ..config import JIT

# ----------------------------------------------------------------------------
# kernels: one sequence per call (``_*_seq``), a batch in parallel (``_*_batch``)
# ----------------------------------------------------------------------------


@njit(cache=True, **JIT)
def _affine(W, v, b, out):
    """``out = b + W v``."""
    for r in range(out.size):
        s = b[r]
        for j in range(v.size):
            s += W[r, j] * v[j]
        out[r] = s


@njit(cache=True, **JIT)
def _outer_add(G, d, v):
    """``G += d v^T``."""
    for r in range(d.size):
        dr = d[r]
        for j in range(v.size):
            G[r, j] += dr * v[j]


@njit(cache=True, **JIT)
def _t_matvec_add(W, d, out):
    """``out += W^T d``."""
    for r in range(d.size):
        dr = d[r]
        for j in range(out.size):
            out[j] += W[r, j] * dr


@njit(cache=True, **JIT)
def _affine_backward(W_ih, W_hh, da, x, hp, gW_ih, gW_hh, gb, dh, dx):
    """Backward of ``a = W_ih x + W_hh h_{t-1} + b`` for ``da``: accumulate the
    weight and bias gradients and ``dx``; set ``dh = W_hh^T da``."""
    _outer_add(gW_ih, da, x)
    _outer_add(gW_hh, da, hp)
    gb += da
    dh[:] = 0.0
    _t_matvec_add(W_hh, da, dh)
    _t_matvec_add(W_ih, da, dx)


# -- Elman --------------------------------------------------------------------


@njit(cache=True, **JIT)
def _elman_fwd(W_ih, W_hh, b, x, h0, H):
    h = h0.copy()
    a = np.empty(h0.size)
    ax = np.empty(h0.size)
    for t in range(x.shape[0]):
        _affine(W_ih, x[t], b, ax)
        _affine(W_hh, h, ax, a)
        for k in range(h.size):
            h[k] = tanh(a[k])
        H[t] = h


@njit(parallel=True, **JIT)
def _elman_fwd_batch(W_ih, W_hh, b, x, h0, H):
    for s in prange(x.shape[1]):
        _elman_fwd(W_ih, W_hh, b, x[:, s], h0[s], H[:, s])


@njit(cache=True, **JIT)
def _elman_bwd(W_ih, W_hh, x, h0, H, dH, gW_ih, gW_hh, gb, dx, dh0):
    n = h0.size
    dh = np.zeros(n)
    da = np.empty(n)
    for t in range(x.shape[0] - 1, -1, -1):
        hp = H[t - 1] if t > 0 else h0
        for k in range(n):
            v = dH[t, k] + dh[k]
            da[k] = v * (1.0 - H[t, k] * H[t, k])
        _affine_backward(W_ih, W_hh, da, x[t], hp, gW_ih, gW_hh, gb, dh, dx[t])
    dh0[:] = dh


@njit(parallel=True, **JIT)
def _elman_bwd_batch(W_ih, W_hh, x, h0, H, dH, gW_ih, gW_hh, gb, dx, dh0):
    for s in prange(x.shape[1]):
        _elman_bwd(W_ih, W_hh, x[:, s], h0[s], H[:, s], dH[:, s], gW_ih[s], gW_hh[s], gb[s], dx[:, s], dh0[s])


# -- LSTM ---------------------------------------------------------------------


@njit(cache=True, **JIT)
def _lstm_fwd(W_ih, W_hh, b, x, h0, c0, H, C, G):
    """``G[t]`` (4, n): the gate activations i, f, g, o."""
    n = h0.size
    h = h0.copy()
    c = c0.copy()
    a = np.empty(4 * n)
    ax = np.empty(4 * n)
    for t in range(x.shape[0]):
        _affine(W_ih, x[t], b, ax)
        _affine(W_hh, h, ax, a)
        for k in range(n):
            i = sigmoid(a[k])
            f = sigmoid(a[n + k])
            g = tanh(a[2 * n + k])
            o = sigmoid(a[3 * n + k])
            c[k] = f * c[k] + i * g
            h[k] = o * tanh(c[k])
            G[t, 0, k] = i
            G[t, 1, k] = f
            G[t, 2, k] = g
            G[t, 3, k] = o
        H[t] = h
        C[t] = c


@njit(parallel=True, **JIT)
def _lstm_fwd_batch(W_ih, W_hh, b, x, h0, c0, H, C, G):
    for s in prange(x.shape[1]):
        _lstm_fwd(W_ih, W_hh, b, x[:, s], h0[s], c0[s], H[:, s], C[:, s], G[:, s])


@njit(cache=True, **JIT)
def _lstm_bwd(W_ih, W_hh, x, h0, c0, H, C, G, dH, dC, gW_ih, gW_hh, gb, dx, dh0, dc0):
    n = h0.size
    dh = np.zeros(n)
    dc = np.zeros(n)
    da = np.empty(4 * n)
    for t in range(x.shape[0] - 1, -1, -1):
        hp = H[t - 1] if t > 0 else h0
        cp = C[t - 1] if t > 0 else c0
        for k in range(n):
            i, f, g, o = G[t, 0, k], G[t, 1, k], G[t, 2, k], G[t, 3, k]
            tc = tanh(C[t, k])
            dhk = dH[t, k] + dh[k]
            dck = dC[t, k] + dc[k] + dhk * o * (1.0 - tc * tc)
            da[k] = dck * g * i * (1.0 - i)
            da[n + k] = dck * cp[k] * f * (1.0 - f)
            da[2 * n + k] = dck * i * (1.0 - g * g)
            da[3 * n + k] = dhk * tc * o * (1.0 - o)
            dc[k] = dck * f
        _affine_backward(W_ih, W_hh, da, x[t], hp, gW_ih, gW_hh, gb, dh, dx[t])
    dh0[:] = dh
    dc0[:] = dc


@njit(parallel=True, **JIT)
def _lstm_bwd_batch(W_ih, W_hh, x, h0, c0, H, C, G, dH, dC, gW_ih, gW_hh, gb, dx, dh0, dc0):
    for s in prange(x.shape[1]):
        _lstm_bwd(W_ih, W_hh, x[:, s], h0[s], c0[s], H[:, s], C[:, s], G[:, s], dH[:, s], dC[:, s], gW_ih[s],
                  gW_hh[s], gb[s], dx[:, s], dh0[s], dc0[s])


# -- GRU ----------------------------------------------------------------------


@njit(cache=True, **JIT)
def _gru_fwd(W_ih, W_hh, b_ih, b_hh, x, h0, H, G):
    """``G[t]`` (4, n): r, z, n and the recurrent part ``W_hn h + b_hn``."""
    n = h0.size
    h = h0.copy()
    ai = np.empty(3 * n)
    ah = np.empty(3 * n)
    for t in range(x.shape[0]):
        _affine(W_ih, x[t], b_ih, ai)
        _affine(W_hh, h, b_hh, ah)
        for k in range(n):
            r = sigmoid(ai[k] + ah[k])
            z = sigmoid(ai[n + k] + ah[n + k])
            hn = ah[2 * n + k]
            nn = tanh(ai[2 * n + k] + r * hn)
            h[k] = (1.0 - z) * nn + z * h[k]
            G[t, 0, k] = r
            G[t, 1, k] = z
            G[t, 2, k] = nn
            G[t, 3, k] = hn
        H[t] = h


@njit(parallel=True, **JIT)
def _gru_fwd_batch(W_ih, W_hh, b_ih, b_hh, x, h0, H, G):
    for s in prange(x.shape[1]):
        _gru_fwd(W_ih, W_hh, b_ih, b_hh, x[:, s], h0[s], H[:, s], G[:, s])


@njit(cache=True, **JIT)
def _gru_bwd(W_ih, W_hh, x, h0, H, G, dH, gW_ih, gW_hh, gb_ih, gb_hh, dx, dh0):
    n = h0.size
    dh = np.zeros(n)
    dai = np.empty(3 * n)
    dah = np.empty(3 * n)
    for t in range(x.shape[0] - 1, -1, -1):
        hp = H[t - 1] if t > 0 else h0
        for k in range(n):
            r, z, nn, hn = G[t, 0, k], G[t, 1, k], G[t, 2, k], G[t, 3, k]
            dhk = dH[t, k] + dh[k]
            dan = dhk * (1.0 - z) * (1.0 - nn * nn)
            dar = dan * hn * r * (1.0 - r)
            daz = dhk * (hp[k] - nn) * z * (1.0 - z)
            dai[k] = dar
            dai[n + k] = daz
            dai[2 * n + k] = dan
            dah[k] = dar
            dah[n + k] = daz
            dah[2 * n + k] = dan * r
            dh[k] = dhk * z
        _outer_add(gW_ih, dai, x[t])
        _outer_add(gW_hh, dah, hp)
        gb_ih += dai
        gb_hh += dah
        _t_matvec_add(W_hh, dah, dh)
        _t_matvec_add(W_ih, dai, dx[t])
    dh0[:] = dh


@njit(parallel=True, **JIT)
def _gru_bwd_batch(W_ih, W_hh, x, h0, H, G, dH, gW_ih, gW_hh, gb_ih, gb_hh, dx, dh0):
    for s in prange(x.shape[1]):
        _gru_bwd(W_ih, W_hh, x[:, s], h0[s], H[:, s], G[:, s], dH[:, s], gW_ih[s], gW_hh[s], gb_ih[s], gb_hh[s],
                 dx[:, s], dh0[s])


# -- real-time recurrent learning (forward-mode sensitivities) -----------------
# Parameters are flattened as [W_ih (G H x I, row-major), W_hh (G H x H), b (G H)];
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
def _elman_rtrl(W_ih, W_hh, b, x, h0, dH, g):
    """Gradient ``g`` (P,) of sum_t dH[t] . h_t by carrying ``S = dh/dtheta``."""
    n, m = h0.size, x.shape[1]
    P = g.size
    col_b = n * m + n * n
    S = np.zeros((n, P))
    dA = np.empty((n, P))
    h = h0.copy()
    a = np.empty(n)
    ax = np.empty(n)
    for t in range(x.shape[0]):
        _rtrl_recurrent(W_hh, S, dA)
        for r in range(n):
            _rtrl_direct(n, x[t], h, r, col_b, dA)
        _affine(W_ih, x[t], b, ax)
        _affine(W_hh, h, ax, a)
        for k in range(n):
            h[k] = tanh(a[k])
            d = 1.0 - h[k] * h[k]
            for p in range(P):
                S[k, p] = d * dA[k, p]
        for k in range(n):
            w = dH[t, k]
            for p in range(P):
                g[p] += w * S[k, p]


@njit(parallel=True, **JIT)
def _elman_rtrl_batch(W_ih, W_hh, b, x, h0, dH, g):
    for s in prange(x.shape[1]):
        _elman_rtrl(W_ih, W_hh, b, x[:, s], h0[s], dH[:, s], g[s])


@njit(cache=True, **JIT)
def _lstm_rtrl(W_ih, W_hh, b, x, h0, c0, dH, dC, g):
    """Gradient ``g`` of sum_t (dH[t] . h_t + dC[t] . c_t) by carrying
    ``S_h = dh/dtheta`` and ``S_c = dc/dtheta``."""
    n, m = h0.size, x.shape[1]
    P = g.size
    col_b = 4 * n * m + 4 * n * n
    Sh = np.zeros((n, P))
    Sc = np.zeros((n, P))
    dA = np.empty((4 * n, P))
    h = h0.copy()
    c = c0.copy()
    a = np.empty(4 * n)
    ax = np.empty(4 * n)
    for t in range(x.shape[0]):
        _rtrl_recurrent(W_hh, Sh, dA)
        for r in range(4 * n):
            _rtrl_direct(4 * n, x[t], h, r, col_b, dA)
        _affine(W_ih, x[t], b, ax)
        _affine(W_hh, h, ax, a)
        for k in range(n):
            i = sigmoid(a[k])
            f = sigmoid(a[n + k])
            gg = tanh(a[2 * n + k])
            o = sigmoid(a[3 * n + k])
            cp = c[k]
            c[k] = f * cp + i * gg
            tc = tanh(c[k])
            h[k] = o * tc
            di, df, dg, do = i * (1.0 - i), f * (1.0 - f), 1.0 - gg * gg, o * (1.0 - o)
            for p in range(P):
                sc = f * Sc[k, p] + cp * df * dA[n + k, p] + gg * di * dA[k, p] + i * dg * dA[2 * n + k, p]
                Sc[k, p] = sc
                Sh[k, p] = tc * do * dA[3 * n + k, p] + o * (1.0 - tc * tc) * sc
        for k in range(n):
            wh, wc = dH[t, k], dC[t, k]
            for p in range(P):
                g[p] += wh * Sh[k, p] + wc * Sc[k, p]


@njit(parallel=True, **JIT)
def _lstm_rtrl_batch(W_ih, W_hh, b, x, h0, c0, dH, dC, g):
    for s in prange(x.shape[1]):
        _lstm_rtrl(W_ih, W_hh, b, x[:, s], h0[s], c0[s], dH[:, s], dC[:, s], g[s])


# ----------------------------------------------------------------------------
# the cells
# ----------------------------------------------------------------------------

_GATES = {"Elman": 1, "LSTM": 4, "GRU": 3}


@dataclass(frozen=True)
class Run:
    """Forward pass of a cell over a batch.

    Attributes
    ----------
    h : ndarray, shape (T, B, H)
        Hidden states after each step.
    c : ndarray, shape (T, B, H) or None
        LSTM cell states.
    gates : ndarray, shape (T, B, k, H) or None
        Gate activations per step: LSTM (i, f, g, o); GRU (r, z, n and the
        recurrent part of n's argument, ``W_hn h + b_hn``).
    """

    h: np.ndarray
    c: np.ndarray = None
    gates: np.ndarray = None


class _Cell:
    """Shared validation and layout; subclasses define the kernels."""

    def __init__(self, W_ih, W_hh, b_ih=None, b_hh=None):
        G = _GATES[type(self).__name__]
        W_hh = as_float_array("W_hh", W_hh, ndim=2)
        n = W_hh.shape[1]
        if n == 0 or W_hh.shape[0] != G * n:
            raise ValueError(f"W_hh must have shape ({G} H, H) with H >= 1, got {W_hh.shape}")
        W_ih = as_float_array("W_ih", W_ih, ndim=2)
        if W_ih.shape[0] != G * n or W_ih.shape[1] == 0:
            raise ValueError(f"W_ih must have shape ({G * n}, I) with I >= 1, got {W_ih.shape}")
        self.W_ih, self.W_hh = W_ih, W_hh
        self.b_ih = np.zeros(G * n) if b_ih is None else as_float_array("b_ih", b_ih, shape=(G * n,))
        self.b_hh = np.zeros(G * n) if b_hh is None else as_float_array("b_hh", b_hh, shape=(G * n,))

    n_gates = property(lambda self: _GATES[type(self).__name__])
    n_inputs = property(lambda self: self.W_ih.shape[1])
    n_hidden = property(lambda self: self.W_hh.shape[1])
    has_cell_state = False

    def __repr__(self):
        return f"{type(self).__name__}(inputs={self.n_inputs}, hidden={self.n_hidden})"

    @classmethod
    def random(cls, n_inputs, n_hidden, *, scale=None, seed=None):
        """Weights and biases uniform in ``[-s, s]``, ``s = 1 / sqrt(H)`` by
        default (PyTorch's initialisation)."""
        n_in = as_scalar("n_inputs", n_inputs, low=1, integer=True)
        n = as_scalar("n_hidden", n_hidden, low=1, integer=True)
        s = 1.0 / np.sqrt(n) if scale is None else as_scalar("scale", scale, low=0.0)
        rng = as_rng(seed)
        G = _GATES[cls.__name__]
        return cls(rng.uniform(-s, s, (G * n, n_in)), rng.uniform(-s, s, (G * n, n)), rng.uniform(-s, s, G * n),
                   rng.uniform(-s, s, G * n))

    # -- parameters ----------------------------------------------------------
    PARAMS = ("W_ih", "W_hh", "b_ih", "b_hh")

    def torch_state(self, layer=0):
        """The weights under PyTorch's names (``weight_ih_l0`` ...), as NumPy arrays
        (``torch.nn.LSTM(...).load_state_dict({k: torch.from_numpy(v) ...})``)."""
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        return {f"{t}_l{layer}": getattr(self, p).copy() for t, p in zip(names, self.PARAMS)}

    @classmethod
    def from_torch_state(cls, state, layer=0):
        """Build from a PyTorch ``state_dict`` (tensors or arrays) of ``nn.RNN``
        (tanh), ``nn.LSTM`` or ``nn.GRU``, layer ``layer``."""
        def get(name):
            v = state[f"{name}_l{layer}"]
            return np.asarray(v.detach().cpu().numpy() if hasattr(v, "detach") else v, dtype=np.float64)
        return cls(get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh"))

    def _inputs(self, x, h0, c0=None):
        X = as_float_array("x", x, ndim=(2, 3))
        single = X.ndim == 2
        X = X[:, None, :] if single else X
        T, B, m = X.shape
        if m != self.n_inputs or T == 0 or B == 0:
            raise ValueError(f"x must have shape (T, {self.n_inputs}) or (T, B, {self.n_inputs}) with T, B >= 1, "
                             f"got {np.shape(x)}")
        n = self.n_hidden

        def state(name, v):
            if v is None:
                return np.zeros((B, n))
            a = as_float_array(name, v, ndim=(1, 2))
            if a.shape not in ((n,), (B, n)):
                raise ValueError(f"{name} must have shape ({n},) or ({B}, {n}), got {a.shape}")
            return np.ascontiguousarray(np.broadcast_to(a, (B, n)))

        return np.ascontiguousarray(X), state("h0", h0), state("c0", c0), single

    def _unflatten(self, g):
        """Parameter gradients from the flat RTRL vector (summed over the batch)."""
        g = g.sum(0)
        a, b = self.W_ih.size, self.W_hh.size
        gb = g[a + b:]
        return {"W_ih": g[:a].reshape(self.W_ih.shape), "W_hh": g[a:a + b].reshape(self.W_hh.shape),
                "b_ih": gb.copy(), "b_hh": gb.copy()}

    @staticmethod
    def _grad_in(name, d, shape):
        if d is None:
            return np.zeros(shape)
        a = as_float_array(name, d, ndim=(2, 3))
        a = a[:, None, :] if a.ndim == 2 else a
        if a.shape != shape:
            raise ValueError(f"{name} must have the shape of the states {shape}, got {a.shape}")
        return np.ascontiguousarray(a)


class Elman(_Cell):
    """Elman's simple recurrent network (PyTorch ``nn.RNN`` with tanh).

    Parameters
    ----------
    W_ih : array_like, shape (H, I)
    W_hh : array_like, shape (H, H)
        ``W_hh[i, j]`` from hidden unit j to hidden unit i.
    b_ih, b_hh : array_like, shape (H,), optional
    """

    def run(self, x, h0=None):
        """Hidden states for inputs ``x`` (T, I) or (T, B, I); returns :class:`Run`
        (with a batch axis of 1 for a single sequence)."""
        X, h0, _, _ = self._inputs(x, h0)
        H = np.empty(X.shape[:2] + (self.n_hidden,))
        _elman_fwd_batch(self.W_ih, self.W_hh, self.b_ih + self.b_hh, X, h0, H)
        return Run(H)

    def gradients(self, x, dh, run=None, h0=None):
        """Backpropagation through time.

        Parameters
        ----------
        x : array_like, shape (T, B, I) or (T, I)
        dh : array_like, shape (T, B, H)
            ``dL/dh_t`` from outside the cell (readout and loss) at every step.
        run : Run, optional
            The forward pass of ``x`` (recomputed if not given).
        h0 : array_like, optional

        Returns
        -------
        dict
            ``W_ih``, ``W_hh``, ``b_ih``, ``b_hh`` (summed over the batch), ``x``
            (T, B, I) and ``h0`` (B, H).
        """
        X, h0, _, _ = self._inputs(x, h0)
        run = self.run(X, h0) if run is None else run
        T, B = X.shape[:2]
        n = self.n_hidden
        dH = self._grad_in("dh", dh, (T, B, n))
        gih, ghh, gb = np.zeros((B,) + self.W_ih.shape), np.zeros((B,) + self.W_hh.shape), np.zeros((B, n))
        dx, dh0 = np.zeros(X.shape), np.zeros((B, n))
        _elman_bwd_batch(self.W_ih, self.W_hh, X, h0, run.h, dH, gih, ghh, gb, dx, dh0)
        gb = gb.sum(0)
        return {"W_ih": gih.sum(0), "W_hh": ghh.sum(0), "b_ih": gb, "b_hh": gb.copy(), "x": dx, "h0": dh0}

    def rtrl(self, x, dh, h0=None):
        """Parameter gradients by real-time recurrent learning: the sensitivities
        ``dh_t / dtheta`` are carried forward with the state, so the gradient of
        a loss on step t is available at step t (online learning), at
        ``O(H^2 P)`` per step. Same arguments and weight gradients as
        :meth:`gradients` (Williams and Zipser 1989)."""
        X, h0, _, _ = self._inputs(x, h0)
        T, B = X.shape[:2]
        dH = self._grad_in("dh", dh, (T, B, self.n_hidden))
        g = np.zeros((B, self.W_ih.size + self.W_hh.size + self.b_ih.size))
        _elman_rtrl_batch(self.W_ih, self.W_hh, self.b_ih + self.b_hh, X, h0, dH, g)
        return self._unflatten(g)

    def jacobian(self, x, h):
        """``dh_t / dh_{t-1}`` at input ``x`` (I,) and state ``h`` (H,): (H, H)."""
        h_new = np.tanh(self.W_ih @ x + self.b_ih + self.W_hh @ h + self.b_hh)
        return (1.0 - h_new**2)[:, None] * self.W_hh


class LSTM(_Cell):
    """Long short-term memory with forget gate and no peepholes, PyTorch's layout
    (gate rows i, f, g, o).

    Parameters
    ----------
    W_ih : array_like, shape (4H, I)
    W_hh : array_like, shape (4H, H)
    b_ih, b_hh : array_like, shape (4H,), optional
    """

    has_cell_state = True

    def run(self, x, h0=None, c0=None):
        """States for inputs ``x`` (T, I) or (T, B, I): :class:`Run` with ``h``,
        ``c`` (T, B, H) and the gates (T, B, 4, H) in order i, f, g, o."""
        X, h0, c0, _ = self._inputs(x, h0, c0)
        T, B = X.shape[:2]
        n = self.n_hidden
        H, C, G = np.empty((T, B, n)), np.empty((T, B, n)), np.empty((T, B, 4, n))
        _lstm_fwd_batch(self.W_ih, self.W_hh, self.b_ih + self.b_hh, X, h0, c0, H, C, G)
        return Run(H, C, G)

    def gradients(self, x, dh, run=None, h0=None, c0=None, dc=None):
        """Backpropagation through time; as :meth:`Elman.gradients`, plus ``dc``
        (T, B, H), an outside gradient on the cell states, and ``c0`` in the result."""
        X, h0, c0, _ = self._inputs(x, h0, c0)
        run = self.run(X, h0, c0) if run is None else run
        T, B = X.shape[:2]
        n = self.n_hidden
        dH, dC = self._grad_in("dh", dh, (T, B, n)), self._grad_in("dc", dc, (T, B, n))
        gih, ghh, gb = np.zeros((B,) + self.W_ih.shape), np.zeros((B,) + self.W_hh.shape), np.zeros((B, 4 * n))
        dx, dh0, dc0 = np.zeros(X.shape), np.zeros((B, n)), np.zeros((B, n))
        _lstm_bwd_batch(self.W_ih, self.W_hh, X, h0, c0, run.h, run.c, run.gates, dH, dC, gih, ghh, gb, dx, dh0,
                        dc0)
        gb = gb.sum(0)
        return {"W_ih": gih.sum(0), "W_hh": ghh.sum(0), "b_ih": gb, "b_hh": gb.copy(), "x": dx, "h0": dh0,
                "c0": dc0}

    def rtrl(self, x, dh, h0=None, c0=None, dc=None):
        """Parameter gradients by real-time recurrent learning (sensitivities of
        ``h`` and ``c`` carried forward); as :meth:`Elman.rtrl`."""
        X, h0, c0, _ = self._inputs(x, h0, c0)
        T, B = X.shape[:2]
        n = self.n_hidden
        dH, dC = self._grad_in("dh", dh, (T, B, n)), self._grad_in("dc", dc, (T, B, n))
        g = np.zeros((B, self.W_ih.size + self.W_hh.size + self.b_ih.size))
        _lstm_rtrl_batch(self.W_ih, self.W_hh, self.b_ih + self.b_hh, X, h0, c0, dH, dC, g)
        return self._unflatten(g)

    def jacobian(self, x, h, c):
        """``d(h_t, c_t) / d(h_{t-1}, c_{t-1})`` at input ``x`` and state ``(h, c)``:
        (2H, 2H), states ordered ``[h; c]``."""
        n = self.n_hidden
        a = self.W_ih @ x + self.b_ih + self.W_hh @ h + self.b_hh
        s = 1.0 / (1.0 + np.exp(-a))
        i, f, o, g = s[:n], s[n:2 * n], s[3 * n:], np.tanh(a[2 * n:3 * n])
        c_new = f * c + i * g
        tc = np.tanh(c_new)
        W = self.W_hh
        dc_dh = (g * i * (1 - i))[:, None] * W[:n] + (c * f * (1 - f))[:, None] * W[n:2 * n] \
            + (i * (1 - g**2))[:, None] * W[2 * n:3 * n]
        dc_dc = np.diag(f)
        dh_dh = (tc * o * (1 - o))[:, None] * W[3 * n:] + (o * (1 - tc**2))[:, None] * dc_dh
        dh_dc = (o * (1 - tc**2))[:, None] * dc_dc
        return np.block([[dh_dh, dh_dc], [dc_dh, dc_dc]])


class GRU(_Cell):
    """Gated recurrent unit, reset applied after the recurrent product (PyTorch's
    form; gate rows r, z, n).

    Parameters
    ----------
    W_ih : array_like, shape (3H, I)
    W_hh : array_like, shape (3H, H)
    b_ih, b_hh : array_like, shape (3H,), optional
    """

    def run(self, x, h0=None):
        """States for inputs ``x`` (T, I) or (T, B, I): :class:`Run` with ``h`` and
        the gates (T, B, 4, H): r, z, n and ``W_hn h + b_hn``."""
        X, h0, _, _ = self._inputs(x, h0)
        T, B = X.shape[:2]
        n = self.n_hidden
        H, G = np.empty((T, B, n)), np.empty((T, B, 4, n))
        _gru_fwd_batch(self.W_ih, self.W_hh, self.b_ih, self.b_hh, X, h0, H, G)
        return Run(H, None, G)

    def gradients(self, x, dh, run=None, h0=None):
        """Backpropagation through time; as :meth:`Elman.gradients`."""
        X, h0, _, _ = self._inputs(x, h0)
        run = self.run(X, h0) if run is None else run
        T, B = X.shape[:2]
        n = self.n_hidden
        dH = self._grad_in("dh", dh, (T, B, n))
        gih, ghh = np.zeros((B,) + self.W_ih.shape), np.zeros((B,) + self.W_hh.shape)
        gbi, gbh = np.zeros((B, 3 * n)), np.zeros((B, 3 * n))
        dx, dh0 = np.zeros(X.shape), np.zeros((B, n))
        _gru_bwd_batch(self.W_ih, self.W_hh, X, h0, run.h, run.gates, dH, gih, ghh, gbi, gbh, dx, dh0)
        return {"W_ih": gih.sum(0), "W_hh": ghh.sum(0), "b_ih": gbi.sum(0), "b_hh": gbh.sum(0), "x": dx,
                "h0": dh0}

    def jacobian(self, x, h):
        """``dh_t / dh_{t-1}`` at input ``x`` (I,) and state ``h`` (H,): (H, H)."""
        n = self.n_hidden
        ai = self.W_ih @ x + self.b_ih
        ah = self.W_hh @ h + self.b_hh
        r = 1.0 / (1.0 + np.exp(-(ai[:n] + ah[:n])))
        z = 1.0 / (1.0 + np.exp(-(ai[n:2 * n] + ah[n:2 * n])))
        hn = ah[2 * n:]
        nn = np.tanh(ai[2 * n:] + r * hn)
        W = self.W_hh
        dr = (r * (1 - r))[:, None] * W[:n]
        dz = (z * (1 - z))[:, None] * W[n:2 * n]
        dn = (1 - nn**2)[:, None] * (hn[:, None] * dr + r[:, None] * W[2 * n:])
        return np.diag(z) + (h - nn)[:, None] * dz + (1 - z)[:, None] * dn
