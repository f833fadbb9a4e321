"""The 2-neuron CTRNN oscillator of Beer (1995): phase portrait, nullclines,
limit cycle and its period.

Parameters (Beer 1995): self-weights 4.5, the weight from neuron 1 to neuron 2 is
-1 and from neuron 2 to neuron 1 is +1, theta = (-2.75, -1.75), gains and time
constants 1. The period is measured from upward crossings of y1 through the
equilibrium's y1 on dynnets' Dormand-Prince solution, and compared with the same
measurement on SciPy's DOP853 (rtol = 1e-12) with event location.
"""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from scipy.integrate import solve_ivp

import dynnets as dn
from dynnets.analysis import fixed_points
from dynnets.experiment import finish, main
from dynnets.models.ctrnn import ctrnn_rhs
from dynnets.plot import phase_portrait

NAME = "ctrnn_oscillator"


def oscillator():
    W = np.array([[4.5, -1.0],   # W[j, i]: from neuron j to neuron i; 1 -> 2 is -1
                  [1.0, 4.5]])   # 2 -> 1 is +1
    return dn.CTRNN(W, tau=1.0, bias=[-2.75, -1.75], gain=1.0)


def crossing_times(t, x, level):
    """Times of upward crossings of ``level`` by linear interpolation."""
    i = np.flatnonzero((x[:-1] < level) & (x[1:] >= level))
    return t[i] + (level - x[i]) * (t[i + 1] - t[i]) / (x[i + 1] - x[i])


def run(quick=False, out=Path("figures")):
    net = oscillator()
    system = net.system()
    t_end = 160.0 if quick else 1000.0  # the period is about 29
    transient = 40.0 if quick else 200.0

    # equilibrium and its stability, from the analytic Jacobian
    f = np.empty(2)

    def field(y):
        ctrnn_rhs(0.0, np.asarray(y, float), system.params, f)
        return f.copy()

    fps = fixed_points(system, [[-2, 8], [-4, 7]], n_starts=100, seed=0)
    if len(fps) != 1:
        raise RuntimeError(f"expected one equilibrium, found {len(fps)}")
    eq, eig = fps.points[0], fps.eigenvalues[0]

    # dynnets: dense output on a fine grid, then crossings through y1 = eq[0]
    t = np.linspace(0.0, t_end, int(t_end * 200) + 1)
    sol = dn.solve(system, [0.0, 0.0], (0.0, t_end), rtol=1e-10, atol=1e-10, t_eval=t)
    keep = sol.t >= transient
    cross = crossing_times(sol.t[keep], sol.y[keep, 0], eq[0])
    if cross.size < 3:
        raise RuntimeError(f"found {cross.size} crossings of the section; the run is too short for a period")
    period = float(np.mean(np.diff(cross)))

    # reference: SciPy DOP853 with event location on the same section
    def f_np(t, y):
        o = 1.0 / (1.0 + np.exp(-(net.gain * (y + net.bias))))
        return (-y + o @ net.weights) / net.tau

    def section(t, y):
        return y[0] - eq[0]

    section.direction = 1
    ref = solve_ivp(f_np, (0.0, t_end), [0.0, 0.0], method="DOP853", rtol=1e-12, atol=1e-12,
                    events=section)
    ev = ref.t_events[0]
    period_ref = float(np.mean(np.diff(ev[ev >= transient])))

    # figure: phase portrait with the cycle, and the time course
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5), gridspec_kw={"width_ratios": [1, 1.3]})
    gx = np.linspace(-2, 8, 120)
    gy = np.linspace(-4, 7, 120)
    U = np.empty((gy.size, gx.size))
    V = np.empty_like(U)
    for a, yy in enumerate(gy):
        for b, xx in enumerate(gx):
            U[a, b], V[a, b] = field([xx, yy])
    phase_portrait(gx, gy, U, V, ax=ax1, fixed_points=fps)
    ax1.plot(sol.y[keep, 0], sol.y[keep, 1], color="tab:red", lw=2, label="limit cycle")
    ax1.plot(sol.y[~keep, 0], sol.y[~keep, 1], color="tab:red", lw=0.8, alpha=0.5, ls="--")
    ax1.set_title("2-neuron CTRNN oscillator (Beer 1995)")
    ax1.legend(loc="upper left", fontsize="small")
    span = (sol.t >= transient) & (sol.t <= transient + 3 * period)
    ax2.plot(sol.t[span], net.outputs(sol.y[span]), lw=1.5)
    ax2.legend(["$o_1$", "$o_2$"], loc="upper right", fontsize="small")
    ax2.set_xlabel(r"time (units of $\tau$)")
    ax2.set_ylabel(r"output $\sigma(g(y+\theta))$")
    ax2.set_title(f"period {period:.4f} (SciPy DOP853: {period_ref:.4f})")
    fig.tight_layout()

    return finish(NAME, out, fig, {
        "period": period,
        "period_reference": period_ref,
        "reference": "scipy.integrate.solve_ivp(DOP853, rtol=1e-12) with event location",
        "relative_difference": abs(period - period_ref) / period_ref,
        "n_cycles": int(cross.size - 1),
        "equilibrium": eq,
        "jacobian_eigenvalues_real": eig.real,
        "jacobian_eigenvalues_imag": eig.imag,
        "steps": sol.n_steps,
        "quick": quick,
    })


def summary(res):
    """One line on what this run obtained (the gallery index)."""
    return (f"period {res['period']:.6f} against {res['period_reference']:.6f} from SciPy "
            f"(relative difference {res['relative_difference']:.1e})")


if __name__ == "__main__":
    main(run)
