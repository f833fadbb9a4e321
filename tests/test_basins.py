"""Basins of attraction against closed forms and symmetry."""

import matplotlib
import numpy as np
import pytest

import dynnets as dn
from dynnets.analysis import basins


def test_bistable_neuron_basin_boundary_is_the_unstable_point():
    # y' = -y + 6 sigma(y - 3): stable points on either side of the unstable y = 3
    net = dn.CTRNN([[6.0]], tau=1.0, bias=[-3.0])
    y0 = np.linspace(-10, 10, 201)
    b = basins(net.system(), [y0], components=[0], transient=50, window=20)
    kinds = [a.kind for a in b.attractors]
    assert sorted(kinds) == ["fixed point", "fixed point", "unstable fixed point"]
    low = int(np.argmin([a.point[0] for a in b.attractors]))
    high = int(np.argmax([a.point[0] for a in b.attractors]))
    np.testing.assert_array_equal(b.labels[y0 < 3], low)
    np.testing.assert_array_equal(b.labels[y0 > 3], high)
    assert b.fractions.sum() == pytest.approx(1.0)


def test_duffing_double_well_is_symmetric():
    d = dn.duffing(delta=0.3, alpha=-1.0, beta=1.0, gamma=0.0)
    grid = np.linspace(-2, 2, 41)
    b = basins(d, [grid, grid], transient=100, window=20)
    wells = [a for a in b.attractors if a.kind == "fixed point"]
    np.testing.assert_allclose(sorted(a.point[0] for a in wells), [-1.0, 1.0], atol=1e-6)
    # x -> -x, v -> -v maps one basin onto the other
    k_left = b.attractors.index(min(wells, key=lambda a: a.point[0]))
    k_right = b.attractors.index(max(wells, key=lambda a: a.point[0]))
    np.testing.assert_array_equal(b.labels == k_left, (b.labels == k_right)[::-1, ::-1])
    matplotlib.use("Agg")
    assert b.plot() is not None


def test_henon_one_chaotic_attractor_and_escapes():
    grid = np.linspace(-2, 2, 41)
    b = basins(dn.henon(), [grid, grid], transient=200, window=500, escape=100)
    assert [a.kind for a in b.attractors] == ["chaotic"]
    assert b.attractors[0].lyapunov == pytest.approx(0.419, abs=0.05)
    escaped = np.mean(b.labels == -1)
    assert 0.3 < escaped < 0.8 and b.attractors[0].fraction + escaped == pytest.approx(1.0)


def test_bad_input():
    with pytest.raises(ValueError, match="one or two non-empty"):
        basins(dn.henon(), [])
    with pytest.raises(ValueError, match="components must be <= 1"):
        basins(dn.henon(), [[0.0]], components=[3])
