"""Analysis speed, side by side with the peers in one run.

    python benchmarks/bench_analysis.py [--repeats 3] [--quick]

(a) Lorenz Lyapunov spectrum over 10^4 time units (after a transient of 100):
    dynnets (RK4, dt = 0.01, QR every 0.1) against a straightforward SciPy
    implementation (``solve_ivp`` RK45 at rtol = atol = 1e-8 on the 12-dimensional
    variational system, ``numpy.linalg.qr`` after each time unit). Both spectra
    are printed with the published (0.9056, 0, -14.5723).
(b) Correlation dimension of 10^4 Lorenz points: dynnets against a NumPy/SciPy
    reference (``scipy.spatial.distance.pdist`` and counting). nolds, the usual
    peer, does not import on Python 3.11 (``'nolds.datasets' is not a package``,
    nolds 0.6), so it is not timed here.
"""

import time

import numba
import numpy as np
from _common import parse_args, write_results
from scipy.integrate import solve_ivp
from scipy.spatial.distance import pdist

import dynnets as dn
from dynnets.analysis import correlation_dimension, lyapunov_spectrum


def timed(f):
    t0 = time.perf_counter()
    out = f()
    return time.perf_counter() - t0, out


def scipy_lorenz_spectrum(T, transient):
    s, r, b = 10.0, 28.0, 8.0 / 3.0

    def f(t, u):
        x, y, z = u[:3]
        J = np.array([[-s, s, 0.0], [r - z, -1.0, -x], [y, x, -b]])
        Q = u[3:].reshape(3, 3)
        return np.concatenate([[s * (y - x), x * (r - z) - y, x * y - b * z], (J @ Q).ravel()])

    y = solve_ivp(lambda t, u: f(t, np.concatenate([u, np.eye(3).ravel()]))[:3], (0, transient), [1.0, 1.0, 1.0],
                  rtol=1e-8, atol=1e-8).y[:, -1]
    Q = np.eye(3)
    logs = np.zeros(3)
    for k in range(int(T)):
        sol = solve_ivp(f, (0, 1.0), np.concatenate([y, Q.ravel()]), rtol=1e-8, atol=1e-8)
        u = sol.y[:, -1]
        y = u[:3]
        Q, R = np.linalg.qr(u[3:].reshape(3, 3))
        sign = np.sign(np.diag(R))
        Q = Q * sign
        logs += np.log(np.abs(np.diag(R)))
    return logs / int(T)


def numpy_correlation_dimension(x, r, fit):
    d = pdist(x)
    C = np.array([(d < rr).mean() for rr in r])
    return float(np.polyfit(np.log(r[fit]), np.log(C[fit]), 1)[0])


def main():
    args = parse_args(__doc__, __file__, repeats=3)
    T = 1000.0 if args.quick else 10_000.0
    rows = []

    lyapunov_spectrum(dn.lorenz(), [1.0, 1.0, 1.0], 10.0, transient=1.0)  # compile
    ts = [timed(lambda: lyapunov_spectrum(dn.lorenz(), [1.0, 1.0, 1.0], T, transient=100.0)) for _ in range(args.repeats)]
    t_dn = float(np.median([t for t, _ in ts]))
    lam_dn = ts[0][1].exponents
    t_sp, lam_sp = timed(lambda: scipy_lorenz_spectrum(T, 100.0))
    rows.append((f"(a) Lorenz spectrum, T = {T:g}", "SciPy solve_ivp + QR", t_sp, t_dn, 50))

    N = 2000 if args.quick else 10_000
    sol = dn.solve(dn.lorenz(), [1.0, 1.0, 1.0], (0, 100 + N * 0.1), t_eval=100 + 0.1 * np.arange(N),
                   rtol=1e-9, atol=1e-9)
    x = sol.y
    cd = correlation_dimension(x)  # compile
    ts = [timed(lambda: correlation_dimension(x)) for _ in range(args.repeats)]
    t_dnc = float(np.median([t for t, _ in ts]))
    t_npc, d_np = timed(lambda: numpy_correlation_dimension(x, cd.r, cd.fit))
    rows.append((f"(b) correlation dimension, {N} Lorenz points", "NumPy/SciPy pdist", t_npc, t_dnc, None))

    print(f"threads: {numba.get_num_threads()}, dynnets medians of {args.repeats} runs, peers once")
    print("| benchmark | peer | peer | dynnets | speed-up | target |")
    print("|---|---|---|---|---|---|")
    for name, peer, tp, td, target in rows:
        print(f"| {name} | {peer} | {tp:.3g} s | {td:.3g} s | {tp / td:.0f}x | {f'>= {target}x' if target else '-'} |")
    print(f"Lorenz spectrum: dynnets {np.round(lam_dn, 4)}, SciPy {np.round(lam_sp, 4)}, published [0.9056 0 -14.5723]")
    print(f"Correlation dimension: dynnets {cd.dimension:.4f}, NumPy reference {d_np:.4f} (Grassberger-Procaccia: 2.05)")
    res = {"rows": [dict(zip(("benchmark", "peer", "peer_s", "dynnets_s", "target"), r)) for r in rows],
           "lorenz_dynnets": lam_dn.tolist(), "lorenz_scipy": lam_sp.tolist(),
           "corr_dim_dynnets": cd.dimension, "corr_dim_numpy": d_np, "threads": numba.get_num_threads()}
    write_results(args.out, res)


if __name__ == "__main__":
    main()
