"""Models, results and algorithms print on one short line (arrays by shape), so a
notebook cell that ends with one shows something readable."""

import numpy as np
import pytest

import dynnets as dn
from dynnets.analysis import (
    continuation,
    fixed_points,
    lyapunov_spectrum,
    orbit_diagram,
    poincare_section,
)
from dynnets.models.cells import GRU, LSTM, Elman
from dynnets.tasks import cartpole, catch, walker
from dynnets.train import (
    CMAES,
    Adam,
    GeneticAlgorithm,
    GenomeMap,
    Readout,
    Ridge,
    RidgeClassifier,
    evolve,
)

X = dn.random_patterns(5, 50, seed=0)
MAKERS = {
    "Solution": lambda: dn.simulate(dn.CTRNN.random(3, seed=0), dt=0.1, n_steps=50),
    "LyapunovResult": lambda: lyapunov_spectrum(dn.lorenz(), [1.0, 1, 1], T=2),
    "FixedPoints": lambda: fixed_points(dn.henon(), [[-3, 3], [-3, 3]], seed=0),
    "Branch": lambda: continuation(dn.lorenz(), 1, [1.63, 1.63, 1.0], 2.0, 30.0),
    "OrbitDiagram": lambda: orbit_diagram(dn.logistic(), 0, np.linspace(3, 4, 5), [0.5], transient=10, record=5),
    "Section": lambda: poincare_section(dn.lorenz(), [1.0, 1, 20], 5, [0, 0, 1], 27.0),
    "Recall": lambda: dn.Hopfield.from_patterns(X).recall(X, seed=0),
    "BAMRecall": lambda: dn.BAM.from_pairs(X, X[:, :20]).recall(X),
    "Run": lambda: LSTM.random(2, 4, seed=0).run(np.zeros((5, 2, 2))),
    "EvolutionResult": lambda: evolve(lambda g: -(g**2).sum(1), CMAES(3, seed=0), generations=2, progress=False),
    "BalanceResult": lambda: cartpole.balance(dn.CTRNN.random(3, population=4, n_inputs=3, tau_range=(0.02, 0.1))),
    "WalkResult": lambda: walker.walk(dn.CTRNN.random(5, population=4, seed=1), duration=10),
    "CatchResult": lambda: catch.catch(dn.CTRNN.random(4, population=3, n_inputs=7, tau_range=(1, 2)), [0.0]),
    "models": lambda: [dn.CTRNN.random(3, seed=0), dn.Reservoir.random(20, 1, seed=0), dn.Hopfield.from_patterns(X),
                       LSTM.random(2, 4), GRU.random(2, 4), Elman.random(2, 4), Readout.random(4, 1)],
    "training": lambda: [Adam(), CMAES(3, seed=0), GeneticAlgorithm(3, seed=0), Ridge(), RidgeClassifier(),
                         GenomeMap(w=(3, -1, 1))],
}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_short_one_line_repr(name):
    objs = MAKERS[name]()
    for obj in objs if isinstance(objs, list) else [objs]:
        r = repr(obj)
        assert len(r) < 200 and "\n" not in r and " object at 0x" not in r, r
        assert r.startswith(type(obj).__name__ + "("), r


def test_html_tables_in_jupyter():
    fp = MAKERS["FixedPoints"]()
    html = fp._repr_html_()
    assert html.startswith("<table") and html.count("<tr>") == len(fp) + 1 and "saddle" in html
    res = MAKERS["EvolutionResult"]()
    html = res._repr_html_()
    assert html.startswith("<table") and f"{res.best_fitness:.6g}" in html and "evaluations" in html


RESULTS = ["Solution", "LyapunovResult", "FixedPoints", "Branch", "OrbitDiagram", "Section", "Recall", "BAMRecall",
           "Run", "EvolutionResult", "BalanceResult", "WalkResult", "CatchResult"]


@pytest.mark.parametrize("name", RESULTS)
def test_results_plot_to_axes(name):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    try:
        assert MAKERS[name]().plot(ax=ax) is ax
        assert ax.has_data()
    finally:
        plt.close(fig)


def test_periodic_orbit_plots_its_multipliers():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dynnets.analysis import periodic_orbit

    fig, ax = plt.subplots()
    orbit = periodic_orbit(dn.van_der_pol(1.0), [2.0, 0.0], transient=30)
    assert orbit.plot(ax=ax) is ax and ax.has_data()
    plt.close(fig)
