"""LSTM forward + backward and Python-level stepping, side by side with PyTorch
(CPU) in one run, at 1 and 2 threads.

    python benchmarks/bench_rnn.py [--repeats 7] [--quick]

(a) LSTM, batch 1, sequence 1000, input 1, hidden 32, forward + backward;
(b) LSTM, batch 32, sequence 100, input 8, hidden 64, forward + backward;
(c) 1000 steps of one LSTM cell (input 1, hidden 32) called from a Python loop,
    against ``nn.LSTMCell`` (no autograd): dynnets' ``LSTM.stepper`` (the way to
    step from Python) and, for reference, the functional ``LSTM.step``.

dynnets is timed in float64 and, for (a) and (b), in float32 (``LSTM(...,
dtype="float32")``). PyTorch is timed in float64 (the same arithmetic: states
and gradients are checked equal to 1e-10 first) and in its default float32,
where ``nn.LSTM`` runs oneDNN's fused kernels; dynnets' float32 states and
gradients are checked against those. The target compares like with like:
dynnets float32 against PyTorch float32 for (a) and (b). The loss is
``sum(w * h)`` with a fixed random ``w``, so both sides do the same backward
work. Each side is timed in alternation with ours, ``--repeats`` pairs, each
timed call right after an untimed one of the same side (steady state, as in a
loop): times are medians, ratios the medians of the per-pair ratios.
"""


import numba
import numpy as np
import torch
from _common import environment, paired_times, parse_args, print_table, write_results

from dynnets.models.cells import LSTM


def _paired(ours, t64, t32, R):
    """Our time, PyTorch's float64 and float32 times, and the two ratios, each
    timed in alternation with ours (the medians of per-pair ratios)."""
    td, tt32, r32 = paired_times(ours, t32, R, warm=True)
    _, tt64, r64 = paired_times(ours, t64, R, warm=True)
    return td, tt64, tt32, r64, r32


def seq_case(B, T, I, H, R, rng):
    """Times of (a), (b): ``_paired``'s five, then dynnets float32's time and its
    ratio to PyTorch float32."""
    cell = LSTM.random(I, H, seed=1)
    cell32 = cell.astype("float32")
    x, w = rng.normal(size=(T, B, I)), rng.normal(size=(T, B, H))
    mods = {}
    for dt in (torch.float64, torch.float32):
        mod = torch.nn.LSTM(I, H).to(dt)
        mod.load_state_dict({k: torch.from_numpy(v).to(dt) for k, v in cell.torch_state().items()})
        mods[dt] = (mod, torch.from_numpy(x).to(dt), torch.from_numpy(w).to(dt))

    def ours(c=cell):
        run = c.run(x)
        return run, c.gradients(x, w, run=run)

    def ours32():
        return ours(cell32)

    def theirs(dt):
        mod, xt, wt = mods[dt]
        mod.zero_grad()
        out, _ = mod(xt)
        (out * wt).sum().backward()
        return out, mod

    run, g = ours()
    out, mod = theirs(torch.float64)
    assert np.abs(run.h - out.detach().numpy()).max() < 1e-10
    assert np.abs(g["W_hh"] - mod.weight_hh_l0.grad.numpy()).max() < 1e-10
    run, g = ours32()
    out, mod = theirs(torch.float32)
    assert np.abs(run.h - out.detach().numpy()).max() < 1e-5
    scale = np.abs(g["W_hh"]).max()
    assert np.abs(g["W_hh"] - mod.weight_hh_l0.grad.numpy()).max() < 1e-5 * scale
    t32, _, r32 = paired_times(ours32, lambda: theirs(torch.float32), R, warm=True)
    return _paired(ours, lambda: theirs(torch.float64), lambda: theirs(torch.float32), R) + (t32, r32)


def step_case(R, n_steps, functional=False):
    cell = LSTM.random(1, 32, seed=2)
    x = np.ones(1)

    def ours():
        if functional:
            h, c = np.zeros(32), np.zeros(32)
            for _ in range(n_steps):
                h, c = cell.step(x, h, c)
            return h
        step = cell.stepper()
        for _ in range(n_steps):
            h = step(x)
        return h

    def theirs(dt):
        lc = torch.nn.LSTMCell(1, 32).to(dt)
        lc.load_state_dict({"weight_ih": torch.from_numpy(cell.W_ih).to(dt),
                            "weight_hh": torch.from_numpy(cell.W_hh).to(dt),
                            "bias_ih": torch.from_numpy(cell.b_ih).to(dt), "bias_hh": torch.from_numpy(cell.b_hh).to(dt)})
        xt = torch.ones(1, 1, dtype=dt)

        def loop():
            h, c = torch.zeros(1, 32, dtype=dt), torch.zeros(1, 32, dtype=dt)
            with torch.no_grad():
                for _ in range(n_steps):
                    h, c = lc(xt, (h, c))
            return h
        return loop

    t64, t32 = theirs(torch.float64), theirs(torch.float32)
    assert np.abs(ours() - t64().numpy()[0]).max() < 1e-10
    return _paired(ours, t64, t32, R)


def main():
    args = parse_args(__doc__, __file__, repeats=11)
    R = args.repeats
    q = 10 if args.quick else 1
    rng = np.random.default_rng(0)
    results = environment() | {"repeats": R, "torch": torch.__version__}
    rows, records = [], []
    for threads in (1, 2):
        numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
        torch.set_num_threads(threads)
        cases = [("(a) batch 1, T 1000, I 1, H 32, fwd+bwd", seq_case(1, 1000 // q, 1, 32, R, rng), 2),
                 ("(b) batch 32, T 100, I 8, H 64, fwd+bwd", seq_case(32, 100 // q, 8, 64, R, rng), 1),
                 ("(c) 1000 Python-level steps, I 1, H 32 (stepper)", step_case(R, 1000 // q), 20),
                 ("(c) the same with the functional step", step_case(R, 1000 // q, functional=True), 20)]
        for name, (td, t64, t32, r64, r32, *f32), target in cases:
            d32, r3232 = f32 or (None, None)
            rows.append((name, str(threads), f"{t32 * 1e3:.3g} ms", f"{t64 * 1e3:.3g} ms", f"{td * 1e3:.3g} ms",
                         "-" if d32 is None else f"{d32 * 1e3:.3g} ms", f"{r64:.1f}x", f"{r32:.2f}x",
                         "-" if d32 is None else f"{r3232:.2f}x", f">= {target}x"))
            records.append({"benchmark": name, "threads": threads, "torch_float32": t32, "torch_float64": t64,
                            "dynnets": td, "dynnets_float32": d32, "speedup_vs_float32": r32,
                            "speedup_vs_float64": r64, "speedup_float32_vs_float32": r3232, "target": target})
    print_table(rows, results, ("benchmark", "threads", "torch f32", "torch f64", "dynnets f64", "dynnets f32",
                                "f64 vs f64", "f64 vs f32", "f32 vs f32", "target"))
    results["rows"] = records
    write_results(args.out, results)


if __name__ == "__main__":
    main()
