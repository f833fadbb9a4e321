"""Mackey-Glass (tau = 17) forecast by an echo state network in closed loop.

Teacher-forced training on the series (shifted and squashed by tanh(x - 1), as
Jaeger and Haas 2004), then free-running forecasts from many starting points of
held-out data; the error at 84 steps is the figure of merit.

Reference: NRMSE_84 = sqrt(mean over trials of err_84^2 / var(x)) of about
10^-4.2 with 1000 units (Jaeger and Haas 2004, Science 304, 78-80).
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import dynnets as dn
from dynnets.experiment import finish, main
from dynnets.tasks import mackey_glass

NAME = "esn_mackey_glass"


def run(quick=False, out=Path("figures")):
    N = 300 if quick else 1000
    n_train, n_warm, horizon = 3000, 300, 300
    n_trials = 20 if quick else 100
    x = mackey_glass(n_train + n_trials * 50 + horizon + 2 * n_warm, discard=1000)
    s = np.tanh(x - 1.0)
    res = dn.Reservoir.random(N, 1, spectral_radius=1.0, density=min(1.0, 10.0 / N), input_scaling=1.0,
                              bias_scaling=0.2, leak=0.3, seed=0)
    esn = dn.ESN(res, ridge=1e-10, washout=200).fit(s[:n_train - 1], s[1:n_train])
    starts = n_train + n_warm + 50 * np.arange(n_trials)
    warm = np.stack([s[a - n_warm:a] for a in starts], axis=1)[:, :, None]
    y = esn.generate(horizon, warm)[:, :, 0]  # y[h] predicts s[start + h]
    truth = np.stack([s[a:a + horizon] for a in starts], axis=1)
    err = np.arctanh(np.clip(y, -1 + 1e-15, 1 - 1e-15)) - np.arctanh(truth)  # back on the x scale
    nrmse_h = np.sqrt(np.mean(err**2, axis=1) / np.var(x))
    nrmse84 = float(nrmse_h[83])

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    t = np.arange(-100, horizon)
    a = starts[0]
    a1.plot(t, np.arctanh(s[a - 100:a + horizon]) + 1.0, "k", lw=1.2, label="Mackey-Glass")
    a1.plot(np.arange(horizon), np.arctanh(y[:, 0]) + 1.0, "C1--", lw=1.2, label="ESN, free running")
    a1.axvline(0, color="gray", lw=0.8)
    a1.set_xlabel("time step (1 time unit)")
    a1.set_ylabel("x")
    a1.set_title(f"Closed-loop forecast, {N} units")
    a1.legend(fontsize="small", loc="lower left")
    a2.semilogy(np.arange(1, horizon + 1), nrmse_h, "C0")
    a2.plot([84], [10 ** -4.2], "k*", ms=10, label="Jaeger & Haas 2004 (1000 units)")
    a2.plot([84], [nrmse84], "C1o", label=f"here: {nrmse84:.1e}")
    a2.set_xlabel("forecast horizon (steps)")
    a2.set_ylabel(f"NRMSE over {n_trials} starts")
    a2.set_title("Error against horizon")
    a2.legend(fontsize="small")
    fig.tight_layout()
    return finish(NAME, out, fig, {
        "n_units": N, "n_train": n_train, "n_trials": n_trials, "nrmse_84": nrmse84,
        "nrmse_by_horizon": nrmse_h, "reference": "NRMSE_84 ~ 10^-4.2 = 6.3e-5 (Jaeger and Haas 2004, 1000 units)",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    return f"NRMSE at 84 steps {res['nrmse_84']:.2e} with {res['n_units']} units (published 6.3e-5)"


if __name__ == "__main__":
    main(run)
