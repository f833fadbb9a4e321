"""Correlation dimension against SciPy pair distances and published values."""

import numba
import numpy as np
import pytest
from scipy.spatial.distance import pdist

import dynnets as dn
from dynnets.analysis import correlation_dimension, correlation_sum


def henon_points(N, skip=1000):
    h = dn.henon()
    y, out, pts = np.array([0.1, 0.1]), np.empty(2), np.empty((N, 2))
    for i in range(N + skip):
        h.step(y, h.params, out)
        y = out.copy()
        if i >= skip:
            pts[i - skip] = y
    return pts


def test_correlation_sum_equals_pdist_counts():
    x = np.random.default_rng(0).normal(size=(700, 3))
    r = np.logspace(-1, 0.7, 9)
    d = pdist(x)
    np.testing.assert_array_equal(correlation_sum(x, r), [(d < rr).sum() / d.size for rr in r])


def test_theiler_window_leaves_out_close_pairs():
    x = np.random.default_rng(1).normal(size=(300, 2))
    w = 5
    i, j = np.triu_indices(300, k=w + 1)
    d = np.linalg.norm(x[i] - x[j], axis=1)
    r = np.array([0.3, 1.0, 2.0])
    np.testing.assert_array_equal(correlation_sum(x, r, theiler=w), [(d < rr).mean() for rr in r])


def test_counts_do_not_depend_on_threads():
    x = np.random.default_rng(2).normal(size=(500, 2))
    r = np.logspace(-1, 0.5, 6)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = correlation_sum(x, r)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = correlation_sum(x, r)
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(one, many)


def test_henon_dimension_matches_grassberger_procaccia():
    assert correlation_dimension(henon_points(5000)).dimension == pytest.approx(1.21, abs=0.03)


def test_lorenz_dimension_matches_grassberger_procaccia():
    sol = dn.solve(dn.lorenz(), [1.0, 1.0, 1.0], (0, 600), t_eval=np.arange(100, 600, 0.1), rtol=1e-9, atol=1e-9)
    assert correlation_dimension(sol.y, theiler=10).dimension == pytest.approx(2.05, abs=0.06)


def test_bad_input():
    with pytest.raises(ValueError, match="strictly increasing"):
        correlation_sum(np.zeros((10, 2)), [1.0, 0.5])
    with pytest.raises(ValueError, match="no spread"):
        correlation_dimension(np.zeros((10, 2)))
    with pytest.raises(ValueError, match="too few"):
        correlation_sum(np.zeros((3, 2)), [1.0], theiler=5)
