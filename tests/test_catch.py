"""The catch task: ray geometry against ray marching, trials against a Python
loop, and the per-network random streams."""

import numpy as np
import pytest

from dynnets.models.ctrnn import CTRNN
from dynnets.tasks import catch as ct


def marched_rays(ax, ox, oy):
    """Walk along each ray in steps of 1e-3 until it enters the object."""
    out = np.zeros(7)
    t = np.arange(0, 220, 1e-3)
    for k, a in enumerate(np.linspace(-np.pi / 12, np.pi / 12, 7)):
        inside = np.hypot(ax + t * np.sin(a) - ox, t * np.cos(a) - oy) <= 13.0
        if inside.any():
            out[k] = 10 * (1 - t[np.argmax(inside)] / 220)
    return out


@pytest.mark.parametrize(("ax", "ox", "oy"), [(0.0, 0.0, 100.0), (5.0, 30.0, 150.0), (0.0, -20.0, 60.0),
                                              (0.0, 0.0, 240.0), (0.0, 80.0, 50.0)])
def test_rays_against_marching(ax, ox, oy):
    u = np.empty(7)
    ct._rays(ax, ox, oy, u)
    np.testing.assert_allclose(u, marched_rays(ax, ox, oy), atol=1e-3)
    if ox == ax and oy - 13 < 220:  # straight above: the middle ray meets the bottom of the object
        assert u[3] == pytest.approx(10 * (1 - (oy - 13) / 220))


def python_trial(net, offset):
    sig = lambda x: 1.0 / (1.0 + np.exp(-x))
    y = np.zeros(net.n_neurons)
    o = sig(net.gain * net.bias)
    ax, oy = 0.0, 275.0
    while oy > 0:
        u = np.empty(7)
        ct._rays(ax, offset, oy, u)
        y = y + 0.1 / net.tau * (-y + o @ net.weights + u @ net.input_weights)
        o = sig(net.gain * (y + net.bias))
        ax += 0.1 * 5 * (o[-1] - o[-2])
        oy -= 0.3
    return abs(offset - ax)


def test_trials_equal_python_loop():
    nets = CTRNN.random(6, population=3, n_inputs=7, tau_range=(1, 2), weight_range=(-5, 5),
                        input_weight_range=(-2, 2), seed=2)
    offsets = [-40.0, -5.0, 0.0, 25.0]
    res = ct.catch(nets, offsets)
    for p in range(3):
        for s, off in enumerate(offsets):
            assert res.distance[p, s] == pytest.approx(python_trial(nets[p], off), rel=1e-9, abs=1e-9)
    assert res.fitness == pytest.approx((1 - np.minimum(res.distance, 50) / 50).mean(axis=1))
    np.testing.assert_array_equal(res.caught, res.distance <= 15)
    t, ax, oy, rays = ct.catch_trajectory(nets[1], 25.0)
    assert t.shape == ax.shape == oy.shape and rays.shape == (t.size, 7)
    assert abs(25.0 - ax[-1]) == pytest.approx(res.distance[1, 3], rel=1e-12)
    assert oy[-1] <= 0 < oy[-2]


def test_random_trials_come_from_per_network_streams():
    net = CTRNN.random(6, n_inputs=7, tau_range=(1, 2), seed=3)
    pop = CTRNN(np.stack([net.weights] * 4), net.tau, net.bias, net.gain, net.input_weights)
    a = ct.catch(pop, n_trials=5, seed=11)
    b = ct.catch(pop, n_trials=5, seed=11)
    np.testing.assert_array_equal(a.distance, b.distance)
    assert np.all(np.abs(a.offsets) <= 50) and len(np.unique(a.offsets)) == 20  # each network its own drops
    # network p's drops depend only on (seed, p): the first two of a bigger population are the same
    c = ct.catch(CTRNN(np.stack([net.weights] * 6), net.tau, net.bias, net.gain, net.input_weights),
                 n_trials=5, seed=11)
    np.testing.assert_array_equal(c.offsets[:4], a.offsets)
    # and the same drops, given explicitly, give the same distances
    np.testing.assert_array_equal(ct.catch(net, a.offsets[2]).distance[0], a.distance[2])


def test_bad_input():
    net = CTRNN.random(6, n_inputs=7, tau_range=(1, 2), seed=3)
    with pytest.raises(ValueError, match="seed"):
        ct.catch(net)
    with pytest.raises(ValueError, match="offsets"):
        ct.catch(net, [])
    with pytest.raises(ValueError, match="input_weights"):
        ct.catch(CTRNN.random(6, n_inputs=3, seed=0), [0.0])
    with pytest.raises(ValueError, match="n_trials"):
        ct.catch(net, n_trials=0, seed=1)
    with pytest.raises(ValueError, match="2 neurons"):
        ct.catch_trajectory(CTRNN.random(1, n_inputs=7, tau_range=(1, 2), seed=0), 0.0)
    with pytest.raises(ValueError, match="single network"):
        ct.catch_trajectory(CTRNN.random(4, population=2, n_inputs=7, tau_range=(1, 2), seed=0), 0.0)
