"""Recurrent cells: forward passes against plain NumPy transcriptions of the
papers' equations and against PyTorch (float64), gradients against central
differences and against autograd, RTRL against BPTT, Jacobians, batches,
weight conversion and bad input."""

import numpy as np
import pytest

from dynnets.models.cells import (
    GRU,
    LSTM,
    Elman,
    FullyRecurrent,
    IndRNN,
    Jordan,
    SecondOrder,
)


def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


MAKE = {
    "elman": lambda s: Elman.random(3, 4, scale=0.8, seed=s),
    "elman_relu": lambda s: Elman.random(3, 4, scale=0.8, seed=s, nonlinearity="relu"),
    "fully_recurrent": lambda s: FullyRecurrent.random(3, 4, scale=0.8, seed=s, n_outputs=2),
    "jordan": lambda s: Jordan.random(3, 5, 2, scale=0.8, seed=s),
    "indrnn": lambda s: IndRNN.random(3, 4, seed=s, u_max=0.9),
    "indrnn_tanh": lambda s: IndRNN.random(3, 4, seed=s, nonlinearity="tanh"),
    "second_order": lambda s: SecondOrder.random(3, 4, scale=0.8, seed=s),
    "lstm": lambda s: LSTM.random(3, 4, scale=0.8, seed=s),
    "lstm_peephole": lambda s: LSTM.random(3, 4, scale=0.8, seed=s, variant="V"),
    "lstm_cifg": lambda s: LSTM.random(3, 4, scale=0.8, seed=s, variant="CIFG"),
    "gru": lambda s: GRU.random(3, 4, scale=0.8, seed=s),
    "gru_cho": lambda s: GRU.random(3, 4, scale=0.8, seed=s, reset="before"),
}


def reference_step(cell, x, h, c):
    """One step of each cell, written from its paper's equations in NumPy."""
    if isinstance(cell, IndRNN):
        a = cell.W_ih @ x + cell.u * h + cell.b
        return (np.maximum(a, 0) if cell.nonlinearity == "relu" else np.tanh(a)), None
    if isinstance(cell, Elman):
        a = cell.W_ih @ x + cell.b_ih + cell.W_hh @ h + cell.b_hh
        return {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0), "sigmoid": sig}[cell.nonlinearity](a), None
    if isinstance(cell, Jordan):
        u = np.tanh(cell.W_ih @ x + cell.W_hy @ h + cell.b)
        return cell.W_out @ u + cell.b_out, None
    if isinstance(cell, SecondOrder):
        return sig(np.einsum("ijk,j,k->i", cell.W, h, x) + cell.b), None
    if isinstance(cell, GRU):
        n = cell.n_hidden
        Wi, Wh, bi, bh = cell.W_ih, cell.W_hh, cell.b_ih, cell.b_hh
        r = sig(Wi[:n] @ x + bi[:n] + Wh[:n] @ h + bh[:n])
        z = sig(Wi[n:2 * n] @ x + bi[n:2 * n] + Wh[n:2 * n] @ h + bh[n:2 * n])
        if cell.reset == "after":
            nn = np.tanh(Wi[2 * n:] @ x + bi[2 * n:] + r * (Wh[2 * n:] @ h + bh[2 * n:]))
        else:
            nn = np.tanh(Wi[2 * n:] @ x + bi[2 * n:] + Wh[2 * n:] @ (r * h) + bh[2 * n:])
        return (1 - z) * nn + z * h, None
    n = cell.n_hidden
    a = cell.W_ih @ x + cell.b_ih + cell.W_hh @ h + cell.b_hh
    p = cell.peephole
    rows = dict(zip("igo", (0, 1, 2))) if cell.variant == "CIFG" else dict(zip("ifgo", (0, 1, 2, 3)))
    blk = {k: a[v * n:(v + 1) * n] for k, v in rows.items()}
    i = sig(blk["i"] + p[0] * c)
    f = 1 - i if cell.variant == "CIFG" else sig(blk["f"] + p[1] * c)
    c_new = f * c + i * np.tanh(blk["g"])
    o = sig(blk["o"] + p[2] * c_new)
    return o * np.tanh(c_new), c_new


