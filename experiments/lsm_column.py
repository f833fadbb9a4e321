"""A liquid state machine: Maass, Natschlaeger and Markram's 135-neuron column.

(a) The LIF neuron's f-I curve, simulated, against the closed form
``f = 1 / (t_ref + tau_m ln(R I / (R I - theta)))`` (Gerstner et al. 2014).
(b) The column's spikes under a time-varying input.
(c) The template task, in small: input-rate patterns from two classes (jittered
copies of two random templates) are told apart by a linear readout of the
filtered spike trains read at time t; the liquid's fading memory lets the
readout decide from the whole pattern, where a readout of the current input
alone sees only its last segment (Maass et al. 2002, Fig. 3).
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse as sp

import dynnets as dn
from dynnets.experiment import finish, main
from dynnets.train import RidgeClassifier

NAME = "lsm_column"
DT = 0.5  # ms


def run(quick=False, out=Path("figures")):
    # (a) f-I curve of one neuron: rest 0, reset 0, theta 15 mV, tau_m 30 ms, t_ref 2 ms
    I = np.linspace(14.0, 60.0, 24 if quick else 93)
    one = dn.LSM(sp.csr_array((I.size, I.size)), np.zeros((I.size, 1)), v_reset=0.0, theta=15.0, t_ref=2.0,
                 bias=I)
    dt_fi = 0.01
    T_fi = 100000 if quick else 300000
    _, spikes = one.run(np.zeros((T_fi, 1)), dt=dt_fi, v0=np.zeros(I.size), return_spikes=True)
    rate = np.array([np.mean(1000.0 / (np.diff(np.flatnonzero(s)) * dt_fi)) if s.sum() > 1 else 0.0
                     for s in spikes.T])
    with np.errstate(divide="ignore", invalid="ignore"):
        theory = np.where(I > 15.0, 1000.0 / (2.0 + 30.0 * np.log(I / (I - 15.0))), 0.0)
    fi_error = float(np.max(np.abs(rate - theory)[I > 15.5] / theory[I > 15.5]))

    # (b), (c): the column and the template task
    lsm = dn.LSM.random(135, 1, seed=0, weight_scale=0.5, bias=10.0)  # static synapses: weaker than Maass's
    rng = np.random.default_rng(1)
    seg, n_seg = 20, 10  # 10 segments of 10 ms
    T = seg * n_seg
    n = 200 if quick else 400
    templates = rng.uniform(0, 1, (2, n_seg))
    # class templates agree in the last segments, so the present input alone cannot tell them apart at the end
    templates[1, -3:] = templates[0, -3:]
    labels = rng.integers(0, 2, n)
    U = np.repeat(templates[labels], seg, axis=1).T[:, :, None] + rng.normal(0, 0.25, (T, n, 1))
    X, S = lsm.run(U, dt=DT, seed=2, return_spikes=True)
    n_tr = n * 3 // 4
    times = np.arange(seg - 1, T, seg)
    acc_liquid, acc_input = [], []
    for t in times:
        F = X[t]
        clf = RidgeClassifier(1.0, pooling=None).fit(F[:n_tr], labels[:n_tr])
        acc_liquid.append(float(clf.score(F[n_tr:], labels[n_tr:])))
        G = U[t - seg + 1:t + 1].mean(axis=0)  # the present input (its last 10 ms)
        clf = RidgeClassifier(1.0, pooling=None).fit(G[:n_tr], labels[:n_tr])
        acc_input.append(float(clf.score(G[n_tr:], labels[n_tr:])))

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    a = axes[0]
    a.plot(I, theory, color="0.6", lw=3, label="closed form")
    a.plot(I, rate, "C3.", ms=4, label=f"simulated, dt = {dt_fi} ms")
    a.set(xlabel="input current I (nA), R = 1 MOhm", ylabel="firing rate (Hz)",
          title="LIF f-I curve (theta 15 mV, tau_m 30 ms, t_ref 2 ms)")
    a.legend(loc="lower right")
    a = axes[1]
    k = 0
    tt, units = np.nonzero(S[:, k])
    inh = (lsm.W.toarray() < 0).any(axis=0)
    a.scatter(tt * DT, units, s=2, c=np.where(inh[units], "C0", "C3"))
    a.plot(np.arange(T) * DT, U[:, k, 0] * 30 + 140, color="k", lw=0.8)
    a.set(xlabel="time (ms)", ylabel="neuron (red excitatory, blue inhibitory)", ylim=(-2, 175),
          title=f"Column of 135 LIF neurons, {S[:, k].sum() / 135 / (T * DT) * 1000:.0f} Hz mean; input above")
    a = axes[2]
    a.plot(times * DT + DT, acc_liquid, "o-", label="readout of the liquid")
    a.plot(times * DT + DT, acc_input, "s-", label="readout of the present input")
    a.axvspan((T - 3 * seg) * DT, T * DT, color="0.9", label="templates identical")
    a.axhline(0.5, color="k", ls=":", lw=0.8)
    a.set(xlabel="readout time (ms)", ylabel="test accuracy", ylim=(0.3, 1.05),
          title="Template classification (Maass et al. 2002)")
    a.legend(loc="lower left", fontsize="small")
    fig.tight_layout()
    return finish(NAME, out, fig, {
        "fi_max_relative_error": fi_error, "fi_dt_ms": dt_fi,
        "readout_times_ms": (times * DT + DT).tolist(), "accuracy_liquid": acc_liquid, "accuracy_input": acc_input,
        "n_patterns": n, "reference": "f-I closed form (Gerstner et al. 2014); fading memory lets the liquid's "
                                      "readout classify after the inputs agree (Maass et al. 2002)",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    return (f"f-I curve within {res['fi_max_relative_error']:.1e} of the closed form; at the last readout time "
            f"the liquid classifies {res['accuracy_liquid'][-1]:.2f}, the present input {res['accuracy_input'][-1]:.2f}")


if __name__ == "__main__":
    main(run)
