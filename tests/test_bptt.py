"""BPTT training: optimisers, clipping and losses against PyTorch; a whole
minibatch gradient against autograd; training that learns."""

import numpy as np
import pytest
import torch

from dynnets.models.cells import (
    GRU,
    LSTM,
    Bidirectional,
    Elman,
    FullyRecurrent,
    IndRNN,
    Jordan,
    Stack,
)
from dynnets.train.bptt import (
    SGD,
    Adam,
    Readout,
    batch_gradients,
    clip_grad_norm,
    loss_and_grad,
    train_bptt,
)


@pytest.mark.parametrize("make", [lambda: (SGD(0.1, momentum=0.9), lambda p: torch.optim.SGD(p, 0.1, momentum=0.9)),
                                  lambda: (Adam(0.01), lambda p: torch.optim.Adam(p, 0.01))])
def test_optimisers_follow_torch_optim(make):
    ours, theirs = make()
    rng = np.random.default_rng(0)
    p = {"a": rng.normal(size=(3, 4)), "b": rng.normal(size=5)}
    tp = [torch.tensor(p["a"].copy(), requires_grad=True), torch.tensor(p["b"].copy(), requires_grad=True)]
    topt = theirs(tp)
    for _ in range(6):
        g = {"a": rng.normal(size=(3, 4)), "b": rng.normal(size=5)}
        ours.step(p, g)
        tp[0].grad, tp[1].grad = torch.tensor(g["a"]), torch.tensor(g["b"])
        topt.step()
    np.testing.assert_allclose(p["a"], tp[0].detach().numpy(), atol=1e-14)
    np.testing.assert_allclose(p["b"], tp[1].detach().numpy(), atol=1e-14)


def test_clipping_and_losses_follow_torch():
    rng = np.random.default_rng(1)
    g = {"a": rng.normal(size=(3, 4)), "b": rng.normal(size=5)}
    t = [torch.tensor(g["a"]), torch.tensor(g["b"])]
    tt = [torch.zeros_like(v, requires_grad=True) for v in t]
    for v, w in zip(tt, t):
        v.grad = w.clone()
    n = clip_grad_norm(g, 1.5)
    tn = torch.nn.utils.clip_grad_norm_(tt, 1.5)
    assert n == pytest.approx(float(tn), rel=1e-14)
    np.testing.assert_allclose(g["a"], tt[0].grad.numpy(), atol=1e-15)
    y = rng.normal(size=(7, 5))
    lab = rng.integers(0, 5, 7)
    L, dy = loss_and_grad("cross_entropy", y, lab)
    ty = torch.tensor(y, requires_grad=True)
    tl = torch.nn.functional.cross_entropy(ty, torch.tensor(lab))
    tl.backward()
    assert L == pytest.approx(float(tl.detach()), rel=1e-13)
    np.testing.assert_allclose(dy, ty.grad.numpy(), atol=1e-15)
    tgt = rng.normal(size=(7, 5))
    L, dy = loss_and_grad("mse", y, tgt)
    ty.grad = None
    tl = torch.nn.functional.mse_loss(ty, torch.tensor(tgt))
    tl.backward()
    assert L == pytest.approx(float(tl.detach()), rel=1e-13)
    np.testing.assert_allclose(dy, ty.grad.numpy(), atol=1e-15)


