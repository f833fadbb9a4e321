"""LSTM variants and GRUs on one task, in the spirit of Greff et al. (2017).

Five gated cells with 8 hidden units learn the embedded Reber grammar (next
symbol prediction, as in experiment ``embedded_reber``) by SGD with momentum
(lr 0.3, momentum 0.9, clipping at 1), from several seeds each, with the same
data and minibatches: LSTM without peepholes (NP, PyTorch's), vanilla LSTM with
peepholes (V), LSTM with coupled input and forget gates (CIFG), and the GRU
with the reset gate after (PyTorch's) and before (Cho et al. 2014) the
recurrent product. After every epoch the fraction of 500 new strings predicted
right is measured; the figure shows how fast each cell learns and how much that
varies over seeds.

Reference: Greff et al. found no variant significantly better than vanilla LSTM
(V); removing peepholes (NP) or coupling the gates (CIFG) did not hurt, and
Chung et al. (2014) found GRU and LSTM comparable.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

from dynnets.experiment import finish, main
from dynnets.models.cells import GRU, LSTM
from dynnets.tasks import REBER_SYMBOLS, legal_predictions, next_symbol, reber
from dynnets.train import SGD, Readout, train_bptt

NAME = "lstm_variants"
HIDDEN = 8
CELLS = {
    "LSTM NP": lambda s: LSTM.random(7, HIDDEN, seed=s),
    "LSTM V": lambda s: LSTM.random(7, HIDDEN, seed=s, variant="V"),
    "LSTM CIFG": lambda s: LSTM.random(7, HIDDEN, seed=s, variant="CIFG"),
    "GRU (reset after)": lambda s: GRU.random(7, HIDDEN, seed=s),
    "GRU (reset before)": lambda s: GRU.random(7, HIDDEN, seed=s, reset="before"),
}


def learning_curve(make, seed, train, test, epochs):
    """Fraction of test strings right after each epoch."""
    x, y, m = train[:3]
    cell, ro = make(seed), Readout.random(HIDDEN, 7, seed=100 + seed)
    if isinstance(cell, LSTM) and cell.variant != "CIFG":
        cell.b_ih[HIDDEN:2 * HIDDEN] += 1.0  # forget gate open at the start
    opt, rng = SGD(0.3, momentum=0.9), np.random.default_rng(seed)
    acc = []
    for _ in range(epochs):
        train_bptt(cell, ro, x, y, loss="cross_entropy", mask=m, epochs=1, batch_size=16, optimizer=opt, clip=1.0,
                   seed=rng, progress=False)
        acc.append(float(legal_predictions(ro(cell.run(test[0]).h), test[4])[0].mean()))
    return acc


def run(quick=False, out=Path("figures")):
    n_train, epochs, seeds = (1000, 10, 1) if quick else (2000, 25, 4)
    train, test = [next_symbol(s, REBER_SYMBOLS) + (s, legal)
                   for s, legal in (reber(n_train, embedded=True, seed=1), reber(500, embedded=True, seed=2))]
    curves = {name: [] for name in CELLS}
    for name, s in tqdm([(n, s) for n in CELLS for s in range(seeds)], desc=NAME, leave=False):
        curves[name].append(learning_curve(CELLS[name], s, train, test, epochs))

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.3))
    ep = np.arange(1, epochs + 1)
    for k, (name, cs) in enumerate(curves.items()):
        cs = np.array(cs)
        a1.plot(ep, cs.mean(0), color=f"C{k}", label=name)
        a1.fill_between(ep, cs.min(0), cs.max(0), color=f"C{k}", alpha=0.15)
    a1.set(xlabel="epoch", ylabel="test strings predicted right", ylim=(0, 1.02),
           title=f"Embedded Reber grammar, {HIDDEN} units (mean, band = range over {seeds} seeds)")
    a1.legend(fontsize="small", loc="lower right")

    def solved_at(c):
        hit = np.flatnonzero(np.asarray(c) >= 0.99)
        return int(hit[0]) + 1 if hit.size else None
    first = {n: [solved_at(c) for c in cs] for n, cs in curves.items()}
    for k, (name, f) in enumerate(first.items()):
        done = [e for e in f if e is not None]
        jitter = [k + 0.1 * (i - (len(f) - 1) / 2) for i, e in enumerate(f) if e is not None]  # seeds apart
        a2.scatter(done, jitter, color=f"C{k}", s=40)
        if len(done) < len(f):
            a2.scatter([epochs + 1], [k], marker=">", color=f"C{k}", s=40)
            a2.annotate(f"{len(f) - len(done)} not solved", (epochs + 1, k), textcoords="offset points",
                        xytext=(8, -4), fontsize="small")
    a2.set_yticks(range(len(first)), list(first))
    a2.set(xlabel="first epoch with >= 99% of test strings right", xlim=(0, epochs + 6),
           title="Learning speed per seed")
    fig.tight_layout()
    return finish(NAME, out, fig, {
        "hidden": HIDDEN, "train_strings": n_train, "epochs": epochs, "seeds": seeds,
        "final_accuracy": {n: [c[-1] for c in cs] for n, cs in curves.items()},
        "first_epoch_solved": first,
        "reference": "no LSTM variant significantly better than vanilla (V); NP and CIFG do not hurt (Greff et al. "
                     "2017); GRU comparable to LSTM (Chung et al. 2014)",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    import numpy as np

    return "mean final accuracy: " + ", ".join(f"{k} {np.mean(v):.2f}" for k, v in res["final_accuracy"].items())


if __name__ == "__main__":
    main(run)
