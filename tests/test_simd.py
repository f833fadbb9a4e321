"""The hand-vectorised kernels (mat-vec, outer product, A^T B, batched mat-vec)
against NumPy, and their order of summation."""

import os
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
from numba import njit

from dynnets._simd import (
    batched_matvec_add,
    gemm_tn_add,
    matvec_t,
    outer_add,
    sell_chunk,
)
from dynnets.config import JIT


@njit(**JIT)
def _call(M, v, init, out):
    matvec_t(M, v, init, out)


@njit(**JIT)
def _outer(G, d, v):
    outer_add(G, d, v)


@njit(**JIT)
def _gemm(A, B, Cm):
    gemm_tn_add(A, B, Cm)


@njit(**JIT)
def _sell(val, col, off, length, x, out, o):
    sell_chunk(val, col, off, length, x, out, o)


@njit(**JIT)
def _batched(W, v, acc):
    batched_matvec_add(W, v, acc)


SHAPES = [(1, 1), (1, 3), (3, 7), (5, 8), (7, 64), (32, 128), (17, 129), (4, 200), (64, 256), (40, 391), (128, 32),
          (0, 9), (3, 0)]


# float32: vectors of twice as many lanes, the same blocks of registers
DTYPES = [np.float64, np.float32]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("J,C", SHAPES)
def test_matches_numpy(J, C, dtype):
    rng = np.random.default_rng(J * 1000 + C)
    M = rng.normal(size=(J, C)).astype(dtype)
    v = rng.normal(size=2 * J).astype(dtype)[::2]  # strided
    init = rng.normal(size=C).astype(dtype)
    out = np.full(C + 5, 7.0, dtype)  # sentinels after the end: the masked tail must not write there
    _call(M, v, init, out[:C])
    M, v, init = M.astype(float), v.astype(float), init.astype(float)
    ref = init + M.T @ v
    scale = np.abs(M).T @ np.abs(v) + np.abs(init) + 1e-300
    assert out.dtype == dtype
    assert np.all(np.abs(out[:C] - ref) <= 8 * (J + 1) * np.finfo(dtype).eps * scale)
    assert np.all(out[C:] == 7.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_each_column_summed_the_same_way_wherever_it_sits(dtype):
    """A column's result is the same bits computed in a 128-wide block, a
    narrower one, the masked tail or alone."""
    rng = np.random.default_rng(1)
    J, C = 23, 256 + 128 + 64 + 32 + 16 + 8 + 5
    M, v, init = (rng.normal(size=shape).astype(dtype) for shape in ((J, C), J, C))
    out = np.empty(C, dtype)
    _call(M, v, init, out)
    one = np.empty(1, dtype)
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
    with pytest.raises(Exception, match="matvec_t"):
        _call(M.astype(np.float32), np.zeros(4), np.zeros(6), np.zeros(6))  # mixed precisions


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("R,C", SHAPES)
def test_outer_add_matches_numpy(R, C, dtype):
    rng = np.random.default_rng(R * 1000 + C + 1)
    d, v = rng.normal(size=3 * R).astype(dtype)[::3], rng.normal(size=C).astype(dtype)
    G = rng.normal(size=(R, C)).astype(dtype)
    ref = G.astype(float) + np.outer(d.astype(float), v.astype(float))
    _outer(G, d, v)
    assert np.all(np.abs(G - ref) <= 2 * np.finfo(dtype).eps * (np.abs(ref) + np.abs(np.outer(d, v))))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("T", [0, 1, 9, 100])
@pytest.mark.parametrize("R,C", [(1, 1), (3, 7), (16, 8), (17, 33), (128, 32), (129, 1), (33, 200), (0, 5), (5, 0)])
def test_gemm_tn_add_matches_numpy(T, R, C, dtype):
    rng = np.random.default_rng(T + 100 * R + 10000 * C)
    A, B, Cm = (rng.normal(size=shape).astype(dtype) for shape in ((T, R), (T, C), (R, C)))
    A64, B64 = A.astype(float), B.astype(float)
    ref = Cm + A64.T @ B64
    scale = np.abs(Cm) + np.abs(A64).T @ np.abs(B64)
    _gemm(A, B, Cm)
    assert Cm.dtype == dtype
    assert np.all(np.abs(Cm - ref) <= 4 * (T + 1) * np.finfo(dtype).eps * scale)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gemm_sums_each_entry_the_same_way_wherever_it_sits(dtype):
    """An entry of ``A^T B`` is the same bits from a block of 16 rows or 128
    columns, a narrower one, a remainder row or the masked tail, or alone."""
    rng = np.random.default_rng(5)
    T, R, C = 31, 16 + 8 + 3, 256 + 16 + 8 + 3
    A, B = rng.normal(size=(T, R)).astype(dtype), rng.normal(size=(T, C)).astype(dtype)
    Cm = np.zeros((R, C), dtype)
    _gemm(A, B, Cm)
    one = np.zeros((1, 1), dtype)
    for r in range(0, R, 5):
        for c in range(0, C, 7):
            one[0, 0] = 0.0
            _gemm(np.ascontiguousarray(A[:, r:r + 1]), np.ascontiguousarray(B[:, c:c + 1]), one)
            assert one[0, 0] == Cm[r, c]


@pytest.mark.parametrize("J,I,Q", [(1, 1, 1), (2, 3, 8), (10, 10, 16), (7, 13, 61), (16, 16, 64), (40, 40, 16),
                                   (3, 9, 5), (0, 4, 8), (4, 0, 8), (4, 4, 0)])
def test_batched_matvec_add_matches_numpy(J, I, Q):
    rng = np.random.default_rng(J + 100 * I + 10000 * Q)
    W, v, init = rng.normal(size=(J, I, Q)), rng.normal(size=(J, Q)), rng.normal(size=(I, Q))
    ref = init + np.einsum("jiq,jq->iq", W, v)
    scale = np.abs(init) + np.einsum("jiq,jq->iq", np.abs(W), np.abs(v))
    buf = np.full(I * Q + 9, 7.0)  # sentinels after the end: the masked tail must not write there
    acc = buf[:I * Q].reshape(I, Q)
    acc[:] = init
    _batched(W, v, acc)
    assert np.all(np.abs(acc - ref) <= 4 * (J + 1) * np.finfo(float).eps * scale)
    assert np.all(buf[I * Q:] == 7.0)


def test_batched_matvec_sums_in_order_of_j():
    """Every output is ``((acc + W[0] v[0]) + W[1] v[1]) + ...``, one FMA per
    term, whichever chunk of rows (8, 4, 2 or 1) or vector (full or masked)
    computes it: the same bits as a sequential loop of FMAs in numba."""
    rng = np.random.default_rng(9)
    J, I, Q = 11, 8 + 4 + 2 + 1, 8 * 3 + 5
    W, v, acc = rng.normal(size=(J, I, Q)), rng.normal(size=(J, Q)), rng.normal(size=(I, Q))
    ref = acc.copy()
    _sequential_fma(W, v, ref)
    _batched(W, v, acc)
    np.testing.assert_array_equal(acc, ref)


def _sequential_fma(W, v, acc):
    """The chains of FMAs in exact arithmetic, each step rounded once (a
    Fraction converts to the nearest float): right on CPUs without an FMA
    instruction too, where ``fastmath={"contract"}`` would round twice."""
    for i in range(W.shape[1]):
        for q in range(W.shape[2]):
            a = acc[i, q]
            for j in range(W.shape[0]):
                a = float(Fraction(a) + Fraction(W[j, i, q]) * Fraction(v[j, q]))
            acc[i, q] = a


@pytest.mark.parametrize("index", [np.uint16, np.uint32])
@pytest.mark.parametrize("strided", [False, True])
@pytest.mark.parametrize("length", [0, 1, 13])
def test_sell_chunk_matches_numpy(length, strided, index):
    """The 8 rows of a sliced-ELLPACK chunk (stored column by column) added to
    ``out[o:o + 8]``, from a contiguous or strided state, against NumPy; a NaN
    state reaches only the rows that use it, and nothing outside the 8 slots is
    written."""
    rng = np.random.default_rng(length)
    off = 16
    val = rng.normal(size=off + 8 * length + 8)
    nx = int(np.iinfo(index).max) + 1 if index == np.uint16 else 70_000  # indices over their whole range
    col = rng.integers(0, nx, size=val.size).astype(index)
    col[off:off + 8] = [0, nx - 1, 1, 7, nx - 2, 255, 256, 65535]  # every bit of a uint16 set somewhere
    x = rng.normal(size=2 * nx)[::2] if strided else rng.normal(size=nx)
    out = rng.normal(size=20)
    init = out.copy()
    _sell(val, col, off, length, x, out, 5)
    idx = off + 8 * np.arange(length)[:, None] + np.arange(8)  # (length, 8)
    terms = val[idx] * x[col[idx]]
    ref = init[5:13] + terms.sum(0)
    assert np.all(np.abs(out[5:13] - ref) <= 4 * (length + 1) * np.finfo(float).eps * (np.abs(terms).sum(0) + np.abs(init[5:13])))
    np.testing.assert_array_equal(np.delete(out, np.arange(5, 13)), np.delete(init, np.arange(5, 13)))
    if length:
        x[col[off + 3]] = np.nan  # used by row 3 at l = 0
        _sell(val, col, off, length, x, out, 5)
        assert np.isnan(out[8]) and np.isnan(out).sum() == len({i for l in range(length) for i in range(8)
                                                                   if col[off + 8 * l + i] == col[off + 3]})


def test_narrowest_vectors_without_fma_or_bmi(tmp_path):
    """This file again, compiled for a generic CPU (2 doubles a vector, no FMA
    instruction, no BMI): the blocks, tails and index decoding of the narrow
    paths, which the host's CPU does not take."""
    env = dict(os.environ, NUMBA_CPU_NAME="generic", NUMBA_CPU_FEATURES="", NUMBA_CACHE_DIR=str(tmp_path))
    probe = "from dynnets import _simd; print(_simd._LANES, sorted(_simd._FEATURES))"
    probed = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert probed.stdout == "2 []\n"
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__,
                          "-k", "not narrowest"], env=env, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
