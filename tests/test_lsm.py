"""Liquid state machine: the LIF f-I curve in closed form, a plain NumPy loop,
batches, and a classification readout."""

import numpy as np
import pytest
import scipy.sparse as sp

from dynnets.models import LSM
from dynnets.train import RidgeClassifier


def test_interspike_interval_matches_the_closed_form():
    I = np.array([16.0, 20.0, 30.0, 50.0, 100.0])  # nA, R = 1 MOhm: R I in mV
    tau_m, theta, t_ref, dt = 30.0, 15.0, 2.0, 0.01
    lsm = LSM(sp.csr_array((5, 5)), np.zeros((5, 1)), tau_m=tau_m, v_rest=0.0, v_reset=0.0, theta=theta,
              t_ref=t_ref, bias=I)
    _, spikes = lsm.run(np.zeros((60000, 1)), dt=dt, v0=np.zeros(5), return_spikes=True)
    expected = t_ref + tau_m * np.log(I / (I - theta))  # Gerstner et al. 2014, eq. 1.11 + refractory
    for i in range(5):
        isi = np.diff(np.flatnonzero(spikes[:, i])) * dt
        assert isi.size > 4 and np.ptp(isi) < 1e-9  # regular firing
        assert expected[i] <= isi[0] < expected[i] + dt  # exact up to the step grid
    # below rheobase (R I < theta) it never fires
    quiet = LSM(sp.csr_array((1, 1)), np.zeros((1, 1)), v_reset=0.0, theta=15.0, bias=14.9)
    assert not quiet.run(np.zeros((20000, 1)), dt=0.1, v0=[0.0], return_spikes=True)[1].any()


def _reference(lsm, u, dt, v0):
    """The documented update, written plainly with dense matrices."""
    W = lsm.W.toarray()
    n = lsm.n_units
    v, Ie, Ii, r = v0.copy(), np.zeros(n), np.zeros(n), np.zeros(n)
    refr = np.zeros(n, int)
    n_ref = np.round(lsm.t_ref / dt).astype(int)
    fired = np.zeros(n, bool)
    X, Sp = [], []
    for t in range(len(u)):
        Ie = Ie * np.exp(-dt / lsm.tau_syn_e) + np.where(W > 0, W, 0) @ fired
        Ii = Ii * np.exp(-dt / lsm.tau_syn_i) + np.where(W < 0, W, 0) @ fired
        I = Ie + Ii + lsm.bias + lsm.W_in @ u[t]
        v_inf = lsm.v_rest + lsm.R * I
        held = refr > 0
        v = np.where(held, lsm.v_reset, v_inf + (v - v_inf) * np.exp(-dt / lsm.tau_m))
        refr = np.where(held, refr - 1, refr)
        fired = ~held & (v >= lsm.theta)
        v = np.where(fired, lsm.v_reset, v)
        refr = np.where(fired, n_ref, refr)
        r = r * np.exp(-dt / lsm.tau_readout) + fired
        X.append(r.copy())
        Sp.append(fired.copy())
    return np.array(X), np.array(Sp)


def test_matches_numpy_loop_and_batches_agree():
    lsm = LSM.random(60, 2, seed=0, weight_scale=0.5)
    rng = np.random.default_rng(1)
    u = rng.uniform(0, 1, (800, 2))
    v0 = rng.uniform(13.5, 15.0, 60)
    X, spikes = lsm.run(u, dt=0.5, v0=v0, return_spikes=True)
    Xr, Sr = _reference(lsm, u, 0.5, v0)
    assert spikes.sum() > 100  # the liquid is active
    np.testing.assert_array_equal(spikes, Sr)
    np.testing.assert_allclose(X, Xr, atol=1e-10)
    # a batch of sequences is each sequence run alone
    U = np.stack([u, u[::-1], 0.5 * u], axis=1)
    V0 = rng.uniform(13.5, 15.0, (3, 60))
    XB = lsm.run(U, dt=0.5, v0=V0)
    for s in range(3):
        np.testing.assert_array_equal(XB[:, s], lsm.run(U[:, s], dt=0.5, v0=V0[s]))


def test_random_column_structure():
    lsm = LSM.random(135, 1, seed=2)
    W = lsm.W.toarray()
    inh = np.flatnonzero((W < 0).any(axis=0))
    exc = np.flatnonzero((W > 0).any(axis=0))
    assert np.intersect1d(inh, exc).size == 0  # Dale's law: a neuron's synapses share a sign
    assert 15 <= inh.size <= 27 and np.all(np.diag(W) == 0)
    assert 0.01 < lsm.W.nnz / 135**2 < 0.1


def test_readout_classifies_input_patterns():
    """Two classes of noisy input-rate patterns, told apart from the liquid's
    final filtered spike trains (Maass et al. 2002's template task, in small)."""
    rng = np.random.default_rng(3)
    lsm = LSM.random(135, 1, seed=4, weight_scale=0.5)
    T, n = 200, 60  # 100 ms per pattern at dt = 0.5 ms
    templates = rng.uniform(0, 1, (2, T // 20))
    labels = rng.integers(0, 2, n)
    U = np.repeat(templates[labels], 20, axis=1).T[:, :, None] + rng.normal(0, 0.2, (T, n, 1))
    X = lsm.run(U, dt=0.5, seed=5)  # (T, n, N)
    feats = [X[:, i] for i in range(n)]
    clf = RidgeClassifier(1e-2, pooling="last").fit(feats[:40], labels[:40])
    assert clf.score(feats[40:], labels[40:]) >= 0.9


def test_bad_input_names_the_argument():
    W, W_in = sp.csr_array((3, 3)), np.zeros((3, 1))
    with pytest.raises(ValueError, match="theta"):
        LSM(W, W_in, v_reset=15.0, theta=15.0)
    with pytest.raises(ValueError, match="tau_m"):
        LSM(W, W_in, tau_m=0.0)
    with pytest.raises(ValueError, match="W_in"):
        LSM(W, np.zeros((4, 1)))
    with pytest.raises(ValueError, match="u must have"):
        LSM(W, W_in).run(np.zeros((10, 2)))
    with pytest.raises(ValueError, match="dt"):
        LSM(W, W_in).run(np.zeros((10, 1)), dt=-1.0)
    with pytest.raises(ValueError, match="grid"):
        LSM.random(10, grid=(3, 3, 3))
