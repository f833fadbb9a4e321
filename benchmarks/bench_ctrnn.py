"""CTRNN and ODE speed, side by side with the peers in one run.

    python benchmarks/bench_ctrnn.py [--repeats 5] [--quick]

(a) a population of 1000 CTRNNs of 10 neurons, dt = 0.01, 10,000 steps, forward
    Euler, against neat-python's ``ctrnn`` (timed on a slice of the same networks
    and compared per network-step: neat-python needs ~50 us per network-step);
(b) the same population with RK4 against a NumPy RK4 vectorised over the population;
(c) one 10-neuron network, t in [0, 100], adaptive Dormand-Prince (rtol = atol = 1e-8)
    against ``scipy.integrate.solve_ivp(method="RK45")`` at the same tolerances;
(d) Lorenz over t in [0, 1000], rtol = atol = 1e-9, against ``solve_ivp(RK45)``,
    with both step counts;
(e) one 10-neuron network stepped from a Python loop, one Euler step per call
    (a controller in a Python environment): ``CTRNN.stepper`` against
    neat-python's ``advance``, per step.

Times are medians of ``--repeats`` runs after a warm-up (compilation excluded);
(b) runs the two sides alternately and reports the median of the pair ratios.
neat-python integrates the rate form ``tau dy/dt = -y + f(bias + response * sum w y)``,
not Beer's form; the cost per network-step (same size, same full connectivity,
same method) is what is compared.
"""

import math

import numpy as np
from _common import environment, median_time, paired_times, parse_args, write_results
from scipy.integrate import solve_ivp

import dynnets as dn


def numpy_rk4(pop, n_steps, dt):
    W, tau, th, g = pop.weights, pop.tau, pop.bias, pop.gain
    y = np.zeros(tau.shape)

    def f(y):
        o = 1.0 / (1.0 + np.exp(-g * (y + th)))
        return (-y + np.matmul(o[:, None, :], W)[:, 0]) / tau

    for _ in range(n_steps):
        k1 = f(y)
        k2 = f(y + 0.5 * dt * k1)
        k3 = f(y + 0.5 * dt * k2)
        k4 = f(y + dt * k3)
        y = y + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    return y


def neat_networks(pop, count):
    from neat.ctrnn import CTRNN, CTRNNNodeEval

    def sigmoid(z):
        return 1.0 / (1.0 + math.exp(-z)) if z > -60 else 0.0

    nets = []
    n = pop.n_neurons
    for p in range(count):
        net = pop[p]
        evals = {i: CTRNNNodeEval(float(net.tau[i]), sigmoid, sum, float(net.bias[i]), float(net.gain[i]),
                                  [(j, float(net.weights[j, i])) for j in range(n)]) for i in range(n)}
        nets.append(CTRNN([], list(range(n)), evals))
    return nets


