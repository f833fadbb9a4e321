"""Bidirectional associative memory (Kosko 1988): recall of associated pairs from
noisy probes, and its breakdown as pairs are added.

Letters (5 x 7 bitmaps, 35 units) A, L and T are associated with random 16-bit
codes; recall runs from a letter with flipped pixels to its code. (With A, E, H, L
and T together the bitmaps are so correlated that the outer-product matrix recalls
only one code of five even without noise: reported, not plotted.) The second panel stores K
random pairs in a BAM of 100 x 100 units and measures exact recall of y from the
stored x. Reference: signal-to-noise theory of the first half-step, y = sign(W^T x):
each bit sees the signal n and a Gaussian cross-talk of variance (K - 1) n, so all
m bits are right with probability (1 - Phi(-sqrt(n / (K - 1))))^m (a closed form,
plotted as a line; the iterations that follow can only repair or keep errors).
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import norm

import dynnets as dn
from dynnets.experiment import finish, main

NAME = "bam_recall"
LETTERS = {  # 5 x 7 bitmaps
    "A": ["01110", "10001", "10001", "11111", "10001", "10001", "10001"],
    "E": ["11111", "10000", "10000", "11110", "10000", "10000", "11111"],
    "H": ["10001", "10001", "10001", "11111", "10001", "10001", "10001"],
    "L": ["10000", "10000", "10000", "10000", "10000", "10000", "11111"],
    "T": ["11111", "00100", "00100", "00100", "00100", "00100", "00100"],
}


def run(quick=False, out=Path("figures")):
    def bitmaps(names):
        return dn.to_bipolar(np.array([[int(c) for c in "".join(LETTERS[k])] for k in names]))

    # all five letters overlap too much for the Hebbian outer-product matrix
    X5, Y5 = bitmaps(list(LETTERS)), dn.random_patterns(len(LETTERS), 16, seed=0)
    five_letter_rate = float(np.mean((dn.BAM.from_pairs(X5, Y5).recall(X5).y == Y5).all(1)))
    names = ["A", "L", "T"]
    X = bitmaps(names)
    Y = dn.random_patterns(len(names), 16, seed=0)
    bam = dn.BAM.from_pairs(X, Y)
    noise = np.linspace(0, 0.4, 9)
    trials = 20 if quick else 200
    letter_rate = []
    for i, f in enumerate(noise):
        probes = dn.flip_bits(np.repeat(X, trials, axis=0), f, seed=10 + i)
        r = bam.recall(probes)
        letter_rate.append(float(np.mean((r.y == np.repeat(Y, trials, axis=0)).all(1))))
    example = dn.flip_bits(X[:1], 0.15, seed=1)[0]
    ex = bam.recall(example)

    n = m = 100
    Ks = np.arange(1, 41, 3 if quick else 1)
    reps = 3 if quick else 20
    pair_rate = []
    for K in Ks:
        ok = []
        for rep in range(reps):
            Xr = dn.random_patterns(K, n, seed=1000 * K + rep)
            Yr = dn.random_patterns(K, m, seed=1000 * K + rep + 500)
            ok.append(np.mean((dn.BAM.from_pairs(Xr, Yr).recall(Xr).y == Yr).all(1)))
        pair_rate.append(float(np.mean(ok)))
    pair_rate = np.array(pair_rate)
    k_half = float(Ks[np.flatnonzero(pair_rate < 0.5)[0]]) if np.any(pair_rate < 0.5) else float("nan")

    fig = plt.figure(figsize=(12, 4.3))
    gs = fig.add_gridspec(1, 4, width_ratios=[0.7, 0.7, 2, 2])
    ax0, ax1 = fig.add_subplot(gs[0]), fig.add_subplot(gs[1])
    ax0.imshow(example.reshape(7, 5), cmap="gray_r")
    ax0.set_title("probe: 'A', 15% flipped", fontsize="small")
    ax1.imshow(ex.x.reshape(7, 5), cmap="gray_r")
    ax1.set_title(f"recalled x\n(code correct: {bool((ex.y == Y[0]).all())})", fontsize="small")
    for a in (ax0, ax1):
        a.set_xticks([])
        a.set_yticks([])
    ax2 = fig.add_subplot(gs[2])
    ax2.plot(noise, letter_rate, "o-")
    ax2.set_xlabel("fraction of flipped pixels")
    ax2.set_ylabel("fraction of codes recalled exactly")
    ax2.set_title(f"letters {', '.join(names)} -> 16-bit codes")
    ax3 = fig.add_subplot(gs[3])
    ax3.plot(Ks, pair_rate, "o-", color="tab:red")
    theory = norm.cdf(np.sqrt(n / np.maximum(Ks - 1, 1e-12))) ** m
    ax3.plot(Ks, theory, "k-", lw=1, label="one half-step, theory")
    ax3.legend(fontsize="small")
    ax3.set_xlabel("stored pairs K")
    ax3.set_ylabel("fraction of pairs recalled exactly")
    ax3.set_title(f"breakdown, n = m = {n} ({reps} pair sets per K)")
    fig.tight_layout()
    return finish(NAME, out, fig, {
        "letters": names, "five_letter_recall_rate": five_letter_rate, "noise": noise, "letter_recall_rate": letter_rate, "pairs": Ks, "pair_recall_rate": pair_rate,
        "pairs_at_half_recall": k_half,
        "pair_recall_theory": norm.cdf(np.sqrt(n / np.maximum(Ks - 1, 1e-12))) ** m,
        "reference": "Kosko 1988; one half-step signal-to-noise theory (1 - Phi(-sqrt(n/(K-1))))^m",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    return (f"half of the pairs recalled at {res['pairs_at_half_recall']:g} stored pairs; noisy letters recalled "
            f"at rate {res['letter_recall_rate'][4]:.2f} with {res['noise'][4]:.0%} of the bits flipped")


if __name__ == "__main__":
    main(run)
