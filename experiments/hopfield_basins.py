"""Basins of attraction of the Hebbian Hopfield network: the fraction of noisy
probes recalled (final overlap at least 0.95, the retrieval state of Amit et al.
has m >= 0.967 below alpha_c) against the fraction of flipped bits, at several loads.

Reference (right panel): after one synchronous update from an initial overlap m0,
signal-to-noise theory gives the overlap m1 = erf(m0 / sqrt(2 alpha)) for large N
(the cross-talk of the other patterns is Gaussian with variance alpha; Amit 1989,
*Modeling Brain Function*, sec. 4.2). The measured one-step overlap is compared
with it; the basins (left) shrink as the load approaches alpha_c = 0.138.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import erf
from tqdm.auto import tqdm

import dynnets as dn
from dynnets.experiment import finish, main
from dynnets.models import recall_curve

NAME = "hopfield_basins"


def run(quick=False, out=Path("figures")):
    N = 200 if quick else 1000
    loads = (0.05, 0.10, 0.13)
    noise = np.linspace(0.0, 0.5, 11 if quick else 26)
    n_probe = 10 if quick else 50
    rates, overlaps = {}, {}
    one_step, theory = {}, {}
    m0 = 1.0 - 2.0 * noise
    for a in tqdm(loads, desc=NAME, leave=False):
        P = round(a * N)
        X = dn.random_patterns(P, N, seed=1)
        net = dn.Hopfield.from_patterns(X)
        rates[a], overlaps[a] = recall_curve(net, X[:n_probe], noise, trials=2 if quick else 4, seed=2, tol=0.05)
        # one synchronous step from every noise level
        m1 = []
        for f in noise:
            probes = dn.flip_bits(X[:n_probe], f, seed=3)
            r = net.recall(probes, mode="sync", max_sweeps=1)
            m1.append(np.mean(np.sum(r.states * X[:n_probe], axis=1)) / N)
        one_step[a] = np.array(m1)
        theory[a] = erf(m0 / np.sqrt(2 * a))

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
    for a, c in zip(loads, ("tab:blue", "tab:orange", "tab:red")):
        ax1.plot(noise, rates[a], "o-", ms=3, color=c, label=f"$\\alpha$ = {a}")
        ax2.plot(m0, one_step[a], "o", ms=4, color=c, label=f"measured, $\\alpha$ = {a}")
        ax2.plot(m0, theory[a], "-", color=c, lw=1)
    ax1.set_xlabel("fraction of flipped bits in the probe")
    ax1.set_ylabel("fraction recalled (final overlap $\\geq$ 0.95)")
    ax1.set_title(f"Basins of attraction (asynchronous, N = {N})")
    ax1.legend(fontsize="small")
    ax2.set_xlabel("initial overlap $m_0$")
    ax2.set_ylabel("overlap after one synchronous step $m_1$")
    ax2.set_title("One step against $m_1 = \\mathrm{erf}(m_0/\\sqrt{2\\alpha})$ (lines)")
    ax2.legend(fontsize="small")
    fig.tight_layout()
    err = max(float(np.max(np.abs(one_step[a] - theory[a]))) for a in loads)
    return finish(NAME, out, fig, {
        "N": N, "loads": loads, "noise": noise, "recall_rate": {str(a): rates[a] for a in loads},
        "one_step_overlap": {str(a): one_step[a] for a in loads}, "one_step_theory": {str(a): theory[a] for a in loads},
        "max_one_step_error": err,
        "reference": "m1 = erf(m0 / sqrt(2 alpha)), signal-to-noise theory (Amit 1989)",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    return f"one-step overlap within {res['max_one_step_error']:.3f} of the signal-to-noise theory"


if __name__ == "__main__":
    main(run)
