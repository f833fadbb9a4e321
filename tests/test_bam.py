"""Bidirectional associative memory against a plain NumPy reference and Kosko's
stability theorem."""

import numpy as np
import pytest

import dynnets as dn


def _sgn(h, prev):
    return np.where(h > 0, 1.0, np.where(h < 0, -1.0, prev))


def _reference(W, x, max_iter=100):
    y = np.where(x @ W >= 0, 1.0, -1.0)
    for _ in range(max_iter):
        y_new = _sgn(x @ W, y)
        x_new = _sgn(W @ y_new, x)
        if np.array_equal(x_new, x) and np.array_equal(y_new, y):
            break
        x, y = x_new, y_new
    return x, y


def test_recall_matches_reference_and_energy_descends_on_random_weights():
    rng = np.random.default_rng(0)
    for trial in range(5):
        W = rng.normal(size=(20, 12))  # any real matrix: Kosko's theorem still holds
        bam = dn.BAM(W)
        probes = dn.random_patterns(30, 20, seed=trial)
        r = bam.recall(probes)
        assert r.converged.all()
        for k in range(30):
            x, y = _reference(W, probes[k])
            np.testing.assert_array_equal(r.x[k], x)
            np.testing.assert_array_equal(r.y[k], y)
        dE = np.diff(r.energy, axis=1)
        assert np.all(dE[np.isfinite(dE)] <= 1e-9)
        np.testing.assert_allclose(r.energy[np.arange(30), r.n_iter], bam.energy(r.x, r.y))


def test_few_pairs_are_recalled_from_noisy_probes_in_both_directions():
    X = dn.random_patterns(4, 100, seed=0)
    Y = dn.random_patterns(4, 60, seed=1)
    bam = dn.BAM.from_pairs(X, Y)
    np.testing.assert_array_equal(bam.weights, sum(np.outer(x, y) for x, y in zip(X, Y)))
    r = bam.recall(dn.flip_bits(X, 0.2, seed=2))
    assert (r.y == Y).all() and (r.x == X).all()
    r = bam.recall(y=dn.flip_bits(Y, 0.2, seed=3))
    assert (r.x == X).all()


def test_recall_breaks_down_as_pairs_are_added():
    def rate(K):
        X, Y = dn.random_patterns(K, 100, seed=K), dn.random_patterns(K, 100, seed=K + 1)
        return (dn.BAM.from_pairs(X, Y).recall(X).y == Y).all(1).mean()

    assert rate(3) == 1.0 and rate(60) < 0.2


def test_stochastic_recall_is_reproducible_and_noisy():
    X, Y = dn.random_patterns(3, 40, seed=0), dn.random_patterns(3, 30, seed=1)
    bam = dn.BAM.from_pairs(X, Y)
    a = bam.recall(X, temperature=50.0, max_iter=5, seed=4)
    b = bam.recall(X, temperature=50.0, max_iter=5, seed=4)
    np.testing.assert_array_equal(a.y, b.y)
    assert not a.converged.any() and (a.y != Y).any()


def test_bad_input_is_named():
    X, Y = dn.random_patterns(3, 10, seed=0), dn.random_patterns(2, 5, seed=0)
    with pytest.raises(ValueError, match="same number of pairs"):
        dn.BAM.from_pairs(X, Y)
    bam = dn.BAM.from_pairs(X, dn.random_patterns(3, 5, seed=1))
    with pytest.raises(ValueError, match="x must have 10 units"):
        bam.recall(np.ones(9))
    with pytest.raises(ValueError, match="probe"):
        bam.recall()
    with pytest.raises(ValueError, match="-1 and \\+1"):
        bam.recall(np.zeros(10) + 0.5)
