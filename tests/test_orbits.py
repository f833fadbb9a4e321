"""Poincare sections, periodic orbits and Floquet multipliers against closed forms
and SciPy."""

import numpy as np
import pytest
from numba import njit
from scipy.integrate import solve_ivp

import dynnets as dn
from dynnets.analysis import periodic_orbit, poincare_section

VDP_PERIOD_MU1 = 6.6632868593  # period of the van der Pol limit cycle at mu = 1


@pytest.fixture(scope="module")
def vdp_orbit():
    return periodic_orbit(dn.van_der_pol(1.0), [2.0, 0.0], transient=60.0, T=60.0, dt=0.005)


def test_van_der_pol_period(vdp_orbit):
    assert vdp_orbit.multiplicity == 1
    assert vdp_orbit.period == pytest.approx(VDP_PERIOD_MU1, rel=1e-8)


def test_floquet_multipliers_obey_liouville(vdp_orbit):
    # one trivial multiplier 1; det(M) = exp(integral of div f over a period)
    mu = vdp_orbit.floquet_multipliers
    assert mu[0] == pytest.approx(1.0, abs=1e-6)
    ref = solve_ivp(lambda t, y: [y[1], (1 - y[0] ** 2) * y[1] - y[0]], (0, vdp_orbit.period), vdp_orbit.point,
                    method="DOP853", rtol=1e-12, atol=1e-12, dense_output=True)
    t = np.linspace(0, vdp_orbit.period, 20001)
    x = ref.sol(t)[0]
    div = 1.0 - x ** 2  # trace of the Jacobian, mu = 1
    liouville = np.exp(np.trapezoid(div, t))
    assert np.prod(mu).real == pytest.approx(liouville, rel=1e-5)
    assert vdp_orbit.stable


def test_ctrnn_oscillator_period_against_scipy_events():
    W = np.array([[4.5, -1.0], [1.0, 4.5]])
    net = dn.CTRNN(W, tau=1.0, bias=[-2.75, -1.75])
    po = periodic_orbit(net.system(), [0.0, 0.0], transient=200.0, T=120.0, dt=0.01)

    def f(t, y):
        return -y + (1 / (1 + np.exp(-(y + net.bias)))) @ W

    def ev(t, y):
        return y[0] - 2.75

    ev.direction = 1
    r = solve_ivp(f, (0, 400), [0.0, 0.0], method="DOP853", rtol=1e-12, atol=1e-12, events=ev)
    assert po.period == pytest.approx(np.diff(r.t_events[0])[-1], rel=1e-8)
    lam = po.floquet_exponents
    assert abs(lam[0]) < 1e-8 and lam[1] < -0.1  # one zero exponent, one negative


def test_rossler_period_doubling_and_lorenz_chaos():
    assert periodic_orbit(dn.rossler(c=2.5), [1.0, 1.0, 0.0], transient=300, T=200).multiplicity == 1
    assert periodic_orbit(dn.rossler(c=3.5), [1.0, 1.0, 0.0], transient=300, T=200).multiplicity == 2
    assert periodic_orbit(dn.lorenz(), [1.0, 1.0, 1.0], transient=50, T=100) is None


@njit
def rotation(t, y, p, dydt):
    dydt[0] = y[1]
    dydt[1] = -y[0]


def test_section_of_a_rotation_hits_known_times():
    # from (1, 0): y = -sin t, increasing through 0 at t = pi, 3 pi, ...
    sys = dn.System(rotation, n=2)
    sec = poincare_section(sys, [1.0, 0.0], 20.0, normal=[0.0, 1.0], dt=0.001)
    np.testing.assert_allclose(sec.t, np.pi * np.array([1, 3, 5]), atol=1e-9)
    np.testing.assert_allclose(sec.y, [[-1.0, 0.0]] * 3, atol=1e-9)
    both = poincare_section(sys, [1.0, 0.0], 20.0, normal=[0.0, 1.0], direction=0, dt=0.001)
    assert both.t.size == 6


def test_bad_input():
    with pytest.raises(TypeError, match="a System"):
        periodic_orbit(dn.henon(), [0.0, 0.0])
    with pytest.raises(ValueError, match="normal must not be the zero"):
        poincare_section(dn.lorenz(), [1.0, 1.0, 1.0], 10.0, normal=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="direction must be"):
        poincare_section(dn.lorenz(), [1.0, 1.0, 1.0], 10.0, normal=[1.0, 0.0, 0.0], direction=2)
