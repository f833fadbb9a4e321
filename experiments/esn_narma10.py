"""NARMA10 with echo state networks of growing size.

Reservoirs with spectral radius 0.9 and input scaling 0.2, ridge readouts on
[u; x]; the test NRMSE (sqrt(MSE / var y)) against the number of units, over
several random reservoirs.

Reference: about 0.4 at 100 units and 0.15-0.2 at 400-500 units (e.g. Rodan and
Tino 2011, IEEE TNN 22(1), 131-144; Verstraeten et al. 2007).
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

import dynnets as dn
from dynnets.experiment import finish, main
from dynnets.tasks import narma, nrmse

NAME = "esn_narma10"


def run(quick=False, out=Path("figures")):
    sizes = [25, 50, 100, 200] if quick else [25, 50, 100, 200, 300, 400, 500, 700]
    seeds = range(1 if quick else 5)
    n_train, n_test = 4000, 1000
    u, y = narma(n_train + n_test, seed=0)
    errs = np.empty((len(sizes), len(seeds)))
    for i, N in enumerate(tqdm(sizes, desc=NAME, leave=False)):
        for j in seeds:
            res = dn.Reservoir.random(N, 1, spectral_radius=0.9, density=min(1.0, 20.0 / N), input_scaling=0.2,
                                      seed=100 + j)
            esn = dn.ESN(res, ridge=1e-8, washout=200).fit(u[:n_train], y[:n_train])
            p = esn.predict(u[n_train:], x0=esn.last_state_)
            errs[i, j] = nrmse(y[n_train:], p[:, 0])

    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.errorbar(sizes, errs.mean(1), yerr=errs.std(1), fmt="o-", capsize=3, label="dynnets ESN (mean, sd over seeds)")
    ax.plot([100, 450], [0.4, 0.15], "k*", ms=10, label="literature: ~0.4 at 100, ~0.15 at 400-500")
    ax.set_xlabel("reservoir units N")
    ax.set_ylabel("test NRMSE")
    ax.set_title("NARMA10")
    ax.legend(fontsize="small")
    fig.tight_layout()
    return finish(NAME, out, fig, {
        "sizes": sizes, "nrmse": errs, "nrmse_mean": errs.mean(1),
        "reference": "~0.4 at 100 units, ~0.15 at 400-500 (Rodan and Tino 2011; Verstraeten et al. 2007)",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    m = dict(zip(res["sizes"], res["nrmse_mean"]))
    return f"NRMSE {m.get(100, float('nan')):.2f} at 100 units, {m.get(500, float('nan')):.2f} at 500"


if __name__ == "__main__":
    main(run)
