"""Evolutionary search: a genome-to-parameter map, five algorithms behind one
ask/tell interface, and a driver with checkpoints and exact resume.

Genomes are real vectors with genes in [-1, 1], mapped linearly to parameter
ranges (:class:`GenomeMap`), as in Beer's evolutionary searches. Every
algorithm *maximises* fitness:

- :class:`GeneticAlgorithm`: generational, tournament selection, uniform
  crossover, Gaussian mutation, elitism;
- :class:`MicrobialGA`: Harvey's steady-state tournaments (the loser is
  infected by the winner's genes and mutated), one generation = P/2 tournaments;
- :class:`CMAES`: the ``cma`` package's CMA-ES (Hansen), with the genes bounded;
- :class:`SimulatedAnnealing`: P independent Metropolis chains with a
  geometric cooling schedule;
- :class:`ParticleSwarm`: the constricted particle swarm (Clerc and Kennedy).

:func:`evolve` asks for a population, evaluates it (in-process, or on any
``concurrent.futures.Executor`` or Dask client), tells the fitness back, logs
the generation, and writes a checkpoint atomically. The checkpoint holds the
configuration and every generation's fitness: an algorithm is a deterministic
function of its seed and the fitness it was told, so resuming replays the
recorded fitness (no evaluations) and continues exactly where the run stopped,
with nothing pickled.

References
----------
.. [1] R. D. Beer, J. C. Gallagher, "Evolving dynamical neural networks for
       adaptive behavior", Adaptive Behavior 1(1), 91-122, 1992.
.. [2] I. Harvey, "The microbial genetic algorithm", ECAL 2009, LNCS 5778, 126-133.
.. [3] N. Hansen, "The CMA evolution strategy: a tutorial", arXiv:1604.00772, 2016.
.. [4] S. Kirkpatrick, C. D. Gelatt, M. P. Vecchi, "Optimization by simulated
       annealing", Science 220, 671-680, 1983.
.. [5] M. Clerc, J. Kennedy, "The particle swarm - explosion, stability, and
       convergence in a multidimensional complex space", IEEE Trans. Evol.
       Comput. 6(1), 58-73, 2002.
"""

import functools
import inspect
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from .._repr import array_repr, html_table
from .._validate import as_bool, as_float_array, as_scalar, check_seed
from ..io import atomic_write

CHECKPOINT_VERSION = 1


