"""Fixed points of a trained network: the 3-bit flip-flop (Sussillo and Barak
2013).

A tanh network (Elman, 32 units, as Sussillo and Barak's) learns the 3-bit
flip-flop: three input channels carry rare +1/-1 pulses and each output must
hold the sign of the last pulse on its channel (BPTT, Adam lr 0.01, clipping
at 1, mean squared error). With the input off the trained network is an
autonomous map ``h -> F(h, 0)`` (:meth:`Elman.as_map`); its fixed points are
found by damped Newton from states visited along test trajectories
(:func:`dynnets.analysis.fixed_points`) and classified by the eigenvalues of
the Jacobian. (Gated cells trained the same way tend to keep some memories as
slow points that drift over hundreds of steps, not as fixed points.)

Several networks are trained (different initial weights and minibatch orders):
whether a memory ends up as a stable fixed point or as a point that drifts
slowly away depends on training down to the last bits (the same seed gave 8
stable points on one CPU and 7 on another), so the run reports how many of
them keep all 8 memories as stable fixed points and shows the first that does.

Reference: Sussillo and Barak find 8 stable fixed points, one per memory (the
corners of {-1, +1}^3), with saddle points between them whose unstable
directions connect neighbouring memories.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from dynnets.analysis import fixed_points
from dynnets.experiment import finish, main
from dynnets.models.cells import Elman
from dynnets.tasks import flip_flop
from dynnets.train import Adam, Readout, train_bptt

NAME = "flipflop_fixed_points"
HIDDEN = 32


def _train_and_analyse(seed, x, y, xt, yt, epochs, n_starts):
    """One network: trained, run on the test sequences, and the fixed points of
    its input-free map found from states it visits."""
    cell, ro = Elman.random(3, HIDDEN, seed=2 * seed), Readout.random(HIDDEN, 3, seed=2 * seed + 1)
    hist = train_bptt(cell, ro, x, y, epochs=epochs, batch_size=64, optimizer=Adam(0.01), clip=1.0, seed=seed,
                      progress=False)
    H = cell.run(xt).h
    out_t = ro(H)
    held = yt != 0
    accuracy = float(np.mean(np.sign(out_t[held]) == yt[held]))
    rng = np.random.default_rng(3)
    states = H.reshape(-1, HIDDEN)
    starts = states[rng.choice(states.shape[0], n_starts, replace=False)]
    starts = starts + rng.normal(0, 0.02, starts.shape)
    fp = fixed_points(cell.as_map(np.zeros(3)), starts=starts, tol=1e-10, seed=4)
    corners = {tuple(np.sign(ro(p)).astype(int)) for p in fp.points[fp.stable]}
    return {"hist": hist, "H": H, "out": out_t, "accuracy": accuracy, "fp": fp, "corners": len(corners)}


def run(quick=False, out=Path("figures")):
    n_train, epochs, n_starts, n_nets = (256, 60, 64, 2) if quick else (512, 120, 400, 6)
    x, y = flip_flop(n_train, 100, seed=1)
    xt, yt = flip_flop(64, 200, seed=2)
    nets = [_train_and_analyse(seed, x, y, xt, yt, epochs, n_starts) for seed in range(n_nets)]
    all8 = [k for k, n in enumerate(nets) if n["corners"] == 8 and n["fp"].stable.sum() == 8]
    shown = all8[0] if all8 else max(range(n_nets), key=lambda k: nets[k]["corners"])
    r = nets[shown]
    hist, H, out_t, accuracy, fp = r["hist"], r["H"], r["out"], r["accuracy"], r["fp"]
    states = H.reshape(-1, HIDDEN)
    stable = fp.stable
    unstable_dims = [int(np.sum(np.abs(ev) > 1)) for ev in fp.eigenvalues[~stable]]

    # project on the first three principal components of the visited states
    mu = states.mean(0)
    _, _, Vt = np.linalg.svd(states - mu, full_matrices=False)
    P = Vt[:3].T
    fig = plt.figure(figsize=(13, 5))
    ax = fig.add_subplot(1, 2, 1, projection="3d")
    for j in range(8):
        tr = (H[:, j] - mu) @ P
        ax.plot(tr[:, 0], tr[:, 1], tr[:, 2], color="0.6", lw=0.5)
    if stable.any():
        s = (fp.points[stable] - mu) @ P
        ax.scatter(s[:, 0], s[:, 1], s[:, 2], color="k", s=40, depthshade=False, label=f"stable ({stable.sum()})")
    if (~stable).any():
        u = (fp.points[~stable] - mu) @ P
        ax.scatter(u[:, 0], u[:, 1], u[:, 2], color="C3", marker="x", s=40, depthshade=False,
                   label=f"unstable ({(~stable).sum()})")
    ax.set(xlabel="PC 1", ylabel="PC 2", zlabel="PC 3",
           title=f"Fixed points of trained network {shown} (zero input) and test trajectories\n"
                 f"{len(all8)} of {n_nets} networks keep all 8 memories as stable fixed points")
    ax.legend(loc="upper left", fontsize="small")
    a2 = fig.add_subplot(1, 2, 2)
    T = xt.shape[0]
    for b in range(3):
        off = 3.0 * (2 - b)
        a2.plot(np.arange(T), xt[:, 0, b] * 0.8 + off, color="0.7", lw=0.8, label="input pulses" if b == 0 else None)
        a2.plot(np.arange(T), yt[:, 0, b] + off, color="k", lw=1.5, label="target" if b == 0 else None)
        a2.plot(np.arange(T), out_t[:, 0, b] + off, color=f"C{b}", lw=1, ls="--", label=f"output {b + 1}")
    a2.set_yticks([6, 3, 0], ["bit 1", "bit 2", "bit 3"])
    a2.set(xlabel="step", title=f"A test sequence (sign right on {100 * accuracy:.1f}% of held steps)")
    a2.legend(fontsize="small", ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    fig.tight_layout()
    return finish(NAME, out, fig, {
        "hidden": HIDDEN, "epochs": epochs, "networks": n_nets, "networks_with_8_stable_memories": len(all8),
        "per_network": [{"sign_accuracy": n["accuracy"], "n_fixed_points": len(n["fp"].points),
                         "n_stable": int(n["fp"].stable.sum()), "stable_corners": n["corners"]} for n in nets],
        "shown": shown, "final_loss": hist.loss[-1], "sign_accuracy": accuracy,
        "n_fixed_points": len(fp.points), "n_stable": int(stable.sum()), "stable_corners": r["corners"],
        "unstable_dimensions": unstable_dims,
        "reference": "8 stable fixed points, one per memory, with saddles between them (Sussillo and Barak 2013)",
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    return (f"{res['networks_with_8_stable_memories']} of {res['networks']} trained networks keep all 8 memories "
            f"as stable fixed points; the one shown has {res['n_stable']} stable fixed points "
            f"({res['stable_corners']} memories) and {res['n_fixed_points'] - res['n_stable']} saddles")


if __name__ == "__main__":
    main(run)
