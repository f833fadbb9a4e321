"""Bifurcation structure of a 2-neuron CTRNN in the bias plane, in the manner of
Beer (1995), "On the dynamics of small continuous-time recurrent neural networks".

Two networks, both coupled with opposite signs (1 -> 2: +1, 2 -> 1: -1): (A)
strongly self-excitatory neurons (w11 = w22 = 8, each bistable over a bias range
of width 2.1, wider than the cross input of 1), and (B) the oscillator's weights
(w11 = w22 = 4.5). On a grid of
(theta1, theta2) the equilibria are counted with the multi-start Newton solver
and classified from their Jacobians. Where every equilibrium is unstable the
planar, bounded flow must settle on a limit cycle (Poincare-Bendixson): those
points are marked as oscillatory, and a limit cycle is confirmed by simulation at
one of them. Beer (1995) describes regions of 1, 3, 5 and 9 equilibria around the
center-crossing point theta_i = -sum_j w_ji / 2, and oscillatory regions.
"""

from pathlib import Path

import matplotlib.colors as mcolors
import matplotlib.pyplot as plt
import numpy as np

import dynnets as dn
from dynnets.analysis import fixed_points, periodic_orbit
from dynnets.experiment import finish, main

NAME = "ctrnn_bias_plane"
# W[j, i]: from neuron j to neuron i; 1 -> 2 is +1, 2 -> 1 is -1
# and the half-width of the bias window around the center-crossing point
NETWORKS = {"A": (np.array([[8.0, 1.0], [-1.0, 8.0]]), 6.0), "B": (np.array([[4.5, 1.0], [-1.0, 4.5]]), 1.5)}


def bias_plane(W, m, span):
    """Equilibrium counts and the oscillatory mask on an m x m grid of biases."""
    cc = -0.5 * W.sum(axis=0)  # the center-crossing biases
    th1 = np.linspace(cc[0] - span, cc[0] + span, m)
    th2 = np.linspace(cc[1] - span, cc[1] + span, m)
    # equilibria satisfy y_i = sum_j w_ji o_j, inside this box; starts on a grid in it
    lo = np.minimum(W, 0).sum(axis=0) - 0.5
    hi = np.maximum(W, 0).sum(axis=0) + 0.5
    g = [np.linspace(lo[k], hi[k], 9) for k in range(2)]
    starts = np.array(np.meshgrid(*g, indexing="ij")).reshape(2, -1).T
    counts = np.zeros((m, m), int)
    oscillatory = np.zeros((m, m), bool)
    for a, t1 in enumerate(th1):
        for b, t2 in enumerate(th2):
            net = dn.CTRNN(W, tau=1.0, bias=[t1, t2])
            fp = fixed_points(net.system(), starts=starts, dedup_tol=1e-6)
            counts[a, b] = len(fp)
            oscillatory[a, b] = len(fp) > 0 and not fp.stable.any()
    return th1, th2, cc, counts, oscillatory


def run(quick=False, out=Path("figures")):
    m = 17 if quick else 101
    fig, axes = plt.subplots(1, 2, figsize=(13, 6))
    numbers = {}
    for ax, (label, (W, span)) in zip(axes, NETWORKS.items()):
        th1, th2, cc, counts, oscillatory = bias_plane(W, m, span)
        osc_period, osc_at = None, None
        if oscillatory.any():
            # confirm a limit cycle at the oscillatory grid point nearest the center crossing
            idx = np.argwhere(oscillatory)
            ia, ib = idx[np.argmin(np.hypot(*(idx - m // 2).T))]
            osc_at = (float(th1[ia]), float(th2[ib]))
            po = periodic_orbit(dn.CTRNN(W, tau=1.0, bias=osc_at).system(), [0.1, 0.1], transient=200.0, T=200.0)
            osc_period = None if po is None else po.period
        draw(ax, W, th1, th2, cc, counts, oscillatory, label)
        present = sorted(set(counts.ravel().tolist()))
        numbers[label] = {
            "weights": W,
            "equilibrium_counts_present": present,
            "area_fraction": {int(c): float(np.mean(counts == c)) for c in present},
            "oscillatory_fraction": float(oscillatory.mean()),
            "limit_cycle_confirmed_at": osc_at,
            "limit_cycle_period": osc_period,
            "count_at_center_crossing": int(counts[m // 2, m // 2]),
        }
    fig.tight_layout()
    return finish(NAME, out, fig, dict(numbers, grid=m, quick=quick, reference=(
        "Beer (1995): regions of 1, 3, 5 and 9 equilibria (9 around the center-crossing point for strong "
        "self-excitation) and oscillatory regions")))


def draw(ax, W, th1, th2, cc, counts, oscillatory, label):
    levels = [1, 3, 5, 7, 9]
    colors = ["#f0f0f0", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
    cmap = mcolors.ListedColormap(colors)
    norm = mcolors.BoundaryNorm([0, 2, 4, 6, 8, 10], cmap.N)
    ax.imshow(counts.T, origin="lower", extent=(th1[0], th1[-1], th2[0], th2[-1]), cmap=cmap, norm=norm,
              aspect="auto", interpolation="nearest")
    if oscillatory.any():
        ax.contourf(th1, th2, oscillatory.T.astype(float), levels=[0.5, 1.5], colors="none", hatches=["////"])
        ax.contour(th1, th2, oscillatory.T.astype(float), levels=[0.5], colors="tab:red", linewidths=1.2)
    present = set(counts.ravel().tolist())
    for lev, col in zip(levels, colors):
        if lev in present:
            ax.plot([], [], "s", color=col, ms=10, mec="0.5", label=f"{lev} equilibri{'um' if lev == 1 else 'a'}")
    if oscillatory.any():
        ax.plot([], [], color="tab:red", label="oscillation (all equilibria unstable)")
    ax.plot(*cc, "+", color="tab:orange", ms=14, mew=2, label="center-crossing biases")
    ax.set_xlabel("$\\theta_1$")
    ax.set_ylabel("$\\theta_2$")
    ax.set_title(f"({label}) $w_{{11}} = w_{{22}} = {W[0, 0]:g}$, $w_{{12}} = {W[0, 1]:g}$, "
                 f"$w_{{21}} = {W[1, 0]:g}$", fontsize="medium")
    ax.legend(loc="upper left", fontsize="small", framealpha=0.9)



def summary(res):
    """One line on what this run obtained (the gallery index)."""
    a = res["A"]
    return (f"equilibrium counts {a['equilibrium_counts_present']} with {a['count_at_center_crossing']} at the "
            f"center-crossing point; oscillation confirmed at {res['B']['limit_cycle_confirmed_at']}")


if __name__ == "__main__":
    main(run)