class GenomeMap:
    """Genes in [-1, 1] to named parameter arrays, linearly.

    Parameters
    ----------
    **ranges : (shape, low, high)
        One entry per parameter, for example ``weights=((3, 3), -16, 16)``,
        ``tau=(3, 0.5, 10)``. Gene ``g`` maps to ``low + (g + 1) / 2 (high - low)``.

    Examples
    --------
    >>> gm = GenomeMap(weights=((2, 2), -16, 16), bias=(2, -16, 16), tau=(2, 0.5, 10))
    >>> gm.size
    8
    >>> gm.decode(np.zeros((5, 8)))["tau"].shape
    (5, 2)
    """

    def __init__(self, **ranges):
        if not ranges:
            raise ValueError("GenomeMap needs at least one parameter range")
        self.ranges = {}
        for name, spec in ranges.items():
            try:
                shape, low, high = spec
            except (TypeError, ValueError):
                raise TypeError(f"{name} must be (shape, low, high), got {spec!r}") from None
            dims = [shape] if np.isscalar(shape) else shape
            if not (isinstance(dims, (list, tuple)) or (isinstance(dims, np.ndarray) and dims.ndim == 1)):
                raise TypeError(f"{name}: the shape must be an int or a tuple of ints, got {type(shape).__name__}")
            shape = tuple(as_scalar(f"{name} shape", s, integer=True) for s in dims)
            low = as_scalar(f"{name} low", low)
            high = as_scalar(f"{name} high", high)
            if low > high:
                raise ValueError(f"{name}: the range has min > max ({low} > {high})")
            if any(s < 1 for s in shape):
                raise ValueError(f"{name}: shape must be positive, got {shape}")
            self.ranges[name] = (shape, low, high)

    @property
    def size(self):
        """Number of genes."""
        return sum(int(np.prod(s)) for s, _, _ in self.ranges.values())

    def __repr__(self):
        body = ", ".join(f"{k}={s} in [{lo:g}, {hi:g}]" for k, (s, lo, hi) in self.ranges.items())
        return f"GenomeMap({self.size} genes: {body})"

    def decode(self, genes):
        """Parameters from genes (G,) or (P, G): a dict of arrays, with a leading
        population axis when ``genes`` has one. Genes outside [-1, 1] are clipped."""
        g = as_float_array("genes", genes, ndim=(1, 2))
        if g.shape[-1] != self.size:
            raise ValueError(f"genes must have {self.size} genes (the last axis), got shape {g.shape}")
        g = np.clip(g, -1.0, 1.0)
        lead = g.shape[:-1]
        out, o = {}, 0
        for name, (shape, low, high) in self.ranges.items():
            k = int(np.prod(shape))
            out[name] = (low + (g[..., o:o + k] + 1.0) * 0.5 * (high - low)).reshape(lead + shape)
            o += k
        return out

    def encode(self, params):
        """Genes from parameters (the inverse of :meth:`decode`); a constant range
        gives gene 0."""
        parts = []
        lead = None
        for name, (shape, low, high) in self.ranges.items():
            a = as_float_array(name, params[name])
            lead = a.shape[:a.ndim - len(shape)] if lead is None else lead
            if a.shape != lead + shape:
                raise ValueError(f"{name} must have shape {lead + shape}, got {a.shape}")
            g = np.zeros_like(a) if high == low else 2.0 * (a - low) / (high - low) - 1.0
            parts.append(g.reshape(lead + (-1,)))
        return np.concatenate(parts, axis=-1)


# ----------------------------------------------------------------------------
# algorithms: ask() -> (P, G) genes in [-1, 1]; tell(fitness (P,)); maximise
# ----------------------------------------------------------------------------


class _Algorithm:
    """Shared bookkeeping: the best individual so far and the generation count."""

    def __init__(self, n_genes, pop_size, seed):
        self.n_genes = as_scalar("n_genes", n_genes, low=1, integer=True)
        self.pop_size = as_scalar("pop_size", pop_size, low=2, integer=True)
        # an int only: a checkpoint records it and a resumed run rebuilds the search from it
        self.seed = check_seed(seed, generator=False, none=False)
        self.rng = np.random.default_rng(self.seed)
        self.generation = 0
        self.best_genes, self.best_fitness = None, -np.inf
        self._asked = None

    def __repr__(self):
        hyper = ", ".join(f"{k}={v}" for k, v in self._hyper().items() if not isinstance(v, list))
        return (f"{type(self).__name__}(genes={self.n_genes}, pop_size={self.pop_size}, "
                f"generation={self.generation}{', ' + hyper if hyper else ''})")

    def config(self):
        """What identifies this search (checked when a checkpoint is resumed)."""
        return {"algorithm": type(self).__name__, "n_genes": self.n_genes, "pop_size": self.pop_size,
                "seed": self.seed} | self._hyper()

    def _hyper(self):
        return {}

    def ask(self):
        """The population to evaluate next, (P, G)."""
        if self._asked is None:
            self._asked = self._ask()
        return self._asked.copy()

    def tell(self, fitness):
        """Report the fitness (P,) of the population from :meth:`ask`; NaN counts
        as the worst fitness."""
        if self._asked is None:
            raise RuntimeError("tell() before ask()")
        f = as_float_array("fitness", fitness, finite=False)
        if f.shape != (self.pop_size,):
            raise ValueError(f"fitness must have shape ({self.pop_size},), got {f.shape}")
        f = np.where(np.isnan(f), -np.inf, f)
        k = int(np.argmax(f))
        if f[k] > self.best_fitness:
            self.best_fitness, self.best_genes = float(f[k]), self._asked[k].copy()
        self._tell(self._asked, f)
        self._asked = None
        self.generation += 1


