"""Transition to chaos in random rate networks (Sompolinsky, Crisanti and Sommers
1988): dx/dt = -x + g J tanh(x), J_ij ~ N(0, 1/N).

The largest Lyapunov exponent is computed against g for networks of several sizes.
Reference: below the transition the origin is the attractor and the exponent is
exactly the linear one, -1 + g max Re eig(J) (max Re eig(J) -> 1 as N grows, the
circular law); the mean-field theory puts the transition to chaos at g = 1.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import dynnets as dn
from dynnets.analysis import lyapunov_sweep
from dynnets.experiment import finish, main
from dynnets.models import random_network

NAME = "random_network_chaos"


def run(quick=False, out=Path("figures")):
    sizes = (100,) if quick else (200, 400)
    g = np.array([0.5, 0.8, 1.5, 2.5]) if quick else np.linspace(0.5, 2.5, 13)
    T, transient = (100.0, 100.0) if quick else (400.0, 200.0)
    results = {}
    for N in sizes:
        net = random_network(N, seed=N)
        J = net.params[1:].reshape(N, N)
        re_max = float(np.linalg.eigvals(J).real.max())
        x0 = np.random.default_rng(N + 1).normal(0.0, 1.0, N)
        lam, _ = lyapunov_sweep(net, 0, g, x0, T, transient=transient, dt=0.05, renorm=0.5)
        results[N] = (lam[:, 0], re_max)

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"width_ratios": [1.2, 1]})
    for k, N in enumerate(sizes):
        lam, re_max = results[N]
        ax1.plot(g, lam, "o-", color=f"C{k}", label=f"N = {N}")
        gl = g[g <= 1.0]
        ax1.plot(gl, -1 + gl * re_max, ":", color=f"C{k}", label=f"linear: $-1 + g\\,\\max \\mathrm{{Re}}\\,\\lambda(J)$, N = {N}")
    ax1.axhline(0, color="0.5", lw=0.6)
    ax1.axvline(1.0, color="tab:red", lw=0.8, ls="--", label="g = 1 (mean-field transition)")
    ax1.set_xlabel("gain g")
    ax1.set_ylabel("largest Lyapunov exponent")
    ax1.set_title("Transition to chaos in random rate networks")
    ax1.legend(fontsize="small")
    N = sizes[-1]
    net = random_network(N, seed=N)
    x0 = np.random.default_rng(N + 1).normal(0.0, 1.0, N)
    t = np.linspace(0, 100, 1001)
    for k, gg in enumerate((0.8, 2.0)):
        p = np.array(net.params)
        p[0] = gg
        sol = dn.solve(net.with_params(p), x0, (0.0, 100.0), t_eval=t, rtol=1e-7, atol=1e-9)
        ax2.plot(t, sol.y[:, :3] + 4 * k, color=f"C{k + 2}", lw=0.8)
        ax2.text(101, 4 * k, f"g = {gg}", va="center", fontsize="small")
    ax2.set_xlabel("time (units of $\\tau$)")
    ax2.set_ylabel("$x_i$ (traces offset for clarity)")
    ax2.set_title(f"three units, N = {N}", fontsize="medium")
    fig.tight_layout()

    below = g < 0.9
    lin_err = {N: float(np.max(np.abs(results[N][0][below] - (-1 + g[below] * results[N][1])))) for N in sizes}
    onset = {N: float(g[np.flatnonzero(results[N][0] > 0.005)[0]]) if np.any(results[N][0] > 0.005) else None
             for N in sizes}
    return finish(NAME, out, fig, {
        "g": g,
        "sizes": sizes,
        "lambda_max": {N: results[N][0] for N in sizes},
        "max_re_eig_J": {N: results[N][1] for N in sizes},
        "max_error_below_transition": lin_err,
        "first_g_with_positive_exponent": onset,
        "reference": "exact linear exponent -1 + g max Re eig(J) below the transition; transition at g = 1 "
                     "(Sompolinsky, Crisanti and Sommers 1988)",
        "T": T,
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    first = res["first_g_with_positive_exponent"]
    return ("first g with a positive exponent: " + ", ".join(f"N = {k}: {v}" for k, v in first.items())
            + "; linear exponent within " + f"{max(res['max_error_below_transition'].values()):.3f} of exact below it")


if __name__ == "__main__":
    main(run)
