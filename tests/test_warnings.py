"""Settings that are valid but almost certainly wrong warn (dn.NumericalWarning),
sensible ones do not, and the warning can be silenced."""

import warnings

import numpy as np
import pytest

import dynnets as dn


def test_spectral_radius_far_above_one_without_leak():
    with pytest.warns(dn.NumericalWarning, match="spectral_radius = 3"):
        dn.Reservoir.random(50, 1, spectral_radius=3.0, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dn.Reservoir.random(50, 1, spectral_radius=3.0, leak=0.1, seed=0)  # leaky: FORCE-style, fine
        dn.Reservoir.random(50, 1, spectral_radius=1.2, seed=0)


def test_euler_step_longer_than_a_time_constant():
    net = dn.CTRNN.random(3, tau_range=(0.5, 2.0), seed=0)
    with pytest.warns(dn.NumericalWarning, match="smallest time constant"):
        dn.simulate(net, dt=0.9, n_steps=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dn.simulate(net, dt=0.05, n_steps=5)


def test_ill_conditioned_ridge():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 1))
    X = np.hstack([x, x + 1e-9 * rng.normal(size=(200, 1))])  # nearly collinear features
    with pytest.warns(dn.NumericalWarning, match="ill-conditioned"):
        dn.Ridge(1e-14).fit(X, x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dn.Ridge(1e-2).fit(X, x)


def test_silenced_by_category():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=dn.NumericalWarning)
        dn.Reservoir.random(20, 1, spectral_radius=3.0, seed=0)
