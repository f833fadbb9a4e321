"""Property-based bad input (hypothesis): random shapes, NaN and inf, zero and
negative sizes at public entry points. The only outcomes allowed are a finite
result or a ValueError/TypeError naming what is wrong; never another exception,
a crash or a silent NaN."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dynnets as dn
from dynnets.models.cells import LSTM
from dynnets.tasks import cartpole
from dynnets.train import GenomeMap

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
specials = st.sampled_from([0.0, -1.0, 1e300, -1e300, np.nan, np.inf, -np.inf, 1e-300])


def arrays(max_dims=3, max_side=4):
    shapes = st.lists(st.integers(0, max_side), min_size=0, max_size=max_dims).map(tuple)
    return st.tuples(shapes, st.floats(-5, 5), specials, st.booleans()).map(_build)


def _build(args):
    shape, value, special, poison = args
    a = np.full(shape, value)
    if poison and a.size:
        a.flat[0] = special
    return a


def outcome(call):
    """Run ``call``; a clean error is fine, any result must be finite."""
    try:
        result = call()
    except (ValueError, TypeError, dn.DivergenceError) as err:
        assert str(err), "an error must say what is wrong"
        return None
    return result


@SETTINGS
@given(arrays(), arrays(max_dims=2))
def test_ctrnn_construction_and_simulation(weights, tau):
    net = outcome(lambda: dn.CTRNN(weights, tau=tau if tau.size else 1.0))
    if net is not None and net.population is None:
        sol = outcome(lambda: dn.simulate(net, n_steps=5, dt=0.01))
        if sol is not None:
            assert np.all(np.isfinite(sol.y))


@SETTINGS
@given(arrays())
def test_reservoir_inputs(u):
    res = dn.Reservoir.random(10, 2, seed=0)
    X = outcome(lambda: res.run(u))
    if X is not None:
        assert np.all(np.isfinite(X))


@SETTINGS
@given(arrays(max_dims=4))
def test_cell_inputs(x):
    cell = LSTM.random(2, 3, seed=0)
    run = outcome(lambda: cell.run(x))
    if run is not None:
        assert np.all(np.isfinite(run.h))


@SETTINGS
@given(arrays(max_dims=2, max_side=7))
def test_cartpole_starts(starts):
    net = dn.CTRNN.random(2, n_inputs=3, tau_range=(0.02, 0.1), seed=0)
    r = outcome(lambda: cartpole.balance(net, starts, max_steps=20))
    if r is not None:
        assert np.all(r.steps >= 0) and np.all(np.isfinite(r.fitness))


@SETTINGS
@given(st.integers(-3, 5), st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True,
                                                                                       allow_infinity=True))
def test_genome_map_ranges(size, low, high):
    gm = outcome(lambda: GenomeMap(w=(size, low, high)))
    if gm is not None:
        p = gm.decode(np.zeros((2, gm.size)))
        assert np.all(np.isfinite(p["w"]))


@SETTINGS
@given(arrays(max_dims=2, max_side=6))
def test_hopfield_probes(probes):
    net = dn.Hopfield.from_patterns(dn.random_patterns(2, 6, seed=0))
    r = outcome(lambda: net.recall(probes, seed=0))
    if r is not None:
        assert set(np.unique(r.states)) <= {-1.0, 1.0}


@pytest.mark.parametrize("n", [0, -1, 2.5, "3", None])
def test_sizes(n):
    for make in (lambda: dn.CTRNN.random(n), lambda: dn.Reservoir.random(n, 1), lambda: LSTM.random(2, n),
                 lambda: dn.random_patterns(n, 5)):
        with pytest.raises((ValueError, TypeError)):
            make()
