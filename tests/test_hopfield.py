"""Hopfield networks against closed forms, plain NumPy references and the theorems
they must obey."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import erfc, softmax

import dynnets as dn
from dynnets._random import shuffle, stream_states
from dynnets.models.hopfield import hebbian, pseudo_inverse, storkey


def _async_reference(W, theta, s, seed, max_sweeps=100):
    """Plain-loop asynchronous recall with the kernel's random order."""
    s = s.copy()
    rng = stream_states(seed, 1)
    order = np.arange(s.size)
    for _ in range(max_sweeps):
        shuffle(order, rng, 0)
        flips = 0
        for i in order:
            h = W[i] @ s - theta[i]
            new = 1.0 if h > 0 else (-1.0 if h < 0 else s[i])
            flips += new != s[i]
            s[i] = new
        if flips == 0:
            break
    return s


def _random_symmetric(N, seed, diag=0.0):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(N, N))
    W = (A + A.T) / 2
    np.fill_diagonal(W, diag)
    return W, rng.normal(scale=0.5, size=N)


def test_async_recall_matches_plain_loop_reference():
    W, theta = _random_symmetric(40, 0)
    net = dn.Hopfield(W, theta)
    probe = dn.random_patterns(1, 40, seed=1)[0]
    r = net.recall(probe, seed=7)
    np.testing.assert_array_equal(r.states, _async_reference(W, theta, probe, 7))
    assert r.converged and net.is_fixed_point(r.states)
    assert np.isclose(r.energy[r.n_sweeps], net.energy(r.states))


@settings(max_examples=25, deadline=None)
@given(N=st.integers(2, 30), seed=st.integers(0, 10_000), diag=st.floats(0.0, 2.0))
def test_energy_never_increases_under_async_updates(N, seed, diag):
    W, theta = _random_symmetric(N, seed, diag)
    net = dn.Hopfield(W, theta)
    probes = dn.random_patterns(8, N, seed=seed + 1)
    r = net.recall(probes, seed=seed)
    assert r.converged.all()
    E = r.energy
    dE = np.diff(E, axis=1)
    assert np.all(dE[np.isfinite(dE)] <= 1e-9 * (1 + np.abs(E[:, :1])))
    assert np.all(net.is_fixed_point(r.states))


def test_sync_dynamics_end_in_fixed_points_or_two_cycles():
    for seed in range(5):
        W, theta = _random_symmetric(30, seed)
        net = dn.Hopfield(W, theta)
        probes = dn.random_patterns(50, 30, seed=seed)
        r = net.recall(probes, mode="sync", max_sweeps=500)
        assert np.all(r.converged ^ r.cycle)
        assert r.cycle.any()  # random symmetric couplings do give 2-cycles
        # check against NumPy: one more synchronous step from the end state
        h = r.states @ W.T - theta
        nxt = np.where(h > 0, 1.0, np.where(h < 0, -1.0, r.states))
        assert np.all((nxt == r.states).all(1) == r.converged)
        h2 = nxt @ W.T - theta
        nxt2 = np.where(h2 > 0, 1.0, np.where(h2 < 0, -1.0, nxt))
        assert np.all((nxt2 == r.states).all(1))


def test_hebbian_bit_error_rate_matches_signal_to_noise_theory():
    # the initial field of bit i of pattern mu is (N-1)/N plus a sum of (P-1)(N-1)
    # independent +-1/N terms: P(bit unstable) = erfc(signal / (sigma sqrt 2)) / 2
    N, P = 1000, 200
    X = dn.random_patterns(P, N, seed=0)
    net = dn.Hopfield.from_patterns(X)
    unstable = np.mean(net.field(X) * X < 0)
    signal, sigma = (N - 1) / N, np.sqrt((P - 1) * (N - 1)) / N
    p = 0.5 * erfc(signal / (sigma * np.sqrt(2)))
    assert abs(unstable - p) < 4 * np.sqrt(p / (N * P)) + 1e-3 * p


def test_pseudo_inverse_stores_every_pattern_up_to_n_minus_one():
    N = 64
    X = dn.random_patterns(N - 1, N, seed=3)
    W = pseudo_inverse(X)
    np.testing.assert_allclose(W @ X.T, X.T, atol=1e-9)  # a projection onto the span
    assert dn.Hopfield(W).is_fixed_point(X).all()


def test_storkey_stores_more_exact_fixed_points_than_hebbian():
    N = 100
    for P in (15, 20, 25):
        X = dn.random_patterns(P, N, seed=P)
        heb = dn.Hopfield.from_patterns(X, "hebbian").is_fixed_point(X).sum()
        sto = dn.Hopfield.from_patterns(X, "storkey").is_fixed_point(X).sum()
        assert sto > heb


def test_storkey_matches_elementwise_definition():
    X = dn.random_patterns(4, 7, seed=5)
    N = 7
    W = np.zeros((N, N))
    for xi in X:  # Storkey (1997), written out with explicit sums over k != i, j
        h = np.array([[sum(W[i, k] * xi[k] for k in range(N) if k not in (i, j)) for j in range(N)] for i in range(N)])
        W = W + (np.outer(xi, xi) - xi[:, None] * h.T - h * xi[None, :]) / N
        np.fill_diagonal(W, 0.0)
    np.testing.assert_allclose(storkey(X), W, atol=1e-12)
    np.testing.assert_allclose(hebbian(X), (X.T @ X - len(X) * np.eye(N)) / N)


