"""Parameter sweeps against closed forms."""

import numpy as np
import pytest

import dynnets as dn
from dynnets.analysis import lyapunov_sweep, orbit_diagram
from dynnets.models import logistic, rossler


def test_logistic_orbit_diagram_fixed_point_and_two_cycle():
    r = np.array([2.8, 3.2])
    od = orbit_diagram(logistic(), 0, r, [0.3], transient=2000, record=50)
    # fixed point 1 - 1/r
    np.testing.assert_allclose(od.points[0], 1 - 1 / 2.8, atol=1e-12)
    # 2-cycle: x = (r + 1 +- sqrt((r - 3)(r + 1))) / (2 r)
    x2 = (3.2 + 1 + np.array([-1, 1]) * np.sqrt((3.2 - 3) * (3.2 + 1))) / (2 * 3.2)
    np.testing.assert_allclose(np.unique(np.round(od.points[1], 10)), x2, atol=1e-9)
    assert not od.diverged.any()


def test_logistic_lyapunov_sweep_closed_forms():
    r = np.array([2.8, 3.2, 4.0])
    lam, diverged = lyapunov_sweep(logistic(), 0, r, [0.3], 200_000, transient=1000)
    np.testing.assert_allclose(lam[:2, 0], [np.log(0.8), 0.5 * np.log(abs(4 + 6.4 - 3.2 ** 2))], rtol=1e-9)
    assert lam[2, 0] == pytest.approx(np.log(2), rel=0.005)
    assert not diverged.any()


def test_diverging_items_are_flagged_not_fatal():
    # r = 5 sends almost every orbit to -inf
    lam, diverged = lyapunov_sweep(logistic(), 0, [3.2, 5.0], [0.3], 2000)
    assert list(diverged) == [False, True] and np.isnan(lam[1, 0]) and np.isfinite(lam[0, 0])
    od = orbit_diagram(logistic(), 0, [3.2, 5.0], [0.3], transient=100, record=10)
    assert list(od.diverged) == [False, True] and np.isnan(od.points[1]).all()


def test_flow_orbit_diagram_period_doubling_in_rossler():
    # Rossler (a = b = 0.2): period 1 at c = 2.5, period 2 at c = 3.5, chaos at c = 5.7
    od = orbit_diagram(rossler(), 2, [2.5, 3.5, 5.7], [1.0, 1.0, 0.0], transient=300, record=300, dt=0.01)
    n_distinct = [np.unique(np.round(p[np.isfinite(p)], 4)).size for p in od.points]
    assert n_distinct[0] == 1 and n_distinct[1] == 2 and n_distinct[2] > 20


def test_flow_lyapunov_sweep_matches_single_runs():
    # van der Pol limit cycles: exponents (0, negative); rounding differences between
    # the two code paths decay on a stable cycle (on a chaotic flow they would grow)
    mus = [0.5, 2.0]
    lam, _ = lyapunov_sweep(dn.van_der_pol(), 0, mus, [2.0, 0.0], 200.0, transient=20.0, k=2)
    for i, mu in enumerate(mus):
        one = dn.analysis.lyapunov_spectrum(dn.van_der_pol(mu), [2.0, 0.0], 200.0, transient=20.0).exponents
        np.testing.assert_allclose(lam[i], one, rtol=1e-6, atol=1e-8)
        assert abs(lam[i, 0]) < 0.01 and lam[i, 1] < -0.1


def test_bad_input():
    with pytest.raises(ValueError, match="values must not be empty"):
        orbit_diagram(logistic(), 0, [], [0.3])
    with pytest.raises(ValueError, match="param must be <= 0"):
        orbit_diagram(logistic(), 3, [3.0], [0.3])
    with pytest.raises(ValueError, match="y0 must have 1 components"):
        lyapunov_sweep(logistic(), 0, [3.0], [0.3, 0.2], 100)
