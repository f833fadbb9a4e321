"""A multiple-timescale CTRNN (MTRNN, Yamashita and Tani 2008): groups of neurons
with fast and slow time constants, chained input-output -> fast -> slow.

The network is driven by white noise into the input-output group. With weak
weights it is close to linear, and a leaky unit of time constant tau driven by
white noise has an autocorrelation exp(-|lag| / tau): each group's measured
autocorrelation time (the lag where the mean autocorrelation falls to 1/e) is
compared with its tau. Groups downstream are driven by already filtered signals,
so their times come out somewhat longer than tau; the ordering and the order of
magnitude are the point.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import dynnets as dn
from dynnets.experiment import finish, main

NAME = "mtrnn"
SIZES = (6, 6, 4)
TAUS = (2.0, 5.0, 70.0)  # input-output, fast context, slow context (Yamashita and Tani 2008)
GROUPS = ("input-output", "fast context", "slow context")


def autocorrelation_time(x, dt, max_lag):
    """Lag where the mean normalised autocorrelation of the columns of ``x`` first
    drops below 1/e (linear interpolation)."""
    x = x - x.mean(axis=0)
    n = x.shape[0]
    f = np.fft.rfft(x, 2 * n, axis=0)
    acf = np.fft.irfft(f * np.conj(f), axis=0)[: max_lag + 1]
    acf = (acf / acf[0]).mean(axis=1)
    k = int(np.argmax(acf < np.exp(-1)))
    if k == 0:
        raise RuntimeError("the autocorrelation did not fall below 1/e within max_lag")
    frac = (acf[k - 1] - np.exp(-1)) / (acf[k - 1] - acf[k])
    return (k - 1 + frac) * dt, acf


def run(quick=False, out=Path("figures")):
    dt = 0.1
    n_steps = 40_000 if quick else 400_000
    net = dn.mtrnn(SIZES, TAUS, weight_scale=0.5, n_inputs=2, seed=1)
    rng = np.random.default_rng(2)
    # white noise held for one step: variance 1/dt gives unit spectral density
    u = rng.normal(0.0, 1.0 / np.sqrt(dt), (n_steps, 2))
    sol = dn.simulate(net, dt=dt, inputs=u, method="rk4")
    # drop the relaxation from y = 0 (it decays with the slowest tau)
    skip = int(10 * max(TAUS) / dt)
    t, y = sol.t[skip:] - sol.t[skip], sol.y[skip:]
    bounds = np.cumsum((0,) + SIZES)
    max_lag = int(6 * max(TAUS) / dt)
    times, acfs = [], []
    for g in range(len(SIZES)):
        tc, acf = autocorrelation_time(y[:, bounds[g]:bounds[g + 1]], dt, max_lag)
        times.append(tc)
        acfs.append(acf)

    fig = plt.figure(figsize=(11, 6.5))
    grid = fig.add_gridspec(3, 2, width_ratios=[2, 1])
    window = t <= 600.0
    colors = ("tab:blue", "tab:green", "tab:purple")
    for g in range(len(SIZES)):
        ax = fig.add_subplot(grid[g, 0])
        seg = y[:, bounds[g]:bounds[g + 1]]
        z = (seg - seg.mean(axis=0)) / seg.std(axis=0)  # z-scored: the groups differ in amplitude
        ax.plot(t[window], z[window, :3], color=colors[g], lw=0.7)
        ax.set_ylabel("z-scored $y$")
        ax.set_title(f"{GROUPS[g]} group, $\\tau$ = {TAUS[g]:g} (3 of {SIZES[g]} neurons)", fontsize="medium", loc="left")
        ax.set_xlim(0, t[window][-1])
        if g < len(SIZES) - 1:
            ax.tick_params(labelbottom=False)
    ax.set_xlabel(f"time after a transient of {skip * dt:g}")
    ax = fig.add_subplot(grid[0:2, 1])
    lags = np.arange(max_lag + 1) * dt
    for g in range(len(SIZES)):
        ax.plot(lags, acfs[g], color=colors[g], label=f"{GROUPS[g]}: {times[g]:.1f}")
        ax.plot(lags, np.exp(-lags / TAUS[g]), color=colors[g], ls=":", lw=1)
    ax.axhline(np.exp(-1), color="k", lw=0.5)
    ax.set_xscale("log")
    ax.set_xlim(dt, lags[-1])
    ax.set_xlabel("lag")
    ax.set_ylabel("autocorrelation of $y$ (group mean)")
    ax.set_title("measured (solid), $e^{-lag/\\tau}$ (dotted)", fontsize="medium")
    ax.legend(fontsize="small", title="1/e time", title_fontsize="small", loc="lower left")
    ax = fig.add_subplot(grid[2, 1])
    ax.loglog(TAUS, times, "o-", color="k", label="measured")
    ax.loglog(TAUS, TAUS, ":", color="0.5", label="= $\\tau$")
    ax.set_xticks(TAUS, [f"{t:g}" for t in TAUS])
    ax.set_yticks(TAUS, [f"{t:g}" for t in TAUS])
    ax.minorticks_off()
    ax.set_xlabel("group time constant $\\tau$")
    ax.set_ylabel("1/e time")
    ax.legend(fontsize="small")
    fig.tight_layout()

    return finish(NAME, out, fig, {
        "groups": GROUPS,
        "sizes": SIZES,
        "tau": TAUS,
        "autocorrelation_time": times,
        "reference": "exp(-lag/tau): autocorrelation time tau of a leaky unit driven by white noise",
        "ratio_to_tau": [t / tau for t, tau in zip(times, TAUS)],
        "n_steps": n_steps,
        "transient_steps": skip,
        "dt": dt,
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    return "autocorrelation time / tau: " + ", ".join(f"{r:.2f}" for r in res["ratio_to_tau"])


if __name__ == "__main__":
    main(run)
