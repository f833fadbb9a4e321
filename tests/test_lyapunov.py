"""Lyapunov exponents against published values and closed forms."""

import numpy as np
import pytest

import dynnets as dn
from dynnets.analysis import kaplan_yorke, lyapunov_max, lyapunov_spectrum
from dynnets.models import henon, logistic
from dynnets.systems import System

LORENZ_PUBLISHED = np.array([0.9056, 0.0, -14.5723])  # Sprott, "Chaos and Time-Series Analysis", 2003


@pytest.fixture(scope="module")
def lorenz_result():
    return lyapunov_spectrum(dn.lorenz(), [1.0, 1.0, 1.0], 4000.0, transient=50.0, dt=0.01, renorm=0.1)


def test_lorenz_spectrum_matches_published(lorenz_result):
    lam = lorenz_result.exponents
    assert abs(lam[0] - LORENZ_PUBLISHED[0]) < 0.01 * LORENZ_PUBLISHED[0]
    assert abs(lam[1]) < 0.01
    assert abs(lam[2] - LORENZ_PUBLISHED[2]) < 0.01 * abs(LORENZ_PUBLISHED[2])


def test_lorenz_sum_equals_trace(lorenz_result):
    # the divergence of the Lorenz field is constant: -(sigma + 1 + beta). RK4 with
    # dt = 0.01 reproduces the volume factor exp(trace dt) = exp(-0.137) per step to
    # O((trace dt)**5 / 5!) ~ 4e-7, i.e. ~4e-5 relative in the rate: hence rel=1e-4.
    assert lorenz_result.exponents.sum() == pytest.approx(-(10 + 1 + 8 / 3), rel=1e-4)


def test_lorenz_kaplan_yorke(lorenz_result):
    # D_KY = 2 + (l1 + l2) / |l3| = 2.062 for the published spectrum
    assert lorenz_result.kaplan_yorke == pytest.approx(2 + 0.9056 / 14.5723, abs=0.002)
    assert lorenz_result.history.shape[1] == 3 and lorenz_result.t[-1] == pytest.approx(4000.0)


def test_henon_spectrum_matches_published():
    res = lyapunov_spectrum(henon(), [0.1, 0.1], 400_000, transient=1000)
    np.testing.assert_allclose(res.exponents, [0.4192, -1.6232], rtol=0.01)
    # area contraction: l1 + l2 = ln b exactly
    assert res.exponents.sum() == pytest.approx(np.log(0.3), rel=1e-9)


def test_logistic_r4_is_ln2():
    assert lyapunov_max(logistic(4.0), [0.3], 400_000, transient=100) == pytest.approx(np.log(2), rel=0.005)


def test_finite_difference_fallback_agrees():
    lor = dn.lorenz()
    no_jac = System(lor.rhs, lor.params, None, 3, "lorenz without jac")
    a = lyapunov_spectrum(lor, [1.0, 1.0, 1.0], 200.0, transient=10.0)
    b = lyapunov_spectrum(no_jac, [1.0, 1.0, 1.0], 200.0, transient=10.0)
    np.testing.assert_allclose(a.exponents, b.exponents, rtol=1e-5, atol=1e-6)


def test_ctrnn_oscillator_has_a_zero_and_a_negative_exponent():
    W = np.array([[4.5, -1.0], [1.0, 4.5]])
    net = dn.CTRNN(W, tau=1.0, bias=[-2.75, -1.75])
    lam = lyapunov_spectrum(net.system(), [0.0, 0.0], 2000.0, transient=200.0).exponents
    assert abs(lam[0]) < 0.005 and lam[1] < -0.05


def test_kaplan_yorke_closed_forms():
    assert kaplan_yorke([-1.0, -2.0]) == 0.0
    assert kaplan_yorke([0.5, 0.1]) == 2.0
    assert kaplan_yorke([1.0, -2.0]) == pytest.approx(1.5)


def test_bad_input():
    with pytest.raises(TypeError, match="System or a Map"):
        lyapunov_spectrum(dn.lorenz().rhs, [1.0, 1.0, 1.0], 10.0)
    with pytest.raises(ValueError, match="y0 must have 3"):
        lyapunov_spectrum(dn.lorenz(), [1.0, 1.0], 10.0)
    with pytest.raises(ValueError, match="k must be <= 3"):
        lyapunov_spectrum(dn.lorenz(), [1.0, 1.0, 1.0], 10.0, k=4)
    with pytest.raises(ValueError, match="T must be > 0"):
        lyapunov_spectrum(dn.lorenz(), [1.0, 1.0, 1.0], 0.0)