def main():
    args = parse_args(__doc__, __file__, repeats=5)
    R = args.repeats
    P, n, dt = 1000, 10, 0.01
    T = 1000 if args.quick else 10_000
    pop = dn.CTRNN.random(n, population=P, seed=0, center_crossing=True)
    results = environment()
    rows = []

    # (a) Euler population against neat-python
    dn.simulate(pop, dt=dt, n_steps=10, save_every=10)
    t_dn = median_time(lambda: dn.simulate(pop, dt=dt, n_steps=T, save_every=T), R)
    per_dn = t_dn / (P * T)
    try:
        import neat  # noqa: F401

        n_neat, T_neat = 10, (200 if args.quick else 1000)
        nets = neat_networks(pop, n_neat)

        def run_neat():
            for net in nets:
                net.reset()
                net.advance([], T_neat * dt, dt)

        t_neat = median_time(run_neat, max(1, R // 2))
        per_neat = t_neat / (n_neat * T_neat)
        rows.append(("(a) Euler, 1000 x 10-neuron CTRNNs, per network-step", "neat-python ctrnn",
                     per_neat * 1e9, per_dn * 1e9, per_neat / per_dn, 300))
    except ImportError:
        print("neat-python not installed: pip install -e '.[bench]'")
    results["dynnets_euler_population_s"] = t_dn

    # (b) RK4 population against NumPy RK4
    dn.simulate(pop, dt=dt, n_steps=10, save_every=10, method="rk4")
    t_dn4, t_np4, ratio4 = paired_times(lambda: dn.simulate(pop, dt=dt, n_steps=T, save_every=T, method="rk4"),
                                        lambda: numpy_rk4(pop, T, dt), R)
    # same numbers over a short horizon (some random networks are chaotic over 10,000 steps)
    y_dn = dn.simulate(pop, dt=dt, n_steps=200, save_every=200, method="rk4").y[-1]
    assert np.allclose(y_dn, numpy_rk4(pop, 200, dt), rtol=1e-10, atol=1e-10), "RK4 results differ"
    rows.append(("(b) RK4, 1000 x 10-neuron CTRNNs, 10,000 steps (s)" if not args.quick else "(b) RK4 population (s)",
                 "NumPy RK4 (vectorised)", t_np4, t_dn4, ratio4, 10))

    # (c) one network, adaptive, against solve_ivp
    net = pop[0]
    sysc = net.system()
    y0 = np.zeros(n)
    t_eval = np.linspace(0, 100, 101)

    def f_np(t, y):
        o = 1.0 / (1.0 + np.exp(-net.gain * (y + net.bias)))
        return (-y + o @ net.weights) / net.tau

    dn.solve(sysc, y0, (0, 100), rtol=1e-8, atol=1e-8, t_eval=t_eval)
    t_dnc = median_time(lambda: dn.solve(sysc, y0, (0, 100), rtol=1e-8, atol=1e-8, t_eval=t_eval), R)
    t_spc = median_time(lambda: solve_ivp(f_np, (0, 100), y0, method="RK45", rtol=1e-8, atol=1e-8, t_eval=t_eval), max(1, R // 2))
    rows.append(("(c) one 10-neuron CTRNN, t in [0, 100], rtol = 1e-8 (s)", "scipy solve_ivp RK45", t_spc, t_dnc, t_spc / t_dnc, None))

    # (d) Lorenz over [0, 1000] at 1e-9
    lor = dn.lorenz()
    t1 = 100.0 if args.quick else 1000.0

    def f_lor(t, y):
        return [10.0 * (y[1] - y[0]), y[0] * (28.0 - y[2]) - y[1], y[0] * y[1] - 8.0 / 3.0 * y[2]]

    dn.solve(lor, [1.0, 1.0, 1.0], (0, 1.0), rtol=1e-9, atol=1e-9, t_eval=[1.0])
    t_dnl = median_time(lambda: dn.solve(lor, [1.0, 1.0, 1.0], (0, t1), rtol=1e-9, atol=1e-9, t_eval=[t1]), R)
    t_spl = median_time(lambda: solve_ivp(f_lor, (0, t1), [1.0, 1.0, 1.0], method="RK45", rtol=1e-9, atol=1e-9), max(1, R // 2))
    steps_dn = dn.solve(lor, [1.0, 1.0, 1.0], (0, t1), rtol=1e-9, atol=1e-9, t_eval=[t1]).n_steps
    steps_sp = solve_ivp(f_lor, (0, t1), [1.0, 1.0, 1.0], method="RK45", rtol=1e-9, atol=1e-9).t.size - 1
    rows.append((f"(d) Lorenz, t in [0, {t1:g}], rtol = atol = 1e-9 (s)", "scipy solve_ivp RK45", t_spl, t_dnl, t_spl / t_dnl, 50))
    results["lorenz_steps"] = {"dynnets": steps_dn, "scipy_rk45": steps_sp, "ratio": steps_dn / steps_sp}

    # (e) one network stepped from Python, one Euler step per call
    try:
        K = 200 if args.quick else 2000
        neat_net = neat_networks(pop, 1)[0]
        stepper = pop[0].stepper(dt)

        def neat_steps():
            neat_net.reset()
            for _ in range(K):
                neat_net.advance([], dt, dt)

        def dn_steps():
            stepper.reset()
            for _ in range(K):
                stepper()

        t_ne, t_de = median_time(neat_steps, R), median_time(dn_steps, R)
        rows.append(("(e) one 10-neuron CTRNN stepped from Python (Euler), per network-step", "neat-python advance",
                     t_ne / K * 1e9, t_de / K * 1e9, t_ne / t_de, None))
    except ImportError:
        pass

    print(f"threads: {results['threads']}, repeats: {R} (medians)")
    print("| benchmark | peer | peer | dynnets | speed-up | target |")
    print("|---|---|---|---|---|---|")
    for name, peer, tp, td, ratio, target in rows:
        unit = "ns" if "per network-step" in name else "s"
        fmt = (lambda v: f"{v:.1f} ns") if unit == "ns" else (lambda v: f"{v:.3g} s")
        tgt = f">= {target}x" if target else "-"
        print(f"| {name} | {peer} | {fmt(tp)} | {fmt(td)} | {ratio:.0f}x | {tgt} |")
    print(f"Lorenz steps: dynnets {steps_dn}, scipy RK45 {steps_sp} (ratio {steps_dn / steps_sp:.2f}, target <= 1.3)")
    results["rows"] = [dict(zip(("benchmark", "peer", "peer_time", "dynnets_time", "speedup", "target"), r)) for r in rows]
    write_results(args.out, results)


if __name__ == "__main__":
    main()
