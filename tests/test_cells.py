"""Recurrent cells: gradients against central differences and against PyTorch's
autograd (float64), Jacobians, batches, weight conversion."""

import numpy as np
import pytest

from dynnets.models.cells import GRU, LSTM, Elman

CELLS = (Elman, LSTM, GRU)


def _problem(cls, T=6, B=3, n_in=3, n=4, seed=0):
    rng = np.random.default_rng(seed)
    cell = cls.random(n_in, n, scale=0.8, seed=seed)
    x = rng.normal(size=(T, B, n_in))
    h0 = rng.normal(0, 0.5, (B, n))
    c0 = rng.normal(0, 0.5, (B, n))
    wh = rng.normal(size=(T, B, n))  # loss = sum(wh * h) (+ sum(wc * c) for the LSTM)
    wc = rng.normal(size=(T, B, n))
    return cell, x, h0, c0, wh, wc


def _loss(cell, x, h0, c0, wh, wc):
    if cell.has_cell_state:
        r = cell.run(x, h0, c0)
        return np.sum(wh * r.h) + np.sum(wc * r.c)
    return np.sum(wh * cell.run(x, h0).h)


def _grads(cell, x, h0, c0, wh, wc):
    if cell.has_cell_state:
        return cell.gradients(x, wh, h0=h0, c0=c0, dc=wc)
    return cell.gradients(x, wh, h0=h0)


@pytest.mark.parametrize("cls", CELLS)
def test_gradients_match_central_differences(cls):
    cell, x, h0, c0, wh, wc = _problem(cls)
    g = _grads(cell, x, h0, c0, wh, wc)
    eps = 1e-6
    arrays = {p: getattr(cell, p) for p in cell.PARAMS} | {"x": x, "h0": h0}
    if cell.has_cell_state:
        arrays["c0"] = c0
    for name, a in arrays.items():
        num = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            old = a[idx]
            a[idx] = old + eps
            up = _loss(cell, x, h0, c0, wh, wc)
            a[idx] = old - eps
            down = _loss(cell, x, h0, c0, wh, wc)
            a[idx] = old
            num[idx] = (up - down) / (2 * eps)
        err = np.abs(g[name] - num).max() / np.abs(num).max()
        assert err < 1e-6, (name, err)


@pytest.mark.parametrize("cls", CELLS)
def test_forward_and_gradients_equal_pytorch(cls):
    import torch  # a test dependency: the cross-check always runs

    cell, x, h0, c0, wh, wc = _problem(cls, T=7, B=2, n_in=3, n=5, seed=1)
    mod = {Elman: torch.nn.RNN, LSTM: torch.nn.LSTM, GRU: torch.nn.GRU}[cls](3, 5).double()
    mod.load_state_dict({k: torch.from_numpy(v) for k, v in cell.torch_state().items()})
    X = torch.tensor(x, requires_grad=True)
    H0 = torch.tensor(h0[None], requires_grad=True)
    C0 = torch.tensor(c0[None], requires_grad=True)
    if cell.has_cell_state:
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
    run = cell.run(x, h0, c0) if cell.has_cell_state else cell.run(x, h0)
    np.testing.assert_allclose(run.h, Ht.detach().numpy(), atol=1e-12)
    if cell.has_cell_state:
        np.testing.assert_allclose(run.c, Ct.detach().numpy(), atol=1e-12)
    g = _grads(cell, x, h0, c0, wh, wc)
    names = dict(zip(cell.PARAMS, ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")))
    params = dict(mod.named_parameters())
    for p, tname in names.items():
        np.testing.assert_allclose(g[p], params[tname].grad.numpy(), atol=1e-10, err_msg=p)
    np.testing.assert_allclose(g["x"], X.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(g["h0"], H0.grad.numpy()[0], atol=1e-10)
    if cell.has_cell_state:
        np.testing.assert_allclose(g["c0"], C0.grad.numpy()[0], atol=1e-10)


@pytest.mark.parametrize("cls", CELLS)
def test_jacobian_matches_finite_differences(cls):
    cell, x, h0, c0, _, _ = _problem(cls, seed=2)
    xt, h, c = x[0, 0], h0[0], c0[0]

    def step(state):
        if cell.has_cell_state:
            r = cell.run(xt[None], state[:4], state[4:])
            return np.concatenate([r.h[0, 0], r.c[0, 0]])
        return cell.run(xt[None], state).h[0, 0]

    s = np.concatenate([h, c]) if cell.has_cell_state else h.copy()
    J = cell.jacobian(xt, h, c) if cell.has_cell_state else cell.jacobian(xt, h)
    num = np.empty_like(J)
    for j in range(s.size):
        e = np.zeros_like(s)
        e[j] = 1e-6
        num[:, j] = (step(s + e) - step(s - e)) / 2e-6
    np.testing.assert_allclose(J, num, atol=1e-8)


@pytest.mark.parametrize("cls", CELLS)
def test_batch_items_are_independent_and_round_trip(cls):
    cell, x, h0, c0, wh, wc = _problem(cls, B=4, seed=3)
    full = cell.run(x, h0, c0) if cell.has_cell_state else cell.run(x, h0)
    for b in range(4):
        one = cell.run(x[:, b], h0[b], c0[b]) if cell.has_cell_state else cell.run(x[:, b], h0[b])
        np.testing.assert_array_equal(one.h[:, 0], full.h[:, b])
    # gradients sum over the batch
    g = _grads(cell, x, h0, c0, wh, wc)
    parts = [_grads(cell, x[:, b:b + 1], h0[b:b + 1], c0[b:b + 1], wh[:, b:b + 1], wc[:, b:b + 1])
             for b in range(4)]
    np.testing.assert_allclose(g["W_hh"], sum(p["W_hh"] for p in parts), atol=1e-12)
    back = cls.from_torch_state(cell.torch_state())
    assert all(np.array_equal(getattr(back, p), getattr(cell, p)) for p in cell.PARAMS)


def test_bad_input_names_the_argument():
    cell = LSTM.random(3, 4, seed=0)
    with pytest.raises(ValueError, match="W_hh"):
        LSTM(np.zeros((16, 3)), np.zeros((12, 4)))
    with pytest.raises(ValueError, match="W_ih"):
        GRU(np.zeros((9, 3)), np.zeros((12, 4)))
    with pytest.raises(ValueError, match="x must have shape"):
        cell.run(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="h0"):
        cell.run(np.zeros((5, 3)), h0=np.zeros(5))
    with pytest.raises(ValueError, match="dh"):
        cell.gradients(np.zeros((5, 3)), np.zeros((4, 1, 4)))
    with pytest.raises(ValueError, match="finite"):
        cell.run(np.full((5, 3), np.nan))


@pytest.mark.parametrize("cls", [Elman, LSTM])
def test_rtrl_equals_bptt(cls):
    cell, x, h0, c0, wh, wc = _problem(cls, T=8, B=3, n_in=2, n=4, seed=4)
    g = _grads(cell, x, h0, c0, wh, wc)
    r = cell.rtrl(x, wh, h0=h0, c0=c0, dc=wc) if cell.has_cell_state else cell.rtrl(x, wh, h0=h0)
    for p in cell.PARAMS:
        np.testing.assert_allclose(r[p], g[p], atol=1e-10 * max(1.0, np.abs(g[p]).max()), err_msg=p)