class GeneticAlgorithm(_Algorithm):
    """Generational GA: the ``elite`` best are copied unchanged; every other
    child comes from two tournament winners (size ``tournament``), uniform
    crossover with probability ``crossover``, then Gaussian mutation of each
    gene with probability ``mutation_rate`` and deviation ``mutation_sd``,
    clipped to [-1, 1].

    Parameters
    ----------
    n_genes : int
    pop_size : int
    elite, tournament : int
    crossover, mutation_rate : float
        Probabilities.
    mutation_sd : float
    seed : int
    """

    def __init__(self, n_genes, pop_size=100, *, elite=2, tournament=3, crossover=0.9, mutation_rate=0.1,
                 mutation_sd=0.2, seed=0):
        super().__init__(n_genes, pop_size, seed)
        self.elite = as_scalar("elite", elite, low=0, high=self.pop_size - 1, integer=True)
        self.tournament = as_scalar("tournament", tournament, low=1, high=self.pop_size, integer=True)
        self.crossover = as_scalar("crossover", crossover, low=0.0, high=1.0)
        self.mutation_rate = as_scalar("mutation_rate", mutation_rate, low=0.0, high=1.0)
        self.mutation_sd = as_scalar("mutation_sd", mutation_sd, low=0.0)
        self.pop = self.rng.uniform(-1.0, 1.0, (self.pop_size, self.n_genes))

    def _hyper(self):
        return {"elite": self.elite, "tournament": self.tournament, "crossover": self.crossover,
                "mutation_rate": self.mutation_rate, "mutation_sd": self.mutation_sd}

    def _ask(self):
        return self.pop

    def _select(self, f):
        c = self.rng.integers(0, self.pop_size, self.tournament)
        return c[np.argmax(f[c])]

    def _tell(self, pop, f):
        P, G = pop.shape
        order = np.argsort(-f, kind="stable")
        new = np.empty_like(pop)
        new[:self.elite] = pop[order[:self.elite]]
        for i in range(self.elite, P):
            a, b = pop[self._select(f)], pop[self._select(f)]
            child = np.where(self.rng.random(G) < 0.5, a, b) if self.rng.random() < self.crossover else a.copy()
            mut = self.rng.random(G) < self.mutation_rate
            child = child + mut * self.rng.normal(0.0, self.mutation_sd, G)
            new[i] = np.clip(child, -1.0, 1.0)
        self.pop = new


