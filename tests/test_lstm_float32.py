"""The LSTM in float32: against PyTorch's float32 ``nn.LSTM``, against the same
cell in float64, its dtype kept through training and saving, and the paths that
compute in float64 whatever the dtype."""

import numpy as np
import pytest

from dynnets import io
from dynnets.models.cells import LSTM, Stack
from dynnets.train.bptt import Adam, Readout, train_bptt

# float32 has 24 bits: sums of a few dozen terms over 40 steps stay well inside this
TOL = 2e-5


def _problem(variant="NP", B=5, T=40, I=3, H=8, seed=0):
    cell = LSTM.random(I, H, seed=seed, variant=variant, **({} if variant == "NP" else {"scale": 0.5}))
    if variant != "NP":
        cell.peephole[:] = np.random.default_rng(seed + 1).uniform(-0.5, 0.5, (3, H))
    rng = np.random.default_rng(seed + 2)
    return cell, rng.normal(size=(T, B, I)), rng.normal(size=(T, B, H))


def test_float32_matches_pytorch_float32():
    import torch  # a test dependency: the cross-check always runs

    cell, x, w = _problem(B=6, T=50, I=4, H=16)
    c32 = cell.astype("float32")
    run = c32.run(x)
    g = c32.gradients(x, w, run=run)
    mod = torch.nn.LSTM(4, 16)
    mod.load_state_dict({k: torch.from_numpy(v) for k, v in c32.torch_state().items()})
    X = torch.tensor(x, dtype=torch.float32, requires_grad=True)
    out, _ = mod(X)
    (out * torch.tensor(w, dtype=torch.float32)).sum().backward()
    assert run.h.dtype == np.float32 and g["W_hh"].dtype == np.float32
    np.testing.assert_allclose(run.h, out.detach().numpy(), atol=TOL)
    for ours, theirs in ((g["W_ih"], mod.weight_ih_l0), (g["W_hh"], mod.weight_hh_l0), (g["b_ih"], mod.bias_ih_l0),
                         (g["x"], X)):
        ref = theirs.grad.numpy()
        np.testing.assert_allclose(ours, ref, atol=TOL * np.abs(ref).max())


@pytest.mark.parametrize("variant", ["NP", "V", "CIFG"])
def test_float32_close_to_float64(variant):
    cell, x, w = _problem(variant)
    dc = np.random.default_rng(9).normal(size=w.shape)
    c32 = cell.astype(np.float32)
    r64, r32 = cell.run(x), c32.run(x)
    for part in ("h", "c", "gates"):
        np.testing.assert_allclose(getattr(r32, part), getattr(r64, part), atol=TOL)
    # the float32 cell's own weights in float64: the only difference is the arithmetic
    ref = c32.astype(np.float64)
    g64, g32 = ref.gradients(x, w, dc=dc), c32.gradients(x, w, dc=dc)
    assert set(g32) == set(g64)
    for k in g64:
        assert g32[k].dtype == np.float32, k
        np.testing.assert_allclose(g32[k], g64[k], atol=TOL * max(1.0, np.abs(g64[k]).max()), err_msg=k)


def test_float32_batch_items_get_the_bits_they_get_alone():
    cell, x, w = _problem(B=11)  # blocks of 8 and 3
    c32 = cell.astype("float32")
    full = c32.run(x)
    g = c32.gradients(x, w, run=full)
    for b in (0, 7, 8, 10):
        one = c32.run(x[:, b])
        np.testing.assert_array_equal(one.h[:, 0], full.h[:, b])
        np.testing.assert_array_equal(c32.gradients(x[:, b], w[:, b])["x"][:, 0], g["x"][:, b])


def test_float64_paths_of_a_float32_cell():
    """Stepper, step, RTRL, the Jacobian and the map of a float32 cell are those
    of its weights in float64."""
    cell, x, w = _problem("V", B=1)
    c32 = cell.astype("float32")
    ref = c32.astype("float64")
    step, step_ref = c32.stepper(), ref.stepper()
    for t in range(5):
        np.testing.assert_array_equal(step(x[t, 0]), step_ref(x[t, 0]))
    g, g_ref = c32.rtrl(x[:, 0], w[:, 0]), ref.rtrl(x[:, 0], w[:, 0])
    for k in g_ref:
        np.testing.assert_array_equal(g[k], g_ref[k])
    h, c = np.full(8, 0.1), np.full(8, -0.2)
    np.testing.assert_array_equal(c32.jacobian(x[0, 0], h, c), ref.jacobian(x[0, 0], h, c))
    for ours, theirs in zip(c32.step(x[0, 0], h, c), ref.step(x[0, 0], h, c)):
        assert ours.dtype == np.float64
        np.testing.assert_array_equal(ours, theirs)
    m32, m64 = c32.as_map(x[0, 0]), ref.as_map(x[0, 0])
    np.testing.assert_array_equal(m32.params, m64.params)


def test_dtype_kept_by_training_stacking_and_saving(tmp_path):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(30, 4, 2))
    y = np.cumsum(x[..., :1], axis=0) * 0.1
    cell, readout = LSTM.random(2, 6, seed=1, dtype="float32"), Readout.random(6, 1, seed=2)
    hist = train_bptt(cell, readout, x, y, epochs=3, optimizer=Adam(1e-2), seed=0, progress=False)
    assert np.isfinite(hist.loss).all()
    assert all(p.dtype == np.float32 for p in cell.parameters().values())
    back = io.load(io.save(cell, tmp_path / "lstm32.npz"))
    assert back.dtype == np.float32 and repr(back) == repr(cell)
    np.testing.assert_array_equal(back.run(x).h, cell.run(x).h)
    stack = Stack([cell, LSTM.random(6, 3, seed=4, dtype="float32")])
    assert stack.run(x).h.dtype == np.float32


@pytest.mark.parametrize("dtype", ["float16", "int32", "complex64", "nonsense", object])
def test_bad_dtype_named(dtype):
    with pytest.raises(ValueError, match="dtype"):
        LSTM.random(2, 3, dtype=dtype)
