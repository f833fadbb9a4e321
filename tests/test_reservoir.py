"""Echo state reservoirs against a plain NumPy reference (and ReservoirPy when
installed), topologies, batching and closed-loop generation."""

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from dynnets.models import topology
from dynnets.models.reservoir import Reservoir, _run_item
from dynnets.tasks import mackey_glass
from dynnets.train import ESN


def _reference(res, u, fb=None, x0=None):
    """x(t) = (1 - a) x(t-1) + a tanh(W x(t-1) + W_in u(t) + W_fb y(t-1) + b)"""
    W = res.W.toarray()
    x = np.zeros(res.n_units) if x0 is None else x0.copy()
    y_prev = np.zeros(res.n_feedback)
    out = []
    for t in range(len(u)):
        pre = W @ x + res.W_in @ u[t] + res.W_fb @ y_prev + res.bias
        f = pre if res.activation == "identity" else np.tanh(pre)
        x = (1 - res.leak) * x + res.leak * f
        out.append(x)
        if fb is not None:
            y_prev = fb[t]
    return np.array(out)


def test_run_matches_numpy_reference_step_by_step():
    rng = np.random.default_rng(0)
    res = Reservoir.random(80, 3, spectral_radius=1.1, leak=0.4, bias_scaling=0.5, n_feedback=2, seed=1)
    u = rng.uniform(-1, 1, (300, 3))
    y = rng.uniform(-1, 1, (300, 2))
    x0 = rng.uniform(-0.5, 0.5, 80)
    np.testing.assert_allclose(res.run(u, x0, feedback=y), _reference(res, u, y, x0), rtol=0, atol=1e-12)
    lin = Reservoir(res.W * 0.5, res.W_in, leak=0.7, activation="identity")
    np.testing.assert_allclose(lin.run(u), _reference(lin, u), rtol=0, atol=1e-12)


def test_batches_lists_stacks_and_row_parallel_path_agree_exactly():
    rng = np.random.default_rng(2)
    a = Reservoir.random(60, 2, leak=0.5, seed=3)
    b = Reservoir.random(40, 2, leak=0.9, topology="small_world", seed=4)
    u1, u2 = rng.uniform(-1, 1, (120, 2)), rng.uniform(-1, 1, (120, 2))
    X1 = a.run(u1)
    batch = a.run(np.stack([u1, u2], axis=1))
    assert batch.shape == (120, 2, 60)
    np.testing.assert_array_equal(batch[:, 0], X1)
    np.testing.assert_array_equal(batch[:, 1], a.run(u2))
    ragged = a.run([u1, u2[:50]])
    np.testing.assert_array_equal(ragged[1], a.run(u2[:50]))
    both = Reservoir.stack([a, b])
    Xa, Xb = both.split(both.run(np.stack([u1, u2], axis=1)))
    np.testing.assert_array_equal(Xa[:, 1], a.run(u2))
    np.testing.assert_array_equal(Xb[:, 0], b.run(u1))
    # a reservoir large enough for the row-parallel kernel gives the serial result
    big = Reservoir.random(400, 1, density=0.2, seed=5)
    assert big.W.nnz >= 20_000
    u = rng.uniform(-1, 1, (50, 1))
    Xs = np.empty((50, 400))
    _run_item(*big._kernel_args(), 0, u, np.zeros((50, 0)), 0, 50, np.zeros(400), Xs)
    np.testing.assert_array_equal(big.run(u), Xs)


def test_blocks_of_more_than_2_16_units_use_32_bit_indices():
    """Column indices are uint16 up to 2**16 units per block, uint32 beyond:
    both against NumPy, on the serial and the row-parallel kernel."""
    rng = np.random.default_rng(3)
    small = Reservoir.random(50, 1, seed=1)
    assert small._kernel_args()[1].dtype == np.uint16
    n = 70_000
    rows = np.repeat(np.arange(n), 3)
    W = sp.csr_array((rng.uniform(-0.3, 0.3, rows.size), (rows, rng.integers(0, n, rows.size))), shape=(n, n))
    res = Reservoir(W, rng.uniform(-1, 1, (n, 1)), leak=0.5)
    assert res._kernel_args()[1].dtype == np.uint32
    u = rng.uniform(-1, 1, (3, 1))
    # (_reference's dense W would take 39 GB)
    x, ref = np.zeros(n), []
    for t in range(3):
        x = 0.5 * x + 0.5 * np.tanh(res.W @ x + res.W_in @ u[t])
        ref.append(x)
    np.testing.assert_allclose(res.run(u), ref, rtol=0, atol=1e-12)
    Xs = np.empty((3, n))
    _run_item(*res._kernel_args(), 0, u, np.zeros((3, 0)), 0, 3, np.zeros(n), Xs)
    np.testing.assert_array_equal(res.run(u), Xs)


