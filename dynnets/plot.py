"""matplotlib helpers: they take arrays or results and return Axes; no simulation here."""

import numpy as np


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def time_series(t, y, ax=None, labels=None, xlabel="time", ylabel="state", **kwargs):
    """Plot ``y`` (shape ``(n_t,)`` or ``(n_t, n)``) against ``t``; returns the Axes."""
    ax = _axes(ax)
    y = np.asarray(y)
    y2 = y.reshape(y.shape[0], -1)
    for k in range(y2.shape[1]):
        label = labels[k] if labels is not None else (f"$y_{{{k + 1}}}$" if y2.shape[1] <= 10 else None)
        ax.plot(t, y2[:, k], label=label, **kwargs)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if y2.shape[1] <= 10:
        ax.legend(loc="best", fontsize="small")
    return ax
