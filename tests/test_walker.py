"""Beer's single-leg walker: hand-computed steps, the best gait's velocity, and
the compiled walks against a Python loop."""

import numpy as np
import pytest

from dynnets.models.ctrnn import CTRNN
from dynnets.tasks import walker as wk

L, H = 15.0, 12.5


def test_swing_with_the_foot_up():
    s = wk.initial_state()
    assert s[4] == pytest.approx(7.5) and s[5] == pytest.approx(H + L * np.cos(np.pi / 6))
    # forward force swings the leg backward: omega = dt * 0.5 * (B - F) * 0.05
    n = wk.leg_step(s, 0.0, 1.0, 0.0)
    assert n[3] == pytest.approx(-0.0025) and n[2] == pytest.approx(np.pi / 6 - 0.00025)
    assert n[4] == pytest.approx(L * np.sin(n[2])) and n[0] == 0 and n[1] == 0 and n[6] == 0
    # backward force at the forward limit: clipped there, omega reset
    n = wk.leg_step(s, 0.0, 0.0, 1.0)
    assert n[2] == pytest.approx(np.pi / 6) and n[3] == 0
    # angular velocity clipped at 1
    s2 = s.copy()
    s2[2], s2[3] = 0.0, 0.999
    assert wk.leg_step(s2, 0.0, 0.0, 1.0)[3] == 1.0


def test_stance_drives_the_body_and_the_leg_follows_the_foot():
    s = wk.initial_state()
    n = wk.leg_step(s, 1.0, 1.0, 0.0)
    assert n[6] == 1 and n[1] == pytest.approx(0.005) and n[0] == pytest.approx(0.0005)
    assert n[2] == pytest.approx(np.arctan2(7.5 - 0.0005, L * np.cos(np.pi / 6)))
    assert n[4] == s[4] and n[5] == s[5]  # the foot stays
    # net force backward: the body moves back
    assert wk.leg_step(s, 0.9, 0.2, 0.6)[1] == pytest.approx(-0.1 * 0.4 * 0.05)
    # beyond the backward limit only a backward net force acts
    s3 = s.copy()
    s3[2], s3[6], s3[1] = -0.6, 1.0, 0.3
    assert wk.leg_step(s3, 1.0, 1.0, 0.0)[1] == pytest.approx(0.3)
    assert wk.leg_step(s3, 1.0, 0.0, 1.0)[1] == pytest.approx(0.3 - 0.005)
    # velocity clipped at 6
    s3[2], s3[1] = 0.0, 5.999
    assert wk.leg_step(s3, 1.0, 1.0, 0.0)[1] == 6.0
    # 20 ahead of the foot: the body stops
    s4 = s.copy()
    s4[0], s4[1], s4[4], s4[6] = 30.0, 1.0, 10.05, 1.0
    assert wk.leg_step(s4, 1.0, 1.0, 0.0)[1] == 0.0
    # foot up: the body stops at once
    s4[0] = 12.0
    assert wk.leg_step(s4, 0.2, 1.0, 0.0)[1] == 0.0


def test_best_gait_reaches_the_published_velocity():
    # Beer and Gallagher: about 0.624 at T = 200 for the optimal gait
    assert wk.optimal_gait_velocity() == pytest.approx(0.624, abs=0.002)


def test_walk_equals_python_loop():
    nets = CTRNN.random(5, population=5, seed=4, center_crossing=True)
    res = wk.walk(nets, duration=50.0)
    sig = lambda x: 1.0 / (1.0 + np.exp(-x))
    for p in range(5):
        net = nets[p]
        y = np.zeros(5)
        o = sig(net.gain * net.bias)
        s = wk.initial_state()
        for _ in range(500):
            y = y + 0.1 / net.tau * (-y + o @ net.weights)
            o = sig(net.gain * (y + net.bias))
            s = wk.leg_step(s, o[0], o[1], o[2])
        assert res.distance[p] == pytest.approx(s[0], rel=1e-9, abs=1e-12)
        assert res.fitness[p] == pytest.approx(s[0] / 50.0, rel=1e-9, abs=1e-12)
    t, states, outs = wk.walk_trajectory(nets[4], duration=50.0)
    assert t.shape == (500,) and states.shape == (500, 7) and outs.shape == (500, 5)
    assert states[-1, 0] == pytest.approx(res.distance[4], rel=1e-12, abs=1e-12)


def test_bad_input():
    with pytest.raises(ValueError, match="3 neurons"):
        wk.walk(CTRNN.random(2, seed=0))
    with pytest.raises(ValueError, match="input_weights"):
        wk.walk(CTRNN.random(5, n_inputs=2, seed=0))
    with pytest.raises(ValueError, match="duration"):
        wk.walk(CTRNN.random(5, seed=0), duration=0)
    with pytest.raises(ValueError, match="foot"):
        wk.leg_step(wk.initial_state(), 2.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="state"):
        wk.leg_step(np.zeros(6), 1.0, 0.0, 0.0)
