"""CTRNN equations, Jacobian and kernels against plain NumPy references."""

import numba
import numpy as np
import pytest

import dynnets as dn
from dynnets.models.ctrnn import ctrnn_rhs


def numpy_field(net, y, I):
    """Beer's equation written out with an explicit double loop (w_ji: j -> i)."""
    n = net.n_neurons
    o = 1.0 / (1.0 + np.exp(-net.gain * (y + net.bias)))
    f = np.empty(n)
    for i in range(n):
        drive = sum(net.weights[j, i] * o[j] for j in range(n))
        f[i] = (-y[i] + drive + I[i]) / net.tau[i]
    return f


def numpy_simulate(net, y0, dt, n_steps, method, currents):
    """Plain Euler / RK4 with the current held within each step."""
    y = np.array(y0, float)
    out = [y.copy()]
    for k in range(n_steps):
        I = currents[k]
        if method == "euler":
            y = y + dt * numpy_field(net, y, I)
        else:
            k1 = numpy_field(net, y, I)
            k2 = numpy_field(net, y + dt / 2 * k1, I)
            k3 = numpy_field(net, y + dt / 2 * k2, I)
            k4 = numpy_field(net, y + dt * k3, I)
            y = y + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        out.append(y.copy())
    return np.array(out)


def test_weight_orientation_source_is_the_row():
    # only a connection from neuron 0 to neuron 1; neuron 0 saturated on
    W = np.zeros((2, 2))
    W[0, 1] = 5.0
    net = dn.CTRNN(W, tau=1.0, bias=[50.0, 0.0])
    f = np.empty(2)
    ctrnn_rhs(0.0, np.zeros(2), net.params(), f)
    # neuron 1 receives 5 * sigma(50) ~ 5 from neuron 0; neuron 0 receives nothing
    np.testing.assert_allclose(f, [0.0, 5.0], atol=1e-12)


def test_rhs_matches_numpy_reference():
    rng = np.random.default_rng(0)
    net = dn.CTRNN.random(6, seed=1, gain_range=(0.5, 2.0))
    for _ in range(5):
        y, I = rng.normal(size=6) * 3, rng.normal(size=6)
        f = np.empty(6)
        ctrnn_rhs(0.0, y, net.params(I), f)
        np.testing.assert_allclose(f, numpy_field(net, y, I), rtol=1e-13, atol=1e-13)


