"""Every public entry point under property-based bad input (hypothesis).

Each entry point has one valid call on a small problem (``CASES``). Hypothesis
replaces one argument of it with a bad value: an array of a random shape and
dtype, or holding NaN or inf; a negative, zero, non-integer, huge or non-finite
number; a string, None, a complex number, a list of lists or an arbitrary
object. The only outcomes allowed are a result whose arrays are all finite, or
a ValueError/TypeError whose message names the argument (DivergenceError, a
FloatingPointError naming the step and unit, where the argument makes a run
blow up). ``test_every_public_entry_point_has_a_case`` keeps the table complete.
"""

# ruff: noqa: C408  (the cases read best as dict(name=value) keyword lists)
import inspect
import os
import re
import warnings
from dataclasses import fields, is_dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numba import njit

import dynnets as dn
from dynnets import analysis, tasks, train
from dynnets.models import cells, hopfield
from dynnets.tasks import cartpole, catch, walker

# ---------------------------------------------------------------- bad values

_dtypes = st.sampled_from([np.float64, np.float32, np.int64, np.bool_, np.complex128, np.str_, object])


@st.composite
def bad_arrays(draw):
    shape = tuple(draw(st.lists(st.integers(0, 4), max_size=4)))
    dtype = draw(_dtypes)
    a = np.ones(shape, dtype=dtype) if dtype is not object else np.full(shape, None, dtype=object)
    if dtype in (np.float64, np.float32) and a.size and draw(st.booleans()):
        a.flat[draw(st.integers(0, a.size - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    return a


# Out-of-range numbers, each far outside anything meaningful: a run must refuse
# them, not start a loop of 1e300 steps (dt = 1e-300 or T = 1e18 included).
bad_numbers = st.sampled_from([np.nan, np.inf, -np.inf, 0, -1, -(2**31), -(2**70), 2**62, 2**70, 0.0, -0.5,
                               2.5, 1e-300, -1e-300, 1e18, 1e300, -1e300, np.float32(np.nan), np.int64(-3)])
bad_objects = st.sampled_from([True, 1j, "x", "", None, [[1.0, 2.0], [3.0]], [], (), {}, object(),
                               np.array("abc"), lambda *a: 0])
bad_values = st.one_of(bad_numbers, bad_objects, bad_arrays())


# ------------------------------------------------------------ valid calls


@njit(cache=True)
def decay_rhs(t, y, params, dydt):
    for i in range(y.size):
        dydt[i] = -params[0] * y[i]


def _net(n=2, **kw):
    return dn.CTRNN.random(n, seed=0, tau_range=(1.0, 2.0), **kw)


_res = dn.Reservoir.random(12, 1, seed=0)
_u = np.sin(np.arange(80) / 4.0)[:, None]
_pats = dn.random_patterns(2, 12, seed=0)
_x = np.random.default_rng(0).normal(size=(6, 2, 2))  # (T, batch, inputs)
_X = np.random.default_rng(1).normal(size=(30, 3))
_Y = _X @ [1.0, -2.0, 0.5] + 0.1


def _esn():
    return dn.ESN(_res, washout=5)


def _fitted_esn():
    return _esn().fit(_u[:-1], _u[1:])


def _ridge():
    return dn.Ridge(1e-6).fit(_X, _Y)


def _cell(cls):
    return cls.random(2, 3, seed=0)


CELLS = {"Elman": cells.Elman, "FullyRecurrent": cells.FullyRecurrent, "Jordan": cells.Jordan,
         "IndRNN": cells.IndRNN, "SecondOrder": cells.SecondOrder, "LSTM": cells.LSTM, "GRU": cells.GRU}

# name: (what to call, valid keyword arguments)
CASES = {
    # CTRNN and integration
    "CTRNN": (dn.CTRNN, dict(weights=np.eye(2), tau=[1.0, 2.0], bias=0.5, gain=1.0, input_weights=None)),
    "CTRNN.random": (dn.CTRNN.random, dict(n=2, population=3, weight_range=(-2, 2), bias_range=(-1, 1),
                                           tau_range=(1.0, 2.0), gain_range=(1.0, 1.0), n_inputs=1,
                                           input_weight_range=(-1, 1), seed=0)),
    "CTRNN.center_crossing": (dn.CTRNN.center_crossing, dict(weights=np.eye(2), tau=1.0, gain=1.0)),
    "CTRNN.outputs": (lambda: _net().outputs, dict(y=[0.1, 0.2])),
    "CTRNN.jacobian": (lambda: _net().jacobian, dict(y=[0.1, 0.2], current=None)),
    "CTRNN.system": (lambda: _net().system, dict(current=[0.0, 0.1])),
    "simulate": (dn.simulate, dict(net=_net(), y0=[0.1, 0.2], dt=0.05, n_steps=20, method="rk4", save_every=2)),
    "CTRNN.stepper": (lambda: _net(population=3).stepper, dict(dt=0.05, method="rk4", y0=[0.1, 0.2])),
    "CTRNNStepper": (lambda: _net(population=3).stepper(0.05), dict(u=np.ones((3, 2)))),
    "mtrnn": (dn.mtrnn, dict(sizes=[3, 2], taus=[1.0, 5.0], weight_scale=1.0, n_inputs=1, seed=0)),
    "solve": (dn.solve, dict(system=decay_rhs, y0=[1.0, 2.0], t_span=(0.0, 1.0), params=[0.5], rtol=1e-6,
                             atol=1e-9, t_eval=[0.5, 1.0], max_steps=10_000)),
    "solve_batch": (dn.solve_batch, dict(system=decay_rhs, y0=[[1.0], [2.0]], t_span=(0.0, 1.0), params=[0.5],
                                         t_eval=[0.5, 1.0])),
    "get_method": (dn.integrate.get_method, dict(method="rk4")),
    "System": (dn.System, dict(rhs=decay_rhs, params=[1.0], jac=None, n=2, name="decay")),
    "lorenz": (dn.lorenz, dict(sigma=10.0, rho=28.0, beta=8 / 3)),
    "rossler": (dn.rossler, dict(a=0.2, b=0.2, c=5.7)),
    "van_der_pol": (dn.van_der_pol, dict(mu=1.0)),
    "duffing": (dn.duffing, dict(delta=0.3, alpha=-1.0, beta=1.0, gamma=0.5, omega=1.2)),
    "henon": (dn.henon, dict(a=1.4, b=0.3)),
    "logistic": (dn.logistic, dict(r=3.5)),
    "random_network": (dn.models.random_network, dict(n=4, g=1.5, seed=0)),
    # analysis
    "fixed_points": (analysis.fixed_points, dict(system=dn.lorenz(), bounds=[[-9, 9], [-9, 9], [0, 30]],
                                                 n_starts=10, tol=1e-10, max_iter=50, seed=0)),
    "classify": (analysis.classify, dict(eigenvalues=[-1.0, -2.0], is_map=False, eig_tol=1e-9)),
    "lyapunov_spectrum": (analysis.lyapunov_spectrum, dict(system=dn.lorenz(), y0=[1.0, 1.0, 1.0], T=1.0, k=2,
                                                           transient=0.5, dt=0.01, renorm=0.1, method="rk4")),
    "lyapunov_max": (analysis.lyapunov_max, dict(system=dn.henon(), y0=[0.1, 0.1], T=200)),
    "lyapunov_sweep": (analysis.lyapunov_sweep, dict(system=dn.logistic(), param=0, values=[3.2, 3.9],
                                                     y0=[0.3], T=200, transient=10)),
    "kaplan_yorke": (analysis.kaplan_yorke, dict(exponents=[0.9, 0.0, -14.5])),
    "orbit_diagram": (analysis.orbit_diagram, dict(system=dn.logistic(), param=0, values=[3.2, 3.5],
                                                   y0=[0.3], transient=50, record=20)),
    "poincare_section": (analysis.poincare_section, dict(system=dn.van_der_pol(), y0=[2.0, 0.0], T=20.0,
                                                         normal=[0.0, 1.0], offset=0.0, direction=1, dt=0.01)),
    "periodic_orbit": (analysis.periodic_orbit, dict(system=dn.van_der_pol(), y0=[2.0, 0.0], transient=20.0,
                                                     normal=[0.0, 1.0], offset=0.0, dt=0.01, tol=1e-6)),
    "continuation": (analysis.continuation, dict(system=dn.lorenz(), param=1, y0=[0.0, 0.0, 0.0], p0=0.5,
                                                 p_end=0.8, ds=0.05, ds_max=0.2, max_steps=50)),
    "basins": (analysis.basins, dict(system=dn.duffing(gamma=0.0), axes=[np.linspace(-1, 1, 3)] * 2,
                                     transient=5.0, window=5.0, dt=0.05)),
    "correlation_sum": (analysis.correlation_sum, dict(x=_X, r=[0.5, 1.0], theiler=0)),
    "correlation_dimension": (analysis.correlation_dimension, dict(x=np.random.default_rng(2).random((300, 2)),
                                                                   theiler=1, n_r=12)),
    # reservoirs and readouts
    "Reservoir.random": (dn.Reservoir.random, dict(n_units=12, n_inputs=1, spectral_radius=0.9, density=0.3,
                                                   input_scaling=1.0, leak=0.5, seed=0)),
    "Reservoir.run": (lambda: _res.run, dict(u=_u, x0=np.zeros(12))),
    "Reservoir.jacobian": (lambda: _res.jacobian, dict(x=np.zeros(12), u=[0.1])),
    "ESN": (dn.ESN, dict(reservoir=_res, ridge=1e-8, washout=5, use_input=True)),
    "ESN.fit": (lambda: _esn().fit, dict(u=_u[:-1], y=_u[1:], x0=None)),
    "ESN.predict": (lambda: _fitted_esn().predict, dict(u=_u, x0=None)),
    "ESN.generate": (lambda: _fitted_esn().generate, dict(n_steps=10, u_warmup=_u[:20])),
    "Ridge": (dn.Ridge, dict(ridge=1e-6, fit_intercept=True)),
    "Ridge.fit": (lambda: dn.Ridge(1e-6).fit, dict(X=_X, Y=_Y)),
    "Ridge.partial_fit": (lambda: dn.Ridge(1e-6).partial_fit, dict(X=_X, Y=_Y)),
    "Ridge.predict": (lambda: _ridge().predict, dict(X=_X)),
    "RidgeClassifier.fit": (lambda: dn.RidgeClassifier().fit, dict(X=_X, labels=(_Y > 0).astype(int))),
    "RLS.fit": (lambda: train.RLS(alpha=1.0).fit, dict(X=_X, Y=_Y)),
    "LSM.random": (dn.LSM.random, dict(n_units=20, n_inputs=1, seed=0)),
    "LSM.run": (lambda: dn.LSM.random(20, 1, seed=0).run, dict(u=np.ones((40, 1)), dt=0.5, seed=0)),
    "memory_capacity": (analysis.memory_capacity, dict(reservoir=_res, max_delay=5, n_train=300, n_test=100,
                                                       washout=20, seed=0)),
    "echo_state_distance": (analysis.echo_state_distance, dict(reservoir=_res, u=_u, seed=0)),
    "reservoir_lyapunov": (analysis.reservoir_lyapunov, dict(reservoir=_res, u=_u, washout=10, seed=0)),
    "force": (train.force, dict(reservoir=dn.Reservoir.random(20, 1, input_scaling=0.0, n_feedback=1, seed=0),
                                target=np.sin(np.arange(60) / 5.0)[:, None], alpha=1.0, learn_every=2, seed=0,
                                progress=False)),
    # Hopfield and BAM
    "Hopfield": (dn.Hopfield, dict(weights=hopfield.hebbian(_pats), theta=None)),
    "Hopfield.from_patterns": (dn.Hopfield.from_patterns, dict(patterns=_pats, rule="storkey")),
    "Hopfield.recall": (lambda: dn.Hopfield.from_patterns(_pats).recall,
                        dict(probes=_pats, mode="async", temperature=0.0, max_sweeps=20, seed=0)),
    "Hopfield.energy": (lambda: dn.Hopfield.from_patterns(_pats).energy, dict(states=_pats)),
    "hebbian": (hopfield.hebbian, dict(patterns=_pats)),
    "storkey": (hopfield.storkey, dict(patterns=_pats)),
    "pseudo_inverse": (hopfield.pseudo_inverse, dict(patterns=_pats)),
    "random_patterns": (dn.random_patterns, dict(P=2, N=12, seed=0)),
    "flip_bits": (dn.flip_bits, dict(patterns=_pats, fraction=0.25, seed=0)),
    "overlaps": (dn.overlaps, dict(states=_pats, patterns=_pats)),
    "to_bipolar": (dn.to_bipolar, dict(x=[[0.0, 1.0]])),
    "classify_states": (dn.models.classify_states, dict(states=_pats, patterns=_pats)),
    "recall_curve": (dn.models.recall_curve, dict(net=dn.Hopfield.from_patterns(_pats), patterns=_pats,
                                                  noise=[0.0, 0.2], trials=1, seed=0)),
    "ModernHopfield": (dn.ModernHopfield, dict(patterns=_pats, beta=2.0)),
    "ModernHopfield.update": (lambda: dn.ModernHopfield(_pats, 2.0).update, dict(queries=_pats, max_iter=3)),
    "continuous_hopfield": (dn.continuous_hopfield, dict(T=hopfield.hebbian(_pats), R=1.0, C=1.0, I=0.0,
                                                         gain=1.0)),
    "continuous_hopfield_energy": (dn.continuous_hopfield_energy, dict(u=np.zeros(12), T=hopfield.hebbian(_pats))),
    "BAM.from_pairs": (dn.BAM.from_pairs, dict(X=_pats, Y=_pats[:, :6])),
    "BAM.recall": (lambda: dn.BAM.from_pairs(_pats, _pats[:, :6]).recall, dict(x=_pats, max_iter=20, seed=0)),
    # cells and training
    "Stack.run": (lambda: cells.Stack([_cell(cells.LSTM), cells.GRU.random(3, 2, seed=1)]).run, dict(x=_x)),
    "Bidirectional.run": (lambda: cells.Bidirectional(_cell(cells.GRU), _cell(cells.GRU)).run, dict(x=_x)),
    "EncoderDecoder.run": (lambda: cells.EncoderDecoder(_cell(cells.LSTM), _cell(cells.LSTM)).run,
                           dict(source=_x, inputs=_x)),
    "Readout.random": (train.Readout.random, dict(n_hidden=3, n_outputs=2, seed=0)),
    "train_bptt": (train.train_bptt, dict(cell=_cell(cells.Elman), readout=train.Readout.random(3, 1, seed=0),
                                          x=_x, target=np.zeros((6, 2, 1)), loss="mse", epochs=2, batch_size=2,
                                          clip=1.0, seed=0, progress=False)),
    "train_rtrl": (train.train_rtrl, dict(cell=_cell(cells.Elman), readout=train.Readout.random(3, 1, seed=0),
                                          x=_x[:, 0], target=np.zeros((6, 1)), lr=0.01)),
    "sample": (train.sample, dict(cell=cells.LSTM.random(3, 4, seed=0), readout=train.Readout.random(4, 3, seed=0),
                                  prompt=[0, 1], n_steps=5, temperature=1.0, seed=0)),
    "SGD.step": (lambda: train.SGD(lr=0.1, momentum=0.9).step, dict(params={"w": np.ones(3)}, grads={"w": np.ones(3)})),
    "Adam.step": (lambda: train.Adam(lr=0.01).step, dict(params={"w": np.ones(3)}, grads={"w": np.ones(3)})),
    # tasks and data
    "mackey_glass": (tasks.mackey_glass, dict(n_samples=50, tau=17.0, dt=0.1, sample_every=1.0, discard=10.0)),
    "narma": (tasks.narma, dict(n_samples=60, order=10, seed=0, discard=20)),
    "lorenz_series": (tasks.lorenz_series, dict(n_samples=50, dt=0.02, discard=1.0)),
    "nrmse": (tasks.nrmse, dict(y_true=_Y, y_pred=_Y + 0.1)),
    "flip_flop": (tasks.flip_flop, dict(n=2, T=20, bits=3, p=0.1, seed=0)),
    "reber": (tasks.reber, dict(n=3, embedded=True, seed=0)),
    "one_hot": (tasks.one_hot, dict(strings=["BTSE", "BPE"], alphabet="BTPSXVE")),
    "next_symbol": (tasks.next_symbol, dict(strings=["BTSE", "BPE"], alphabet="BTPSXVE")),
    "text": (tasks.text, dict()),
    # evolution and robotics
    "GenomeMap": (train.GenomeMap, dict(w=(4, -5.0, 5.0), tau=(2, 0.5, 5.0))),
    "GenomeMap.decode": (lambda: train.GenomeMap(w=(4, -5.0, 5.0)).decode, dict(genes=np.zeros((3, 4)))),
    "CMAES": (train.CMAES, dict(n_genes=4, pop_size=6, sigma0=0.5, seed=0)),
    "CMAES.tell": (lambda: _asked(train.CMAES(4, 6, seed=0)).tell, dict(fitness=np.arange(6.0))),
    "GeneticAlgorithm": (train.GeneticAlgorithm, dict(n_genes=4, pop_size=10, elite=2, tournament=3,
                                                      crossover=0.9, mutation_rate=0.1, mutation_sd=0.2, seed=0)),
    "MicrobialGA": (train.MicrobialGA, dict(n_genes=4, pop_size=10, deme=3, recombination=0.5, mutation_sd=0.1,
                                            seed=0)),
    "ParticleSwarm": (train.ParticleSwarm, dict(n_genes=4, pop_size=10, w=0.7, c1=1.5, c2=1.5, vmax=0.5, seed=0)),
    "SimulatedAnnealing": (train.SimulatedAnnealing, dict(n_genes=4, pop_size=5, T0=1.0, cooling=0.99,
                                                          step=0.1, seed=0)),
    "evolve": (train.evolve, dict(fitness=lambda g: -np.sum(g**2, axis=1), algorithm=train.CMAES(3, 6, seed=0),
                                  generations=3, target=None, progress=False)),
    "balance": (cartpole.balance, dict(net=_net(3, n_inputs=3, population=2), starts=None, n_poles=2,
                                       max_steps=20, dt=0.02, output=0)),
    "trajectory": (cartpole.trajectory, dict(net=_net(3, n_inputs=3), n_steps=20, dt=0.02)),
    "cartpole_step": (cartpole.cartpole_step, dict(state=cartpole.standard_start(), action=0.5)),
    "n_observations": (cartpole.n_observations, dict(n_poles=2, velocities=True)),
    "standard_start": (cartpole.standard_start, dict(n_poles=1)),
    "walk": (walker.walk, dict(net=_net(3, population=2), duration=5.0, dt=0.1)),
    "walk_trajectory": (walker.walk_trajectory, dict(net=_net(3), duration=5.0, dt=0.1)),
    "leg_step": (walker.leg_step, dict(state=walker.initial_state(), foot=1.0, forward=0.5, backward=0.0, dt=0.1)),
    "optimal_gait_velocity": (walker.optimal_gait_velocity, dict(duration=10.0, dt=0.1)),
    "catch": (catch.catch, dict(net=_net(4, n_inputs=7, population=2), n_trials=2, seed=0, dt=0.1)),
    "catch_trajectory": (catch.catch_trajectory, dict(net=_net(4, n_inputs=7), offset=10.0, dt=0.1)),
}

def _method(cls, name):
    return lambda: getattr(_cell(cls), name)


for _name, _cls in CELLS.items():
    CASES[f"{_name}.random"] = (_cls.random, dict(n_inputs=2, n_hidden=3, scale=0.5, seed=0))
    CASES[f"{_name}.run"] = (_method(_cls, "run"), dict(x=_x, h0=None))
    _n = 1 if _name == "Jordan" else 3  # a Jordan network's state is its output
    _c = {"c": np.zeros(3)} if _name == "LSTM" else {}
    CASES[f"{_name}.step"] = (_method(_cls, "step"), dict(x=_x[0, 0], h=np.zeros(_n), **_c))
    CASES[f"{_name}.gradients"] = (_method(_cls, "gradients"),
                                   dict(x=_x, dh=np.ones((6, 2, _n))))
    CASES[f"{_name}.jacobian"] = (_method(_cls, "jacobian"),
                                  dict(x=_x[0, 0], h=np.zeros(_n), **_c))
    CASES[f"{_name}.stepper"] = (_method(_cls, "stepper"), dict(h0=np.zeros(_n), **({"c0": np.zeros(3)} if _c else {})))
    CASES[f"Stepper({_name})"] = (lambda cls=_cls: _cell(cls).stepper(), dict(x=_x[0, 0]))


def _asked(alg):
    alg.ask()
    return alg


# Public names that are results, errors or plumbing rather than entry points
# that take user input; and entry points covered under another name.
NOT_ENTRY_POINTS = {
    "Solution", "DivergenceError", "NumericalWarning", "ButcherTableau", "Map", "save", "load",
    "Attractor", "Basins", "Bifurcation", "Branch", "CorrelationDimension", "FixedPoints", "LyapunovResult",
    "MemoryCapacity", "OrbitDiagram", "PeriodicOrbit", "Section", "EvolutionResult", "ForceResult", "History",
    "RTRLResult", "Recall", "BAMRecall", "Run", "StackRun", "BalanceResult", "WalkResult", "CatchResult",
    "legal_predictions", "generalization_starts", "initial_state", "solves",
    # the class names of cells, Reservoir, LSM, BAM, Ridge, RidgeClassifier, RLS, SGD, Adam,
    # Readout, Stack, Bidirectional, EncoderDecoder are reached through the constructors and
    # methods in CASES; save/load are fuzzed with corrupted and foreign files in test_io.py;
    # Map, ButcherTableau, legal_predictions and solves validate like their siblings
    # (test_bad_input.py)
}


def _public_names():
    names = set()
    for mod in (dn, analysis, tasks, train, dn.models, cells, cartpole, walker, catch):
        for n in getattr(mod, "__all__", []):
            obj = getattr(mod, n)
            if callable(obj) and not inspect.ismodule(obj):
                names.add(n)
    return names


def test_every_public_entry_point_has_a_case():
    covered = {k.split(".")[0] for k in CASES} | {k.split(".")[-1] for k in CASES} | NOT_ENTRY_POINTS
    classes_via_methods = {"Reservoir", "LSM", "BAM", "RidgeClassifier", "RLS", "SGD", "Adam", "Readout",
                           "Stack", "Bidirectional", "EncoderDecoder"}
    missing = _public_names() - covered - classes_via_methods
    assert not missing, f"public entry points without a bad-input case: {sorted(missing)}"


# ------------------------------------------------------------------ checks


# Result fields documented to hold NaN: energy traces padded after convergence.
NAN_PADDED = {("Recall", "energy"), ("BAMRecall", "energy")}
# Documented NaN in, NaN out: the outputs of a diverged run recorded with nan_ok.
NAN_PROPAGATING = {("CTRNN.outputs", "y")}


def _finite(obj, depth=0):
    """Every float array reachable from ``obj`` (fields, sequences, dicts) is finite."""
    if depth > 4:
        return True
    if isinstance(obj, np.ndarray):
        return obj.dtype.kind not in "fc" or bool(np.all(np.isfinite(obj)))
    if isinstance(obj, float):
        return np.isfinite(obj)
    if isinstance(obj, dict):
        return all(_finite(v, depth + 1) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return all(_finite(v, depth + 1) for v in obj[:50])
    if is_dataclass(obj):
        return all(_finite(getattr(obj, f.name), depth + 1) for f in fields(obj)
                   if (type(obj).__name__, f.name) not in NAN_PADDED)
    return True


def _callable(name):
    """The case's function (a lambda in CASES builds a fresh object and returns
    its method) and its valid keyword arguments."""
    target, kwargs = CASES[name]
    fn = target() if inspect.isfunction(target) and target.__name__ == "<lambda>" else target
    return fn, kwargs


def check(name, param, value):
    if os.environ.get("DYNNETS_BAD_INPUT_LOG"):  # for the README's count of distinct inputs
        with open(os.environ["DYNNETS_BAD_INPUT_LOG"], "a") as log:
            print(name, param, type(value).__name__, getattr(value, "dtype", ""), np.shape(value)
                  if isinstance(value, np.ndarray) else "", repr(value)[:200].replace("\n", " "), file=log)
    fn, kwargs = _callable(name)
    call = dict(kwargs, **{param: value})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = fn(**call)
        except (ValueError, TypeError) as err:
            assert re.search(rf"\b{param}\b", str(err)), \
                f"{name}({param}={value!r}) raised {type(err).__name__} without naming {param!r}: {err}"
            return
        except dn.DivergenceError:
            return
    if (name, param) in NAN_PROPAGATING and not _finite(value):
        return
    assert _finite(result), f"{name}({param}={value!r}) returned non-finite values"


@pytest.mark.parametrize("name", sorted(CASES))
def test_valid_call(name):
    fn, kwargs = _callable(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _finite(fn(**kwargs)), f"{name} with valid arguments returned non-finite values"


SETTINGS = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.timeout(600, method="thread")  # a hang fails the test with the stack, not the run
@pytest.mark.parametrize("name", sorted(CASES))
@SETTINGS
@given(data=st.data())
def test_bad_argument(name, data):
    params = sorted(CASES[name][1])
    if not params:
        return
    param = data.draw(st.sampled_from(params), label="argument")
    value = data.draw(bad_values, label="value")
    check(name, param, value)