def test_glauber_dynamics_gives_the_paramagnet_magnetisation():
    # no couplings and field h: each unit is +1 with probability 1/(1+exp(-2h/T))
    N, h, T = 4000, 0.3, 0.5
    net = dn.Hopfield(np.zeros((N, N)), theta=np.full(N, -h))
    r = net.recall(np.ones((2, N)), temperature=T, max_sweeps=3, seed=1)
    m = r.states.mean()
    assert abs(m - np.tanh(h / T)) < 4 * np.sqrt((1 - np.tanh(h / T) ** 2) / (2 * N))
    assert not r.converged.any() and (r.n_sweeps == 3).all()
    # and the same seed gives the same trajectory
    np.testing.assert_array_equal(r.states, net.recall(np.ones((2, N)), temperature=T, max_sweeps=3, seed=1).states)


def test_continuous_hopfield_energy_is_a_lyapunov_function():
    rng = np.random.default_rng(0)
    n = 6
    A = rng.normal(size=(n, n))
    T = (A + A.T) / 2
    R, C, I, gain = rng.uniform(0.5, 2, n), rng.uniform(0.5, 2, n), rng.normal(size=n), 2.0
    sys_ = dn.continuous_hopfield(T, R, C, I, gain)
    t = np.linspace(0, 5, 501)
    sol = dn.solve(sys_, rng.normal(size=n), (0, 5), rtol=1e-10, atol=1e-10, t_eval=t)
    E = dn.continuous_hopfield_energy(sol.y, T, R, I, gain)
    assert np.all(np.diff(E) <= 1e-12)
    # dE/dt = -sum_i C_i g'(u_i) (du_i/dt)^2 along the trajectory
    du = np.array([(np.asarray(T) @ np.tanh(gain * u) - u / R + I) / C for u in sol.y])
    dEdt = -np.sum(C * gain * (1 - np.tanh(gain * sol.y) ** 2) * du**2, axis=1)
    np.testing.assert_allclose(np.gradient(E, t)[5:-5], dEdt[5:-5], rtol=1e-3, atol=1e-6)


def test_continuous_hopfield_jacobian_matches_finite_differences():
    from dynnets.systems import check_system

    rng = np.random.default_rng(1)
    A = rng.normal(size=(4, 4))
    check_system(dn.continuous_hopfield(A + A.T, 1.5, 0.7, rng.normal(size=4), 1.3), rng.normal(size=4))


def test_modern_hopfield_update_matches_numpy_and_lowers_energy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 8))
    net = dn.ModernHopfield(X, beta=2.0)
    q = rng.normal(size=(5, 8))
    out, _ = net.update(q)
    np.testing.assert_allclose(out, softmax(2.0 * q @ X.T, axis=1) @ X, rtol=1e-12, atol=1e-14)
    E = [net.energy(q)]
    for _ in range(4):  # Ramsauer et al. 2021, Theorem 1: the update never raises E
        q, _ = net.update(q)
        E.append(net.energy(q))
    assert np.all(np.diff(E, axis=0) <= 1e-12)


def test_modern_hopfield_retrieves_thousands_of_patterns_where_hebbian_fails():
    N, P = 64, 2000
    X = dn.random_patterns(P, N, seed=0)
    probes = dn.flip_bits(X[:20], 0.15, seed=1)
    out, _ = dn.ModernHopfield(X, beta=1.0).update(probes, max_iter=3)
    assert (np.sign(out) == X[:20]).all(1).mean() == 1.0
    r = dn.Hopfield.from_patterns(X).recall(probes, seed=0)
    assert (r.states == X[:20]).all(1).mean() < 0.1


def test_bad_input_is_named():
    X = dn.random_patterns(3, 10, seed=0)
    with pytest.raises(ValueError, match="to_bipolar"):
        dn.Hopfield.from_patterns((X > 0).astype(float))
    with pytest.raises(ValueError, match="patterns"):
        dn.Hopfield.from_patterns(X * 0.5)
    with pytest.raises(ValueError, match="at most N - 1"):
        pseudo_inverse(dn.random_patterns(10, 10, seed=0))
    with pytest.raises(ValueError, match="linearly dependent"):
        pseudo_inverse(np.vstack([X, X[:1]]))
    net = dn.Hopfield.from_patterns(X)
    with pytest.raises(ValueError, match="probes"):
        net.recall(np.ones(11))
    with pytest.raises(ValueError, match="mode"):
        net.recall(X, mode="parallel")
    with pytest.raises(ValueError, match="temperature"):
        net.recall(X, temperature=-1.0)
    with pytest.raises(ValueError, match="rule"):
        dn.Hopfield.from_patterns(X, rule="oja")
    with pytest.raises(ValueError, match="weights"):
        dn.Hopfield(np.ones((3, 4)))
    with pytest.raises(ValueError, match="R must be > 0"):
        dn.continuous_hopfield(np.eye(2), R=-1.0)
    np.testing.assert_array_equal(dn.to_bipolar([0, 1, 1]), [-1.0, 1.0, 1.0])
