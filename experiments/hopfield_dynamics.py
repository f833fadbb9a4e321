"""Hopfield dynamics: energy descent under asynchronous updates, fixed points and
2-cycles under synchronous ones, the energy landscape of a small network with its
spurious and mixture minima, and the relaxation of the continuous network.

References: the energy is a Lyapunov function of asynchronous dynamics (Hopfield
1982); synchronous dynamics with symmetric weights ends in fixed points or
2-cycles only (Goles and Olivos 1980); the odd mixtures sign(+-xi1 +- xi2 +- xi3)
are stable (Amit, Gutfreund and Sompolinsky 1985); the continuous network's energy
decreases along trajectories (Hopfield 1984).
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import dynnets as dn
from dynnets.experiment import finish, main
from dynnets.models import classify_states

NAME = "hopfield_dynamics"


def _all_states(N):
    idx = np.arange(2**N)[:, None]
    return np.where((idx >> np.arange(N)) & 1, 1.0, -1.0)


def run(quick=False, out=Path("figures")):
    fig, axes = plt.subplots(2, 2, figsize=(11, 8.5))

    # (a) energy descent, asynchronous
    N = 200 if quick else 500
    X = dn.random_patterns(round(0.1 * N), N, seed=0)
    net = dn.Hopfield.from_patterns(X)
    r = net.recall(dn.flip_bits(X[:20], 0.3, seed=1), seed=2)
    dE = np.diff(r.energy, axis=1)
    max_increase = float(np.nanmax(dE))
    ax = axes[0, 0]
    for e in r.energy:
        ax.plot(e / N, lw=0.8)
    ax.set_xlabel("sweep (N single-unit updates)")
    ax.set_ylabel("energy per unit E/N")
    ax.set_title(f"(a) asynchronous updates: E never increases (N = {N})")

    # (b) synchronous dynamics: fixed points and 2-cycles
    rng = np.random.default_rng(3)
    Ns = 100
    A = rng.normal(size=(Ns, Ns)) / np.sqrt(Ns)
    J = (A + A.T) / np.sqrt(2)
    np.fill_diagonal(J, 0.0)
    sk = dn.Hopfield(J, rule="Sherrington-Kirkpatrick")
    probes = dn.random_patterns(100 if quick else 500, Ns, seed=4)
    rs = sk.recall(probes, mode="sync", max_sweeps=1000)
    ra = sk.recall(probes, mode="async", max_sweeps=1000, seed=5)
    counts = {"sync_fixed": int(rs.converged.sum()), "sync_2cycle": int(rs.cycle.sum()),
              "sync_other": int((~rs.converged & ~rs.cycle).sum()), "async_fixed": int(ra.converged.sum()),
              "async_other": int((~ra.converged).sum())}
    ax = axes[0, 1]
    ax.bar([0, 1], [counts["sync_fixed"], counts["async_fixed"]], color="tab:blue", label="fixed point")
    ax.bar([0], [counts["sync_2cycle"]], bottom=[counts["sync_fixed"]], color="tab:orange", label="2-cycle")
    ax.bar([0, 1], [counts["sync_other"], counts["async_other"]],
           bottom=[counts["sync_fixed"] + counts["sync_2cycle"], counts["async_fixed"]], color="tab:red",
           label="neither (none expected)")
    ax.set_xticks([0, 1], ["synchronous", "asynchronous"])
    ax.set_ylabel("number of probes")
    ax.set_title(f"(b) where {len(probes)} random probes end (SK couplings, N = {Ns})")
    ax.legend(fontsize="small")

    # (c) energy landscape of a small network: every state, and the local minima
    n, P = 14 if quick else 16, 3
    Xs = dn.random_patterns(P, n, seed=11)
    small = dn.Hopfield.from_patterns(Xs)
    S = _all_states(n)
    E = small.energy(S)
    minima = S[small.is_fixed_point(S) & np.all(small.field(S) != 0, axis=1)]
    labels, _ = classify_states(minima, Xs)
    kinds = {k: int(sum(lab == k for lab in labels)) for k in ("pattern", "reversed", "mixture", "spurious")}
    m1 = S @ Xs[0] / n
    ax = axes[1, 0]
    ax.scatter(m1 + rng.uniform(-0.02, 0.02, m1.size), E, s=1, color="0.75", rasterized=True, label="all states")
    colors = {"pattern": "tab:green", "reversed": "tab:olive", "mixture": "tab:purple", "spurious": "tab:red"}
    for k, color in colors.items():
        sel = np.array([lab == k for lab in labels])
        if sel.any():
            ax.scatter(minima[sel] @ Xs[0] / n, small.energy(minima[sel]), s=30, color=color,
                       label=f"{k} minima ({kinds[k]})", zorder=3)
    ax.set_xlabel("overlap with pattern 1, $m_1$")
    ax.set_ylabel("energy E")
    ax.set_title(f"(c) all $2^{{{n}}}$ states, {P} Hebbian patterns")
    lo, hi = ax.get_ylim()
    ax.set_ylim(lo, hi + 0.4 * (hi - lo))  # room for the legend above the states
    ax.legend(fontsize="small", loc="upper center", ncol=2)

    # (d) the continuous network relaxing to a pattern
    Nc = 50
    Xc = dn.random_patterns(3, Nc, seed=21)
    T = dn.models.hebbian(Xc)
    gain = 4.0
    sysc = dn.continuous_hopfield(T, R=1.0, C=1.0, gain=gain)
    u0 = 0.05 * dn.flip_bits(Xc[:1], 0.3, seed=22)[0]
    t = np.linspace(0, 10, 201)
    sol = dn.solve(sysc, u0, (0, 10), rtol=1e-9, atol=1e-9, t_eval=t)
    Ec = dn.continuous_hopfield_energy(sol.y, T, 1.0, 0.0, gain)
    V = np.tanh(gain * sol.y)
    ax = axes[1, 1]
    ax.plot(t, Ec, color="k", label="energy E")
    ax.set_xlabel("time t (units of RC)")
    ax.set_ylabel("energy E")
    ax2 = ax.twinx()
    for mu in range(3):
        ax2.plot(t, V @ Xc[mu] / Nc, lw=1, ls="--", label=f"overlap with pattern {mu + 1}")
    ax2.set_ylabel("overlap of V with the patterns")
    ax2.set_ylim(-1.05, 1.05)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    ax2.legend(h1 + h2, l1 + l2, fontsize="small", loc="center right", bbox_to_anchor=(1.0, 0.3))
    ax.set_title(f"(d) continuous network, N = {Nc}, 30%-noisy probe")
    fig.tight_layout()

    return finish(NAME, out, fig, {
        "async_max_energy_increase": max_increase, "async_all_converged": bool(r.converged.all()),
        **counts, "landscape_n": n, "minima": kinds,
        "continuous_energy_max_increase": float(np.max(np.diff(Ec))),
        "continuous_final_overlap": float(V[-1] @ Xc[0] / Nc),
        "reference": "Hopfield 1982 (async energy descent); Goles & Olivos 1980 (sync: fixed points or 2-cycles); "
                     "Amit, Gutfreund & Sompolinsky 1985 (mixture states); Hopfield 1984 (continuous energy)",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    return (f"asynchronous: {res['async_fixed']} of {res['async_fixed'] + res['async_other']} runs end in fixed points, "
            f"energy never rises (max {res['async_max_energy_increase']:.0e}); synchronous: {res['sync_2cycle']} 2-cycles")


if __name__ == "__main__":
    main(run)
