"""A character-level LSTM on the built-in text, and text sampled from it.

An LSTM with 128 units reads the first 85% of the opening of *Alice's
Adventures in Wonderland* (chapter I, about 3,300 characters) in windows of 64
characters and learns to predict the next character (softmax cross-entropy,
Adam lr 0.003, clipping at 1). The last 15% is held out, and the weights with
the lowest held-out loss are kept (early stopping). Then it writes: from
the prompt "Alice " each next character is drawn from the model's softmax at
temperature 0.5 and 1.0 (:func:`dynnets.train.sample`).

Reference: the held-out cross-entropy, in bits per character, is compared with
what counting gives on the same split - the unigram and bigram frequencies of
the training part (add-one smoothing) - the baselines a sequence model must
beat; on a text this small the model overfits, and the gap between training and
held-out loss shows it (Graves 2013 reaches about 1.7 bits per character on
100 MB of Wikipedia).
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from dynnets.experiment import finish, main
from dynnets.models.cells import LSTM
from dynnets.tasks import next_symbol, text
from dynnets.train import Adam, Readout, sample, train_bptt
from dynnets.train.bptt import loss_and_grad

NAME = "char_model"
HIDDEN = 128
WINDOW = 64


def bits_per_char(cell, ro, s, alphabet):
    x, labels, _ = next_symbol([s], alphabet)
    return loss_and_grad("cross_entropy", ro(cell.run(x).h), labels)[0] / np.log(2)


def counting_baselines(train, valid, alphabet):
    """Bits per character of the validation text under add-one smoothed
    unigram and bigram frequencies of the training text."""
    K = len(alphabet)
    idx = {c: i for i, c in enumerate(alphabet)}
    tr, va = np.array([idx[c] for c in train]), np.array([idx[c] for c in valid])
    uni = (np.bincount(tr, minlength=K) + 1.0) / (tr.size + K)
    big = np.ones((K, K))
    np.add.at(big, (tr[:-1], tr[1:]), 1.0)
    big /= big.sum(1, keepdims=True)
    return -np.mean(np.log2(uni[va[1:]])), -np.mean(np.log2(big[va[:-1], va[1:]]))


def run(quick=False, out=Path("figures")):
    epochs, every = (16, 8) if quick else (80, 5)
    t = text()
    alphabet = "".join(sorted(set(t)))
    cut = int(0.85 * len(t))
    train, valid = t[:cut], t[cut:]
    windows = [train[i:i + WINDOW + 1] for i in range(0, len(train) - WINDOW - 1, WINDOW // 2)]
    x, y, _ = next_symbol(windows, alphabet)
    K = len(alphabet)
    cell, ro = LSTM.random(K, HIDDEN, seed=0), Readout.random(HIDDEN, K, seed=1)
    cell.b_ih[HIDDEN:2 * HIDDEN] += 1.0
    opt, rng = Adam(3e-3), np.random.default_rng(0)
    ep, tr_bpc, va_bpc = [], [], []
    best = None
    for e in range(every, epochs + 1, every):
        train_bptt(cell, ro, x, y, loss="cross_entropy", epochs=every, batch_size=16, optimizer=opt, clip=1.0,
                   seed=rng, progress=False)
        ep.append(e)
        tr_bpc.append(bits_per_char(cell, ro, train, alphabet))
        va_bpc.append(bits_per_char(cell, ro, valid, alphabet))
        if best is None or va_bpc[-1] < va_bpc[best]:
            best = len(va_bpc) - 1
            kept = {k: v.copy() for k, v in (cell.parameters() | {"ro.W": ro.W, "ro.b": ro.b}).items()}
    for k, v in kept.items():  # early stopping: back to the best held-out loss
        (ro.W if k == "ro.W" else ro.b if k == "ro.b" else getattr(cell, k))[...] = v
    uni, big = counting_baselines(train, valid, alphabet)
    prompt = [alphabet.index(c) for c in "Alice "]
    samples = {T: "Alice " + "".join(alphabet[k] for k in sample(cell, ro, prompt, 240, temperature=T, seed=2))
               for T in (0.5, 1.0)}

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(13, 4.6), gridspec_kw={"width_ratios": [1, 1.3]})
    a1.plot(ep, tr_bpc, "o-", label="training text")
    a1.plot(ep, va_bpc, "s-", label="held-out text")
    a1.plot(ep[best], va_bpc[best], "*", color="C3", ms=14, label=f"kept (epoch {ep[best]}, {va_bpc[best]:.2f})")
    a1.axhline(uni, color="k", ls=":", lw=1, label=f"unigram counts ({uni:.2f})")
    a1.axhline(big, color="k", ls="--", lw=1, label=f"bigram counts ({big:.2f})")
    a1.set(xlabel="epoch", ylabel="bits per character", ylim=(0, max(uni, max(va_bpc)) * 1.1),
           title=f"Character-level LSTM ({HIDDEN} units), {len(t)} characters of Alice")
    a1.legend(fontsize="small")
    a2.axis("off")
    import textwrap
    body = "\n\n".join(f"temperature {T}:\n" + "\n".join(textwrap.wrap(s.replace("\n", " "), 60))
                       for T, s in samples.items())
    a2.text(0.0, 1.0, body, va="top", ha="left", family="monospace", fontsize=8.5, transform=a2.transAxes)
    a2.set_title("Sampled from the model, prompt \"Alice \"")
    fig.tight_layout()
    return finish(NAME, out, fig, {
        "hidden": HIDDEN, "alphabet_size": K, "train_chars": len(train), "valid_chars": len(valid),
        "epochs": ep, "train_bits_per_char": tr_bpc, "valid_bits_per_char": va_bpc,
        "unigram_bits_per_char": uni, "bigram_bits_per_char": big, "samples": samples,
        "best_epoch": ep[best], "best_valid_bits_per_char": va_bpc[best],
        "reference": "a sequence model must beat counting baselines on held-out text (unigram and bigram, add-one "
                     "smoothing, same split)",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    return (f"{res['best_valid_bits_per_char']:.2f} bits per character on held-out text, against "
            f"{res['bigram_bits_per_char']:.2f} (bigram) and {res['unigram_bits_per_char']:.2f} (unigram)")


if __name__ == "__main__":
    main(run)
