"""Lyapunov spectrum of the Lorenz system (sigma = 10, rho = 28, beta = 8/3) by the
QR method, its convergence, and the Kaplan-Yorke dimension, against the published
spectrum (0.9056, 0, -14.5723) (Sprott, "Chaos and Time-Series Analysis", Oxford
University Press, 2003), whose Kaplan-Yorke dimension is 2.0621.
"""

from pathlib import Path

import matplotlib.pyplot as plt

import dynnets as dn
from dynnets.analysis import kaplan_yorke, lyapunov_spectrum
from dynnets.experiment import finish, main

NAME = "lorenz_lyapunov"
PUBLISHED = (0.9056, 0.0, -14.5723)


def run(quick=False, out=Path("figures")):
    T = 500.0 if quick else 10_000.0
    res = lyapunov_spectrum(dn.lorenz(), [1.0, 1.0, 1.0], T, transient=100.0, dt=0.01, renorm=0.1)
    lam = res.exponents
    ky_ref = kaplan_yorke(PUBLISHED)

    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    labels = ["$\\lambda_1$", "$\\lambda_2$", "$\\lambda_3$"]
    for j, ax in enumerate(axes):
        ax.plot(res.t, res.history[:, j], color=f"C{j}", label=f"{labels[j]} running estimate")
        ax.axhline(PUBLISHED[j], color="k", ls=":", lw=1, label=f"published {PUBLISHED[j]:g}")
        ax.set_xscale("log")
        ax.set_xlabel("averaging time")
        ax.set_title(f"{labels[j]} = {lam[j]:.4f}", fontsize="medium")
        ax.legend(fontsize="small", loc="best")
    axes[0].set_ylabel("exponent")
    axes[0].set_ylim(0.6, 1.2)
    axes[1].set_ylim(-0.2, 0.2)
    axes[2].set_ylim(-15.5, -13.5)
    fig.suptitle(f"Lorenz Lyapunov spectrum, T = {T:g}: Kaplan-Yorke dimension {res.kaplan_yorke:.4f} "
                 f"(published spectrum gives {ky_ref:.4f})", fontsize="medium")
    fig.tight_layout()

    return finish(NAME, out, fig, {
        "exponents": lam,
        "published": PUBLISHED,
        "reference": "Sprott, Chaos and Time-Series Analysis (2003), Lorenz spectrum",
        "relative_error": [abs(a - b) / abs(b) if b else abs(a) for a, b in zip(lam, PUBLISHED)],
        "sum": float(lam.sum()),
        "trace": -(10 + 1 + 8 / 3),
        "kaplan_yorke": res.kaplan_yorke,
        "kaplan_yorke_published": ky_ref,
        "T": T,
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    return (f"spectrum {', '.join(f'{v:.4f}' for v in res['exponents'])} against "
            f"{', '.join(f'{v:g}' for v in res['published'])}")


if __name__ == "__main__":
    main(run)
