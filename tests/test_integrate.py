"""Runge-Kutta methods and the solve driver against closed forms and SciPy."""

import numpy as np
import pytest
from numba import njit
from scipy.integrate import solve_ivp
from scipy.linalg import expm

import dynnets as dn
from dynnets.integrate import DOPRI5, EULER, HEUN, METHODS, RK4, ButcherTableau
from dynnets.models.flows import lorenz, van_der_pol

# y' = M y with a rotation and decay: exact solution expm(M t) y0
M = np.array([[-0.2, 1.0, 0.0], [-1.0, -0.2, 0.3], [0.0, -0.3, -0.5]])


@njit
def linear_rhs(t, y, params, dydt):
    n = y.size
    for i in range(n):
        acc = 0.0
        for k in range(n):
            acc += params[i * n + k] * y[k]
        dydt[i] = acc


LINEAR = dn.System(linear_rhs, M.ravel(), n=3, name="linear")
Y0 = np.array([1.0, 0.5, -0.3])


def _lorenz_np(t, y, s=10.0, r=28.0, b=8.0 / 3.0):
    return [s * (y[1] - y[0]), y[0] * (r - y[2]) - y[1], y[0] * y[1] - b * y[2]]


def _vdp_np(t, y, mu=1.0):
    return [y[1], mu * (1 - y[0] ** 2) * y[1] - y[0]]


@pytest.mark.parametrize("tab", [EULER, HEUN, RK4, DOPRI5], ids=lambda t: t.name)
def test_convergence_order_against_expm(tab):
    """Fitted slope of log(error) against log(dt) is within 0.5 of the order."""
    T = 2.0
    exact = expm(M * T) @ Y0
    dts = T / np.array([40, 80, 160, 320]) if tab.order < 5 else T / np.array([10, 20, 40, 80])
    errs = []
    for dt in dts:
        sol = dn.solve(LINEAR, Y0, (0.0, T), method=tab, dt=dt, adaptive=False)
        errs.append(np.linalg.norm(sol.y[-1] - exact))
    slope = np.polyfit(np.log(dts), np.log(errs), 1)[0]
    assert abs(slope - tab.order) < 0.5, (tab.name, slope)


def test_tableaux_are_consistent_and_validated():
    for tab in METHODS.values():
        assert np.isclose(tab.b.sum(), 1.0)
        np.testing.assert_allclose(tab.A.sum(axis=1), tab.c, atol=1e-15)
    assert DOPRI5.fsal and DOPRI5.adaptive and not RK4.adaptive
    with pytest.raises(ValueError, match="sum to 1"):
        ButcherTableau("bad", A=[[0.0]], b=[0.9], c=[0.0], order=1)
    with pytest.raises(ValueError, match="row sums"):
        ButcherTableau("bad", A=[[0, 0], [1, 0]], b=[0.5, 0.5], c=[0, 0.5], order=2)
    with pytest.raises(ValueError, match="lower triangular"):
        ButcherTableau("bad", A=[[0, 1], [0, 0]], b=[0.5, 0.5], c=[1, 0], order=2)


def _scaled_err(y, ref, rtol, atol):
    return np.max(np.abs(y - ref) / (atol + rtol * np.abs(ref)))


@pytest.mark.parametrize(
    "system, f, y0, t1",
    [
        (lorenz(), _lorenz_np, [1.0, 1.0, 1.0], 2.0),
        (van_der_pol(), _vdp_np, [2.0, 0.0], 10.0),
    ],
    ids=["lorenz", "van_der_pol"],
)
def test_adaptive_matches_dop853(system, f, y0, t1):
    t_eval = np.linspace(0.0, t1, 41)
    ref = solve_ivp(f, (0, t1), y0, method="DOP853", rtol=1e-12, atol=1e-12, t_eval=t_eval).y.T
    for rtol in (1e-6, 1e-9):
        sol = dn.solve(system, y0, (0.0, t1), rtol=rtol, atol=rtol, t_eval=t_eval)
        # global error of a locally controlled method: a small multiple of the tolerance
        assert _scaled_err(sol.y, ref, rtol, rtol) < 50, rtol
        # the dense output is as accurate as the steps themselves
        steps = dn.solve(system, y0, (0.0, t1), rtol=rtol, atol=rtol)
        assert abs(steps.n_steps - (steps.t.size - 1)) == 0


def test_adaptive_ctrnn_matches_dop853():
    net = dn.CTRNN.random(4, seed=3, weight_range=(-5, 5), bias_range=(-3, 3))
    W, tau, th, g = net.weights, net.tau, net.bias, net.gain

    def f(t, y):
        return (-y + (1 / (1 + np.exp(-g * (y + th)))) @ W) / tau

    y0 = np.array([0.5, -0.5, 1.0, 0.0])
    t_eval = np.linspace(0, 20, 21)
    ref = solve_ivp(f, (0, 20), y0, method="DOP853", rtol=1e-12, atol=1e-12, t_eval=t_eval).y.T
    sol = dn.solve(net.system(), y0, (0, 20), rtol=1e-8, atol=1e-8, t_eval=t_eval)
    assert _scaled_err(sol.y, ref, 1e-8, 1e-8) < 50


@pytest.mark.parametrize("tol", [1e-4, 1e-6, 1e-8])
def test_step_count_close_to_scipy_rk45(tol):
    for system, f, y0, t1 in [(lorenz(), _lorenz_np, [1.0, 1.0, 1.0], 20.0), (van_der_pol(5.0), lambda t, y: _vdp_np(t, y, 5.0), [2.0, 0.0], 30.0)]:
        ours = dn.solve(system, y0, (0.0, t1), rtol=tol, atol=tol)
        theirs = solve_ivp(f, (0.0, t1), y0, method="RK45", rtol=tol, atol=tol)
        n_scipy = theirs.t.size - 1
        assert ours.n_steps <= 1.3 * n_scipy, (system.name, tol, ours.n_steps, n_scipy)
        assert ours.n_steps >= n_scipy / 1.3, (system.name, tol, ours.n_steps, n_scipy)


