"""Double pole balancing without velocities (Gruau et al. 1996), solved by
CMA-ES and by the genetic algorithm: evaluations to solve over many seeds,
against the figures collected by Gomez et al. (2008).

The controller is a 3-neuron CTRNN that sees x, theta_1 and theta_2 (scaled)
and whose first neuron's output is the force; its time constants equal the
control step (tau = dt = 0.02 s), the discrete-time limit in which a CTRNN is a
fully recurrent network o(t+1) = sigma(o(t) W + u(t) W_in + theta). Its 21
genes map to weights, input weights and biases in [-20, 20]. Fitness is
Gruau's damping fitness over 1000 steps from theta_1 = 4.5 degrees. After
every generation the best network is tested: it solves the task when it
balances 100,000 steps and then at least 200 of the 625 generalisation starts
for 1000 steps each; the evaluations counted are those of the whole search up
to that generation (the tests are not counted, as in the references). A
search that stalls (best fitness up by less than 1% in 50 generations) or
runs out of generations (CMA-ES 300, GA 100 of population 100) is restarted
with a new seed, and its evaluations count, up to 30,000 in all.

Reference (Gomez et al. 2008, table 3, damping fitness): CMA-ES 6,061
evaluations, CoSyNE 3,416, NEAT 6,929, ESP 7,374 (averages over runs).
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

from dynnets.experiment import finish, main
from dynnets.models.ctrnn import CTRNN
from dynnets.tasks import cartpole
from dynnets.train.evolve import CMAES, GeneticAlgorithm, GenomeMap, evolve

NAME = "double_pole"
N_NEURONS = 3
W_MAX = 20.0
GENOME = GenomeMap(weights=((N_NEURONS, N_NEURONS), -W_MAX, W_MAX),
                   input_weights=((3, N_NEURONS), -W_MAX, W_MAX),
                   bias=(N_NEURONS, -W_MAX, W_MAX))
PUBLISHED = {"CMA-ES": 6061, "CoSyNE": 3416, "NEAT": 6929, "ESP": 7374}


def controller(genes):
    """CTRNN controller(s) from genes (21,) or (P, 21)."""
    p = GENOME.decode(genes)
    return CTRNN(p["weights"], cartpole.CONTROL_DT, p["bias"], 1.0, p["input_weights"])


class DampingFitness:
    """Damping fitness of a population; tests each generation's best network
    and remembers the first that solves the task."""

    def __init__(self):
        self.solution = None
        self.tests = 0

    def __call__(self, genes):
        res = cartpole.balance(controller(genes))
        f, steps = res.fitness[:, 0], res.steps[:, 0]
        b = int(np.argmax(f))
        if self.solution is None and steps[b] >= 1000:
            self.tests += 1
            if cartpole.solves(controller(genes[b]))["solved"]:
                self.solution = genes[b].copy()
        return f


class Stall:
    """True when the best fitness has not grown by 1% in ``window`` generations."""

    def __init__(self, window):
        self.window, self.best, self.since = window, -np.inf, 0

    def __call__(self, st):
        if st["best_so_far"] > 1.01 * self.best:
            self.best, self.since = st["best_so_far"], 0
        else:
            self.since += 1
        return self.since >= self.window


def search(make, budget, max_generations):
    """Restart the algorithm (``make(k)``, a new seed each time) when a search
    stalls or reaches ``max_generations``, until solved or ``budget``
    evaluations are spent; every evaluation counts."""
    fit = DampingFitness()
    runs, total, k = [], 0, 0
    while fit.solution is None and total < budget:
        stall = Stall(50)
        r = evolve(fit, make(k), generations=max_generations,
                   stop=lambda st, stall=stall: fit.solution is not None or stall(st), progress=False)
        runs.append(r)
        total += r.evaluations
        k += 1
    return {"evaluations": total if fit.solution is not None else np.inf, "restarts": k - 1, "runs": runs,
            "solution": fit.solution}


def run(quick=False, out=Path("figures")):
    seeds, budget = (3, 6000) if quick else (20, 30000)
    makers = {"CMA-ES": lambda seed: (lambda k: CMAES(GENOME.size, sigma0=0.5, seed=1000 * k + seed), 300),
              "GA": lambda seed: (lambda k: GeneticAlgorithm(GENOME.size, 100, seed=1000 * k + seed), 100)}
    runs = {"CMA-ES": [], "GA": []}
    champion = None
    for name, seed in tqdm([(a, s) for a in runs for s in range(seeds)], desc=NAME, leave=False):
        make, gens = makers[name](seed)
        res = search(make, budget, gens)
        runs[name].append(res)
        if champion is None and res["solution"] is not None:
            champion = res["solution"]

    def evals(name):
        return np.array([r["evaluations"] for r in runs[name]])

    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(16, 4.4))
    for k, name in enumerate(runs):
        e = evals(name)
        ok = np.isfinite(e)
        jitter = np.random.default_rng(k).uniform(-0.12, 0.12, e.size)
        a1.scatter(np.full(ok.sum(), k) + jitter[ok], e[ok], s=18, color=f"C{k}", zorder=3)
        if ok.any():
            a1.hlines(np.median(e), k - 0.3, k + 0.3, color=f"C{k}", lw=2.5,
                      label=f"{name}: median {np.median(e):,.0f} ({ok.sum()}/{e.size} solved)")
    for j, (name, v) in enumerate(PUBLISHED.items()):
        a1.axhline(v, color=f"C{j + 2}", lw=0.9, ls=":", label=f"{name}, published: {v:,}")
    a1.set_xticks([0, 1], list(runs))
    a1.set(xlim=(-0.5, 1.5), yscale="log", ylabel="evaluations to solve",
           title=f"Double pole, no velocities: {seeds} seeds")
    a1.legend(fontsize="small", loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2,
              title=f"budget {budget:,} evaluations; published: Gomez et al. 2008", title_fontsize="small")

    for res in runs["CMA-ES"]:
        offset = 0
        for k, r in enumerate(res["runs"]):
            a2.plot(offset + r.history["evaluations"], r.history["best_so_far"], lw=0.8,
                    color="C3" if k < len(res["runs"]) - 1 or res["solution"] is None else "C0")
            offset += r.evaluations
    a2.set(xlabel="evaluations", ylabel="best damping fitness so far", yscale="log",
           title="CMA-ES runs (red: restarted, blue: solved)")

    gen = {}
    if champion is not None:
        net = controller(champion)
        states, _ = cartpole.trajectory(net, n_steps=1000)
        t = np.arange(states.shape[0]) * cartpole.CONTROL_DT
        a3.plot(t, np.degrees(states[:, 4]), lw=0.5, color="C1", label=r"$\theta_2$ (degrees, short pole)")
        a3.plot(t, np.degrees(states[:, 2]), lw=1.5, color="C0", label=r"$\theta_1$ (degrees, long pole)")
        a3.plot(t, 10 * states[:, 0], lw=1.5, color="C2", label="x (dm)")
        gen = cartpole.solves(net)
        a3.set(xlabel="time (s)", ylabel="state",
               title=f"A solution: {gen['generalization']}/625 generalisation starts")
        a3.legend(fontsize="small", loc="lower right")
    fig.tight_layout()

    e_cma, e_ga = evals("CMA-ES"), evals("GA")

    def stats(name):
        e = evals(name)
        ok = e[np.isfinite(e)]
        return {"solved": int(ok.size), "runs": int(e.size), "median": float(np.median(e)),
                "mean_of_solved": float(ok.mean()) if ok.size else None,
                "restarts": [r["restarts"] for r in runs[name]]}

    return finish(NAME, out, fig, {
        "seeds": seeds, "neurons": N_NEURONS, "genes": GENOME.size,
        "cmaes_evaluations": e_cma, "ga_evaluations": e_ga,
        "cmaes": stats("CMA-ES"), "ga": stats("GA"), "evaluation_budget": budget,
        "champion_generalization": gen.get("generalization"),
        "reference": "evaluations to solve the double pole without velocities (damping fitness): CMA-ES 6,061, "
                     "CoSyNE 3,416, NEAT 6,929, ESP 7,374 (Gomez, Schmidhuber and Miikkulainen 2008, table 3)",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    c, g = res["cmaes"], res["ga"]
    return (f"CMA-ES solves {c['solved']}/{c['runs']} seeds, median {c['median']:,.0f} evaluations; "
            f"GA {g['solved']}/{g['runs']} within {res['evaluation_budget']:,}")


if __name__ == "__main__":
    main(run)