def test_minibatch_gradient_equals_autograd():
    """An LSTM with a readout, cross-entropy on the last step: every gradient as
    PyTorch computes it."""
    rng = np.random.default_rng(2)
    cell, ro = LSTM.random(3, 6, seed=3), Readout.random(6, 4, seed=4)
    x, lab = rng.normal(size=(9, 5, 3)), rng.integers(0, 4, 5)
    L, grads, _ = batch_gradients(cell, ro, x, lab, loss="cross_entropy", where="last")
    mod, lin = torch.nn.LSTM(3, 6).double(), torch.nn.Linear(6, 4).double()
    mod.load_state_dict({k: torch.from_numpy(v) for k, v in cell.torch_state().items()})
    lin.load_state_dict({"weight": torch.from_numpy(ro.W), "bias": torch.from_numpy(ro.b)})
    out, _ = mod(torch.from_numpy(x))
    tl = torch.nn.functional.cross_entropy(lin(out[-1]), torch.from_numpy(lab))
    tl.backward()
    assert L == pytest.approx(float(tl.detach()), rel=1e-12)
    np.testing.assert_allclose(grads["cell.W_hh"], mod.weight_hh_l0.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(grads["cell.b_ih"], mod.bias_ih_l0.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(grads["readout.W"], lin.weight.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(grads["readout.b"], lin.bias.grad.numpy(), atol=1e-12)


def _delay_task(n=192, T=20, delay=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (T, n, 1))
    y = np.zeros_like(x)
    y[delay:] = x[:-delay]
    return x, y


@pytest.mark.parametrize("cls", [Elman, LSTM, GRU])
def test_training_learns_a_delayed_copy(cls):
    x, y = _delay_task()
    cell, ro = cls.random(1, 16, seed=1), Readout.random(16, 1, seed=2)
    hist = train_bptt(cell, ro, x, y, epochs=40, batch_size=32, optimizer=Adam(0.01), clip=5.0, seed=3,
                 progress=False)
    assert hist.loss[-1] < 0.1 * hist.loss[0]
    xt, yt = _delay_task(seed=9)
    pred = ro(cell.run(xt).h)
    assert np.mean((pred[3:] - yt[3:]) ** 2) < 0.03  # on new sequences (target variance 1/3)


@pytest.mark.parametrize("kind", ["stack", "bidirectional", "indrnn", "fully_recurrent", "jordan"])
def test_training_composites_constrained_cells_and_fixed_readouts(kind):
    x, y = _delay_task(n=96, delay=2)
    if kind == "stack":
        cell = Stack([Elman.random(1, 8, seed=1), Elman.random(8, 8, seed=2)])
    elif kind == "bidirectional":
        cell = Bidirectional(GRU.random(1, 6, seed=1), GRU.random(1, 6, seed=2))
    elif kind == "indrnn":
        cell = IndRNN.random(1, 16, seed=1, u_max=0.8)
    elif kind == "fully_recurrent":
        cell = FullyRecurrent.random(1, 12, seed=1, n_outputs=1, nonlinearity="tanh")
    else:  # its only memory is its last output: learn a running average instead
        cell = Jordan.random(1, 12, 1, seed=1)
        for t in range(1, x.shape[0]):
            y[t] = 0.5 * y[t - 1] + 0.5 * x[t]
    ro = cell.readout() if kind in ("fully_recurrent", "jordan") else Readout.random(cell.n_state, 1, seed=2)
    W_ro = ro.W.copy()
    hist = train_bptt(cell, ro, x, y, epochs=25, batch_size=16, optimizer=Adam(0.02), clip=5.0, seed=3,
                      progress=False)
    assert hist.loss[-1] < 0.3 * hist.loss[0]
    if kind == "indrnn":
        assert np.abs(cell.u).max() <= 0.8
    if not ro.PARAMS:
        np.testing.assert_array_equal(ro.W, W_ro)


def test_training_is_reproducible_and_truncation_runs():
    x, y = _delay_task(n=64)
    runs = []
    for _ in range(2):
        cell, ro = GRU.random(1, 8, seed=1), Readout.random(8, 1, seed=2)
        runs.append((train_bptt(cell, ro, x, y, epochs=3, batch_size=16, seed=5, progress=False).loss, cell.W_hh.copy()))
    assert runs[0][0] == runs[1][0] and np.array_equal(runs[0][1], runs[1][1])
    cell, ro = GRU.random(1, 8, seed=1), Readout.random(8, 1, seed=2)
    hist = train_bptt(cell, ro, x, y, epochs=15, batch_size=16, truncate=5, optimizer=Adam(0.02), seed=5, progress=False)
    assert hist.loss[-1] < 0.5 * hist.loss[0]


def test_bad_input_names_the_argument():
    cell, ro = GRU.random(1, 4, seed=0), Readout.random(4, 1, seed=0)
    x, y = _delay_task(n=8)
    with pytest.raises(ValueError, match="target"):
        train_bptt(cell, ro, x, y[:, :, 0], progress=False)
    with pytest.raises(ValueError, match="loss"):
        train_bptt(cell, ro, x, y, loss="hinge", progress=False)
    with pytest.raises(ValueError, match="labels"):
        train_bptt(cell, ro, x, np.full(8, 3), loss="cross_entropy", where="last", progress=False)
    with pytest.raises(ValueError, match="truncate"):
        train_bptt(cell, ro, x, y[-1], where="last", truncate=5, progress=False)
    with pytest.raises(TypeError, match="cell"):
        train_bptt("lstm", ro, x, y, progress=False)


def test_masked_loss_equals_the_loss_on_the_kept_steps():
    rng = np.random.default_rng(4)
    y, lab = rng.normal(size=(6, 3, 5)), rng.integers(0, 5, (6, 3))
    mask = rng.random((6, 3)) < 0.6
    L, dy = loss_and_grad("cross_entropy", y, np.where(mask, lab, -1), mask)
    Lk, _ = loss_and_grad("cross_entropy", y[mask], lab[mask])
    assert L == pytest.approx(Lk, rel=1e-14)
    assert np.all(dy[~mask] == 0)
    tgt = rng.normal(size=(6, 3, 5))
    L, dy = loss_and_grad("mse", y, tgt, mask)
    assert L == pytest.approx(np.mean((y[mask] - tgt[mask]) ** 2), rel=1e-14)
    # the masked gradient is the gradient of the loss on the kept steps
    ty = torch.tensor(y, requires_grad=True)
    torch.nn.functional.mse_loss(ty[torch.from_numpy(mask)], torch.tensor(tgt[mask])).backward()
    np.testing.assert_allclose(dy, ty.grad.numpy(), atol=1e-15)


def test_divergence_stops_training_and_keeps_the_last_finite_weights():
    x, y = _delay_task(n=32)
    cell, ro = IndRNN.random(1, 8, seed=1, u_max=1.0, nonlinearity="relu"), Readout.random(8, 1, seed=2)
    before = {k: v.copy() for k, v in cell.parameters().items()}
    x[5, 3, 0] = 1e308  # one bad sample: the first minibatch holding it diverges
    with pytest.raises(FloatingPointError, match="last finite"):
        train_bptt(cell, ro, x, y, epochs=2, batch_size=32, optimizer=SGD(0.01), progress=False)
    for k, v in cell.parameters().items():
        np.testing.assert_array_equal(v, before[k])


def test_sampling_draws_from_the_softmax():
    from dynnets.train import sample

    cell = GRU.random(4, 3, seed=0)
    # a readout that ignores the state: every draw comes from softmax(b / temperature)
    b = np.array([0.0, 1.0, -1.0, 0.5])
    ro = Readout(np.zeros((4, 3)), b)
    draws = sample(cell, ro, [0, 1], 20000, temperature=2.0, seed=1)
    p = np.exp(b / 2.0) / np.exp(b / 2.0).sum()
    np.testing.assert_allclose(np.bincount(draws, minlength=4) / 20000, p, atol=0.01)
    # temperature 0 follows the argmax of the trained readout, step by step
    ro = Readout.random(3, 4, seed=2)
    greedy = sample(cell, ro, [2], 10, temperature=0)
    eye = np.eye(4)
    seq = [2]
    for k in greedy:
        assert k == np.argmax(ro(cell.run(eye[seq]).h[-1, 0]))
        seq.append(k)
    with pytest.raises(ValueError, match="prompt"):
        sample(cell, ro, [7], 3)