def test_long_single_run_hands_states_to_a_writer_thread_and_gets_the_serial_ones():
    """A run of at least 2**20 states steps on one thread and writes the states
    out on another (with a second core): the serial kernel's states, exactly;
    the step of a divergence as well. With a writer that has not started, the
    stepping thread writes every batch the ring cannot hold itself."""
    import threading

    from dynnets.errors import DivergenceError, NumericalWarning
    from dynnets.models import reservoir as rm

    rng = np.random.default_rng(11)
    res = Reservoir.random(100, 1, leak=0.3, bias_scaling=0.2, seed=12)
    T = rm._HAND_OVER_STATES // 100 + 77  # not a whole number of batches
    u, x0 = rng.uniform(-1, 1, (T, 1)), rng.uniform(-0.5, 0.5, 100)
    serial = np.empty((T, 100))
    _run_item(*res._kernel_args(), 0, u, np.zeros((T, 0)), 0, T, x0, serial)
    np.testing.assert_array_equal(res.run(u, x0), serial)  # handed over where there are two threads
    if rm.HAND_OVER:  # (POSIX: the writer yields with sched_yield)
        X = np.empty((T, 100))
        assert res._run_handed_over(u, np.zeros((T, 0)), x0, X) == -1  # at any thread count
        np.testing.assert_array_equal(X, serial)

    val, col, coff, clen, units, _, W_inT, bias, leak, W_fbT, linear, _ = res._kernel_args()
    ring, flags, X = np.empty((64, bias.size)), np.zeros(rm._N_FLAGS, np.int64), np.full((T, 100), np.nan)
    direct = np.zeros(-(-T // rm._BATCH), np.bool_)
    assert rm._run_ahead(val, col, coff, clen, units[:100], W_inT, bias, leak, W_fbT, linear, u, np.zeros((T, 0)),
                         rm._to_slots(x0, units[:100], bias.size), ring, direct, flags, X) == -1
    assert not direct[:64 // rm._BATCH].any() and direct[64 // rm._BATCH:].all()
    rm._write_behind(units[:100], ring, direct, flags, X)  # the ring's two batches
    np.testing.assert_array_equal(X, serial)

    with pytest.warns(NumericalWarning, match="spectral_radius"):
        boom = Reservoir.random(100, 1, spectral_radius=50.0, density=0.5, activation="identity", leak=1.0, seed=0)
    with pytest.raises(DivergenceError) as err:
        boom.run(np.ones((T, 1)))
    with pytest.raises(DivergenceError) as short:  # below the threshold: the serial kernel
        boom.run(np.ones((1000, 1)))
    assert (err.value.step, err.value.unit) == (short.value.step, short.value.unit)
    assert not [t for t in threading.enumerate() if t.name == "dynnets-writer"]  # every writer has ended


def test_same_states_as_reservoirpy():
    import reservoirpy.nodes as rpy  # a test dependency: the cross-check must run
    rng = np.random.default_rng(6)
    res = Reservoir.random(100, 2, leak=0.3, bias_scaling=0.3, seed=7)
    u = rng.uniform(-1, 1, (400, 2))
    node = rpy.Reservoir(W=res.W.tocsr(), Win=res.W_in, bias=res.bias, lr=res.leak)
    np.testing.assert_allclose(res.run(u), node.run(u), rtol=0, atol=1e-10)


def test_topologies_have_their_structure_and_spectral_radius():
    W = topology.erdos_renyi(500, 0.05, rho=0.8, seed=0)
    assert W.nnz == round(0.05 * 500**2)
    lam = np.abs(np.linalg.eigvals(W.toarray())).max()
    assert abs(lam - 0.8) < 1e-8
    assert abs(topology.spectral_radius(W) - lam) < 1e-8
    sw = topology.small_world(100, k=4, p=0.0, rho=None, seed=1)
    # a ring lattice: every unit has its 4 neighbours, in both directions
    assert sw.nnz == 400 and np.array_equal((sw != 0).toarray(), (sw != 0).toarray().T)
    ba = topology.scale_free(300, m=2, rho=0.9, seed=2)
    deg = np.diff(ba.indptr)
    assert deg.max() > 5 * np.median(deg)  # hubs
    c = topology.simple_cycle(7, 0.6)
    np.testing.assert_allclose(np.abs(np.linalg.eigvals(c.toarray())), 0.6)
    assert topology.spectral_radius(topology.delay_line(6, 0.5)) == 0.0
    cj = topology.cycle_with_jumps(12, 0.7, 0.3, 3).toarray()
    assert cj[3, 0] == 0.3 and cj[0, 3] == 0.3 and cj[1, 0] == 0.7
    G = nx.DiGraph([(0, 1), (1, 2), (2, 0)])
    Wg = topology.from_graph(G, rho=None, seed=0).toarray()
    assert Wg[1, 0] != 0 and Wg[0, 1] == 0  # edge 0 -> 1 is W[1, 0]
    q = topology.orthogonal(30, 0.9, seed=3).toarray()
    np.testing.assert_allclose(q @ q.T, 0.81 * np.eye(30), atol=1e-12)
    with pytest.raises(ValueError, match="nilpotent"):
        topology.scale_spectral_radius(topology.delay_line(5), 0.9)


def test_forecast_mackey_glass_closed_loop():
    x = mackey_glass(3200, discard=500)
    s = np.tanh(x - 1.0)
    res = Reservoir.random(300, 1, spectral_radius=1.0, density=0.03, input_scaling=1.0, bias_scaling=0.2,
                           leak=0.3, seed=0)
    esn = ESN(res, ridge=1e-10, washout=200).fit(s[:2499], s[1:2500])
    starts = np.arange(2500, 2500 + 8 * 80, 80)
    warm = np.stack([s[a - 300:a] for a in starts], axis=1)[:, :, None]
    y = esn.generate(84, warm)
    assert y.shape == (84, 8, 1)
    # first forecast equals the open-loop prediction; later ones are closed loop
    np.testing.assert_allclose(y[0, 0], esn.predict(s[starts[0] - 300:starts[0]])[-1], atol=1e-12)
    err = np.arctanh(y[83, :, 0]) - np.arctanh(s[starts + 83])
    assert np.sqrt(np.mean(err**2) / np.var(x)) < 1e-2


@pytest.mark.parametrize("stacked", [False, True])
def test_generate_with_output_feedback_matches_manual_loop(stacked):
    """One reservoir, or a stack of two whose readout spans both blocks."""
    rng = np.random.default_rng(8)
    if stacked:
        res = Reservoir.stack([Reservoir.random(20, 1, n_feedback=1, feedback_scaling=0.5, seed=9),
                               Reservoir.random(30, 1, n_feedback=1, leak=0.6, seed=10)])
    else:
        res = Reservoir.random(50, 1, n_feedback=1, feedback_scaling=0.5, seed=9)
    coef, b = rng.normal(size=(51, 1)) * 0.1, np.array([0.05])
    u = rng.uniform(-1, 1, (30, 1))
    x0, y0 = rng.uniform(-0.5, 0.5, 50), np.array([0.2])
    Y, X = res.generate(coef, b, x0, y0, 30, to_input=False, u=u)
    x, y = x0, y0
    W = res.W.toarray()
    for t in range(30):
        x = (1 - res.leak) * x + res.leak * np.tanh(W @ x + res.W_in @ u[t] + res.W_fb @ y + res.bias)
        y = coef[:1].T @ u[t] + coef[1:].T @ x + b
        np.testing.assert_allclose(X[t], x, atol=1e-12)
        np.testing.assert_allclose(Y[t], y, atol=1e-12)


def test_bad_input_names_the_argument():
    res = Reservoir.random(20, 2, seed=0)
    with pytest.raises(ValueError, match="u must have shape"):
        res.run(np.zeros((10, 3)))
    with pytest.raises(ValueError, match="leak"):
        Reservoir(res.W, res.W_in, leak=1.5)
    with pytest.raises(ValueError, match="spectral_radius"):
        Reservoir.random(20, 1, spectral_radius=-1)
    with pytest.raises(ValueError, match="W_in"):
        Reservoir(res.W, np.zeros((19, 2)))
    with pytest.raises(ValueError, match="finite"):
        res.run(np.full((5, 2), np.nan))
    with pytest.raises(ValueError, match="washout"):
        ESN(res, washout=50).fit(np.zeros((40, 2)), np.zeros(40))
    with pytest.raises(ValueError, match="feedback"):
        Reservoir.random(20, 1, n_feedback=1, seed=0).run(np.zeros((5, 1)))
    with pytest.raises(ValueError, match="blocks"):
        Reservoir(sp.csr_array(np.ones((4, 4))), np.ones((4, 1)), blocks=[0, 2, 4])


def test_memory_capacity_of_linear_orthogonal_reservoir_is_close_to_n():
    from dynnets.analysis import memory_capacity

    res = Reservoir.random(40, 1, spectral_radius=0.9, topology="orthogonal", activation="identity",
                           input_scaling=0.1, seed=0)
    mc = memory_capacity(res, 80, n_train=4000, seed=1)
    assert 0.95 * 40 < mc.total <= 40.5
    assert mc.mc[:20].min() > 0.95 and mc.mc[60:].max() < 0.1  # remembers ~N steps, then forgets


def test_echo_state_property_holds_below_and_fails_above_unit_radius():
    from dynnets.analysis import echo_state_distance

    u = np.random.default_rng(0).uniform(-0.1, 0.1, (400, 1))
    d_ok = echo_state_distance(Reservoir.random(50, 1, spectral_radius=0.8, seed=1), u, seed=2)
    d_bad = echo_state_distance(Reservoir.random(50, 1, spectral_radius=1.5, seed=1), u, seed=2)
    assert d_ok[-1] < 1e-10 * d_ok[0] and d_bad[-1] > 0.1 * d_bad[0]


def test_lyapunov_at_the_zero_fixed_point_is_log_radius_of_the_jacobian():
    from dynnets.analysis import reservoir_lyapunov

    for act in ("tanh", "identity"):  # zero input and bias: x = 0 stays, J = (1 - a) I + a W
        res = Reservoir.random(60, 1, spectral_radius=0.95, density=0.2, bias_scaling=0.0, leak=0.3,
                               activation=act, seed=2)
        M = np.diag(1 - res.leak) + res.leak[:, None] * res.W.toarray()
        expected = np.log(np.abs(np.linalg.eigvals(M)).max())
        assert reservoir_lyapunov(res, np.zeros((4000, 1)), washout=500, seed=0) == pytest.approx(expected, abs=1e-3)


def test_lyapunov_matches_numpy_tangent_loop_and_stacks():
    from dynnets.analysis import reservoir_lyapunov

    res = Reservoir.random(40, 1, spectral_radius=2.0, density=0.3, leak=0.5, n_feedback=1, seed=3)
    u = np.random.default_rng(1).uniform(-1, 1, (1500, 1))
    coef = np.random.default_rng(2).normal(0, 0.1, (40, 1))
    v = np.random.default_rng(0).standard_normal(40)
    v /= np.linalg.norm(v)
    x, total = np.zeros(40), 0.0
    W = res.W.toarray()
    for t in range(1500):  # closed loop: z = coef^T x fed back through W_fb
        z = coef.T @ x
        pre = W @ x + res.W_in @ u[t] + res.W_fb @ z + res.bias
        J = np.diag(1 - res.leak) + (res.leak * (1 - np.tanh(pre) ** 2))[:, None] * (W + res.W_fb @ coef.T)
        x = (1 - res.leak) * x + res.leak * np.tanh(pre)
        v = J @ v
        n = np.linalg.norm(v)
        v /= n
        total += np.log(n) if t >= 100 else 0.0
    assert reservoir_lyapunov(res, u, washout=100, coef=coef, seed=0) == pytest.approx(total / 1400, abs=1e-12)
    # a stack gives one exponent per block and input sequence, each as if run alone
    rs = [Reservoir.random(30, 1, spectral_radius=r, density=0.3, leak=0.5, seed=4) for r in (0.5, 3.0)]
    U = np.stack([u, 0.0 * u], axis=1)
    lam = reservoir_lyapunov(Reservoir.stack(rs), U, washout=100, seed=5)
    assert lam.shape == (2, 2) and lam[0, 0] < 0 < lam[1, 1]  # undriven, the large radius is chaotic
    for s in range(2):  # block 0 starts from the same tangent vector as alone (the first 30 draws)
        assert lam[0, s] == pytest.approx(reservoir_lyapunov(rs[0], U[:, s], washout=100, seed=5), abs=1e-12)
        assert lam[1, s] == pytest.approx(reservoir_lyapunov(rs[1], U[:, s], washout=100, seed=6), abs=0.02)


def test_narma10_nrmse_below_0_2_with_500_units():
    from dynnets.tasks import narma, nrmse

    u, y = narma(5000, seed=0)
    res = Reservoir.random(500, 1, spectral_radius=0.9, density=0.04, input_scaling=0.2, seed=1)
    esn = ESN(res, ridge=1e-8, washout=200).fit(u[:4000], y[:4000])
    assert nrmse(y[4000:], esn.predict(u[4000:], x0=esn.last_state_)[:, 0]) < 0.2


def test_sequence_classification_end_to_end():
    """Ragged sequences of noisy sines, classified by frequency from the mean
    energy of the reservoir states (its gain depends on frequency); the raw
    inputs' mean energy carries no class information."""
    from dynnets.train import RidgeClassifier

    rng = np.random.default_rng(7)
    freqs = np.array([0.05, 0.1, 0.2])
    labels = rng.integers(0, 3, 150)
    seqs = [np.sin(2 * np.pi * freqs[c] * np.arange(n) + rng.uniform(0, 2 * np.pi))[:, None]
            + rng.normal(0, 0.2, (n, 1)) for c, n in zip(labels, rng.integers(40, 80, 150))]
    res = Reservoir.random(50, 1, spectral_radius=0.9, leak=0.5, input_scaling=1.0, seed=8)
    states = [X[20:] ** 2 for X in res.run(seqs)]  # one parallel call for the ragged list; drop a washout
    clf = RidgeClassifier(1e-3, pooling="mean").fit(states[:100], labels[:100])
    assert clf.score(states[100:], labels[100:]) >= 0.9
    energy = [u ** 2 for u in seqs]
    raw = RidgeClassifier(1e-3, pooling="mean").fit(energy[:100], labels[:100])
    assert raw.score(energy[100:], labels[100:]) < 0.6


def test_divergence_names_step_unit_and_sequence():
    from dynnets.errors import DivergenceError

    # a linear reservoir with radius 50 overflows: 50^t passes 1e308 after ~182 steps
    res = Reservoir.random(40, 1, spectral_radius=50.0, density=0.5, activation="identity", leak=1.0, seed=0)
    u = np.ones((400, 1))
    with pytest.raises(DivergenceError) as err:
        res.run(u)
    t = err.value.step
    assert 150 < t < 250
    # the reported step is the first with a non-finite state: the steps before are finite
    X = res.run(u[:t])
    assert np.all(np.isfinite(X))
    with pytest.raises(DivergenceError) as err2:  # second sequence of a batch, which alone diverges
        res.run(np.stack([np.zeros((400, 1)), u], axis=1))
    assert err2.value.step == t and err2.value.item == 1
    big = Reservoir.random(300, 1, spectral_radius=50.0, density=0.5, activation="identity", leak=1.0, seed=0)
    with pytest.raises(DivergenceError):  # the row-parallel path (nnz >= 20000)
        big.run(u)
