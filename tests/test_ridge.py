"""Ridge readouts against numpy.linalg.lstsq and brute-force cross-validation."""

import numpy as np
import pytest

from dynnets.train import Ridge, RidgeClassifier


def _data(n=60, d=8, k=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + 3.0
    Y = X @ rng.normal(size=(d, k)) + 0.5 * rng.normal(size=(n, k)) + 1.0
    return X, Y


def test_matches_lstsq_on_the_augmented_system():
    X, Y = _data()
    for lam in (0.0, 1e-3, 0.7, 50.0):
        r = Ridge(lam).fit(X, Y)
        # [X 1; sqrt(lam) I 0] [coef; b] = [Y; 0]: the intercept is not penalised
        A = np.block([[X, np.ones((60, 1))], [np.sqrt(lam) * np.eye(8), np.zeros((8, 1))]])
        sol = np.linalg.lstsq(A, np.vstack([Y, np.zeros((8, 2))]), rcond=None)[0]
        np.testing.assert_allclose(r.coef_, sol[:8], atol=1e-10)
        np.testing.assert_allclose(r.intercept_, sol[8], atol=1e-10)
    r = Ridge(0.5, fit_intercept=False).fit(X, Y)
    sol = np.linalg.lstsq(np.vstack([X, np.sqrt(0.5) * np.eye(8)]), np.vstack([Y, np.zeros((8, 2))]), rcond=None)[0]
    np.testing.assert_allclose(r.coef_, sol, atol=1e-10)


def test_streaming_equals_one_shot_even_with_large_offsets():
    X, Y = _data(n=500, seed=1)
    X = X + 1e4  # centring by raw sums would lose ~8 digits here
    one = Ridge(1e-2).fit(X, Y)
    stream = Ridge(1e-2)
    for i in range(0, 500, 37):
        stream.partial_fit(X[i:i + 37], Y[i:i + 37])
    np.testing.assert_allclose(stream.coef_, one.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(stream.predict(X[:5]), one.predict(X[:5]), rtol=1e-10)
    lists = Ridge(1e-2).fit([X[:200], X[200:]], [Y[:200], Y[200:]])
    np.testing.assert_allclose(lists.coef_, one.coef_, rtol=1e-9, atol=1e-12)


def test_gcv_and_loo_equal_their_brute_force_definitions():
    X, Y = _data(seed=2)
    grid = np.logspace(-3, 3, 9)
    gcv = Ridge("gcv", grid=grid).fit(X, Y)
    loo = Ridge("loo", grid=grid).fit(X, Y)
    Xa = np.hstack([X, np.ones((60, 1))])
    P = np.diag([1.0] * 8 + [0.0])
    for i, lam in enumerate(grid):
        H = Xa @ np.linalg.solve(Xa.T @ Xa + lam * P, Xa.T)
        R = Y - H @ Y
        assert gcv.cv_scores_[i] == pytest.approx(60 * np.sum(R**2) / (60 - np.trace(H)) ** 2 / 2, rel=1e-9)
        errs = []
        for j in range(60):
            keep = np.arange(60) != j
            errs.append(Y[j] - Ridge(lam).fit(X[keep], Y[keep]).predict(X[j:j + 1])[0])
        assert loo.cv_scores_[i] == pytest.approx(np.mean(np.square(errs)), rel=1e-9)
    assert gcv.ridge_ == grid[np.argmin(gcv.cv_scores_)]


def test_classifier_pools_sequences():
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(3, 5)) * 3
    labels = rng.integers(0, 3, 60)
    seqs = [centres[c] + rng.normal(size=(rng.integers(5, 15), 5)) for c in labels]
    for pooling in ("mean", "last", None):
        clf = RidgeClassifier(1e-3, pooling=pooling).fit(seqs[:40], labels[:40])
        assert clf.score(seqs[40:], labels[40:]) >= 0.85
    flat = RidgeClassifier(1e-3).fit(np.array([s.mean(0) for s in seqs]), np.array(["a", "b", "c"])[labels])
    assert set(flat.predict(np.array([s.mean(0) for s in seqs]))) <= {"a", "b", "c"}


def test_bad_input():
    X, Y = _data()
    with pytest.raises(ValueError, match="singular.*ridge"):
        Ridge(0.0).fit(np.hstack([X, X[:, :1]]), Y)
    with pytest.raises(ValueError, match="ridge"):
        Ridge(-1.0)
    with pytest.raises(ValueError, match="ridge"):
        Ridge("aic")
    with pytest.raises(ValueError, match="same number of samples"):
        Ridge().fit(X, Y[:-1])
    with pytest.raises(ValueError, match="no data"):
        Ridge().predict(X)
    r = Ridge("loo")
    r.partial_fit(X, Y)
    with pytest.raises(ValueError, match="loo"):
        _ = r.coef_
