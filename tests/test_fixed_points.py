"""Fixed points and their stability against closed forms."""

import importlib

import numpy as np
import pytest
from numba import njit

import dynnets as dn
from dynnets.analysis import classify, fixed_points
from dynnets.models import henon
from dynnets.systems import System


def test_henon_fixed_points_closed_form():
    a, b = 1.4, 0.3
    x = (-(1 - b) + np.array([-1.0, 1.0]) * np.sqrt((1 - b) ** 2 + 4 * a)) / (2 * a)
    fp = fixed_points(henon(a, b), [[-3, 3], [-3, 3]], n_starts=100, seed=0)
    np.testing.assert_allclose(fp.points, np.c_[x, b * x], atol=1e-10)
    assert fp.stability == ["saddle", "saddle"]


def test_lorenz_fixed_points_closed_form():
    s, r, b = 10.0, 28.0, 8.0 / 3.0
    c = np.sqrt(b * (r - 1))
    fp = fixed_points(dn.lorenz(s, r, b), [[-20, 20], [-20, 20], [0, 40]], n_starts=200, seed=1)
    np.testing.assert_allclose(fp.points, [[-c, -c, r - 1], [0, 0, 0], [c, c, r - 1]], atol=1e-9)
    # at rho = 28 all three are saddles (C+- are saddle-foci past the Hopf point)
    assert fp.stability == ["saddle"] * 3
    # below rho = 1 the origin is the only fixed point and it is a stable node
    fp = fixed_points(dn.lorenz(s, 0.5, b), [[-20, 20], [-20, 20], [-5, 40]], n_starts=50, seed=2)
    np.testing.assert_allclose(fp.points, [[0, 0, 0]], atol=1e-12)
    assert fp.stability == ["stable node"]


def test_ctrnn_oscillator_unstable_focus_at_center_crossing_point():
    W = np.array([[4.5, -1.0], [1.0, 4.5]])
    net = dn.CTRNN(W, tau=1.0, bias=[-2.75, -1.75])
    fp = fixed_points(net.system(), [[-10, 10], [-10, 10]], n_starts=100, seed=3)
    np.testing.assert_allclose(fp.points, [[2.75, 1.75]], atol=1e-10)
    assert fp.stability == ["unstable focus"]
    # J = -I + W^T * sigma'(0) with sigma'(0) = 1/4: eigenvalues 0.125 +- 0.25 i
    np.testing.assert_allclose(sorted(fp.eigenvalues[0], key=np.imag), [0.125 - 0.25j, 0.125 + 0.25j], atol=1e-12)


def test_bistable_ctrnn_has_two_stable_nodes_and_a_saddle():
    # one self-excited neuron: y* = 6 sigma(y* - 3) has three roots
    net = dn.CTRNN([[6.0]], tau=1.0, bias=[-3.0])
    fp = fixed_points(net.system(), [[-10, 10]], n_starts=60, seed=4)
    assert fp.stability == ["stable node", "unstable node", "stable node"]
    np.testing.assert_allclose(fp.points[1], [3.0], atol=1e-12)  # the center-crossing root
    assert list(fp.stable) == [True, False, True]


def test_classify():
    assert classify([-1, -2]) == "stable node"
    assert classify([-1 + 1j, -1 - 1j]) == "stable focus"
    assert classify([1, -2]) == "saddle"
    assert classify([0.0, -1]) == "non-hyperbolic"
    assert classify([0.5, 0.2], is_map=True) == "stable node"
    assert classify([1.5, 0.2], is_map=True) == "saddle"


@njit
def bad_jac(t, y, params, J):
    J[0, 0] = 1.0
    J[0, 1] = 0.0
    J[1, 0] = 0.0
    J[1, 1] = 1.0
    J[2, 2] = 1.0  # a 3x3 Jacobian for a 2-d system


def test_bad_input():
    lor = dn.lorenz()
    with pytest.raises(ValueError, match="give bounds"):
        fixed_points(lor)
    with pytest.raises(ValueError, match="low <= high"):
        fixed_points(lor, [[1, -1], [0, 1], [0, 1]])
    with pytest.raises(ValueError, match=r"bounds must have one .* shape \(3, 2\)"):
        fixed_points(lor, [[0, 1], [0, 1]])
    with pytest.raises(ValueError, match="starts must have 3 components"):
        fixed_points(lor, starts=[[0, 1]])
    vdp = dn.van_der_pol()
    with pytest.raises(ValueError, match="jac does not fit a state of 2"):
        fixed_points(System(vdp.rhs, vdp.params, bad_jac, 2), [[0, 1], [0, 1]])
    wrong = System(vdp.rhs, vdp.params, dn.models.flows.lorenz_jac, None)
    with pytest.raises(ValueError, match="jac"):
        fixed_points(wrong, [[0, 1], [0, 1], [0, 1]])


def test_systems_refuse_plain_python_functions():
    def rhs(t, y, p, dydt):
        dydt[:] = -y

    with pytest.raises(TypeError, match="rhs must be a numba @njit function"):
        System(rhs)
    with pytest.raises(TypeError, match="step must be a numba @njit function"):
        dn.Map(rhs)
    with pytest.raises(TypeError, match="jac must be a numba @njit function"):
        System(dn.lorenz().rhs, jac=rhs)


def test_parallel_and_serial_starts_agree_exactly(monkeypatch):
    # small searches run serially, large ones in parallel over the starts: the
    # same arithmetic per start, so the same points to the last bit
    module = importlib.import_module("dynnets.analysis.fixed_points")
    system = dn.CTRNN.random(3, seed=5, weight_range=(-8, 8)).system()
    bounds = [[-8, 8]] * 3
    serial = fixed_points(system, bounds, n_starts=60, seed=4)
    monkeypatch.setattr(module, "PARALLEL_WORK", 0)
    parallel = fixed_points(system, bounds, n_starts=60, seed=4)
    assert serial.n_converged == parallel.n_converged
    np.testing.assert_array_equal(serial.points, parallel.points)
