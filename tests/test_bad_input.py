"""A notebook cell given wrong shapes or types gets the library's own error naming
the argument, raised before any compiled code runs (never a numba typing error)."""

import numpy as np
import pytest
from numba.core.errors import NumbaError

import dynnets as dn
from dynnets.analysis import (
    fixed_points,
    lyapunov_spectrum,
    memory_capacity,
    periodic_orbit,
)
from dynnets.models.cells import GRU, LSTM, Elman
from dynnets.tasks import cartpole, catch, walker
from dynnets.train import CMAES, Adam, GenomeMap, Readout, Ridge, evolve, train_bptt

NET = dn.CTRNN.random(3, seed=0)
RES = dn.Reservoir.random(20, 1, seed=0)
CELL, RO = LSTM.random(2, 4, seed=0), Readout.random(4, 1, seed=1)
X = dn.random_patterns(4, 30, seed=0)

CASES = {
    # integration and CTRNNs
    "simulate y0": (lambda: dn.simulate(NET, [0.0, 0.0], n_steps=10), "y0"),
    "simulate dt": (lambda: dn.simulate(NET, dt=-0.1, n_steps=10), "dt"),
    "CTRNN weights": (lambda: dn.CTRNN(np.zeros((2, 3))), "weights"),
    "CTRNN tau": (lambda: dn.CTRNN(np.zeros((2, 2)), tau=[1.0, 0.0]), "tau"),
    "simulate inputs": (lambda: dn.simulate(dn.CTRNN.random(2, n_inputs=1, seed=0), n_steps=5,
                                            inputs=np.zeros((5, 3))), "inputs"),
    "solve t_span": (lambda: dn.solve(dn.lorenz(), [1.0, 1, 1], (1.0, 1.0)), "t_span"),
    # analysis
    "lyapunov y0": (lambda: lyapunov_spectrum(dn.lorenz(), [1.0, 1.0], T=1), "y0"),
    "fixed_points bounds": (lambda: fixed_points(dn.henon(), [[-3, 3]]), "bounds"),
    "periodic_orbit y0": (lambda: periodic_orbit(dn.van_der_pol(), "x"), "y0"),
    # reservoirs
    "reservoir run u": (lambda: RES.run(np.zeros((10, 3))), "u"),
    "ESN fit y": (lambda: dn.ESN(RES).fit(np.zeros((50, 1)), np.zeros((40, 1))), "y"),
    "Ridge X": (lambda: Ridge().fit(np.zeros((5, 2)), np.zeros((4, 1))), "Y"),
    "memory capacity": (lambda: memory_capacity(RES, 0), "max_delay"),
    # recurrent cells and BPTT
    "cell run x": (lambda: CELL.run(np.zeros((5, 2, 3))), "x"),
    "cell step h": (lambda: CELL.step(np.zeros(2), np.zeros(5), np.zeros(4)), "h"),
    "GRU reset": (lambda: GRU.random(2, 4, reset="sideways"), "reset"),
    "LSTM variant": (lambda: LSTM.random(2, 4, variant="X"), "variant"),
    "train_bptt target": (lambda: train_bptt(CELL, RO, np.zeros((5, 2, 2)), np.zeros((5, 2, 3)), epochs=1,
                                             progress=False), "target"),
    "Adam lr": (lambda: Adam(-1.0), "lr"),
    "Elman nonlinearity": (lambda: Elman.random(2, 4, nonlinearity="cube"), "nonlinearity"),
    # Hopfield and BAM
    "Hopfield patterns": (lambda: dn.Hopfield.from_patterns(np.full((2, 5), 0.5)), "patterns"),
    "recall probes": (lambda: dn.Hopfield.from_patterns(X).recall(X[:, :10]), "probes"),
    "BAM pairs": (lambda: dn.BAM.from_pairs(X, X[:3]), "X and Y"),
    "flip_bits fraction": (lambda: dn.flip_bits(X, 1.5), "fraction"),
    # evolution and tasks
    "GenomeMap range": (lambda: GenomeMap(w=(2, 1.0, -1.0)), "w"),
    "evolve algorithm": (lambda: evolve(lambda g: g[:, 0], "cma"), "algorithm"),
    "CMAES n_genes": (lambda: CMAES(0), "n_genes"),
    "balance inputs": (lambda: cartpole.balance(dn.CTRNN.random(3, n_inputs=2, seed=0)), "input_weights"),
    "walk neurons": (lambda: walker.walk(dn.CTRNN.random(2, seed=0)), "neurons"),
    "catch seed": (lambda: catch.catch(dn.CTRNN.random(4, n_inputs=7, tau_range=(1, 2), seed=0)), "seed"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_clear_error_names_the_argument(case):
    call, argument = CASES[case]
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    assert not isinstance(info.value, NumbaError), f"{case}: a numba error reached the user: {info.value}"
    assert argument in str(info.value), f"{case}: {info.value!r} does not name {argument!r}"