class MicrobialGA(_Algorithm):
    """Harvey's microbial GA on a ring: each tournament picks an individual and
    a neighbour within ``deme``; the loser copies each of the winner's genes
    with probability ``recombination`` and is mutated (deviation
    ``mutation_sd``, clipped). A generation is P/2 tournaments on the fitness
    just measured.

    Parameters
    ----------
    n_genes : int
    pop_size : int
    deme : int
        Neighbourhood on the ring.
    recombination : float
    mutation_sd : float
    seed : int
    """

    def __init__(self, n_genes, pop_size=100, *, deme=5, recombination=0.5, mutation_sd=0.1, seed=0):
        super().__init__(n_genes, pop_size, seed)
        self.deme = as_scalar("deme", deme, low=1, high=self.pop_size - 1, integer=True)
        self.recombination = as_scalar("recombination", recombination, low=0.0, high=1.0)
        self.mutation_sd = as_scalar("mutation_sd", mutation_sd, low=0.0)
        self.pop = self.rng.uniform(-1.0, 1.0, (self.pop_size, self.n_genes))

    def _hyper(self):
        return {"deme": self.deme, "recombination": self.recombination, "mutation_sd": self.mutation_sd}

    def _ask(self):
        return self.pop

    def _tell(self, pop, f):
        P, G = pop.shape
        pop, f = pop.copy(), f.copy()
        for _ in range(P // 2):
            a = int(self.rng.integers(P))
            b = (a + 1 + int(self.rng.integers(self.deme))) % P
            win, lose = (a, b) if f[a] >= f[b] else (b, a)
            take = self.rng.random(G) < self.recombination
            pop[lose] = np.clip(np.where(take, pop[win], pop[lose]) + self.rng.normal(0.0, self.mutation_sd, G),
                                -1.0, 1.0)
            f[lose] = -np.inf  # changed: not a winner again this generation
        self.pop = pop


class CMAES(_Algorithm):
    """CMA-ES from the ``cma`` package, genes bounded to [-1, 1].

    Parameters
    ----------
    n_genes : int
    pop_size : int, optional
        Default ``4 + floor(3 ln G)`` (Hansen's).
    sigma0 : float
        Initial step size.
    x0 : array_like, shape (G,), optional
        Initial mean (default zeros).
    seed : int
    """

    def __init__(self, n_genes, pop_size=None, *, sigma0=0.5, x0=None, seed=0):
        import cma

        n = as_scalar("n_genes", n_genes, low=1, integer=True)
        P = 4 + int(3 * np.log(n)) if pop_size is None else pop_size
        super().__init__(n, P, seed)
        self.sigma0 = as_scalar("sigma0", sigma0, low=0.0, low_open=True)
        x0 = np.zeros(n) if x0 is None else as_float_array("x0", x0, shape=(n,))
        if np.any(np.abs(x0) > 1.0):
            raise ValueError("x0 must lie in [-1, 1] (genes); clip it or widen the GenomeMap ranges")
        self.x0 = x0
        opts = {"popsize": self.pop_size, "bounds": [-1.0, 1.0], "seed": self.seed % (2**32 - 2) + 1, "verbose": -9,
                "verb_log": 0, "verb_disp": 0, "tolx": 0, "tolfun": 0, "tolfunhist": 0, "tolstagnation": 10**9,
                "tolflatfitness": 10**9}
        # cma draws from NumPy's global generator (and seeds it from its options):
        # give it a private state and leave the caller's untouched
        user = np.random.get_state()
        self.es = cma.CMAEvolutionStrategy(x0, self.sigma0, opts)
        self._np_state = np.random.get_state()
        np.random.set_state(user)

    def _hyper(self):
        return {"sigma0": self.sigma0, "x0": self.x0.tolist()}

    def _private(self, call):
        user = np.random.get_state()
        np.random.set_state(self._np_state)
        try:
            return call()
        finally:
            self._np_state = np.random.get_state()
            np.random.set_state(user)

    def _ask(self):
        return np.array(self._private(self.es.ask))

    def _tell(self, pop, f):
        finite_min = np.min(f[np.isfinite(f)]) if np.isfinite(f).any() else 0.0
        worst = finite_min - 1.0 - abs(finite_min)  # cma needs finite values
        self._private(lambda: self.es.tell(list(pop), list(-np.where(np.isfinite(f), f, worst))))


class SimulatedAnnealing(_Algorithm):
    """P independent annealing chains. Each proposes its state plus Gaussian
    noise (deviation ``step``, clipped); a worse proposal is accepted with
    probability ``exp((f_new - f) / T)``; ``T = T0 cooling^generation``.

    Parameters
    ----------
    n_genes : int
    pop_size : int
    T0 : float
        Initial temperature.
    cooling : float
        Geometric factor per generation.
    step : float
        Proposal deviation.
    seed : int
    """

    def __init__(self, n_genes, pop_size=20, *, T0=1.0, cooling=0.99, step=0.1, seed=0):
        super().__init__(n_genes, pop_size, seed)
        self.T0 = as_scalar("T0", T0, low=0.0, low_open=True)
        self.cooling = as_scalar("cooling", cooling, low=0.0, high=1.0, low_open=True)
        self.step = as_scalar("step", step, low=0.0, low_open=True)
        self.state = self.rng.uniform(-1.0, 1.0, (self.pop_size, self.n_genes))
        self.f = None

    def _hyper(self):
        return {"T0": self.T0, "cooling": self.cooling, "step": self.step}

    def _ask(self):
        if self.f is None:  # first generation: evaluate the starting states
            return self.state
        return np.clip(self.state + self.rng.normal(0.0, self.step, self.state.shape), -1.0, 1.0)

    def _tell(self, pop, f):
        if self.f is None:
            self.f = f.copy()
            return
        T = self.T0 * self.cooling ** self.generation
        with np.errstate(over="ignore", invalid="ignore"):
            p = np.exp(np.minimum(0.0, f - self.f) / T)
        accept = (f >= self.f) | (self.rng.random(self.pop_size) < np.nan_to_num(p))
        self.state[accept] = pop[accept]
        self.f[accept] = f[accept]


class ParticleSwarm(_Algorithm):
    """Constricted particle swarm: ``v <- w v + c1 r1 (p - x) + c2 r2 (g - x)``
    with Clerc and Kennedy's ``w = 0.7298``, ``c1 = c2 = 1.49618``; positions
    are clipped to [-1, 1] and speeds to ``vmax``.

    Parameters
    ----------
    n_genes : int
    pop_size : int
    w, c1, c2 : float
        Inertia and acceleration coefficients.
    vmax : float
    seed : int
    """

    def __init__(self, n_genes, pop_size=40, *, w=0.7298, c1=1.49618, c2=1.49618, vmax=0.5, seed=0):
        super().__init__(n_genes, pop_size, seed)
        self.w = as_scalar("w", w, low=0.0)
        self.c1 = as_scalar("c1", c1, low=0.0)
        self.c2 = as_scalar("c2", c2, low=0.0)
        self.vmax = as_scalar("vmax", vmax, low=0.0, low_open=True)
        self.x = self.rng.uniform(-1.0, 1.0, (self.pop_size, self.n_genes))
        self.v = self.rng.uniform(-self.vmax, self.vmax, self.x.shape)
        self.p, self.pf = self.x.copy(), np.full(self.pop_size, -np.inf)

    def _hyper(self):
        return {"w": self.w, "c1": self.c1, "c2": self.c2, "vmax": self.vmax}

    def _ask(self):
        return self.x

    def _tell(self, pop, f):
        better = f > self.pf
        self.p[better], self.pf[better] = pop[better], f[better]
        g = self.p[int(np.argmax(self.pf))]
        r1, r2 = self.rng.random(self.x.shape), self.rng.random(self.x.shape)
        self.v = np.clip(self.w * self.v + self.c1 * r1 * (self.p - self.x) + self.c2 * r2 * (g - self.x),
                         -self.vmax, self.vmax)
        self.x = np.clip(self.x + self.v, -1.0, 1.0)


ALGORITHMS = {c.__name__: c for c in (GeneticAlgorithm, MicrobialGA, CMAES, SimulatedAnnealing, ParticleSwarm)}


# ----------------------------------------------------------------------------
# the driver
# ----------------------------------------------------------------------------


@dataclass
class EvolutionResult:
    """The outcome of :func:`evolve`.

    Attributes
    ----------
    best_genes : ndarray, shape (G,)
    best_fitness : float
    history : dict of ndarray, shape (generations,)
        Per generation: ``best`` (of the generation), ``best_so_far``, ``mean``,
        ``median``, ``worst`` (finite values only), ``invalid`` (NaN fitnesses)
        and ``evaluations`` (cumulative).
    generations : int
    solved : bool
        The target fitness (or the ``stop`` criterion) was reached.
    """

    __repr__ = array_repr

    best_genes: np.ndarray
    best_fitness: float
    history: dict = field(default_factory=dict)
    generations: int = 0
    solved: bool = False

    def _repr_html_(self):
        """A table in Jupyter: the outcome and the last generation's statistics."""
        h = self.history
        rows = [("best fitness", f"{self.best_fitness:.6g}"), ("generations", self.generations),
                ("evaluations", self.evaluations), ("solved", self.solved)]
        if len(h.get("mean", ())):
            rows += [("last generation: best / mean / worst",
                      f"{h['best'][-1]:.4g} / {h['mean'][-1]:.4g} / {h['worst'][-1]:.4g}"),
                     ("invalid (NaN) fitnesses", int(np.sum(h["invalid"])))]
        return html_table("EvolutionResult", ("", ""), rows)

    @property
    def evaluations(self):
        ev = self.history.get("evaluations")
        return int(ev[-1]) if ev is not None and len(ev) else 0

    def plot(self, ax=None):
        """Best-so-far, best and mean fitness against evaluations."""
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        ev = self.history["evaluations"]
        ax.plot(ev, self.history["best_so_far"], label="best so far")
        ax.plot(ev, self.history["best"], lw=0.8, label="best of generation")
        ax.plot(ev, self.history["mean"], lw=0.8, label="mean of generation")
        ax.set(xlabel="evaluations", ylabel="fitness")
        ax.legend()
        return ax


_STATS = ("best", "best_so_far", "mean", "median", "worst", "invalid", "evaluations")


def _stats(f, best_so_far, evaluations):
    ok = f[np.isfinite(f)]
    nan = float("nan")
    return {"best": float(ok.max()) if ok.size else nan, "best_so_far": best_so_far,
            "mean": float(ok.mean()) if ok.size else nan, "median": float(np.median(ok)) if ok.size else nan,
            "worst": float(ok.min()) if ok.size else nan, "invalid": int(np.isnan(f).sum()),
            "evaluations": evaluations}


def _takes_generation(fitness):
    try:
        return "generation" in inspect.signature(fitness).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return False


def _evaluate(fitness, pop, executor, chunks):
    if executor is None:
        f = fitness(pop)
    else:
        if hasattr(executor, "get_executor"):  # a dask.distributed Client
            executor = executor.get_executor()
        parts = np.array_split(np.arange(pop.shape[0]), chunks)
        futures = [executor.submit(fitness, pop[idx]) for idx in parts if idx.size]
        f = np.concatenate([np.asarray(fu.result(), dtype=np.float64).reshape(-1) for fu in futures])
    f = np.asarray(f, dtype=np.float64).reshape(-1)
    if f.shape != (pop.shape[0],):
        raise ValueError(f"fitness must return one value per individual ({pop.shape[0]}), got shape {f.shape}")
    return np.where(np.isinf(f) & (f > 0), np.nan, f)  # +inf is as suspect as NaN


def _load_checkpoint(path, config):
    with np.load(path, allow_pickle=False) as z:
        try:
            version = int(z["version"])
            saved = json.loads(str(z["config"]))
            fit = np.array(z["fitness"])
        except KeyError as err:
            raise ValueError(f"{path} is not a dynnets evolution checkpoint (missing {err})") from None
    if version != CHECKPOINT_VERSION:
        raise ValueError(f"{path}: checkpoint version {version}, this dynnets reads {CHECKPOINT_VERSION}")
    if saved != json.loads(json.dumps(config)):
        diff = {k: (saved.get(k), v) for k, v in json.loads(json.dumps(config)).items() if saved.get(k) != v}
        raise ValueError(f"{path} was written by a different search configuration: {diff} "
                         "(checkpoint value, this run's value); use another path or resume=False")
    return fit


def evolve(fitness, algorithm, *, generations=100, target=None, stop=None, executor=None, chunks=None,
           checkpoint=None, resume=True, progress=True):
    """Run an evolutionary search.

    Parameters
    ----------
    fitness : callable
        ``fitness(genes)`` with genes (P, G) in [-1, 1] returns (P,) fitness values
        (higher is better). Evaluate the whole population at once (one parallel
        kernel, the default and fastest way). NaN (or +inf) counts as the worst
        fitness and is logged in ``history["invalid"]``. A fitness that changes
        from generation to generation (new random trials each time) takes the
        generation number as a keyword, ``fitness(genes, generation=g)`` (g from
        0), and draws its trials from it rather than counting calls itself: then
        a resumed run sees the same trials as an uninterrupted one, and so does
        a run on an executor (where each piece runs on a copy of ``fitness``)
        if an individual's trials do not depend on its row in ``genes``.
    algorithm : GeneticAlgorithm, MicrobialGA, CMAES, SimulatedAnnealing or ParticleSwarm
    generations : int
        Stop after this many generations (in total, counting resumed ones).
    target : float, optional
        Stop when the best fitness reaches ``target``.
    stop : callable, optional
        ``stop(stats)`` with this generation's statistics (a dict); True stops
        (for example when a fraction of the training data is learnt).
    executor : concurrent.futures.Executor or dask.distributed.Client, optional
        Evaluate the population in ``chunks`` pieces on it; ``fitness`` must then
        be picklable (a module-level function). The result does not depend on
        where it was evaluated.
    chunks : int, optional
        Pieces per generation for the executor (default: 4 per worker of a
        Dask client, else 8).
    checkpoint : str or Path, optional
        ``.npz`` file written atomically after every generation.
    resume : bool
        Continue from ``checkpoint`` if it exists (it must come from the same
        configuration): the recorded generations are replayed without
        evaluating, so the run ends exactly as an uninterrupted one.
    progress : bool

    Returns
    -------
    EvolutionResult
    """
    if not isinstance(algorithm, _Algorithm):
        raise TypeError(f"algorithm must be one of {sorted(ALGORITHMS)}, got {type(algorithm).__name__}")
    if not callable(fitness):
        raise TypeError("fitness must be callable")
    generations = as_scalar("generations", generations, low=1, integer=True)
    if chunks is None:
        chunks = 8
        if hasattr(executor, "ncores"):
            chunks = 4 * max(1, sum(executor.ncores().values()))
    chunks = as_scalar("chunks", chunks, low=1, integer=True)
    config = algorithm.config()
    history = {k: [] for k in _STATS}
    recorded = []
    path = None if checkpoint is None else Path(checkpoint)
    evaluations, solved = 0, False
    if path is not None and as_bool("resume", resume) and path.exists():
        recorded = list(_load_checkpoint(path, config))
        for f in recorded:  # replay: same asks, same tells, no evaluations
            algorithm.ask()
            algorithm.tell(f)
            evaluations += f.size
            for k, v in _stats(f, algorithm.best_fitness, evaluations).items():
                history[k].append(v)
        solved = (target is not None and algorithm.best_fitness >= target) or bool(
            stop is not None and recorded and stop({k: v[-1] for k, v in history.items()}))

    def save():
        def write(p):
            with open(p, "wb") as fh:
                np.savez(fh, version=CHECKPOINT_VERSION, config=json.dumps(config),
                         fitness=np.array(recorded, dtype=np.float64).reshape(len(recorded), algorithm.pop_size),
                         best_genes=np.zeros(algorithm.n_genes) if algorithm.best_genes is None
                         else algorithm.best_genes, best_fitness=algorithm.best_fitness)
        atomic_write(path, write)

    bar = tqdm(total=generations, initial=len(recorded), desc=config["algorithm"], unit="gen", disable=not as_bool("progress", progress))
    by_generation = _takes_generation(fitness)
    while algorithm.generation < generations and not solved:
        fit = functools.partial(fitness, generation=algorithm.generation) if by_generation else fitness
        pop = algorithm.ask()
        f = _evaluate(fit, pop, executor, chunks)
        algorithm.tell(f)
        recorded.append(f)
        evaluations += f.size
        st = _stats(f, algorithm.best_fitness, evaluations)
        for k, v in st.items():
            history[k].append(v)
        if path is not None:
            save()
        bar.update(1)
        bar.set_postfix(best=f"{algorithm.best_fitness:.4g}")
        solved = (target is not None and algorithm.best_fitness >= target) or bool(stop is not None and stop(st))
    bar.close()
    return EvolutionResult(algorithm.best_genes, algorithm.best_fitness,
                           {k: np.array(v) for k, v in history.items()}, algorithm.generation, bool(solved))
