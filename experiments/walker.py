"""Beer's single-leg walker with an evolved 5-neuron CTRNN pattern generator
(Beer and Gallagher 1992).

Genes map to weights and biases in [-16, 16] and time constants in [0.5, 10]
(gains 1), Beer's usual ranges. Each search is CMA-ES (population 50, sigma
0.2 in gene space) started from a random center-crossing network, whose
neurons sit at the sensitive middle of their sigmoids and oscillate readily
(Mathayomchan and Beer 2002). Fitness is the average forward velocity over
T = 200 (2000 Euler steps of 0.1). Searches that settle on a single step (a
velocity near 0.14) are common, so several are run and the best is kept.

Reference: the optimal hand-coded gait reaches about 0.624 at T = 200
(computed here by :func:`dynnets.tasks.walker.optimal_gait_velocity`); evolved
pattern generators come close to it (Beer and Gallagher 1992; Beer, Chiel and
Gallagher 1999).
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

from dynnets.experiment import finish, main
from dynnets.models.ctrnn import CTRNN
from dynnets.tasks import walker
from dynnets.train.evolve import CMAES, GenomeMap, evolve

NAME = "walker"
N = 5
GENOME = GenomeMap(weights=((N, N), -16, 16), bias=(N, -16, 16), tau=(N, 0.5, 10))


def pattern_generator(genes):
    """CTRNN(s) from genes (35,) or (P, 35)."""
    p = GENOME.decode(genes)
    return CTRNN(p["weights"], p["tau"], p["bias"], 1.0)


def fitness(genes):
    return walker.walk(pattern_generator(genes)).fitness


def search(seed, generations):
    c = CTRNN.random(N, center_crossing=True, seed=seed)
    x0 = np.clip(GENOME.encode({"weights": c.weights, "bias": c.bias, "tau": c.tau}), -1, 1)
    return evolve(fitness, CMAES(GENOME.size, 50, sigma0=0.2, x0=x0, seed=seed), generations=generations,
                  progress=False)


def run(quick=False, out=Path("figures")):
    # quick: two of the full run's ten searches, cut short
    seeds, generations = ([0, 5], 40) if quick else (list(range(10)), 200)
    results = [search(s, generations) for s in tqdm(seeds, desc=NAME, leave=False)]
    best = int(np.argmax([r.best_fitness for r in results]))
    champion = pattern_generator(results[best].best_genes)
    t, states, outs = walker.walk_trajectory(champion)
    optimal = walker.optimal_gait_velocity()

    fig = plt.figure(figsize=(15, 7.5))
    g = fig.add_gridspec(3, 2, width_ratios=(1, 1.6))
    a1 = fig.add_subplot(g[:, 0])
    for k, r in enumerate(results):
        a1.plot(r.history["evaluations"], r.history["best_so_far"], lw=1.6 if k == best else 0.8,
                color="C0" if k == best else "0.6")
    a1.axhline(optimal, color="k", ls="--", lw=0.8, label=f"optimal hand-coded gait ({optimal:.3f})")
    a1.axhline(0.6, color="C3", ls=":", lw=0.8, label="0.6")
    a1.set(xlabel="evaluations", ylabel="average velocity (best so far)",
           title=f"{len(results)} CMA-ES searches (blue: the best)")
    a1.legend(loc="lower right")
    window = (t >= 100) & (t <= 200)
    a2 = fig.add_subplot(g[0, 1])
    a2.plot(t[window], outs[window, 0], label="foot")
    a2.plot(t[window], outs[window, 1], label="forward swing")
    a2.plot(t[window], outs[window, 2], label="backward swing")
    a2.set(ylabel="neuron output", title=f"The champion: {results[best].best_fitness:.3f} average velocity")
    a2.legend(fontsize="small", loc="upper right", ncol=3)
    a3 = fig.add_subplot(g[1, 1], sharex=a2)
    a3.plot(t[window], np.degrees(states[window, 2]), color="k")
    down = states[window, 6] > 0.5
    a3.fill_between(t[window], -65, 35, where=down, color="C2", alpha=0.2, label="foot down")
    a3.axhline(30, color="0.5", lw=0.6, ls=":")
    a3.axhline(-30, color="0.5", lw=0.6, ls=":")
    a3.set(ylabel="leg angle (degrees)", ylim=(-65, 35))
    a3.legend(fontsize="small", loc="upper right")
    a4 = fig.add_subplot(g[2, 1], sharex=a2)
    a4.plot(t[window], states[window, 1], color="C4")
    a4.set(xlabel="time", ylabel="body velocity")
    for a in (a2, a3):
        a.tick_params(labelbottom=False)
    fig.tight_layout()

    final = [r.best_fitness for r in results]
    return finish(NAME, out, fig, {
        "searches": len(results), "generations": generations, "population": 50,
        "final_velocities": final, "best_velocity": max(final),
        "searches_above_0_6": int(sum(f > 0.6 for f in final)),
        "optimal_gait_velocity": optimal,
        "reference": "the optimal hand-coded gait reaches about 0.624 at T = 200; evolved 5-neuron CPGs come close "
                     "(Beer and Gallagher 1992)",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    return (f"best evolved gait {res['best_velocity']:.3f} ({res['searches_above_0_6']} of {res['searches']} searches "
            f"above 0.6); optimal hand-coded gait {res['optimal_gait_velocity']:.3f}")


if __name__ == "__main__":
    main(run)
