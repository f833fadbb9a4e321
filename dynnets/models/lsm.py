"""Liquid state machines: a reservoir of leaky integrate-and-fire neurons.

Membrane (Maass, Natschlaeger and Markram 2002)::

    tau_m dV_i/dt = -(V_i - V_rest) + R (I_syn,i + I_in,i + I_bias,i)

A neuron spikes when ``V_i >= theta``, is reset to ``V_reset`` and held there
for its refractory period. Synapses are current-based and exponential: a spike
of neuron j adds ``W[i, j]`` to the synaptic current of neuron i one step later
(``W[i, j]`` from j to i), which then decays with ``tau_syn_e`` (positive
weights) or ``tau_syn_i`` (negative weights). The input current is
``I_in(t) = W_in u(t)``. Static synapses: Maass et al. used dynamic (depressing
and facilitating) ones.

The readout sees filtered spike trains: ``r_i(t) = sum_k exp(-(t - t_ik) / tau_r)``
over the spikes ``t_ik <= t`` of neuron i, which :class:`Ridge` /
:class:`RidgeClassifier` take like reservoir states.

Time stepping (step ``dt``): exact exponential decay of the currents and of the
membrane towards ``V_rest + R I`` with I held over the step; spikes are on the
step grid, so firing times are exact to ``dt``. For a constant input the
interspike interval is ``t_ref + tau_m ln((R I - V_reset') / (R I - theta'))``
(primes: relative to ``V_rest``), rounded up to the step grid, which the
tests check.

Units follow Maass et al.: ms, mV, nA and MOhm (``R I`` in mV).

References
----------
.. [1] W. Maass, T. Natschlaeger, H. Markram, "Real-time computing without stable
       states: a new framework for neural computation based on perturbations",
       Neural Computation 14(11), 2531-2560, 2002.
.. [2] W. Gerstner, W. M. Kistler, R. Naud, L. Paninski, "Neuronal Dynamics",
       Cambridge University Press, 2014, ch. 1.3 (the LIF f-I curve).
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numba import njit

from .._threads import strided
from .._validate import as_bool, as_float_array, as_rng, as_scalar, per_unit
from ..config import JIT


@njit(cache=True, **JIT)
def _run_lif(indptr, indices, data, W_in, R, v_rest, v_reset, theta, n_ref, bias, dm, de, di, dr,
             u, v0, states, spikes):
    """One sequence: ``states[t]`` (filtered spike trains) and ``spikes[t]``
    (0/1) for the inputs ``u`` (T, m), from membrane potentials ``v0``.
    ``indptr/indices/data`` is W in CSC form (column j: the targets of j)."""
    n = v0.size
    v = v0.copy()
    refr = np.zeros(n, np.int64)
    Ie = np.zeros(n)
    Ii = np.zeros(n)
    r = np.zeros(n)
    fired = np.zeros(n, np.bool_)
    for t in range(u.shape[0]):
        for i in range(n):
            Ie[i] *= de
            Ii[i] *= di
        for j in range(n):  # spikes of the last step arrive now
            if fired[j]:
                for p in range(indptr[j], indptr[j + 1]):
                    w = data[p]
                    if w > 0.0:
                        Ie[indices[p]] += w
                    else:
                        Ii[indices[p]] += w
        for i in range(n):
            I = Ie[i] + Ii[i] + bias[i]
            for k in range(u.shape[1]):
                I += W_in[i, k] * u[t, k]
            fired[i] = False
            if refr[i] > 0:
                refr[i] -= 1
                v[i] = v_reset[i]
            else:
                v_inf = v_rest[i] + R[i] * I
                v[i] = v_inf + (v[i] - v_inf) * dm[i]
                if v[i] >= theta[i]:
                    fired[i] = True
                    v[i] = v_reset[i]
                    refr[i] = n_ref[i]
            r[i] = r[i] * dr + (1.0 if fired[i] else 0.0)
            states[t, i] = r[i]
            spikes[t, i] = fired[i]


@njit(cache=True, nogil=True, **JIT)
def _run_lif_many(first, stride, indptr, indices, data, W_in, R, v_rest, v_reset, theta, n_ref, bias, dm, de, di, dr,
                  U, V0, states, spikes):
    """Independent sequences ``U[s]`` (S, T, m) -> ``states[s]``, ``spikes[s]``, for
    ``s = first, first + stride, ...``: one task of :func:`dynnets._threads.strided`."""
    for s in range(first, U.shape[0], stride):
        _run_lif(indptr, indices, data, W_in, R, v_rest, v_reset, theta, n_ref, bias, dm, de, di, dr,
                 U[s], V0[s], states[s], spikes[s])


@dataclass(frozen=True, eq=False)
class LSM:
    """A liquid of leaky integrate-and-fire neurons with exponential synapses.

    Parameters
    ----------
    W : sparse or array_like, shape (N, N)
        Synaptic weights (nA), ``W[i, j]`` from neuron j to neuron i; the sign
        picks the synapse type (``tau_syn_e`` or ``tau_syn_i``).
    W_in : array_like, shape (N, m)
        Input weights (nA per input unit).
    tau_m : float or array_like (N,)
        Membrane time constants (ms), > 0.
    R : float or array_like (N,)
        Membrane resistance (MOhm), > 0.
    v_rest, v_reset, theta : float or array_like (N,)
        Resting and reset potentials and the threshold (mV); ``theta > v_reset``.
    t_ref : float or array_like (N,)
        Refractory periods (ms), >= 0.
    bias : float or array_like (N,)
        Constant background currents (nA).
    tau_syn_e, tau_syn_i : float
        Decay time constants (ms) of excitatory and inhibitory synaptic currents.
    tau_readout : float
        Time constant (ms) of the exponential filter on the spike trains.

    References
    ----------
    .. [1] W. Maass, T. Natschlaeger, H. Markram, Neural Computation 14, 2531-2560, 2002.
    """

    W: sp.csr_array
    W_in: np.ndarray
    tau_m: np.ndarray = 30.0
    R: np.ndarray = 1.0
    v_rest: np.ndarray = 0.0
    v_reset: np.ndarray = 13.5
    theta: np.ndarray = 15.0
    t_ref: np.ndarray = 2.0
    bias: np.ndarray = 0.0
    tau_syn_e: float = 3.0
    tau_syn_i: float = 6.0
    tau_readout: float = 30.0

    def __post_init__(self):
        set_ = lambda k, v: object.__setattr__(self, k, v)
        W = self.W
        if not sp.issparse(W):
            W = as_float_array("W", W, ndim=2)
        if W.ndim != 2 or W.shape[0] != W.shape[1]:
            raise ValueError(f"W must be square (N, N), got shape {W.shape}")
        W = sp.csr_array(W, dtype=np.float64)
        if not np.all(np.isfinite(W.data)):
            raise ValueError("W must be finite")
        n = W.shape[0]
        set_("W", W)
        W_in = as_float_array("W_in", self.W_in, ndim=(1, 2))
        W_in = W_in[:, None] if W_in.ndim == 1 else W_in
        if W_in.shape[0] != n:
            raise ValueError(f"W_in must have shape ({n}, m), got {W_in.shape}")
        set_("W_in", W_in)
        set_("tau_m", per_unit("tau_m", self.tau_m, n, 0.0, True))
        set_("R", per_unit("R", self.R, n, 0.0, True))
        for k in ("v_rest", "v_reset", "theta", "bias"):
            set_(k, per_unit(k, getattr(self, k), n))
        set_("t_ref", per_unit("t_ref", self.t_ref, n, 0.0))
        if np.any(self.theta <= self.v_reset):
            raise ValueError("theta must be above v_reset for every neuron")
        for k in ("tau_syn_e", "tau_syn_i", "tau_readout"):
            set_(k, as_scalar(k, getattr(self, k), low=0.0, low_open=True))
        csc = W.tocsc()
        csc.sort_indices()
        set_("_csc", (csc.indptr.astype(np.int64), csc.indices.astype(np.int64), csc.data))

    @property
    def n_units(self):
        return self.W.shape[0]

    @property
    def n_inputs(self):
        return self.W_in.shape[1]

    def __repr__(self):
        return (f"LSM(units={self.n_units}, inputs={self.n_inputs}, synapses={self.W.nnz}, "
                f"tau_m={np.median(self.tau_m):g} ms, tau_readout={self.tau_readout:g} ms)")

    @classmethod
    def random(cls, n_units=135, n_inputs=1, *, grid=None, frac_inhibitory=0.2, lam=2.0, weight_scale=1.0,
               input_scaling=1.0, input_density=0.3, bias=13.5, seed=None, **params):
        """Maass et al.'s column: neurons on the integer points of a 3-D grid
        (default 15 x 3 x 3 for 135 neurons, else n x 1 x 1), a fraction
        inhibitory, connected with probability ``C exp(-(D / lam)^2)`` (D the
        Euclidean distance; C = 0.3 EE, 0.2 EI, 0.4 IE, 0.1 II) with weights of
        mean ``A`` (nA; 30 EE, 60 EI, -19 IE, -19 II) times ``weight_scale``
        and a gamma spread (SD 0.7 A). Each neuron gets each input with
        probability ``input_density``, weight ``input_scaling`` times U[0.5, 1.5]
        (18 nA to excitatory, 9 nA to inhibitory neurons, as in the paper).
        Refractory periods 3 ms (excitatory) and 2 ms (inhibitory);
        ``params`` go to the constructor.
        """
        n = as_scalar("n_units", n_units, low=1, integer=True)
        m = as_scalar("n_inputs", n_inputs, low=1, integer=True)
        rng = as_rng(seed)
        if grid is None:
            grid = (15, 3, 3) if n == 135 else (n, 1, 1)
        grid = tuple(int(g) for g in grid)
        if len(grid) != 3 or int(np.prod(grid)) != n:
            raise ValueError(f"grid must be three sizes whose product is n_units={n}, got {grid}")
        frac = as_scalar("frac_inhibitory", frac_inhibitory, low=0.0, high=1.0)
        lam = as_scalar("lam", lam, low=0.0, low_open=True)
        pos = np.stack(np.unravel_index(np.arange(n), grid), axis=1).astype(float)
        inh = np.zeros(n, bool)
        inh[rng.permutation(n)[:round(frac * n)]] = True
        D2 = ((pos[:, None, :] - pos[None, :, :]) ** 2).sum(-1)
        # [target type, source type]: E = 0, I = 1
        C = np.array([[0.3, 0.4], [0.2, 0.1]])
        A = np.array([[30.0, -19.0], [60.0, -19.0]]) * weight_scale
        post, pre = inh.astype(int)[:, None], inh.astype(int)[None, :]
        p = C[post, pre] * np.exp(-D2 / lam**2)
        np.fill_diagonal(p, 0.0)
        mask = rng.random((n, n)) < p
        mean = A[post, pre]
        shape_k = 1 / 0.7**2  # gamma with SD 0.7 of the mean
        W = np.where(mask, np.sign(mean) * rng.gamma(shape_k, np.abs(mean) / shape_k), 0.0)
        a_in = np.where(inh, 9.0, 18.0)[:, None] * input_scaling
        W_in = np.where(rng.random((n, m)) < input_density, a_in * rng.uniform(0.5, 1.5, (n, m)), 0.0)
        params.setdefault("t_ref", np.where(inh, 2.0, 3.0))
        return cls(sp.csr_array(W), W_in, bias=bias, **params)

    def run(self, u, *, dt=0.5, v0=None, seed=None, return_spikes=False):
        """Drive the liquid and return the filtered spike trains.

        Parameters
        ----------
        u : array_like, shape (T, m) or (T,) or (T, S, m)
            Inputs on the step grid, time first (S sequences in parallel).
        dt : float
            Time step (ms).
        v0 : array_like, shape (N,) or (S, N), optional
            Initial potentials (default: uniform in [v_reset, theta] from ``seed``,
            as in Maass et al.).
        seed : int or Generator, optional
        return_spikes : bool
            Also return the spikes.

        Returns
        -------
        states : ndarray, shape (T, N) or (T, S, N)
            Filtered spike trains ``r(t)``.
        spikes : ndarray of bool, same shape (with ``return_spikes``)
        """
        dt = as_scalar("dt", dt, low=0.0, low_open=True)
        U = as_float_array("u", u, ndim=(1, 2, 3))
        if U.size == 0:
            raise ValueError(f"u must hold at least one step, got shape {U.shape}")
        single = U.ndim < 3
        U = U.reshape(len(U), 1, -1) if single else U
        T, S, m = U.shape
        if m != self.n_inputs or T == 0:
            raise ValueError(f"u must have shape (T, {self.n_inputs}) or (T, S, {self.n_inputs}) with T >= 1, "
                             f"got {np.shape(u)}")
        N = self.n_units
        if v0 is None:
            V0 = self.v_reset + as_rng(seed).random((S, N)) * (self.theta - self.v_reset)
        else:
            V0 = as_float_array("v0", v0, ndim=(1, 2))
            if V0.shape not in ((N,), (S, N)):
                raise ValueError(f"v0 must have shape ({N},) or ({S}, {N}), got {V0.shape}")
            V0 = np.ascontiguousarray(np.broadcast_to(V0, (S, N)))
        n_ref = np.round(self.t_ref / dt).astype(np.int64)
        states = np.empty((S, T, N))
        spikes = np.empty((S, T, N), np.bool_)
        strided(_run_lif_many, S, *self._csc, self.W_in, self.R, self.v_rest, self.v_reset, self.theta, n_ref,
                self.bias, np.exp(-dt / self.tau_m), np.exp(-dt / self.tau_syn_e), np.exp(-dt / self.tau_syn_i),
                np.exp(-dt / self.tau_readout), np.ascontiguousarray(U.transpose(1, 0, 2)), V0, states, spikes)
        states, spikes = states.transpose(1, 0, 2), spikes.transpose(1, 0, 2)
        if single:
            states, spikes = states[:, 0], spikes[:, 0]
        states = np.ascontiguousarray(states)
        return (states, np.ascontiguousarray(spikes)) if as_bool("return_spikes", return_spikes) else states
