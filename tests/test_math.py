"""The vectorisable exp and sigmoid against NumPy/SciPy."""

import numpy as np
import pytest
from numba import njit
from scipy.special import expit

from dynnets._math import exp, is_finite, sigmoid, sigmoid_of, tanh, tanh_of
from dynnets.config import JIT


@njit(**JIT)
def _map_exp(x, out):
    for i in range(x.size):
        out[i] = exp(x[i])


@njit(**JIT)
def _map_sigmoid(x, out):
    for i in range(x.size):
        out[i] = sigmoid(x[i])


def test_exp_within_two_ulp_of_numpy():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-708, 709, 200_000), rng.uniform(-1, 1, 10_000), [0.0, 1.0, -1.0]])
    out = np.empty_like(x)
    _map_exp(x, out)
    ref = np.exp(x)
    ulp = np.abs(out - ref) / np.spacing(ref)
    assert ulp.max() <= 2.0


def test_exp_special_values_and_subnormals():
    x = np.array([np.nan, np.inf, -np.inf, 709.78, 709.79, 800.0, -745.0, -745.2, -746.0, -1e6, -720.5])
    out = np.empty_like(x)
    _map_exp(x, out)
    with np.errstate(over="ignore", under="ignore"):
        ref = np.exp(x)
    assert np.isnan(out[0])
    np.testing.assert_array_equal(np.isinf(out), np.isinf(ref))
    fin = np.isfinite(ref)
    # subnormal results are within one subnormal step
    assert np.all(np.abs(out[fin] - ref[fin]) <= np.maximum(2 * np.spacing(ref[fin]), 5e-324))


def test_sigmoid_matches_expit_in_both_tails():
    rng = np.random.default_rng(3)
    # a grid, random arguments, and the multiples of ln(2) / 2, where the range
    # reduction's rounding to a multiple of ln 2 is at a tie
    x = np.concatenate([np.linspace(-800, 800, 20001), rng.normal(size=100_000), 30 * rng.normal(size=100_000),
                        np.arange(-1100, 1100) * np.log(2) / 2, -np.logspace(-300, 2.87, 2000),
                        [0.0, -0.0, 5e-324, -5e-324, np.inf, -np.inf]])
    out = np.empty_like(x)
    _map_sigmoid(x, out)
    ref = expit(x)
    # exp's ulp plus two roundings; the subnormal tail within the smallest normal
    assert np.all(np.abs(out - ref) <= np.maximum(4 * np.spacing(ref), np.finfo(float).tiny))
    assert out[-2] == 1.0 and out[-1] == 0.0
    nan = np.empty(1)
    _map_sigmoid(np.array([np.nan]), nan)
    assert np.isnan(nan[0])


@njit(**JIT)
def _euler_blowup_step(y, dt, n):
    """Forward Euler on y' = -y with dt = 3: y grows by -2 per step until inf/NaN.
    With nsz + reassoc, LLVM folds np.isfinite away in this very loop."""
    for s in range(n):
        y[0] += dt * (-y[0])
        if not is_finite(y[0]):
            return s
    return -1


def test_is_finite_survives_fastmath_kernels():
    vals = np.array([0.0, -0.0, 1.0, 5e-324, 1.7e308, np.inf, -np.inf, np.nan])
    assert [is_finite(v) for v in vals] == list(np.isfinite(vals))
    # 1e300 * 2**k overflows once 2**k > 1.8e8, at k = 28 (step index 27)
    assert _euler_blowup_step(np.array([1e300]), 3.0, 100) == 27


@njit(**JIT)
def _map_tanh(x, out):
    for i in range(x.size):
        out[i] = tanh(x[i])


def test_tanh_within_few_ulp_of_numpy():
    rng = np.random.default_rng(1)
    # 18-22: either side of |x| = 20, where the argument is clamped
    x = np.concatenate([rng.uniform(-20, 20, 200_000), rng.uniform(-0.2, 0.2, 50_000), rng.uniform(18, 22, 20_000),
                        10.0 ** rng.uniform(-300, 0, 10_000), [0.0, -0.0, 0.17328679513998632, 400.0, -1e300]])
    x = np.concatenate([x, -x])
    out = np.empty_like(x)
    _map_tanh(x, out)
    ref = np.tanh(x)
    ulp = np.abs(out - ref) / np.spacing(np.abs(ref) + np.finfo(float).tiny)
    # worst just above |x| = ln(2)/4, where the reduction leaves k = -1 and m cancels mildly
    assert ulp.max() <= 6.0 and ulp.mean() < 1.0
    special = np.array([np.inf, -np.inf, np.nan])
    out = np.empty(3)
    _map_tanh(special, out)
    assert out[0] == 1.0 and out[1] == -1.0 and np.isnan(out[2])


@njit(**JIT)
def _map_of(x, out, which):
    for i in range(x.size):
        out[i] = sigmoid_of(x[i]) if which == 0 else tanh_of(x[i])


@pytest.mark.parametrize("which", [0, 1])
def test_float32_sigmoid_and_tanh_within_2_ulp(which):
    """sigmoid32 / tanh32 (what sigmoid_of / tanh_of give for float32) against
    the float64 functions of NumPy rounded to float32, subnormal results, the
    clamps and specials included; float64 arguments get the float64 functions."""
    rng = np.random.default_rng(4)
    x = np.concatenate([rng.uniform(-30, 30, 100_000), rng.uniform(-1, 1, 50_000), 10.0 ** rng.uniform(-40, 0, 10_000),
                        rng.uniform(-110, 110, 10_000), [0.0, 1e-45, 9.0, 10.0, 11.0, 87.0, 104.0, 200.0]])
    x = np.concatenate([x, -x]).astype(np.float32)
    out = np.empty_like(x)
    _map_of(x, out, which)
    x64 = x.astype(float)
    ref = (1.0 / (1.0 + np.exp(-x64)) if which == 0 else np.tanh(x64)).astype(np.float32)
    ulp = np.abs(out.astype(float) - ref) / np.spacing(np.abs(ref) + np.float32(1e-45)).astype(float)
    assert out.dtype == np.float32 and ulp.max() <= 2.0 and ulp.mean() < 0.5
    special = np.array([np.inf, -np.inf, np.nan], np.float32)
    out = np.empty(3, np.float32)
    _map_of(special, out, which)
    assert list(out[:2]) == ([1.0, 0.0] if which == 0 else [1.0, -1.0]) and np.isnan(out[2])
    x = rng.uniform(-20, 20, 1000)
    out, ref = np.empty(1000), np.empty(1000)
    _map_of(x, out, which)
    (_map_sigmoid if which == 0 else _map_tanh)(x, ref)
    np.testing.assert_array_equal(out, ref)
