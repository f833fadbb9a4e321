"""Embedded Reber grammar: LSTM learns it, Elman's network does not - with the
gradient descent of the 1990s (Hochreiter and Schmidhuber 1997, experiment 1).

The networks read a string of the embedded grammar one symbol at a time and
predict the next (softmax over the 7 symbols, cross-entropy). Everything but
the second-to-last symbol is predictable from the last few symbols; that one
repeats the second symbol across the whole inner string. Both networks have 8
hidden units; each is trained with SGD and momentum (lr 0.3, momentum 0.9,
gradient norm clipped at 1) and, for comparison, with Adam (lr 0.01), from
several seeds, on 2000 strings, and scored on 500 new ones: a string counts
when every next-symbol prediction is right (the k most active outputs are the
k legal successors).

Reference: Hochreiter and Schmidhuber report LSTM solving the task in 97-100%
of trials and Elman networks (BPTT / RTRL) in none.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

from dynnets.experiment import finish, main
from dynnets.models.cells import LSTM, Elman
from dynnets.tasks import REBER_SYMBOLS, legal_predictions, next_symbol, reber
from dynnets.train import SGD, Adam, Readout, train_bptt

NAME = "embedded_reber"
HIDDEN = 8


def train_and_score(cls, optimizer, seed, train, test, epochs):
    x, y, m = train[:3]
    cell, ro = cls.random(7, HIDDEN, seed=seed), Readout.random(HIDDEN, 7, seed=100 + seed)
    if cls is LSTM:
        cell.b_ih[HIDDEN:2 * HIDDEN] += 1.0  # forget gate open at the start (Gers et al. 2000)
    opt = SGD(0.3, momentum=0.9) if optimizer == "SGD" else Adam(0.01)
    hist = train_bptt(cell, ro, x, y, loss="cross_entropy", mask=m, epochs=epochs, batch_size=16, optimizer=opt,
                      clip=1.0, seed=seed, progress=False)
    all_ok, pen_ok = legal_predictions(ro(cell.run(test[0]).h), test[4])
    return hist.loss, float(all_ok.mean()), float(pen_ok.mean())


def run(quick=False, out=Path("figures")):
    n_train, epochs, seeds = (1000, 12, 1) if quick else (2000, 30, 4)
    train, test = [next_symbol(s, REBER_SYMBOLS) + (s, legal)
                   for s, legal in (reber(n_train, embedded=True, seed=1), reber(500, embedded=True, seed=2))]
    runs = {}
    jobs = [(o, c, s) for o in ("SGD", "Adam") for c in (LSTM, Elman) for s in range(seeds)]
    for opt, cls, seed in tqdm(jobs, desc=NAME, leave=False):
        runs[(opt, cls.__name__, seed)] = train_and_score(cls, opt, seed, train, test, epochs)

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.3))
    for k, (opt, name) in enumerate([(o, c) for o in ("SGD", "Adam") for c in ("LSTM", "Elman")]):
        for s in range(seeds):
            a1.plot(np.arange(1, epochs + 1), runs[(opt, name, s)][0], color=f"C{k}", lw=1,
                    label=f"{name}, {opt}" if s == 0 else None, ls="-" if name == "LSTM" else "--")
    a1.set(xlabel="epoch", ylabel="training cross-entropy (nats per symbol)", yscale="log",
           title="Embedded Reber grammar: learning curves (one line per seed)")
    a1.legend(fontsize="small")
    labels, solved, pen = [], [], []
    for opt in ("SGD", "Adam"):
        for name in ("LSTM", "Elman"):
            labels.append(f"{name}\n{opt}")
            solved.append(np.mean([runs[(opt, name, s)][1] for s in range(seeds)]))
            pen.append(np.mean([runs[(opt, name, s)][2] for s in range(seeds)]))
    pos = np.arange(4)
    a2.bar(pos - 0.2, solved, 0.4, label="whole string right")
    a2.bar(pos + 0.2, pen, 0.4, label="second-to-last symbol right")
    a2.axhline(0.5, color="k", lw=0.8, ls=":", label="guessing T or P")
    a2.set_xticks(pos, labels)
    a2.set(ylabel=f"fraction of 500 test strings (mean of {seeds} seeds)", ylim=(0, 1.3),
           yticks=np.linspace(0, 1, 6), title="Test strings predicted right")
    a2.legend(fontsize="small", loc="upper center", ncol=3)
    fig.tight_layout()

    def per(opt, name, i):
        return [runs[(opt, name, s)][i] for s in range(seeds)]
    return finish(NAME, out, fig, {
        "hidden": HIDDEN, "train_strings": n_train, "epochs": epochs, "seeds": seeds,
        "sgd_lstm_solved": per("SGD", "LSTM", 1), "sgd_elman_solved": per("SGD", "Elman", 1),
        "sgd_lstm_second_to_last": per("SGD", "LSTM", 2), "sgd_elman_second_to_last": per("SGD", "Elman", 2),
        "adam_lstm_solved": per("Adam", "LSTM", 1), "adam_elman_solved": per("Adam", "Elman", 1),
        "reference": "LSTM solves the embedded Reber grammar in 97-100% of trials, Elman networks trained by "
                     "BPTT/RTRL in none (Hochreiter and Schmidhuber 1997, table 1)",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    import numpy as np

    return (f"test strings right: LSTM {np.mean(res['sgd_lstm_solved']):.2f}, Elman "
            f"{np.mean(res['sgd_elman_solved']):.2f} (chance on the long-range symbol: 0.5)")


if __name__ == "__main__":
    main(run)
