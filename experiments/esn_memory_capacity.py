"""Short-term memory capacity against spectral radius (Jaeger 2001).

Reservoirs of N units, one input u ~ U[-1, 1] scaled by 0.1; MC = sum_k MC_k for
delays k = 1 .. 2N. Linear reservoirs with an orthogonal W approach the bound
MC = N as the radius grows toward 1; tanh reservoirs peak below it and lose
memory (and the echo state property) beyond rho ~ 1.

Reference: MC <= N (Jaeger 2001, GMD Report 152); near-N capacity of orthogonal
linear networks (White, Lee and Sompolinsky 2004).
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

import dynnets as dn
from dynnets.analysis import memory_capacity
from dynnets.experiment import finish, main

NAME = "esn_memory_capacity"


def run(quick=False, out=Path("figures")):
    N = 30 if quick else 50
    radii = np.array([0.2, 0.6, 0.9, 1.1] if quick else [0.1, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0, 1.1, 1.2, 1.4])
    n_train = 3000 if quick else 10000
    curves = {}
    lin, tanh, er = [], [], []
    for rho in tqdm(radii, desc=NAME, leave=False):
        kw = {"spectral_radius": rho, "input_scaling": 0.1, "seed": 0}
        if rho < 1.0:  # a linear reservoir is unstable beyond radius 1
            m = memory_capacity(dn.Reservoir.random(N, 1, topology="orthogonal", activation="identity", **kw),
                                n_train=n_train, seed=1)
            lin.append(m.total)
            curves[f"linear_{rho:g}"] = m.mc
        else:
            lin.append(np.nan)
        tanh.append(memory_capacity(dn.Reservoir.random(N, 1, topology="orthogonal", **kw), n_train=n_train,
                                    seed=1).total)
        er.append(memory_capacity(dn.Reservoir.random(N, 1, density=0.2, **kw), n_train=n_train, seed=1).total)

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4))
    a1.plot(radii, lin, "o-", label="linear, orthogonal W")
    a1.plot(radii, tanh, "s-", label="tanh, orthogonal W")
    a1.plot(radii, er, "^-", label="tanh, random sparse W")
    a1.axhline(N, color="k", ls="--", lw=0.8, label=f"bound MC = N = {N}")
    a1.set_xlabel("spectral radius")
    a1.set_ylabel("memory capacity MC")
    a1.set_title("Memory capacity (Jaeger 2001)")
    a1.legend(fontsize="small")
    k = np.arange(1, 2 * N + 1)
    stable = radii[radii < 1.0]
    for rho in stable[[0, len(stable) // 2, -1]]:
        a2.plot(k, curves[f"linear_{rho:g}"], label=f"linear, rho = {rho:g}")
    a2.set_xlabel("delay k (steps)")
    a2.set_ylabel("MC_k")
    a2.set_title("Forgetting curves")
    a2.legend(fontsize="small")
    fig.tight_layout()
    return finish(NAME, out, fig, {
        "n_units": N, "spectral_radius": radii, "mc_linear_orthogonal": lin, "mc_tanh_orthogonal": tanh,
        "mc_tanh_sparse": er, "reference": "MC <= N (Jaeger 2001); orthogonal linear close to N", "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    import numpy as np

    return (f"largest MC: linear orthogonal {np.nanmax(res['mc_linear_orthogonal']):.1f}, tanh orthogonal "
            f"{np.nanmax(res['mc_tanh_orthogonal']):.1f}, tanh sparse {np.nanmax(res['mc_tanh_sparse']):.1f} "
            f"of N = {res['n_units']}")


if __name__ == "__main__":
    main(run)
