"""Hopfield recall speed against a straightforward NumPy implementation, in one run.

    python benchmarks/bench_hopfield.py [--repeats 5] [--quick]

1000 recall trials in a Hebbian network of N = 1000 units storing P = 100
patterns; each probe is a stored pattern with 10% of its bits flipped, relaxed by
asynchronous updates (random order, drawn afresh each sweep) until a whole sweep
changes nothing. The NumPy version is what one writes by hand: for each trial,
for each sweep, for each unit in a random order, ``h = W[i] @ s``. It uses the
same random orders, so both give identical final states (checked; the weights are
the Hebbian ones times N, integers, so that ties are broken identically). NumPy is timed
on a slice of the trials and compared per trial. Times are medians of
``--repeats`` runs after a warm-up (compilation excluded).
"""


import numba
import numpy as np
from _common import environment, median_time, parse_args, write_results

import dynnets as dn
from dynnets._random import shuffle, stream_states


def numpy_recall(W, probes, seed, max_sweeps=100):
    """Asynchronous recall, one unit at a time, as written by hand in NumPy."""
    rng = stream_states(seed, len(probes))  # the kernel's per-trial streams
    out = probes.copy()
    for k, s in enumerate(out):
        order = np.arange(s.size)
        for _ in range(max_sweeps):
            shuffle(order, rng, k)
            changed = False
            for i in order:
                h = W[i] @ s
                new = 1.0 if h > 0 else (-1.0 if h < 0 else s[i])
                if new != s[i]:
                    s[i] = new
                    changed = True
            if not changed:
                break
    return out


def main():
    args = parse_args(__doc__, __file__, repeats=5)
    N, P, K = (200, 20, 100) if args.quick else (1000, 100, 1000)
    K_np = 10 if args.quick else 50
    X = dn.random_patterns(P, N, seed=0)
    # Hebbian weights times N: integers, so both implementations sum the fields
    # exactly and break ties (h = 0) the same way; the dynamics are those of
    # Hopfield.from_patterns(X), whose 1/N scale does not change any sign.
    net = dn.Hopfield(X.T @ X - P * np.eye(N), rule="hebbian (times N)")
    probes = dn.flip_bits(X[np.arange(K) % P], 0.1, seed=1)

    net.recall(probes[:4], seed=2)  # compile
    t_dn = median_time(lambda: net.recall(probes, seed=2), args.repeats)
    t_np = median_time(lambda: numpy_recall(net.weights, probes[:K_np], seed=2), max(1, args.repeats // 2))
    r = net.recall(probes, seed=2)
    # the first K_np trials have the same streams in both (stream k belongs to trial k)
    assert np.array_equal(r.states[:K_np], numpy_recall(net.weights, probes[:K_np], seed=2)), "final states differ"
    per_dn, per_np = t_dn / K, t_np / K_np
    retrieved = float(np.mean((r.states == X[np.arange(K) % P]).all(1)))
    print(f"threads: {numba.get_num_threads()}, repeats: {args.repeats} (medians)")
    print("| benchmark | peer | peer | dynnets | speed-up | target |")
    print("|---|---|---|---|---|---|")
    name = f"{K} async recall trials, N = {N}, P = {P}, per trial"
    print(f"| {name} | NumPy, unit by unit | {per_np * 1e3:.2f} ms | {per_dn * 1e3:.3f} ms | {per_np / per_dn:.0f}x | >= 20x |")
    print(f"all {K} trials: dynnets {t_dn:.3f} s; mean sweeps {r.n_sweeps.mean():.1f}; retrieved exactly: {retrieved:.3f}")
    results = {**environment(), "N": N, "P": P, "trials": K, "numpy_trials": K_np, "dynnets_s": t_dn,
               "numpy_per_trial_s": per_np, "dynnets_per_trial_s": per_dn, "speedup": per_np / per_dn,
               "target": 20, "mean_sweeps": float(r.n_sweeps.mean()), "retrieved": retrieved}
    write_results(args.out, results)


if __name__ == "__main__":
    main()
