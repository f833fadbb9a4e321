"""Forecasting the Lorenz system in closed loop: valid prediction time in Lyapunov times.

An ESN is trained one step ahead on the standardised Lorenz series (sampled every
0.02), then, from many test starts, warmed up on the true series and run on its
own outputs (all starts as one batched closed-loop run). The valid prediction
time (VPT) is when the normalised error
``E(t) = sqrt(mean_i (y_i - y_hat_i)^2)`` (standardised components) first
exceeds 0.3, in Lyapunov times ``1 / lambda_max`` with
``lambda_max = 0.9056`` (Sprott 2003; our ``lorenz_lyapunov`` experiment).

Checks: before it saturates the forecast error grows like ``exp(lambda_max t)``
(the fitted rate is compared with 0.9056), and VPT grows with reservoir size;
typical ESN forecasts stay valid for several Lyapunov times (Pathak et al.
2017; Mahata et al. 2023 "up to a few", with large spread over starts; Hurley
and Shaheen 2025 reach above 30 with tuned, noise-free training).
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

import dynnets as dn
from dynnets.experiment import finish, main
from dynnets.tasks import lorenz_series
from dynnets.train import ESN

NAME = "esn_lorenz_forecast"
DT = 0.02
LAMBDA = 0.9056  # largest Lyapunov exponent of Lorenz-63 (Sprott 2003)
THRESHOLD = 0.3


def forecast_errors(N, z, n_train, starts, horizon, warmup=300, seed=0):
    """Normalised error E(t) (horizon, S) of closed-loop forecasts from ``starts``."""
    res = dn.Reservoir.random(N, 3, spectral_radius=0.9, density=min(1.0, 6 / N), input_scaling=0.1,
                              bias_scaling=0.5, seed=seed)
    esn = ESN(res, ridge=1e-8, washout=200).fit(z[:n_train - 1], z[1:n_train])
    Uw = np.stack([z[s - warmup:s] for s in starts], axis=1)
    Y = esn.generate(horizon, Uw)
    true = np.stack([z[s:s + horizon] for s in starts], axis=1)
    return np.sqrt(np.mean((Y - true) ** 2, axis=2)), Y, true


def valid_times(E):
    """First step index with E > THRESHOLD, per start, in Lyapunov times."""
    over = E > THRESHOLD
    steps = np.where(over.any(axis=0), over.argmax(axis=0), E.shape[0])
    return steps * DT * LAMBDA


def run(quick=False, out=Path("figures")):
    sizes = [100, 300] if quick else [100, 200, 500, 1000]
    n_train = 4000 if quick else 10000
    S = 10 if quick else 50
    spacing = 500
    horizon = 800 if quick else 1200
    data = lorenz_series(n_train + S * spacing + horizon, dt=DT)
    z = (data - data.mean(0)) / data.std(0)
    starts = n_train + np.arange(S) * spacing
    vpt, curves = {}, {}
    for N in tqdm(sizes, desc=NAME, leave=False):
        E, Y, true = forecast_errors(N, z, n_train, starts, horizon)
        vpt[N] = valid_times(E)
        curves[N] = (E, Y, true)
    N = sizes[-1]
    E, Y, true = curves[N]
    # growth rate of the median error while it is small (1e-3 .. 1e-1): exp(lambda t)
    med = np.median(E, axis=1)
    t = np.arange(horizon) * DT
    sel = (med > 1e-3) & (med < 1e-1) & (np.arange(horizon) < np.argmax(med > 1e-1))
    rate = float(np.polyfit(t[sel], np.log(med[sel]), 1)[0]) if sel.sum() > 10 else float("nan")

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    a = axes[0]
    tl = t * LAMBDA
    best = int(np.argsort(vpt[N])[S // 2])  # the median start
    for i, name in enumerate("xyz"):
        a.plot(tl, true[:, best, i] + 4 * i, color="0.6", lw=2.0, label="Lorenz" if i == 0 else None)
        a.plot(tl, Y[:, best, i] + 4 * i, color="C3", lw=1.0, label="ESN, closed loop" if i == 0 else None)
    a.axvline(vpt[N][best], color="k", ls=":", lw=1, label=f"VPT = {vpt[N][best]:.1f}")
    a.set(xlabel="time (Lyapunov times)", ylabel="x, y + 4, z + 8 (standardised)", xlim=(0, min(tl[-1], 15)),
          ylim=(-3, 13.5), title=f"A median forecast, N = {N}")
    a.legend(loc="upper center", fontsize="small", ncol=3)
    a = axes[1]
    a.semilogy(tl, E, color="C0", lw=0.4, alpha=0.4)
    a.semilogy(tl, med, color="k", lw=1.5, label="median")
    ref = med[sel][0] * np.exp(LAMBDA * (t - t[sel][0])) if sel.any() else None
    if ref is not None:
        a.semilogy(tl, ref, "r--", lw=1, label=f"exp(0.906 t); fitted rate {rate:.2f}")
    a.axhline(THRESHOLD, color="0.3", ls=":", lw=1, label=f"threshold {THRESHOLD}")
    a.set(xlabel="time (Lyapunov times)", ylabel="normalised error E(t)", ylim=(1e-5, 10),
          title=f"Error growth over {S} starts")
    a.legend(loc="lower right", fontsize="small")
    a = axes[2]
    a.boxplot([vpt[n] for n in sizes], positions=range(len(sizes)), widths=0.5)
    a.set_xticks(range(len(sizes)), [str(n) for n in sizes])
    a.set(xlabel="reservoir size N", ylabel="valid prediction time (Lyapunov times)",
          title=f"VPT (E > {THRESHOLD}) against size")
    fig.tight_layout()
    return finish(NAME, out, fig, {
        "sizes": sizes, "n_starts": S, "dt": DT, "threshold": THRESHOLD, "lyapunov_exponent": LAMBDA,
        "vpt_median": [float(np.median(vpt[n])) for n in sizes],
        "vpt_quartiles": [np.percentile(vpt[n], [25, 75]).tolist() for n in sizes],
        "error_growth_rate": rate,
        "reference": "error grows at lambda_max = 0.9056 (Sprott 2003); ESN forecasts valid for several Lyapunov "
                     "times (Pathak et al. 2017; Mahata et al. 2023)",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    return (f"median valid time {res['vpt_median'][-1]:.1f} Lyapunov times at {res['sizes'][-1]} units; errors grow "
            f"at {res['error_growth_rate']:.3f} against lambda_max = {res['lyapunov_exponent']}")


if __name__ == "__main__":
    main(run)