def test_dense_output_between_steps():
    t_eval = np.linspace(0, 6, 601)
    sol = dn.solve(LINEAR, Y0, (0.0, 6.0), rtol=1e-9, atol=1e-12, t_eval=t_eval)
    exact = np.array([expm(M * t) @ Y0 for t in t_eval])
    assert np.abs(sol.y - exact).max() < 1e-7
    assert sol.n_steps < t_eval.size / 3  # most outputs came from the quartic interpolant
    # Hermite output of a fixed-step method: third order between grid points
    sol = dn.solve(LINEAR, Y0, (0.0, 6.0), method="rk4", dt=0.01, t_eval=t_eval + 0.0)
    assert np.abs(sol.y - exact).max() < 1e-7


def test_batch_equals_single_runs():
    rng = np.random.default_rng(1)
    y0 = rng.normal(size=(5, 3)) + [0, 0, 20]
    params = np.tile([10.0, 28.0, 8.0 / 3.0], (5, 1))
    params[:, 1] = [20, 24, 28, 32, 99]
    t_eval = np.linspace(0, 3, 31)
    batch = dn.solve_batch(lorenz(), y0, (0, 3), params=params, t_eval=t_eval, rtol=1e-8, atol=1e-8)
    assert batch.y.shape == (31, 5, 3)
    for i in range(5):
        one = dn.solve(lorenz(), y0[i], (0, 3), params=params[i], t_eval=t_eval, rtol=1e-8, atol=1e-8)
        np.testing.assert_array_equal(batch.y[:, i], one.y)
        assert batch.n_steps[i] == one.n_steps


def test_fixed_step_grid_and_hermite_need_no_extra_steps():
    sol = dn.solve(LINEAR, Y0, (0.0, 1.0), method="rk4", dt=0.1)
    np.testing.assert_allclose(sol.t, np.linspace(0, 1, 11), atol=1e-15)
    assert sol.n_steps == 10 and sol.n_fev == 40


@njit
def blowup_rhs(t, y, params, dydt):
    dydt[0] = y[0] * y[0]
    dydt[1] = -y[1]


def test_divergence_raises_or_is_recorded():
    # y' = y^2 from y = 1 blows up at t = 1
    with pytest.raises(dn.DivergenceError, match="unit 0"):
        dn.solve(blowup_rhs, [1.0, 1.0], (0.0, 2.0), method="euler", dt=0.01)
    sol = dn.solve(blowup_rhs, [1.0, 1.0], (0.0, 2.0), method="euler", dt=0.01, nan_ok=True)
    assert sol.status == 1 and np.isnan(sol.y[-1]).all() and np.isfinite(sol.y[0]).all()
    sol = dn.solve(blowup_rhs, [1.0, 1.0], (0.0, 2.0), nan_ok=True)
    assert sol.status in (1, 3) and not sol.success
    with pytest.raises((dn.DivergenceError, RuntimeError)):
        dn.solve(blowup_rhs, [1.0, 1.0], (0.0, 2.0))
    # a batch with one diverging item finishes and flags it
    b = dn.solve_batch(blowup_rhs, [[1.0, 1.0], [-1.0, 1.0]], (0.0, 2.0), method="rk4", dt=0.01, nan_ok=True)
    assert list(b.status) == [1, 0] and np.isfinite(b.y[:, 1]).all()


def plain_python_rhs(t, y, params, dydt):
    dydt[:] = -y


@njit
def wrong_signature(t, y):
    return -y


def test_bad_input_names_the_argument():
    with pytest.raises(TypeError, match="system must be a numba @njit"):
        dn.solve(plain_python_rhs, [1.0], (0, 1))
    with pytest.raises(TypeError, match="rhs cannot be called"):
        dn.solve(wrong_signature, [1.0], (0, 1))
    with pytest.raises(ValueError, match="dt must be > 0"):
        dn.solve(LINEAR, Y0, (0, 1), method="rk4", dt=0.0)
    with pytest.raises(ValueError, match="dt is required"):
        dn.solve(LINEAR, Y0, (0, 1), method="rk4")
    with pytest.raises(ValueError, match="t_span must be increasing"):
        dn.solve(LINEAR, Y0, (1, 0))
    with pytest.raises(ValueError, match="y0 must have 3 components"):
        dn.solve(LINEAR, [1.0, 2.0], (0, 1))
    with pytest.raises(ValueError, match="y0 must be finite"):
        dn.solve(LINEAR, [1.0, np.nan, 0.0], (0, 1))
    with pytest.raises(ValueError, match="t_eval must lie within"):
        dn.solve(LINEAR, Y0, (0, 1), t_eval=[0.5, 2.0])
    with pytest.raises(ValueError, match="method must be one of"):
        dn.solve(LINEAR, Y0, (0, 1), method="rk99")
    with pytest.raises(ValueError, match="adaptive stepping needs an embedded pair"):
        dn.solve(LINEAR, Y0, (0, 1), method="rk4", dt=0.1, adaptive=True)
    with pytest.raises(ValueError, match="batch sizes must match"):
        dn.solve_batch(LINEAR, np.zeros((2, 3)), (0, 1), params=np.zeros((3, 9)), t_eval=[1.0])
    with pytest.raises(ValueError, match="t_eval is required"):
        dn.solve_batch(LINEAR, np.zeros((2, 3)), (0, 1))
