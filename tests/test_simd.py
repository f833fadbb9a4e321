"""The hand-vectorised mat-vec against NumPy, and its order of summation."""

import numpy as np
import pytest
from numba import njit

from dynnets._simd import matvec_t
from dynnets.config import JIT


@njit(**JIT)
def _call(M, v, init, out):
    matvec_t(M, v, init, out)


@pytest.mark.parametrize("J,C", [(1, 1), (1, 3), (3, 7), (5, 8), (7, 64), (32, 128), (17, 129), (4, 200),
                                 (64, 256), (40, 391), (128, 32), (0, 9), (3, 0)])
def test_matches_numpy(J, C):
    rng = np.random.default_rng(J * 1000 + C)
    M = rng.normal(size=(J, C))
    v = rng.normal(size=2 * J)[::2]  # strided
    init = rng.normal(size=C)
    out = np.full(C + 5, 7.0)  # sentinels after the end: the masked tail must not write there
    _call(M, v, init, out[:C])
    ref = init + M.T @ v
    scale = np.abs(M).T @ np.abs(v) + np.abs(init) + 1e-300
    assert np.all(np.abs(out[:C] - ref) <= 8 * J * np.finfo(float).eps * scale)
    assert np.all(out[C:] == 7.0)


def test_each_column_summed_the_same_way_wherever_it_sits():
    """A column's result is the same bits computed in a 128-wide block, a
    narrower one, the masked tail or alone."""
    rng = np.random.default_rng(1)
    J, C = 23, 128 + 64 + 32 + 16 + 8 + 5
    M, v, init = rng.normal(size=(J, C)), rng.normal(size=J), rng.normal(size=C)
    out = np.empty(C)
    _call(M, v, init, out)
    one = np.empty(1)
    for c in range(C):
        _call(np.ascontiguousarray(M[:, c:c + 1]), v, init[c:c + 1], one)
        assert one[0] == out[c]


def test_in_place_and_non_finite():
    rng = np.random.default_rng(2)
    M, v = rng.normal(size=(6, 20)), rng.normal(size=6)
    a = rng.normal(size=20)
    ref = a + M.T @ v
    _call(M, v, a, a)  # out is init
    np.testing.assert_allclose(a, ref, rtol=1e-14)
    v[2] = np.nan
    M[0, 3] = np.inf
    _call(M, v, np.zeros(20), a)
    assert np.isnan(a).all()


def test_rejects_other_layouts_at_compile_time():
    M = np.zeros((4, 6))
    with pytest.raises(Exception, match="matvec_t"):
        _call(M.T.copy().T, np.zeros(4), np.zeros(6), np.zeros(6))  # F-ordered M
