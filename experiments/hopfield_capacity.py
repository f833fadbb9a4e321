"""Capacity of the Hopfield network for three learning rules: the mean overlap of
the state reached from each stored pattern (asynchronous updates until stable)
against the load alpha = P/N.

Reference: the Hebbian network loses its retrieval states at alpha_c = 0.138
(Amit, Gutfreund and Sompolinsky 1985, PRL 55, 1530), where the retrieval overlap
is still 0.967. The measured breakdown load is where the mean final overlap
(linear interpolation over the grid) first falls below 0.9. Storkey's rule and the
pseudo-inverse rule (every pattern a fixed point for P < N) hold out longer.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

import dynnets as dn
from dynnets.experiment import finish, main
from dynnets.models.hopfield import pseudo_inverse, storkey_update

NAME = "hopfield_capacity"
ALPHA_C = 0.138
THRESHOLD = 0.9


def _storkey_snapshots(X, Ps):
    """Storkey weights after the first P patterns, for every P in Ps (one pass)."""
    W = np.zeros((X.shape[1], X.shape[1]))
    out = {}
    for p, xi in enumerate(X, 1):
        storkey_update(W, xi)
        if p in Ps:
            out[p] = W.copy()
    return out


def breakdown_load(alphas, m, threshold=THRESHOLD):
    """First load where the curve m(alpha) crosses below ``threshold`` (linear interpolation)."""
    below = np.flatnonzero(m < threshold)
    if below.size == 0 or below[0] == 0:
        return float("nan")
    i = below[0]
    return float(alphas[i - 1] + (m[i - 1] - threshold) * (alphas[i] - alphas[i - 1]) / (m[i - 1] - m[i]))


def run(quick=False, out=Path("figures")):
    N = 200 if quick else 1000
    seeds = range(2) if quick else range(4)
    alphas = np.round(np.concatenate([np.arange(0.02, 0.20, 0.02 if quick else 0.01), np.arange(0.20, 0.601, 0.05 if quick else 0.02)]), 4)
    Ps = [round(a * N) for a in alphas]
    rules = ("hebbian", "storkey", "pseudo_inverse")
    m = {r: np.zeros((len(seeds), len(alphas))) for r in rules}
    bar = tqdm(total=len(seeds) * len(alphas), desc=NAME, leave=False)
    for si, seed in enumerate(seeds):
        X = dn.random_patterns(max(Ps), N, seed=seed)
        sto = _storkey_snapshots(X, set(Ps))
        for ai, P in enumerate(Ps):
            k = min(P, 100)
            for rule in rules:
                if rule == "hebbian":
                    W = dn.models.hebbian(X[:P])
                elif rule == "storkey":
                    W = sto[P]
                else:
                    W = pseudo_inverse(X[:P])
                r = dn.Hopfield(W, rule=rule).recall(X[:k], seed=seed, max_sweeps=200)
                m[rule][si, ai] = np.mean(np.sum(r.states * X[:k], axis=1)) / N
            bar.update()
    bar.close()
    mean = {r: m[r].mean(axis=0) for r in rules}
    a_heb = breakdown_load(alphas, mean["hebbian"])
    a_sto = breakdown_load(alphas, mean["storkey"])

    fig, ax = plt.subplots(figsize=(8, 5))
    styles = {"hebbian": ("tab:blue", "Hebbian"), "storkey": ("tab:orange", "Storkey"),
              "pseudo_inverse": ("tab:green", "pseudo-inverse")}
    for rule in rules:
        c, label = styles[rule]
        ax.plot(alphas, mean[rule], "o--" if rule == "pseudo_inverse" else "o-", ms=3, color=c, label=label)
        if m[rule].shape[0] > 1:
            ax.fill_between(alphas, m[rule].min(0), m[rule].max(0), color=c, alpha=0.15, lw=0)
    ax.axvline(ALPHA_C, color="k", ls="--", lw=0.8)
    ax.text(ALPHA_C - 0.005, 0.5, "$\\alpha_c = 0.138$\n(AGS 1985)", fontsize="small", ha="right")
    ax.axhline(THRESHOLD, color="0.6", lw=0.6, ls=":")
    ax.plot([a_heb], [THRESHOLD], "kx", ms=8, label=f"Hebbian breakdown at {a_heb:.3f}")
    ax.set_xlabel("load $\\alpha = P/N$")
    ax.set_ylabel("mean final overlap $m$")
    ax.set_ylim(0, 1.03)
    ax.set_title(f"Hopfield capacity, N = {N}: recall from each stored pattern ({len(seeds)} pattern sets)")
    ax.legend(loc="lower left", fontsize="small")
    fig.tight_layout()
    return finish(NAME, out, fig, {
        "N": N, "alphas": alphas, "mean_overlap": {r: mean[r] for r in rules},
        "breakdown_load_hebbian": a_heb, "breakdown_load_storkey": a_sto,
        "min_overlap_pseudo_inverse": float(mean["pseudo_inverse"].min()), "threshold": THRESHOLD,
        "alpha_c_reference": ALPHA_C, "reference": "Amit, Gutfreund, Sompolinsky, PRL 55, 1530 (1985): alpha_c = 0.138",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    return (f"Hebbian breakdown at alpha = {res['breakdown_load_hebbian']:.3f} (theory {res['alpha_c_reference']}); "
            f"Storkey {res['breakdown_load_storkey']:.2f}")


if __name__ == "__main__":
    main(run)
