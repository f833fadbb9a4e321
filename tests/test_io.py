"""save / load: exact round trips for every model, validation on load, refusal of
corrupted, foreign, pickled or mismatched files, and atomic writes."""

import json

import numpy as np
import pytest
import scipy.sparse as sp

import dynnets as dn
from dynnets.io import _state
from dynnets.models.cells import (
    GRU,
    LSTM,
    Elman,
    FullyRecurrent,
    IndRNN,
    Jordan,
    SecondOrder,
)
from dynnets.train import Readout

X = dn.random_patterns(4, 30, seed=0)
MODELS = {
    "CTRNN population": lambda: dn.CTRNN.random(3, population=5, n_inputs=2, seed=0),
    "Reservoir with feedback": lambda: dn.Reservoir.random(30, 2, n_feedback=1, leak=0.3, seed=1),
    "stacked Reservoir": lambda: dn.Reservoir.stack([dn.Reservoir.random(10, 1, seed=s) for s in range(3)]),
    "LSM": lambda: dn.LSM.random(20, 1, seed=0),
    "Hopfield": lambda: dn.Hopfield.from_patterns(X, rule="storkey"),
    "BAM": lambda: dn.BAM.from_pairs(X, X[:, :10]),
    "ModernHopfield": lambda: dn.ModernHopfield(X.astype(float), beta=2.0),
    "Elman": lambda: Elman.random(2, 3, nonlinearity="relu", seed=0),
    "FullyRecurrent": lambda: FullyRecurrent.random(2, 3, seed=0),
    "Jordan": lambda: Jordan.random(2, 3, seed=0),
    "IndRNN": lambda: IndRNN.random(2, 3, seed=0),
    "SecondOrder": lambda: SecondOrder.random(2, 3, seed=0),
    "LSTM V": lambda: LSTM.random(2, 3, variant="V", seed=0),
    "LSTM CIFG": lambda: LSTM.random(2, 3, variant="CIFG", seed=0),
    "GRU before": lambda: GRU.random(2, 3, reset="before", seed=0),
    "Readout": lambda: Readout.random(3, 2, seed=0),
    "fixed Readout": lambda: Readout.fixed(np.ones((2, 3))),
    "Ridge unfitted": lambda: dn.Ridge("gcv"),
    "Ridge fitted": lambda: dn.Ridge("gcv").fit(np.random.default_rng(0).normal(size=(40, 3)), np.ones((40, 2))),
    "ESN fitted": lambda: dn.ESN(dn.Reservoir.random(20, 1, seed=2), washout=10).fit(np.sin(np.arange(200) / 5),
                                                                                    np.cos(np.arange(200) / 5)),
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_exact_round_trip(name, tmp_path):
    m = MODELS[name]()
    m2 = dn.load(dn.save(m, tmp_path / "m.npz"))
    assert type(m2) is type(m) and repr(m2) == repr(m)
    a, s = _state(m)
    a2, s2 = _state(m2)
    assert s2 == s and a2.keys() == a.keys()
    for k in a:
        x, y = (v.toarray() if sp.issparse(v) else v for v in (a[k], a2[k]))
        assert x.dtype == y.dtype and np.array_equal(x, y), k


def test_loaded_models_compute_the_same(tmp_path):
    cell = LSTM.random(2, 4, seed=3)
    x = np.random.default_rng(0).normal(size=(6, 2, 2))
    np.testing.assert_array_equal(dn.load(dn.save(cell, tmp_path / "c.npz")).run(x).h, cell.run(x).h)
    net = dn.CTRNN.random(3, seed=4)
    a = dn.simulate(net, [0.1, 0.2, 0.3], n_steps=50).y
    b = dn.simulate(dn.load(dn.save(net, tmp_path / "n.npz")), [0.1, 0.2, 0.3], n_steps=50).y
    np.testing.assert_array_equal(a, b)


def test_readouts_predict_and_keep_learning_the_same(tmp_path):
    rng = np.random.default_rng(5)
    X, Y, X2 = rng.normal(size=(60, 4)), rng.normal(size=(60, 2)), rng.normal(size=(10, 4))
    r = dn.Ridge("gcv").fit(X, Y)
    r2 = dn.load(dn.save(r, tmp_path / "r.npz"))
    np.testing.assert_array_equal(r2.predict(X2), r.predict(X2))
    r.partial_fit(X2, X2[:, :2])
    r2.partial_fit(X2, X2[:, :2])  # the accumulated statistics came along
    np.testing.assert_array_equal(r2.predict(X2), r.predict(X2))
    u = np.sin(np.arange(300) / 7)
    esn = dn.ESN(dn.Reservoir.random(30, 1, seed=6), ridge="gcv", washout=20).fit(u[:-1], u[1:])
    e2 = dn.load(dn.save(esn, tmp_path / "e.npz"))
    np.testing.assert_array_equal(e2.generate(20, u[-50:]), esn.generate(20, u[-50:]))


def _write(path, **arrays):
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


def test_refused_files(tmp_path):
    good = dn.save(dn.CTRNN.random(2, seed=0), tmp_path / "good.npz")
    # truncated
    (tmp_path / "cut.npz").write_bytes(good.read_bytes()[:100])
    with pytest.raises(ValueError, match="not a readable"):
        dn.load(tmp_path / "cut.npz")
    # foreign: an npz without the schema
    _write(tmp_path / "foreign.npz", weights=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="not a dynnets model file"):
        dn.load(tmp_path / "foreign.npz")
    # pickled content is never unpickled
    _write(tmp_path / "pickle.npz", __schema__=np.array("dynnets.CTRNN"), __version__=np.array(1),
           __settings__=np.array("{}"), weights=np.array([{"evil": 1}], dtype=object))
    with pytest.raises(ValueError, match="not a readable"):
        dn.load(tmp_path / "pickle.npz")
    with np.load(good) as z:
        parts = {k: z[k] for k in z.files}
    # another schema version
    _write(tmp_path / "v.npz", **{**parts, "__version__": np.array(99)})
    with pytest.raises(ValueError, match="version 99"):
        dn.load(tmp_path / "v.npz")
    # contents that the constructor refuses: validated on load
    _write(tmp_path / "tau.npz", **{**parts, "tau": -parts["tau"]})
    with pytest.raises(ValueError, match="tau"):
        dn.load(tmp_path / "tau.npz")
    _write(tmp_path / "extra.npz", **{**parts, "__settings__": np.array(json.dumps({"colour": "red"}))})
    with pytest.raises(ValueError, match="does not match a CTRNN"):
        dn.load(tmp_path / "extra.npz")
    _write(tmp_path / "kind.npz", **{**parts, "__schema__": np.array("dynnets.Spaceship")})
    with pytest.raises(ValueError, match="unknown model type"):
        dn.load(tmp_path / "kind.npz")
    with pytest.raises(TypeError, match="model"):
        dn.save(object(), tmp_path / "x.npz")


def test_writes_are_atomic(tmp_path, monkeypatch):
    path = dn.save(dn.CTRNN.random(2, seed=0), tmp_path / "m.npz")
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", boom)
    with pytest.raises(OSError, match="disk full"):
        dn.save(dn.CTRNN.random(3, seed=1), path)
    assert path.read_bytes() == before  # the old file survives whole
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]  # no temporary file left
