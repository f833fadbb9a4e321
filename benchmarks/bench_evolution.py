"""Fitness evaluations per second on the double pole without velocities:
dynnets' compiled population kernel against neat-python's CTRNN driving the
same cart-pole written in Python, in one run.

    python benchmarks/bench_evolution.py [--repeats 5] [--quick]

The controllers are 3-neuron CTRNNs with tau = dt = 0.02 s (the networks of
``experiments/double_pole.py``): a network balancing the poles, found by a
short CMA-ES run, and perturbed copies of it, so that episodes last from a few
steps to the full 1000. One evaluation is one damping-fitness episode.

neat-python's CTRNN integrates ``dz/dt = (-z + sigmoid(5 (b + sum w v))) / tau``;
with tau = dt it computes exactly Beer's discrete-time network when its weights
and biases are ours divided by 5 and its node values start at our outputs, so
both sides run the same episodes: their step counts are checked equal first.
(neat-python 2.0's ``advance`` returns the node values from before its last
Euler step; the benchmark reads the updated values, as our controller acts on.)
Times are medians of ``--repeats`` runs; neat-python runs on one thread,
dynnets on 1 and 2.
"""

import math
from pathlib import Path

import numba
import numpy as np
from _common import environment, median_time, parse_args, print_table, write_results
from neat.activations import sigmoid_activation
from neat.aggregations import sum_aggregation
from neat.ctrnn import CTRNN as NeatCTRNN
from neat.ctrnn import CTRNNNodeEval

from dynnets.experiment import load_experiment
from dynnets.tasks import cartpole
from dynnets.train.evolve import CMAES, evolve

# the controllers of the double_pole experiment: 3-neuron CTRNNs with tau = dt, genes in [-20, 20]
_DOUBLE_POLE = load_experiment("double_pole", Path(__file__).resolve().parents[1] / "experiments")
GENOME, controllers, N = _DOUBLE_POLE.GENOME, _DOUBLE_POLE.controller, _DOUBLE_POLE.N_NEURONS


# -- the Python side: cart-pole physics as a neat-python user writes it -------------


def derivs(s, force):
    _, xd, t1, w1, t2, w2 = s
    g, mup, muc = -9.8, 0.000002, 0.0005
    out = [xd, 0.0, w1, 0.0, w2, 0.0]
    sgn = (xd > 0) - (xd < 0)
    fi = force - muc * sgn
    mi = 1.0
    for th, w, m, half in ((t1, w1, 0.1, 0.5), (t2, w2, 0.01, 0.05)):
        ml = m * half
        fi += ml * w * w * math.sin(th) + 0.75 * m * math.cos(th) * (mup * w / ml + g * math.sin(th))
        mi += m * (1 - 0.75 * math.cos(th) ** 2)
    xdd = fi / mi
    out[1] = xdd
    for k, (th, w, m, half) in enumerate(((t1, w1, 0.1, 0.5), (t2, w2, 0.01, 0.05))):
        out[3 + 2 * k] = -0.75 * (xdd * math.cos(th) + g * math.sin(th) + mup * w / (m * half)) / half
    return out


def python_step(s, action):
    force = (action - 0.5) * 20.0
    h = 0.01
    for _ in range(2):
        k1 = derivs(s, force)
        k2 = derivs([a + 0.5 * h * b for a, b in zip(s, k1)], force)
        k3 = derivs([a + 0.5 * h * b for a, b in zip(s, k2)], force)
        k4 = derivs([a + h * b for a, b in zip(s, k3)], force)
        s = [a + h / 6 * (b + 2 * c + 2 * d + e) for a, b, c, d, e in zip(s, k1, k2, k3, k4)]
    return s


def neat_network(net):
    """neat-python's CTRNN computing ``net`` (tau = dt): inputs -1..-3, nodes 0..N-1."""
    W, Win, bias = net.weights, net.input_weights, net.bias
    evals = {i: CTRNNNodeEval(cartpole.CONTROL_DT, sigmoid_activation, sum_aggregation, bias[i] / 5.0, 1.0,
                              [(-1 - k, Win[k, i] / 5.0) for k in range(3)] + [(j, W[j, i] / 5.0) for j in range(N)])
             for i in range(N)}
    return NeatCTRNN([-1, -2, -3], [0], evals)


def neat_episode(nn, bias, max_steps=1000):
    nn.reset()
    for i in range(N):
        nn.set_node_value(i, 1.0 / (1.0 + math.exp(-bias[i])))
    s = [float(v) for v in cartpole.standard_start()]
    jiggle = []
    t = 0
    while t < max_steps:
        nn.advance([s[0] / 4.8, s[2] / 0.52, s[4] / 0.52], cartpole.CONTROL_DT, cartpole.CONTROL_DT)
        a = nn.values[nn.active][0]  # the new value (advance returns the one before its last step)
        s = python_step(s, a)
        if abs(s[0]) > 2.4 or abs(s[2]) > 0.628329 or abs(s[4]) > 0.628329:
            break
        jiggle.append(abs(s[0]) + abs(s[1]) + abs(s[2]) + abs(s[3]))
        t += 1
    return t, 0.1 * t / 1000 + (0.675 / sum(jiggle[-100:]) if t >= 100 else 0.0)


def population(P, quick):
    """A balancing network (a short CMA-ES run) and P - 1 perturbed copies."""
    r = evolve(lambda g: cartpole.balance(controllers(g)).fitness[:, 0], CMAES(GENOME.size, seed=0),
               generations=20 if quick else 120, progress=False)
    rng = np.random.default_rng(1)
    scale = np.linspace(0.0, 0.3, P)[:, None]
    return np.clip(r.best_genes + scale * rng.normal(size=(P, GENOME.size)), -1, 1)


def main():
    args = parse_args(__doc__, __file__, repeats=5)
    P = 16 if args.quick else 64
    genes = population(P, args.quick)
    nets = controllers(genes)
    neat_nets = [(neat_network(nets[p]), nets[p].bias) for p in range(P)]

    ours = cartpole.balance(nets)
    theirs = [neat_episode(nn, b) for nn, b in neat_nets]
    same = np.mean([ours.steps[p, 0] == theirs[p][0] for p in range(P)])
    assert same >= 0.9, f"only {same:.0%} of the episodes agree"
    steps = int(ours.steps.sum())

    t_neat = median_time(lambda: [neat_episode(nn, b) for nn, b in neat_nets], args.repeats)
    big = controllers(np.tile(genes, (64, 1)))  # 64 x P evaluations per call: long enough to time
    results = environment() | {"repeats": args.repeats, "evaluations": P, "control_steps": steps,
                               "episodes_equal": float(same)}
    rows, records = [], []
    for threads in (1, 2):
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        t_ours = median_time(lambda: cartpole.balance(big), args.repeats) / 64
        rows.append((f"double pole, no velocities, {P} CTRNN(3) controllers", str(threads),
                     f"{P / t_neat:,.0f}", f"{P / t_ours:,.0f}", f"{steps / t_ours / 1e6:.1f} M",
                     f"{t_neat / t_ours:,.0f}x", ">= 100x"))
        records.append({"threads": threads, "neat_evaluations_per_s": P / t_neat,
                        "dynnets_evaluations_per_s": P / t_ours, "speedup": t_neat / t_ours, "target": 100})
    print(f"{steps} control steps in {P} episodes ({same:.0%} identical step counts on both sides)")
    print_table(rows, results, ("benchmark", "threads", "neat-python evals/s", "dynnets evals/s",
                                "dynnets steps/s", "speedup", "target"))
    results["rows"] = records
    write_results(args.out, results)


if __name__ == "__main__":
    main()
