"""Orbit diagram of the logistic map x' = r x (1 - x) with its Lyapunov exponent
underneath.

Reference values: lambda = ln 2 at r = 4 (exact); lambda = ln|2 - r| on the fixed
point (r < 3) and 0.5 ln|4 + 2r - r^2| on the 2-cycle (3 < r < 1 + sqrt 6), closed
forms; the period-doubling cascade accumulates at r_inf = 3.5699456
(Feigenbaum 1978), where lambda first becomes positive.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from dynnets.analysis import lyapunov_sweep, orbit_diagram
from dynnets.experiment import finish, main
from dynnets.models import logistic

NAME = "logistic_orbit"
R_INF = 3.5699456


def run(quick=False, out=Path("figures")):
    m = 301 if quick else 3001
    r = np.linspace(2.5, 4.0, m)
    od = orbit_diagram(logistic(), 0, r, [0.3], transient=1000, record=200 if quick else 400)
    lam, _ = lyapunov_sweep(logistic(), 0, r, [0.3], 20_000 if quick else 200_000, transient=1000)
    lam = lam[:, 0]

    checks = np.array([2.8, 3.2, 4.0])
    lam_c, _ = lyapunov_sweep(logistic(), 0, checks, [0.3], 200_000, transient=1000)
    exact = np.array([np.log(abs(2 - 2.8)), 0.5 * np.log(abs(4 + 2 * 3.2 - 3.2 ** 2)), np.log(2.0)])
    # onset of chaos: first r past the 4-cycle where the exponent is clearly positive
    onset = float(r[np.flatnonzero((r > 3.5) & (lam > 1e-3))[0]])

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(9, 7), sharex=True, gridspec_kw={"height_ratios": [2, 1]})
    od.plot(ax=ax1, s=0.08, ylabel="x (after a transient)")
    ax1.set_title("Logistic map: orbit diagram and Lyapunov exponent")
    ax1.axvline(R_INF, color="tab:red", lw=0.8, ls="--")
    ax1.text(R_INF - 0.01, 0.04, "$r_\\infty$ (Feigenbaum) ", color="tab:red", fontsize="small", ha="right")
    ax1.set_ylim(0, 1.0)
    ax1.set_xlabel("")
    ax2.plot(r, lam, lw=0.6, color="k")
    ax2.axhline(0, color="0.5", lw=0.6)
    ax2.axhline(np.log(2), color="tab:blue", lw=0.8, ls=":", label="ln 2")
    ax2.axvline(R_INF, color="tab:red", lw=0.8, ls="--")
    ax2.set_ylim(-2, 1)
    ax2.set_xlabel("r")
    ax2.set_ylabel("$\\lambda$")
    ax2.legend(loc="lower left", fontsize="small")
    fig.tight_layout()

    return finish(NAME, out, fig, {
        "check_r": checks,
        "lambda": lam_c[:, 0],
        "lambda_exact": exact,
        "reference": "closed forms at r = 2.8 (fixed point), 3.2 (2-cycle); ln 2 at r = 4; "
                     "r_inf = 3.5699456 (Feigenbaum 1978)",
        "chaos_onset": onset,
        "r_inf": R_INF,
        "grid_spacing": float(r[1] - r[0]),
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    return (f"exponents {', '.join(f'{v:.6f}' for v in res['lambda'])} against "
            f"{', '.join(f'{v:.6f}' for v in res['lambda_exact'])}; chaos from r = {res['chaos_onset']:.4f}")


if __name__ == "__main__":
    main(run)
