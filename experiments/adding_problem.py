"""The adding problem: LSTM against Elman as the sequences grow (Hochreiter and
Schmidhuber 1997, experiment 4).

Each sequence has two inputs per step: a value from U[0, 1] and a marker; two
steps are marked (one in each half) and the target, read at the last step, is
the sum of their values. Predicting the mean scores the variance of the sum,
2/12 = 0.167; a solution needs the network to hold the first value across half
the sequence. Both networks have 32 hidden units and a linear readout, trained
by BPTT (Adam, lr 0.01, gradient norm clipped at 1; LSTM forget-gate bias +1,
Gers et al. 2000) on the same data.

Reference: Hochreiter and Schmidhuber (1997) count a sequence as right when
the absolute error is below 0.04; LSTM solves the problem for T = 100 ... 1000,
while gradient descent on simple recurrent networks fails for long lags
(Bengio, Simard and Frasconi 1994).
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

from dynnets.experiment import finish, main
from dynnets.models.cells import LSTM, Elman
from dynnets.train import Adam, Readout, train_bptt

NAME = "adding_problem"
HIDDEN = 32


def adding(n, T, seed):
    """``x`` (T, n, 2) and targets (n, 1)."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, (T, n))
    marks = np.zeros((T, n))
    cols = np.arange(n)
    marks[rng.integers(0, T // 2, n), cols] = 1.0
    marks[rng.integers(T // 2, T, n), cols] = 1.0
    return np.stack([values, marks], axis=-1), (values * marks).sum(0)[:, None]


def run(quick=False, out=Path("figures")):
    lengths = [10, 30] if quick else [100, 200, 400]
    n_train, epochs = (1600, 25) if quick else (3200, 60)
    results, curves = {}, {}
    for T in tqdm(lengths, desc=NAME, leave=False):
        x, y = adding(n_train, T, seed=1)
        xt, yt = adding(1000, T, seed=2)
        for name, cls in (("LSTM", LSTM), ("Elman", Elman)):
            cell = cls.random(2, HIDDEN, seed=0)
            if cls is LSTM:
                cell.b_ih[HIDDEN:2 * HIDDEN] += 1.0
            ro = Readout.random(HIDDEN, 1, seed=1)
            hist = train_bptt(cell, ro, x, y, where="last", epochs=epochs, batch_size=64, optimizer=Adam(1e-2),
                              clip=1.0, seed=0, progress=False)
            err = ro(cell.run(xt).h[-1]) - yt
            results[(name, T)] = (float(np.mean(err**2)), float(np.mean(np.abs(err) < 0.04)))
            curves[(name, T)] = hist.loss

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.3))
    for k, T in enumerate(lengths):
        for name, ls in (("LSTM", "-"), ("Elman", "--")):
            a1.semilogy(np.arange(1, epochs + 1), curves[(name, T)], ls, color=f"C{k}", label=f"{name}, T = {T}")
    a1.axhline(2 / 12, color="k", lw=0.8, ls=":", label="predict the mean (1/6)")
    a1.set(xlabel=f"epoch ({n_train // 64} minibatches of 64)", ylabel="training MSE",
           title="Adding problem: learning curves")
    a1.legend(fontsize="small", ncol=2, loc="center right")
    w = 0.38
    pos = np.arange(len(lengths))
    a2.bar(pos - w / 2, [results[("LSTM", T)][1] for T in lengths], w, label="LSTM")
    a2.bar(pos + w / 2, [results[("Elman", T)][1] for T in lengths], w, label="Elman")
    a2.set_xticks(pos, [f"T = {T}" for T in lengths])
    a2.set(ylabel="test sequences with |error| < 0.04", ylim=(0, 1.05),
           title="Solved fraction (criterion of Hochreiter and Schmidhuber 1997)")
    a2.legend()
    fig.tight_layout()
    return finish(NAME, out, fig, {
        "lengths": lengths, "hidden": HIDDEN, "train_sequences": n_train, "epochs": epochs,
        "lstm_test_mse": [results[("LSTM", T)][0] for T in lengths],
        "elman_test_mse": [results[("Elman", T)][0] for T in lengths],
        "lstm_solved_fraction": [results[("LSTM", T)][1] for T in lengths],
        "elman_solved_fraction": [results[("Elman", T)][1] for T in lengths],
        "baseline_mse": 2 / 12,
        "reference": "LSTM solves the adding problem at long lags, simple RNNs trained by gradient descent do not "
                     "(Hochreiter and Schmidhuber 1997; criterion |error| < 0.04)",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    L = res["lengths"]
    return ("solved fraction (|error| < 0.04), LSTM " + ", ".join(f"{f:.2f}" for f in res["lstm_solved_fraction"])
            + "; Elman " + ", ".join(f"{f:.2f}" for f in res["elman_solved_fraction"]) + f" at T = {L}")


if __name__ == "__main__":
    main(run)
