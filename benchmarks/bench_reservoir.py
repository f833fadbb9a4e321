"""Echo state reservoirs and ridge readouts, side by side with ReservoirPy in one run.

    python benchmarks/bench_reservoir.py [--repeats 5] [--quick]

On the same W, W_in, bias and leak (ReservoirPy's update is the same equation,
so the states agree to 1e-10, checked here):
(a) 1000 units, density 0.1, 10,000 steps;
(b) 100 units, density 0.1, 100,000 steps;
(c) 32 reservoirs of 100 units, 10,000 steps each: dynnets as one stacked batch,
    ReservoirPy one after another;
(d) the ridge readout fit on 10,000 states of 1000 units (1 output).

Times are medians of ``--repeats`` runs after a warm-up (compilation excluded).
"""


import numpy as np
from _common import environment, median_time, parse_args, write_results

import dynnets as dn


def main():
    args = parse_args(__doc__, __file__, repeats=5)
    R = args.repeats
    scale = 10 if args.quick else 1
    from reservoirpy.nodes import Reservoir as RpyReservoir
    from reservoirpy.nodes import Ridge as RpyRidge

    results = environment()
    rows = []
    rng = np.random.default_rng(0)

    def pair(res):
        node = RpyReservoir(W=res.W.tocsr(), Win=res.W_in, bias=res.bias, lr=res.leak)
        return node

    def compare(name, res, T, target):
        u = rng.uniform(-1, 1, (T, 1))
        node = pair(res)
        res.run(u[:10])
        err = np.abs(res.run(u) - node.run(u, )).max()
        assert err < 1e-10, f"states differ by {err}"
        t_dn = median_time(lambda: res.run(u), R)
        t_rp = median_time(lambda: (node.reset(), node.run(u)), max(1, R // 2))
        rows.append((name, "ReservoirPy", t_rp, t_dn, t_rp / t_dn, target))
        return u

    big = dn.Reservoir.random(1000, 1, density=0.1, leak=0.3, bias_scaling=0.1, seed=1)
    compare("(a) 1000 units, density 0.1, 10,000 steps", big, 10_000 // scale, 3)
    small = dn.Reservoir.random(100, 1, density=0.1, leak=0.3, bias_scaling=0.1, seed=2)
    compare("(b) 100 units, density 0.1, 100,000 steps", small, 100_000 // scale, 20)

    # (c) 32 reservoirs (different seeds and leaks) as one batch
    many = [dn.Reservoir.random(100, 1, density=0.1, leak=0.1 + 0.025 * i, seed=10 + i) for i in range(32)]
    stacked = dn.Reservoir.stack(many)
    T = 10_000 // scale
    u = rng.uniform(-1, 1, (T, 1))
    nodes = [pair(r) for r in many]
    stacked.run(u[:10])
    parts = stacked.split(stacked.run(u))
    assert max(np.abs(p - n.run(u)).max() for p, n in zip(parts, nodes)) < 1e-10
    t_dn = median_time(lambda: stacked.run(u), R)
    t_rp = median_time(lambda: [(n.reset(), n.run(u)) for n in nodes], max(1, R // 2))
    rows.append(("(c) 32 reservoirs x 100 units, 10,000 steps (batch vs one by one)", "ReservoirPy",
                 t_rp, t_dn, t_rp / t_dn, 20))

    # (d) ridge fit on the states of (a)
    X = big.run(rng.uniform(-1, 1, (10_000 // scale, 1)))
    y = rng.normal(size=(X.shape[0], 1))
    ours = dn.Ridge(1e-6).fit(X, y)
    theirs = RpyRidge(ridge=1e-6).fit(X, y)
    # compare fitted values (the coefficients are ill-determined when states are collinear)
    assert np.allclose(ours.predict(X), X @ theirs.Wout + theirs.bias, rtol=1e-6, atol=1e-6), "ridge fits differ"
    t_dn = median_time(lambda: dn.Ridge(1e-6).fit(X, y).coef_, R)
    t_rp = median_time(lambda: RpyRidge(ridge=1e-6).fit(X, y), R)
    rows.append(("(d) ridge fit, 10,000 x 1000 states", "ReservoirPy Ridge", t_rp, t_dn, t_rp / t_dn, 1))

    print(f"threads: {results['threads']}, repeats: {R} (medians)")
    print("| benchmark | peer | peer | dynnets | speed-up | target |")
    print("|---|---|---|---|---|---|")
    for name, peer, tp, td, ratio, target in rows:
        print(f"| {name} | {peer} | {tp:.3g} s | {td:.3g} s | {ratio:.1f}x | >= {target}x |")
    results["rows"] = [dict(zip(("benchmark", "peer", "peer_time", "dynnets_time", "speedup", "target"), r))
                       for r in rows]
    write_results(args.out, results)


if __name__ == "__main__":
    main()
