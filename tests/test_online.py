"""Recursive least squares against the closed-form (weighted) ridge solution, and
FORCE learning against a plain NumPy loop and in the closed loop."""

import numpy as np
import pytest

import dynnets as dn
from dynnets.train import RLS, force


def test_rls_equals_ridge_closed_form():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(300, 5)), rng.normal(size=(300, 2))
    rls = RLS(alpha=0.7).fit(X[:120], Y[:120]).partial_fit(X[120:], Y[120:])
    A = np.hstack([X, np.ones((300, 1))])  # the intercept is a regularised constant feature
    W = np.linalg.solve(0.7 * np.eye(6) + A.T @ A, A.T @ Y)
    np.testing.assert_allclose(rls.coef_, W[:5], atol=1e-12)
    np.testing.assert_allclose(rls.intercept_, W[5], atol=1e-12)
    np.testing.assert_allclose(rls.predict(X), A @ W, atol=1e-11)
    assert rls.n_samples_ == 300


def test_rls_forgetting_is_exponentially_weighted_ridge():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(200, 4)), rng.normal(size=(200, 3))
    lam, alpha = 0.98, 2.0
    rls = RLS(alpha, forgetting=lam, fit_intercept=False).fit(X, Y)
    w = lam ** np.arange(199, -1, -1)
    W = np.linalg.solve(lam ** 200 * alpha * np.eye(4) + (X * w[:, None]).T @ X, (X * w[:, None]).T @ Y)
    np.testing.assert_allclose(rls.coef_, W, atol=1e-11)


def test_rls_errors_are_a_priori():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(50, 3)), rng.normal(size=50)
    rls = RLS(1.0, fit_intercept=False).fit(X[:1], y[:1])
    assert rls.errors_[0] == pytest.approx(abs(y[0]))  # W = 0 before the first sample
    before = X[1] @ rls.coef_[:, 0]
    rls.partial_fit(X[1:2], y[1:2])
    assert rls.errors_[0] == pytest.approx(abs(before - y[1]))


def test_rls_bad_input():
    with pytest.raises(ValueError, match="alpha"):
        RLS(alpha=0.0)
    with pytest.raises(ValueError, match="forgetting"):
        RLS(forgetting=1.5)
    rls = RLS().fit(np.ones((3, 2)), np.ones(3))
    with pytest.raises(ValueError, match="features"):
        rls.partial_fit(np.ones((3, 4)), np.ones(3))
    with pytest.raises(RuntimeError, match="not fitted"):
        RLS().coef_  # noqa: B018


def _force_reference(res, f, alpha, every, x0, learn_steps):
    """Sussillo and Abbott's loop, written plainly."""
    N = res.n_units
    W, W_fb, a = res.W.toarray(), res.W_fb, res.leak
    x, z, w, P = x0.copy(), np.zeros(1), np.zeros((N, 1)), np.eye(N) / alpha
    Z = []
    for t in range(len(f)):
        x = (1 - a) * x + a * np.tanh(W @ x + W_fb @ z + res.bias)
        z = w.T @ x
        Z.append(z[0])
        if (t + 1) % every == 0 and t + 1 <= learn_steps:
            k = P @ x
            c = 1.0 / (1.0 + x @ k)
            P = P - c * np.outer(k, k)
            w = w - c * (z - f[t]) * k[:, None]
    return np.array(Z), w, x


def _net(N=60, seed=3):
    return dn.Reservoir.random(N, 1, spectral_radius=1.5, density=0.2, input_scaling=0.0, bias_scaling=0.0,
                               leak=0.1, n_feedback=1, feedback_scaling=1.0, seed=seed)


def test_force_matches_numpy_loop():
    res = _net()
    f = np.sin(np.arange(400) * 2 * np.pi / 100)
    x0 = np.random.default_rng(4).uniform(-0.5, 0.5, res.n_units)
    out = force(res, f, alpha=1.0, learn_every=2, learn_steps=300, x0=x0, progress=False, chunk=77)
    Z, w, x = _force_reference(res, f, 1.0, 2, x0, 300)
    np.testing.assert_allclose(out.z[:, 0], Z, atol=1e-10)
    np.testing.assert_allclose(out.coef, w, atol=1e-10)
    np.testing.assert_allclose(out.state, x, atol=1e-12)
    assert np.all(out.dw[1::2][:150] > 0) and np.all(out.dw[::2] == 0) and np.all(out.dw[300:] == 0)


def test_force_learns_a_sine_and_generate_continues_it():
    res = _net(200, seed=5)
    period = 200
    f = np.sin(np.arange(8000) * 2 * np.pi / period)
    x0 = np.random.default_rng(6).uniform(-0.5, 0.5, res.n_units)
    learn = 6000
    out = force(res, f, learn_steps=learn, x0=x0, progress=False)
    test = out.z[learn:, 0]
    assert np.sqrt(np.mean((test - f[learn:]) ** 2)) / f.std() < 0.1
    # without learning the chaotic reservoir does not produce the target
    free = force(res, f[:2000], learn_steps=0, x0=x0, z0=[0.0], progress=False,
                 coef0=np.zeros((res.n_units, 1)))
    assert np.all(free.z == 0) and np.std(free.state) > 0.05
    # after learning stops, force's closed loop is Reservoir.generate's
    part = force(res, f[:learn], learn_steps=learn, x0=x0, progress=False)
    Y, _ = res.generate(part.coef, np.zeros(1), part.state, part.z[-1], 2000, use_input=False, to_input=False,
                        u=np.zeros((2000, 1)))
    np.testing.assert_allclose(Y[:, 0], test, atol=1e-10)


def test_force_bad_input():
    res = _net()
    with pytest.raises(ValueError, match="W_fb"):
        force(dn.Reservoir.random(20, 1, seed=0), np.zeros(10), progress=False)
    with pytest.raises(ValueError, match="target"):
        force(res, np.zeros((10, 2)), progress=False)
    with pytest.raises(ValueError, match="alpha"):
        force(res, np.zeros(10), alpha=-1.0, progress=False)
    with pytest.raises(ValueError, match="u must have"):
        force(res, np.zeros(10), u=np.zeros((5, 1)), progress=False)
    with pytest.raises(TypeError, match="reservoir"):
        force("net", np.zeros(10), progress=False)
