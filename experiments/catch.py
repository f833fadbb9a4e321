"""Catching falling objects: a 14-neuron CTRNN agent with 7 distance rays,
evolved by CMA-ES (Beer 1996, minimally cognitive behaviour).

Architecture (Beer 1996): 7 sensory neurons, each driven by one ray (input
weight 1), feed 5 fully interconnected interneurons, which drive the 2 motor
neurons; the agent's velocity is 5 (o_13 - o_12). Genes map to the 70
connection weights and the 14 biases in [-16, 16] and the 14 time constants
in [1, 2] (98 genes). Each generation every network is scored on 16 drops
of its own, offsets uniform in [-50, 50] drawn from its own random stream
(seeded by the generation), so the search cannot tune itself to a fixed set.
The champion is then tested on 101 evenly spaced offsets.

Reference: Beer's evolved agents catch nearly every circle (fitness close to
1; Beer 1996, 2003).
"""

import functools
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

from dynnets.experiment import finish, main
from dynnets.models.ctrnn import CTRNN
from dynnets.tasks import catch
from dynnets.train.evolve import CMAES, GenomeMap, evolve

NAME = "catch"
S, I, M = 7, 5, 2  # sensory, inter, motor
N = S + I + M
SENS, INTER, MOTOR = np.arange(S), np.arange(S, S + I), np.arange(S + I, N)
MASK = np.zeros((N, N), dtype=bool)  # MASK[j, i]: a connection from j to i
MASK[np.ix_(SENS, INTER)] = True
MASK[np.ix_(INTER, INTER)] = True
MASK[np.ix_(INTER, MOTOR)] = True
GENOME = GenomeMap(weights=(int(MASK.sum()), -16, 16), bias=(N, -16, 16), tau=(N, 1, 2))
WIN = np.zeros((S, N))
WIN[SENS, SENS] = 1.0


def agent(genes):
    """CTRNN agent(s) from genes (98,) or (P, 98)."""
    p = GENOME.decode(genes)
    lead = p["bias"].shape[:-1]
    W = np.zeros(lead + (N, N))
    W[..., MASK] = p["weights"]
    return CTRNN(W, p["tau"], p["bias"], 1.0, WIN)


def drop_fitness(genes, generation, seed):
    """Mean catch fitness on 16 random drops per network, new drops every
    generation (drawn from the search's seed and the generation number)."""
    ss = np.random.SeedSequence([seed, generation])
    return catch.catch(agent(genes), n_trials=16, seed=ss).fitness


def run(quick=False, out=Path("figures")):
    generations = 25 if quick else 400
    seeds = [0] if quick else [0, 1, 2]
    results = []
    for seed in tqdm(seeds, desc=NAME, leave=False):
        results.append(evolve(functools.partial(drop_fitness, seed=seed), CMAES(GENOME.size, 50, sigma0=0.3, seed=seed),
                              generations=generations, progress=False))
    test = np.linspace(-catch.MAX_OFFSET, catch.MAX_OFFSET, 101)
    scores = [catch.catch(agent(r.best_genes), test) for r in results]
    best = int(np.argmax([s.fitness[0] for s in scores]))
    champion, score = agent(results[best].best_genes), scores[best]

    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(16, 4.6))
    for k, r in enumerate(results):
        a1.plot(r.history["evaluations"], r.history["best"], lw=0.8, color=f"C{k}", label=f"seed {seeds[k]}: best")
        a1.plot(r.history["evaluations"], r.history["mean"], lw=0.6, ls=":", color=f"C{k}")
    a1.set(xlabel="evaluations", ylabel="fitness on 16 random drops (dotted: mean)", ylim=(0, 1.02),
           title="CMA-ES, population 50")
    a1.legend(fontsize="small", loc="lower right")
    for off in np.linspace(-50, 50, 11):
        _, ax, oy, _ = catch.catch_trajectory(champion, off)
        a2.plot(ax, oy, lw=0.9, color="C0")
        a2.plot([off], [catch.DROP_HEIGHT], "v", color="C3", ms=4)
    a2.axhline(0, color="0.3", lw=0.6)
    a2.set(xlabel="agent's horizontal position", ylabel="object height at that moment",
           title="The champion's paths (triangles: where the object falls)")
    a3.plot(test, score.distance[0], ".", color="C0")
    a3.axhline(catch.AGENT_RADIUS, color="C3", ls="--", lw=0.8, label="catch: within the agent's radius")
    a3.set(xlabel="object's horizontal offset at the start", ylabel="final horizontal distance",
           title=f"Champion: {score.caught.mean():.0%} of 101 drops caught")
    a3.legend(fontsize="small")
    fig.tight_layout()
    return finish(NAME, out, fig, {
        "generations": generations, "seeds": seeds, "population": 50, "genes": GENOME.size,
        "best_training_fitness": [r.best_fitness for r in results],
        "test_fitness": [float(s.fitness[0]) for s in scores],
        "test_caught": [float(s.caught.mean()) for s in scores],
        "champion_caught": float(score.caught.mean()),
        "first_generation_mean": [float(r.history["mean"][0]) for r in results],
        "last_generation_mean": [float(r.history["mean"][-1]) for r in results],
        "reference": "Beer's evolved 14-neuron agents catch nearly all falling circles (Beer 1996, 2003)",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    return (f"the champion catches {res['champion_caught']:.0%} of 101 test drops (the {len(res['seeds'])} searches: "
            + ", ".join(f"{c:.0%}" for c in res["test_caught"]) + ")")


if __name__ == "__main__":
    main(run)