def test_jacobian_matches_central_differences():
    rng = np.random.default_rng(2)
    net = dn.CTRNN.random(5, seed=3, weight_range=(-4, 4), bias_range=(-2, 2), gain_range=(0.5, 2))
    y = rng.normal(size=5)
    J = net.jacobian(y)
    h = 1e-6
    J_fd = np.empty((5, 5))
    for k in range(5):
        e = np.zeros(5)
        e[k] = h
        J_fd[:, k] = (numpy_field(net, y + e, np.zeros(5)) - numpy_field(net, y - e, np.zeros(5))) / (2 * h)
    np.testing.assert_allclose(J, J_fd, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_single_simulation_matches_numpy(method):
    rng = np.random.default_rng(4)
    net = dn.CTRNN.random(4, seed=5, n_inputs=2, weight_range=(-6, 6), bias_range=(-3, 3))
    u = rng.normal(size=(200, 2))
    y0 = rng.normal(size=4)
    sol = dn.simulate(net, y0, dt=0.05, inputs=u, method=method)
    ref = numpy_simulate(net, y0, 0.05, 200, method, u @ net.input_weights)
    assert sol.y.shape == (201, 4)
    np.testing.assert_allclose(sol.y, ref, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(sol.t, 0.05 * np.arange(201))


@pytest.mark.parametrize("method", ["euler", "heun", "rk4"])
def test_population_equals_each_network_alone(method):
    P, n = 70, 5  # more than one block, last block partial
    rng = np.random.default_rng(6)
    pop = dn.CTRNN.random(n, population=P, seed=7, n_inputs=3, weight_range=(-5, 5), bias_range=(-3, 3))
    u = rng.normal(size=(120, P, 3))
    y0 = rng.normal(size=(P, n))
    sol = dn.simulate(pop, y0, dt=0.02, inputs=u, method=method, save_every=4)
    assert sol.y.shape == (31, P, n)
    for p in (0, 33, 64, 69):
        one = dn.simulate(pop[p], y0[p], dt=0.02, inputs=u[:, p], method=method, save_every=4)
        np.testing.assert_allclose(sol.y[:, p], one.y, rtol=1e-12, atol=1e-12)
    # a shared input of shape (n_steps, m) is broadcast to every network
    shared = dn.simulate(pop, y0, dt=0.02, inputs=u[:, 0], method=method, save_every=4)
    one = dn.simulate(pop[50], y0[50], dt=0.02, inputs=u[:, 0], method=method, save_every=4)
    np.testing.assert_allclose(shared.y[:, 50], one.y, rtol=1e-12, atol=1e-12)


def test_population_direct_currents_against_numpy():
    P, n = 3, 4
    pop = dn.CTRNN.random(n, population=P, seed=8, weight_range=(-5, 5))
    I = np.random.default_rng(9).normal(size=(50, P, n))
    sol = dn.simulate(pop, dt=0.1, inputs=I, method="rk4")
    for p in range(P):
        ref = numpy_simulate(pop[p], np.zeros(n), 0.1, 50, "rk4", I[:, p])
        np.testing.assert_allclose(sol.y[:, p], ref, rtol=1e-11, atol=1e-11)


def test_population_is_identical_at_any_thread_count():
    pop = dn.CTRNN.random(8, population=200, seed=10)
    y0 = np.random.default_rng(11).normal(size=(200, 8))
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = dn.simulate(pop, y0, dt=0.01, n_steps=300, method="rk4").y
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = dn.simulate(pop, y0, dt=0.01, n_steps=300, method="rk4").y
    finally:
        numba.set_num_threads(before)
    np.testing.assert_array_equal(one, many)


def test_center_crossing_puts_null_surfaces_at_centre():
    W = np.random.default_rng(12).uniform(-10, 10, (4, 4))
    net = dn.CTRNN.center_crossing(W)
    np.testing.assert_allclose(net.bias, -W.sum(axis=0) / 2)
    # with every output at 1/2, each neuron's net input equals -bias: y* = -bias is an equilibrium
    f = np.empty(4)
    ctrnn_rhs(0.0, -net.bias, net.params(), f)
    np.testing.assert_allclose(f, 0.0, atol=1e-12)


def test_random_respects_ranges_and_seed():
    a = dn.CTRNN.random(5, population=10, seed=3, tau_range=(1, 2), weight_range=(-1, 1))
    b = dn.CTRNN.random(5, population=10, seed=3, tau_range=(1, 2), weight_range=(-1, 1))
    np.testing.assert_array_equal(a.weights, b.weights)
    assert a.weights.shape == (10, 5, 5) and a.tau.min() >= 1 and a.tau.max() <= 2
    assert np.abs(a.weights).max() <= 1


def test_mtrnn_groups_and_chain_mask():
    net = dn.mtrnn([4, 3, 2], [1.0, 5.0, 50.0], n_inputs=2, seed=0)
    np.testing.assert_array_equal(net.tau, [1] * 4 + [5] * 3 + [50] * 2)
    # no connection between the first (fast) and the last (slow) group
    assert np.all(net.weights[:4, 7:] == 0) and np.all(net.weights[7:, :4] == 0)
    assert np.all(net.input_weights[:, 4:] == 0)


def test_divergence_names_step_and_unit():
    # forward Euler with dt = 3 tau multiplies y by -2 each step: overflow after ~30 steps
    net = dn.CTRNN([[0.0]], tau=1.0)
    with pytest.raises(dn.DivergenceError, match=r"step 2\d.*unit 0"):
        dn.simulate(net, [1e300], dt=3.0, n_steps=100)
    pop = dn.CTRNN(np.zeros((3, 1, 1)), tau=1.0)
    y0 = [[0.0], [1e300], [0.0]]
    with pytest.raises(dn.DivergenceError, match="item 1"):
        dn.simulate(pop, y0, dt=3.0, n_steps=100)
    sol = dn.simulate(pop, y0, dt=3.0, n_steps=100, nan_ok=True)
    assert list(sol.status) == [0, 1, 0] and np.isnan(sol.y[-1, 1]).all() and np.isfinite(sol.y[:, 0]).all()


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match="tau must be positive"):
        dn.CTRNN(np.zeros((2, 2)), tau=[1.0, -1.0])
    with pytest.raises(ValueError, match="tau must be finite"):
        dn.CTRNN(np.zeros((2, 2)), tau=[1.0, np.nan])
    with pytest.raises(ValueError, match="weights must be square"):
        dn.CTRNN(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="bias must have shape"):
        dn.CTRNN(np.zeros((2, 2)), bias=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="population sizes disagree"):
        dn.CTRNN(np.zeros((3, 2, 2)), tau=np.ones((4, 2)))
    net = dn.CTRNN(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="dt must be > 0"):
        dn.simulate(net, dt=-0.1, n_steps=3)
    with pytest.raises(ValueError, match="y0 must have shape"):
        dn.simulate(net, [0.0, 0.0, 0.0], n_steps=3)
    with pytest.raises(ValueError, match="inputs must have 2 columns"):
        dn.simulate(net, inputs=np.zeros((3, 5)))
    with pytest.raises(ValueError, match="inputs has 2 steps"):
        dn.simulate(net, inputs=np.zeros((2, 2)), n_steps=3)
    with pytest.raises(ValueError, match="give n_steps"):
        dn.simulate(net)
    with pytest.raises(TypeError, match="net must be a CTRNN"):
        dn.simulate("net", n_steps=3)
    with pytest.raises(ValueError, match="low <= high"):
        dn.CTRNN.random(3, weight_range=(1, -1))


def test_size_specialised_population_kernel_gives_the_same_bits(monkeypatch):
    """Small networks run a kernel compiled for their size (sums unrolled, 64
    networks to a block); it must compute exactly what the any-size kernel
    (sums by ``batched_matvec_add``, 16 to a block) computes."""
    from dynnets.models import ctrnn

    pop = dn.CTRNN.random(6, population=70, seed=12, n_inputs=2, weight_range=(-5, 5))
    u = np.random.default_rng(13).normal(size=(80, 70, 2))
    fixed = dn.simulate(pop, dt=0.02, inputs=u, method="rk4").y
    monkeypatch.setattr(ctrnn, "POP_SMALL_N", 0)
    np.testing.assert_array_equal(fixed, dn.simulate(pop, dt=0.02, inputs=u, method="rk4").y)


def test_stepper_takes_the_steps_simulate_takes():
    from dynnets.errors import DivergenceError

    net = dn.CTRNN.random(4, seed=0, n_inputs=2, tau_range=(0.5, 2.0))
    U = np.random.default_rng(1).normal(size=(30, 2))
    sol = dn.simulate(net, np.full(4, 0.1), dt=0.05, n_steps=30, inputs=U, method="rk4")
    st = net.stepper(0.05, method="rk4", y0=np.full(4, 0.1))
    for k in range(30):
        np.testing.assert_array_equal(st(U[k] if k % 2 else list(U[k])), sol.y[k + 1])  # a list converts
    assert st.steps == 30 and st.t == pytest.approx(1.5)
    # a population: its own inputs per network, or one input row for all, network by network as simulate
    pop = dn.CTRNN.random(3, population=5, seed=2)  # direct currents: m = n
    Up = np.random.default_rng(3).normal(size=(20, 5, 3))
    sp = pop.stepper(0.1)
    own = np.array([sp(Up[k]).copy() for k in range(20)])
    np.testing.assert_array_equal(own, dn.simulate(pop, dt=0.1, n_steps=20, inputs=Up).y[1:])
    sp.reset()
    shared = np.array([sp(Up[k, 0]).copy() for k in range(20)])
    np.testing.assert_array_equal(shared, dn.simulate(pop, dt=0.1, n_steps=20, inputs=Up[:, 0]).y[1:])
    sp.reset([0.5, 0.0, -0.5])
    np.testing.assert_array_equal(sp(), dn.simulate(pop, [0.5, 0.0, -0.5], dt=0.1, n_steps=1).y[1])  # no input
    # bad input names its argument; a step to a non-finite state raises and keeps the state
    with pytest.raises(ValueError, match="u must have shape"):
        st(np.ones(3))
    with pytest.raises(ValueError, match="u must have shape"):
        sp(np.ones((4, 3)))
    with pytest.raises(ValueError, match="y0"):
        net.stepper(0.05, y0=np.zeros(5))
    with pytest.raises(ValueError, match="dt"):
        net.stepper(0.0)
    before = sp.y.copy()
    u = np.zeros((5, 3))
    u[3, 1] = np.inf
    with pytest.raises(DivergenceError, match="unit 1") as err:
        sp(u)
    assert err.value.item == 3
    np.testing.assert_array_equal(sp.y, before)
    assert sp.steps == 1
