"""Pole balancing: the physics against the Lagrangian equations solved by SciPy,
the compiled episodes against a plain Python loop."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from dynnets.models.ctrnn import CTRNN
from dynnets.tasks import cartpole as cp


def lagrangian_rhs(t, s, force):
    """Cart with uniform rods hinged at one end (rod CoM at x + l sin theta,
    inertia m l^2 / 3 about it), written as the mass-matrix system
    M(q) q'' = f(q, q') and solved: an independent route to Wieland's equations."""
    n = (s.size - 2) // 2
    g, M, muc, mup = 9.8, 1.0, 0.0005, 0.000002
    m = np.array([0.1, 0.01])[:n]
    l = np.array([0.5, 0.05])[:n]
    th, w = s[2::2], s[3::2]
    A = np.zeros((n + 1, n + 1))
    b = np.zeros(n + 1)
    A[0, 0] = M + m.sum()
    A[0, 1:] = m * l * np.cos(th)
    b[0] = force - muc * np.sign(s[1]) + np.sum(m * l * np.sin(th) * w**2)
    for i in range(n):
        A[1 + i, 0] = m[i] * l[i] * np.cos(th[i])
        A[1 + i, 1 + i] = 4.0 / 3.0 * m[i] * l[i] ** 2
        b[1 + i] = m[i] * g * l[i] * np.sin(th[i]) - mup * w[i]
    acc = np.linalg.solve(A, b)
    d = np.empty_like(s)
    d[0], d[1] = s[1], acc[0]
    d[2::2], d[3::2] = w, acc[1:]
    return d


def rk4(f, s, h, *args):
    k1 = f(0, s, *args)
    k2 = f(0, s + h / 2 * k1, *args)
    k3 = f(0, s + h / 2 * k2, *args)
    k4 = f(0, s + h * k3, *args)
    return s + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)


@pytest.mark.parametrize("state", [[0.3, 0.5, 0.2, -0.4, -0.1, 1.5], [-1.0, -0.2, -0.3, 0.7]])
@pytest.mark.parametrize("action", [0.0, 0.37, 1.0])
def test_step_matches_lagrangian_equations(state, action):
    s = np.array(state)
    force = 20.0 * (action - 0.5)
    got = cp.cartpole_step(s, action)
    # the same two RK4 steps of 0.01 s on the mass-matrix equations: equal to rounding
    same = rk4(lagrangian_rhs, rk4(lagrangian_rhs, s, 0.01, force), 0.01, force)
    np.testing.assert_allclose(got, same, rtol=0, atol=1e-13)
    # and close to the exact flow (RK4's truncation error, largest for the short pole)
    exact = solve_ivp(lagrangian_rhs, (0, 0.02), s, method="DOP853", rtol=1e-12, atol=1e-13, args=(force,)).y[:, -1]
    np.testing.assert_allclose(got, exact, rtol=0, atol=3e-5)
    assert np.max(np.abs(got - s)) > 1e-3  # it moved


def test_rest_is_an_equilibrium_and_a_tilted_pole_falls_its_way():
    np.testing.assert_array_equal(cp.cartpole_step(np.zeros(6), 0.5), np.zeros(6))
    s = cp.standard_start()
    for _ in range(10):
        s = cp.cartpole_step(s, 0.5)
    assert s[2] > cp.START_ANGLE and s[3] > 0  # falls further
    assert s[0] < 0  # and pushes the cart back


def python_episode(net, start, n_poles, velocities, max_steps, dt):
    """The controller and the body stepped in Python: NumPy CTRNN Euler step,
    cartpole_step, failure test and Gruau's damping fitness."""
    W, tau, bias, gain, Win = net.weights, net.tau, net.bias, net.gain, net.input_weights
    sig = lambda x: 1.0 / (1.0 + np.exp(-x))
    y = np.zeros(net.n_neurons)
    o = sig(gain * bias)
    s = np.array(start, dtype=float)
    jig = []
    t = 0
    while t < max_steps:
        if velocities:
            u = s / np.array([4.8, 2.0] + [0.52, 2.0] * n_poles)
        else:
            u = np.concatenate([[s[0] / 4.8], s[2::2] / 0.52])
        y = y + dt / tau * (-y + o @ W + u @ Win)
        o = sig(gain * (y + bias))
        s = cp.cartpole_step(s, o[0])
        if abs(s[0]) > 2.4 or np.any(np.abs(s[2::2]) > 0.628329):
            break
        jig.append(np.abs(s[:4]).sum())
        t += 1
    f = 0.1 * t / 1000 + (0.9 * 0.75 / np.sum(jig[-100:]) if t >= 100 else 0.0)
    return t, f


@pytest.mark.parametrize(("n_poles", "velocities"), [(2, False), (2, True), (1, False)])
def test_balance_equals_python_loop(n_poles, velocities):
    m = cp.n_observations(n_poles, velocities)
    rng = np.random.default_rng(3)
    # a hand-made PD-like controller plus noise: balances for a while, then fails
    nets = CTRNN.random(3, population=6, n_inputs=m, tau_range=(0.02, 0.1), weight_range=(-3, 3),
                        input_weight_range=(-20, 20), bias_range=(-2, 2), seed=rng)
    starts = cp.generalization_starts()[[0, 312, 624]][:, : 2 + 2 * n_poles]
    res = cp.balance(nets, starts, n_poles=n_poles, velocities=velocities, max_steps=300)
    assert res.steps.shape == (6, 3)
    for p in range(6):
        for k in range(3):
            t, f = python_episode(nets[p], starts[k], n_poles, velocities, 300, 0.02)
            assert res.steps[p, k] == t
            assert res.fitness[p, k] == pytest.approx(f, rel=1e-9)
    # a single network gives its row of the population
    one = cp.balance(nets[4], starts, n_poles=n_poles, velocities=velocities, max_steps=300)
    np.testing.assert_array_equal(one.steps[0], res.steps[4])


def test_pd_control_balances_a_single_pole():
    # A one-neuron network with tau = dt passes sigma(k . observation) through:
    # pushing towards the fall with a derivative term balances the pole (which
    # checks the signs of the physics and the observation); without it, it falls.
    def pd(kx, kv, kt, kw):
        return CTRNN(np.zeros((1, 1)), 0.02, 0.0, 1.0, np.array([[kx], [kv], [kt], [kw]]))

    r = cp.balance(pd(1, 2, 20, 4), n_poles=1, velocities=True)
    assert r.steps[0, 0] == 1000 and r.fitness[0, 0] > 0.1
    t, f = python_episode(pd(1, 2, 20, 4), cp.standard_start(1), 1, True, 1000, 0.02)
    assert t == 1000 and r.fitness[0, 0] == pytest.approx(f, rel=1e-9)
    assert cp.balance(pd(2, 0, 40, 0), n_poles=1, velocities=True).steps[0, 0] < 1000


def test_generalization_starts():
    g = cp.generalization_starts()
    assert g.shape == (625, 6)
    assert len({tuple(r) for r in g}) == 625
    np.testing.assert_allclose(g[:, :4].max(axis=0), 0.9 * np.array([2.16, 1.35, 0.0628319, 0.1500983]), rtol=1e-5)
    np.testing.assert_array_equal(g[:, 4:], 0.0)


def test_trajectory_records_the_episode():
    net = CTRNN.random(3, n_inputs=3, tau_range=(0.02, 0.1), seed=5)
    states, outs = cp.trajectory(net, n_steps=400)
    t = cp.balance(net, max_steps=400).steps[0, 0]
    assert states.shape == (min(t + 1, 400) + 1, 6) and outs.shape == (min(t + 1, 400), 3)
    assert np.all(np.isfinite(states))
    s = cp.standard_start()
    for k in range(3):  # the recorded actions reproduce the recorded states
        s = cp.cartpole_step(s, outs[k, 0])
        np.testing.assert_allclose(states[k + 1], s, rtol=1e-12)


def test_bad_input():
    net = CTRNN.random(2, n_inputs=3, seed=0)
    with pytest.raises(ValueError, match="n_poles"):
        cp.balance(net, n_poles=3)
    with pytest.raises(ValueError, match="input_weights"):
        cp.balance(net, velocities=True)
    with pytest.raises(ValueError, match="starts"):
        cp.balance(net, np.zeros((2, 5)))
    with pytest.raises(ValueError, match="dt"):
        cp.balance(CTRNN.random(2, n_inputs=3, tau_range=(0.001, 0.002), seed=0))
    with pytest.raises(ValueError, match="output"):
        cp.balance(net, output=2)
    with pytest.raises(ValueError, match="action"):
        cp.cartpole_step(np.zeros(6), 1.5)
    with pytest.raises(ValueError, match="state"):
        cp.cartpole_step(np.zeros(5), 0.5)
    with pytest.raises(TypeError, match="net"):
        cp.balance(np.zeros((2, 2)))
