"""Start-up cost: the first call of each model family in a fresh process, with an
empty numba cache and then with the cache the first process wrote.

    python benchmarks/bench_startup.py [--repeats 3] [--experiments NAME ... | all]

Each measurement is a new Python process (import included) with its own
``NUMBA_CACHE_DIR``; the first run of a pair starts from an empty cache, the
second reuses it. Serial kernels are cached on disk (a kernel that calls a
system's function through ``dynnets._bind``); parallel kernels are compiled in
every process (numba cannot cache them safely), so the families and experiments
that run them gain less. Medians of ``--repeats`` pairs; ``--experiments``
times ``dynnets run NAME --quick`` for the experiments named (default
``ctrnn_oscillator``; ``all`` for every one).
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import environment, parse_args, print_table, write_results

FAMILIES = {
    "CTRNN, one network (RK4)": "dn.simulate(dn.CTRNN.random(3, seed=0), dt=0.01, n_steps=100, method='rk4')",
    "CTRNN, population": "dn.simulate(dn.CTRNN.random(3, population=8, seed=0), dt=0.01, n_steps=100)",
    "solve (adaptive, user rhs)": "dn.solve(dn.lorenz(), [1.0, 1, 1], (0, 1.0))",
    "Lyapunov spectrum": "dn.analysis.lyapunov_spectrum(dn.lorenz(), [1.0, 1, 1], T=1)",
    "reservoir run + ridge": ("r = dn.Reservoir.random(50, 1, seed=0); u = np.sin(np.arange(300) / 5); "
                              "dn.ESN(r, washout=10).fit(u[:-1], u[1:])"),
    "LSTM forward + BPTT": ("from dynnets.models.cells import LSTM; c = LSTM.random(2, 8, seed=0); "
                            "x = np.zeros((10, 4, 2)); c.gradients(x, dh=np.ones((10, 4, 8)))"),
    "Hopfield recall": "X = dn.random_patterns(5, 50, seed=0); dn.Hopfield.from_patterns(X).recall(X, seed=0)",
    "double pole (population)": ("from dynnets.tasks import cartpole; "
                                 "cartpole.balance(dn.CTRNN.random(3, population=8, n_inputs=3, tau_range=(0.02, 0.1)))"),
}


def timed(code, cache, cwd=None, argv=None):
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    t0 = time.perf_counter()
    cmd = argv or [sys.executable, "-c", f"import numpy as np\nimport dynnets as dn\n{code}"]
    subprocess.run(cmd, env=env, check=True, capture_output=True, cwd=cwd)
    return time.perf_counter() - t0


def pair(code=None, argv=None, cwd=None):
    with tempfile.TemporaryDirectory() as cache:
        return timed(code, cache, cwd, argv), timed(code, cache, cwd, argv)


def main():
    args = parse_args(__doc__, __file__, repeats=3, extra=lambda ap: ap.add_argument(
        "--experiments", nargs="+", default=["ctrnn_oscillator"], help="experiment names, or all"))
    R = 1 if args.quick else args.repeats
    root = Path(__file__).resolve().parents[1]
    results = environment() | {"repeats": R}
    rows, records = [], []
    t_import = np.median([pair("pass")[1] for _ in range(R)])
    cases = list(FAMILIES.items()) if not args.quick else list(FAMILIES.items())[:2]
    for name, code in cases:
        firsts, seconds = zip(*(pair(code) for _ in range(R)))
        first, second = float(np.median(firsts)), float(np.median(seconds))
        rows.append((name, f"{first:.1f} s", f"{second:.1f} s", f"{first / second:.1f}x"))
        records.append({"family": name, "fresh_cache": first, "warm_cache": second})
    names = args.experiments
    if names == ["all"]:
        from dynnets.experiment import list_experiments

        names = list_experiments(root / "experiments")
    for name in names:
        with tempfile.TemporaryDirectory() as out:
            argv = [sys.executable, "-m", "dynnets", "run", name, "--quick", "--out", out, "--no-progress"]
            firsts, seconds = zip(*(pair(argv=argv, cwd=root) for _ in range(R)))
        first, second = float(np.median(firsts)), float(np.median(seconds))
        rows.append((f"`dynnets run {name} --quick`", f"{first:.1f} s", f"{second:.1f} s", f"{first / second:.1f}x"))
        records.append({"family": f"dynnets run {name} --quick", "fresh_cache": first, "warm_cache": second})
    print(f"python -c 'import dynnets' with a warm cache: {t_import:.2f} s")
    print_table(rows, results, ("first call, in a new process", "empty cache", "cache from the last process",
                                "speed-up"))
    results.update(rows=records, import_time=float(t_import))
    write_results(args.out, results)


if __name__ == "__main__":
    main()