def _problem(name, T=6, B=3, seed=0):
    cell = MAKE[name](seed)
    rng = np.random.default_rng(seed)
    n = cell.n_state
    x = rng.normal(size=(T, B, cell.n_inputs))
    h0 = rng.normal(0, 0.5, (B, n))
    if isinstance(cell, IndRNN) and cell.nonlinearity == "relu":
        h0 = np.abs(h0)  # a state relu can reach
    c0 = rng.normal(0, 0.5, (B, n)) if cell.has_cell_state else None
    wh = rng.normal(size=(T, B, n))  # loss = sum(wh * h) (+ sum(wc * c) for the LSTM)
    wc = rng.normal(size=(T, B, n)) if cell.has_cell_state else None
    return cell, x, h0, c0, wh, wc


def _loss(cell, x, h0, c0, wh, wc):
    r = cell.run(x, h0, c0)
    return np.sum(wh * r.h) + (np.sum(wc * r.c) if wc is not None else 0.0)


@pytest.mark.parametrize("name", MAKE)
def test_forward_matches_the_equations(name):
    cell, x, h0, c0, _, _ = _problem(name, T=5, B=2, seed=5)
    run = cell.run(x, h0, c0)
    for b in range(2):
        h, c = h0[b], (c0[b] if c0 is not None else None)
        for t in range(5):
            h, c = reference_step(cell, x[t, b], h, c)
            np.testing.assert_allclose(run.h[t, b], h, rtol=1e-13, atol=1e-14)
            if c is not None:
                np.testing.assert_allclose(run.c[t, b], c, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("name", MAKE)
def test_gradients_match_central_differences(name):
    cell, x, h0, c0, wh, wc = _problem(name)
    g = cell.gradients(x, wh, h0=h0, c0=c0, dc=wc)
    eps = 1e-6
    arrays = cell.parameters() | {"x": x, "h0": h0}
    if cell.has_cell_state:
        arrays["c0"] = c0
    for key, a in arrays.items():
        num = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            old = a[idx]
            a[idx] = old + eps
            up = _loss(cell, x, h0, c0, wh, wc)
            a[idx] = old - eps
            down = _loss(cell, x, h0, c0, wh, wc)
            a[idx] = old
            num[idx] = (up - down) / (2 * eps)
        err = np.abs(g[key] - num).max() / np.abs(num).max()
        assert err < 1e-6, (key, err)


@pytest.mark.parametrize("name", ["elman", "elman_relu", "lstm", "gru"])
def test_forward_and_gradients_equal_pytorch(name):
    import torch  # a test dependency: the cross-check always runs

    cell, x, h0, c0, wh, wc = _problem(name, T=7, B=2, seed=1)
    if isinstance(cell, LSTM):
        mod = torch.nn.LSTM(3, 4)
    elif isinstance(cell, GRU):
        mod = torch.nn.GRU(3, 4)
    else:
        mod = torch.nn.RNN(3, 4, nonlinearity=cell.nonlinearity)
    mod = mod.double()
    mod.load_state_dict({k: torch.from_numpy(v) for k, v in cell.torch_state().items()})
    X = torch.tensor(x, requires_grad=True)
    H0 = torch.tensor(h0[None], requires_grad=True)
    if cell.has_cell_state:
        C0 = torch.tensor(c0[None], requires_grad=True)
        # torch returns only the last cell state: run step by step to expose c_t
        hs, cs, state = [], [], (H0, C0)
        for t in range(x.shape[0]):
            out, state = mod(X[t:t + 1], state)
            hs.append(out[0])
            cs.append(state[1][0])
        Ht, Ct = torch.stack(hs), torch.stack(cs)
        loss = (Ht * torch.from_numpy(wh)).sum() + (Ct * torch.from_numpy(wc)).sum()
    else:
        Ht, _ = mod(X, H0)
        loss = (Ht * torch.from_numpy(wh)).sum()
    loss.backward()
    run = cell.run(x, h0, c0)
    np.testing.assert_allclose(run.h, Ht.detach().numpy(), atol=1e-12)
    if cell.has_cell_state:
        np.testing.assert_allclose(run.c, Ct.detach().numpy(), atol=1e-12)
    g = cell.gradients(x, wh, h0=h0, c0=c0, dc=wc)
    names = dict(zip(cell.PARAMS, ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")))
    params = dict(mod.named_parameters())
    for p, tname in names.items():
        np.testing.assert_allclose(g[p], params[tname].grad.numpy(), atol=1e-10, err_msg=p)
    np.testing.assert_allclose(g["x"], X.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(g["h0"], H0.grad.numpy()[0], atol=1e-10)
    if cell.has_cell_state:
        np.testing.assert_allclose(g["c0"], C0.grad.numpy()[0], atol=1e-10)


@pytest.mark.parametrize("name", MAKE)
def test_jacobian_matches_finite_differences(name):
    cell, x, h0, c0, _, _ = _problem(name, seed=2)
    xt, h = x[0, 0], h0[0]
    n = h.size

    def step(state):
        if cell.has_cell_state:
            r = cell.run(xt[None], state[:n], state[n:])
            return np.concatenate([r.h[0, 0], r.c[0, 0]])
        return cell.run(xt[None], state).h[0, 0]

    s = np.concatenate([h, c0[0]]) if cell.has_cell_state else h.copy()
    J = cell.jacobian(xt, h, c0[0]) if cell.has_cell_state else cell.jacobian(xt, h)
    num = np.empty_like(J)
    for j in range(s.size):
        e = np.zeros_like(s)
        e[j] = 1e-6
        num[:, j] = (step(s + e) - step(s - e)) / 2e-6
    np.testing.assert_allclose(J, num, atol=1e-8)


@pytest.mark.parametrize("name", ["elman", "lstm", "lstm_peephole", "lstm_cifg", "gru_cho", "jordan"])
def test_batch_items_are_independent_and_gradients_sum(name):
    # 11 sequences: more than the 8 gradient buffers, so buffers hold several;
    # the LSTM steps blocks of 8 together (and a block of 3): each sequence must
    # still get the bits it gets alone
    cell, x, h0, c0, wh, wc = _problem(name, B=11, seed=3)
    full = cell.run(x, h0, c0)
    g = cell.gradients(x, wh, h0=h0, c0=c0, dc=wc)
    parts = []
    for b in range(11):
        cb = c0[b] if c0 is not None else None
        one = cell.run(x[:, b], h0[b], cb)
        np.testing.assert_array_equal(one.h[:, 0], full.h[:, b])
        for part in ("c", "gates"):
            if getattr(one, part) is not None:
                np.testing.assert_array_equal(getattr(one, part)[:, 0], getattr(full, part)[:, b])
        parts.append(cell.gradients(x[:, b], wh[:, b], h0=h0[b], c0=cb, dc=None if wc is None else wc[:, b]))
        np.testing.assert_array_equal(parts[-1]["x"][:, 0], g["x"][:, b])
        np.testing.assert_array_equal(parts[-1]["h0"][0], g["h0"][b])
    for p in cell.PARAMS:
        np.testing.assert_allclose(g[p], sum(q[p] for q in parts), atol=1e-12, err_msg=p)


@pytest.mark.parametrize("name", ["lstm", "gru", "elman"])
def test_torch_state_round_trip(name):
    cell = MAKE[name](0)
    back = type(cell).from_torch_state(cell.torch_state())
    assert all(np.array_equal(getattr(back, p), getattr(cell, p)) for p in cell.PARAMS)


@pytest.mark.parametrize("name,T", [("elman", 8), ("fully_recurrent", 8), ("lstm", 8), ("lstm_peephole", 8),
                                    ("lstm_cifg", 8), ("lstm_peephole", 150)])
def test_rtrl_equals_bptt(name, T):
    # T = 150: the LSTM's backward pass sums its weight gradients in chunks of 64 steps
    cell, x, h0, c0, wh, wc = _problem(name, T=T, B=3, seed=4)
    g = cell.gradients(x, wh, h0=h0, c0=c0, dc=wc)
    r = cell.rtrl(x, wh, h0=h0, c0=c0, dc=wc) if cell.has_cell_state else cell.rtrl(x, wh, h0=h0)
    for p in cell.PARAMS:
        np.testing.assert_allclose(r[p], g[p], atol=1e-10 * max(1.0, np.abs(g[p]).max()), err_msg=p)


def test_indrnn_projection_and_fixed_readouts():
    cell = IndRNN.random(2, 3, seed=0, u_max=0.5)
    cell.u[:] = [0.9, -2.0, 0.1]
    cell.project()
    np.testing.assert_array_equal(cell.u, [0.5, -0.5, 0.1])
    fr = FullyRecurrent.random(2, 5, n_outputs=2, seed=0)
    h = fr.run(np.ones((3, 2))).h
    np.testing.assert_array_equal(fr.readout()(h), fr.outputs(h))
    assert fr.readout().PARAMS == ()


def test_bad_input_names_the_argument():
    cell = LSTM.random(3, 4, seed=0)
    with pytest.raises(ValueError, match="W_hh"):
        LSTM(np.zeros((16, 3)), np.zeros((12, 4)))
    with pytest.raises(ValueError, match="W_hh"):
        LSTM(np.zeros((16, 3)), np.zeros((16, 4)), variant="CIFG")
    with pytest.raises(ValueError, match="variant"):
        LSTM.random(3, 4, variant="peephole")
    with pytest.raises(ValueError, match="peephole"):
        LSTM(np.zeros((16, 3)), np.zeros((16, 4)), peephole=np.zeros((3, 4)))
    with pytest.raises(ValueError, match="reset"):
        GRU.random(3, 4, reset="middle")
    with pytest.raises(ValueError, match="nonlinearity"):
        Elman.random(3, 4, nonlinearity="softplus")
    with pytest.raises(ValueError, match="W_ih"):
        GRU(np.zeros((9, 3)), np.zeros((12, 4)))
    with pytest.raises(ValueError, match="x must have shape"):
        cell.run(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="x must have shape"):
        cell.run(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="h0"):
        cell.run(np.zeros((5, 3)), h0=np.zeros(5))
    with pytest.raises(ValueError, match="c0"):
        Elman.random(3, 4).run(np.zeros((5, 3)), c0=np.zeros(4))
    with pytest.raises(ValueError, match="dh"):
        cell.gradients(np.zeros((5, 3)), np.zeros((4, 1, 4)))
    with pytest.raises(ValueError, match="finite"):
        cell.run(np.full((5, 3), np.nan))
    with pytest.raises(ValueError, match="u_max"):
        IndRNN(np.zeros((2, 1)), [0.5, 1.5])
    with pytest.raises(ValueError, match="nn.LSTM"):
        LSTM.random(3, 4, variant="V").torch_state()


@pytest.mark.parametrize("name", MAKE)
def test_step_equals_run(name):
    cell, x, h0, c0, _, _ = _problem(name, T=4, B=1, seed=6)
    run = cell.run(x, h0, c0)
    h, c = h0[0], (c0[0] if c0 is not None else None)
    for t in range(4):
        out = cell.step(list(x[t, 0]), h, c) if t == 0 else cell.step(x[t, 0], h, c)  # a list converts
        h, c = out if cell.has_cell_state else (out, None)
        np.testing.assert_array_equal(h, run.h[t, 0])


def test_divergence_is_reported_not_silent():
    from dynnets.errors import DivergenceError

    cell = IndRNN(np.full((2, 1), 1e300), [1.0, 1.0])
    with pytest.raises(DivergenceError, match="item 1, step 2"):
        cell.run(np.array([[[0.0], [0.0]], [[0.0], [1.0]], [[0.0], [1e10]]]))
    with pytest.raises(DivergenceError):
        cell.step([1e10], [0.0, 0.0])


@pytest.mark.parametrize("name", MAKE)
def test_as_map_steps_like_run(name):
    cell, x, h0, c0, _, _ = _problem(name, T=1, B=1, seed=7)
    m = cell.as_map(x[0, 0])
    y = h0[0] if c0 is None else np.concatenate([h0[0], c0[0]])
    out = np.empty_like(y)
    m.step(y, m.params, out)
    r = cell.run(x, h0, c0)
    np.testing.assert_array_equal(out, r.h[0, 0] if c0 is None else np.concatenate([r.h[0, 0], r.c[0, 0]]))


@pytest.mark.parametrize("name", ["gru", "lstm_peephole"])
def test_as_map_fixed_point_with_the_analysis_toolkit(name):
    from dynnets.analysis import fixed_points

    cell = MAKE[name](8)
    xt = np.full(cell.n_inputs, 0.3)
    # small weights: the map contracts to one fixed point, where step(y) = y
    small = type(cell)(**{k: 0.1 * v for k, v in cell.parameters().items()},
                       **{k: getattr(cell, k) for k in ("variant", "reset") if hasattr(cell, k)})
    m = small.as_map(xt)
    fp = fixed_points(m, starts=np.full((3, m.n), 0.1) * np.arange(3)[:, None])
    assert len(fp.points) == 1
    z = fp.points[0]
    out = np.empty_like(z)
    m.step(z, m.params, out)
    np.testing.assert_allclose(out, z, atol=1e-10)
    # stable, and its eigenvalues are those of the cell's own Jacobian there
    n = small.n_hidden
    J = small.jacobian(xt, z[:n], z[n:]) if small.has_cell_state else small.jacobian(xt, z)
    np.testing.assert_allclose(np.sort(np.abs(fp.eigenvalues[0])), np.sort(np.abs(np.linalg.eigvals(J))), atol=1e-6)


@pytest.mark.parametrize("name", MAKE)
def test_stepper_equals_run_and_keeps_its_weights(name):
    from dynnets.errors import DivergenceError

    cell, x, h0, c0, _, _ = _problem(name, T=6, B=1, seed=8)
    lstm = cell.has_cell_state
    run = cell.run(x, h0, c0)
    st = cell.stepper(h0[0], c0[0]) if lstm else cell.stepper(h0[0])
    for t in range(6):
        xt = x[t, 0] if t % 3 else np.repeat(x[t, 0], 2)[::2]  # a strided view takes the fast path too
        np.testing.assert_array_equal(st(xt), run.h[t, 0])
        if lstm:
            np.testing.assert_array_equal(st.c, run.c[t, 0])
        if run.gates is None:
            assert st.gates is None
        else:
            np.testing.assert_array_equal(st.gates, run.gates[t, 0])
    assert st.steps == 6
    for p in cell.PARAMS:  # training the cell afterwards does not change the stepper's copy
        getattr(cell, p)[...] = 0.0
    st.reset(h0[0], c0[0]) if lstm else st.reset(h0[0])
    np.testing.assert_array_equal(st(list(x[0, 0])), run.h[0, 0])  # a list converts
    with pytest.raises(ValueError, match="x must have"):
        st(np.zeros(cell.n_inputs + 1))
    with pytest.raises(ValueError, match="h0"):
        cell.stepper(np.zeros(cell.n_state + 1))
    if not lstm:
        with pytest.raises(ValueError, match="c0"):
            cell.stepper(c0=np.zeros(cell.n_state))
    # a step to a non-finite state raises and leaves the state as it was
    before = st.h.copy(), (st.c.copy() if lstm else None)
    with pytest.raises(DivergenceError, match="step 1"):
        st(np.full(cell.n_inputs, np.nan))  # relu too: a NaN argument is not a zero
    np.testing.assert_array_equal(st.h, before[0])
    if lstm:
        np.testing.assert_array_equal(st.c, before[1])
    assert st.steps == 1
