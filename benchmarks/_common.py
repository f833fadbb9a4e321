"""What every benchmark script shares: the timer, the machine description, and
writing the results file atomically."""

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numba
import numpy as np

from dynnets.io import atomic_write


def median_time(f, repeats):
    """Median wall time of ``repeats`` calls of ``f()``, in seconds."""
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts))


def paired_times(ours, peer, repeats, warm=False):
    """Time ``ours()`` and ``peer()`` alternately, ``repeats`` pairs: the medians
    of each and the median of the per-pair ratios ``peer / ours``. On a shared
    machine whose speed drifts by a quarter over minutes, a pair runs under the
    same conditions, so its ratio is steadier than the ratio of the medians.

    ``warm``: call each side once untimed before its timed call. For runs of a
    millisecond or less: right after 16 ms of the other side (or of any busy
    loop) such a run measured 15-25% slower here than back to back.

    Not for runs that write large fresh outputs: on this VM the host reclaims
    freed memory within seconds, and first touching 256 MB then costs 0.5 s
    instead of 0.02 s back to back, a cost the other side's long run would
    impose on ours (``bench_reservoir`` times each side back to back)."""
    t_ours, t_peer = [], []
    for _ in range(repeats):
        for f, ts in ((ours, t_ours), (peer, t_peer)):
            if warm:
                f()
            t0 = time.perf_counter()
            f()
            ts.append(time.perf_counter() - t0)
    ratios = np.array(t_peer) / np.array(t_ours)
    return float(np.median(t_ours)), float(np.median(t_peer)), float(np.median(ratios))


def _cpu():
    """The CPU model and the vector width numba compiles for (the speed of every
    kernel depends on both)."""
    import llvmlite.binding as llvm

    from dynnets._simd import _LANES

    return f"{llvm.get_host_cpu_name()}, {64 * _LANES}-bit vectors"


def environment():
    """Threads, machine and versions, recorded beside every result."""
    return {"threads": numba.get_num_threads(), "machine": platform.processor() or platform.machine(),
            "cpu": _cpu(), "cpu_count": os.cpu_count(), "numba": numba.__version__, "numpy": np.__version__}


def write_results(path, results):
    """Write ``results`` as JSON to ``path`` (temporary file, then rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda p: Path(p).write_text(json.dumps(results, indent=2) + "\n"))


def print_table(rows, results, columns):
    """Print ``rows`` as a Markdown table (what the README quotes) under a line
    with the thread count, and keep them in ``results["rows"]``."""
    print(f"{results.get('cpu', '?')}; threads: {results['threads']}, repeats: {results.get('repeats', '?')} (medians)")
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    for r in rows:
        print("| " + " | ".join(r) + " |")


def parse_args(doc, script, repeats=5, extra=None):
    """The options every benchmark takes: ``--repeats``, ``--quick`` (small
    problems, a smoke test) and ``--out`` (default ``results/<script>.json``);
    ``extra(parser)`` adds a benchmark's own."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=repeats)
    ap.add_argument("--quick", action="store_true", help="smaller problems, for a smoke test")
    ap.add_argument("--out", default=str(Path(__file__).with_name("results") / f"{Path(script).stem}.json"))
    if extra is not None:
        extra(ap)
    return ap.parse_args()
