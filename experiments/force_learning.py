"""FORCE learning of a periodic target in a chaotic reservoir (Sussillo and Abbott 2009, Fig. 2).

Their set-up: N = 1000 leaky units, sparse W (p = 0.1) with spectral radius
g = 1.5 (chaotic), feedback weights uniform in [-1, 1], step dt = 1 ms with
tau = 10 ms (leak 0.1), RLS with alpha = 1 every 2 steps, and the target
``f(t) = (1.3/1.5) [sin(w t) + sin(2 w t)/2 + sin(3 w t)/6 + sin(4 w t)/3]`` with
``w = 2 pi / 1200 ms``. The readout is trained with its own output fed back,
then learning stops and the network runs on its own.

Checks: the untrained reservoir is chaotic (largest Lyapunov exponent > 0) and
the trained closed loop is not (exponent ~ 0: a limit cycle); the output
follows the target after learning stops.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import dynnets as dn
from dynnets.analysis import reservoir_lyapunov
from dynnets.experiment import finish, main
from dynnets.train import force

NAME = "force_learning"
DT = 1.0  # ms per step (tau = 10 ms)
PERIOD = 1200  # steps


def target(n_steps):
    """Sussillo and Abbott's four-sine target (their code's constants)."""
    w = 2 * np.pi / PERIOD * np.arange(n_steps)
    return 1.3 / 1.5 * (np.sin(w) + np.sin(2 * w) / 2 + np.sin(3 * w) / 6 + np.sin(4 * w) / 3)


def run(quick=False, out=Path("figures")):
    N = 300 if quick else 1000
    n_train = (8 if quick else 12) * PERIOD
    n_test = (2 if quick else 12) * PERIOD
    res = dn.Reservoir.random(N, 1, spectral_radius=1.5, density=0.1, input_scaling=0.0, bias_scaling=0.0,
                              leak=DT / 10.0, n_feedback=1, feedback_scaling=1.0, seed=1)
    rng = np.random.default_rng(2)
    x0 = rng.uniform(-0.5, 0.5, N)
    zeros = np.zeros((PERIOD, 1))

    # before: spontaneous chaotic activity (no output, no feedback)
    spont = res.run(zeros, x0, feedback=zeros)
    lam_before = reservoir_lyapunov(res, np.zeros((4000, 1)), x0=x0, washout=500, seed=3) / DT
    f = target(n_train + n_test)
    r = force(res, f, alpha=1.0, learn_every=2, learn_steps=n_train, x0=spont[-1], progress=False)
    z = r.z[:, 0]
    err = z - f
    nrmse_test = float(np.sqrt(np.mean(err[n_train:] ** 2)) / f.std())
    nrmse_first = float(np.sqrt(np.mean(err[n_train:n_train + PERIOD] ** 2)) / f.std())
    nrmse_train_last = float(np.sqrt(np.mean(err[n_train - PERIOD:n_train] ** 2)) / f.std())
    # after: the trained closed loop, from the state at the end of the run
    lam_after = reservoir_lyapunov(res, np.zeros((4000, 1)), x0=r.state, washout=500, coef=r.coef, seed=3) / DT

    t = np.arange(len(f)) * DT / 1000.0  # s
    fig, axes = plt.subplots(2, 2, figsize=(12, 6.5))
    a = axes[0, 0]
    ts = np.arange(PERIOD) * DT / 1000.0
    for i in range(5):
        a.plot(ts, spont[:, i] + 2.0 * i, lw=0.8)
    a.set(xlabel="time (s)", ylabel="unit state (offset)", yticks=[],
          title=f"Before: chaotic reservoir, lambda_max = {lam_before * 1000:.1f} / s")
    a = axes[0, 1]
    show = slice(0, 2 * PERIOD)
    a.plot(t[show], f[show], color="0.6", lw=2.5, label="target f")
    a.plot(t[show], z[show], color="C3", lw=1, label="output z")
    a.set(xlabel="time (s)", ylabel="output", title="During learning (first two periods)")
    a.legend(loc="upper right", fontsize="small")
    a = axes[1, 0]
    learn = r.dw[:n_train] > 0
    a.semilogy(t[:n_train][learn], r.dw[:n_train][learn], lw=0.5, color="C0")
    a.set(xlabel="time (s)", ylabel="|dw| per update", title="Readout weight change during learning")
    a = axes[1, 1]
    show = slice(n_train, n_train + 2 * PERIOD)
    a.plot(t[show], f[show], color="0.6", lw=2.5, label="target f")
    a.plot(t[show], z[show], color="C3", lw=1, label="output z (closed loop)")
    a.axvline(t[n_train], color="k", lw=0.8, ls=":")
    a.set(xlabel="time (s)", ylabel="output",
          title=f"After learning stops: NRMSE {nrmse_first:.3f}, lambda_max = {lam_after * 1000:.2f} / s")
    a.legend(loc="upper right", fontsize="small")
    fig.suptitle(f"FORCE learning, N = {N}, g = 1.5 (Sussillo and Abbott 2009, Fig. 2)")
    fig.tight_layout()
    return finish(NAME, out, fig, {
        "n_units": N, "train_steps": n_train, "test_steps": n_test, "dt_ms": DT,
        "lyapunov_before_per_s": lam_before * 1000, "lyapunov_after_per_s": lam_after * 1000,
        "nrmse_train_last_period": nrmse_train_last, "nrmse_test_first_period": nrmse_first,
        "nrmse_test": nrmse_test,
        "reference": "Sussillo and Abbott 2009 Fig. 2: a chaotic network (g = 1.5) learns the periodic target "
                     "and keeps producing it after learning stops",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    return (f"NRMSE {res['nrmse_test_first_period']:.3f} in the first period after learning stops; largest "
            f"Lyapunov exponent {res['lyapunov_before_per_s']:+.1f}/s before, {res['lyapunov_after_per_s']:+.1f}/s after")


if __name__ == "__main__":
    main(run)
