"""The same seed gives bitwise the same results with 1 and 2 numba threads, each
in a fresh process (NUMBA_NUM_THREADS): population simulation, batched
reservoirs, minibatch BPTT, Hopfield recall, and evolutionary searches whose
fitness runs the double-pole and walker population kernels."""

import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import hashlib
    import numpy as np
    import dynnets as dn
    from dynnets.models.cells import LSTM
    from dynnets.train import Adam, Readout, train_bptt

    h = hashlib.sha256()
    pop = dn.CTRNN.random(5, population=300, seed=0, center_crossing=True)
    h.update(dn.simulate(pop, dt=0.05, n_steps=400, method="rk4").y.tobytes())
    many = dn.Reservoir.stack([dn.Reservoir.random(40, 1, leak=a, seed=i) for i, a in enumerate(np.linspace(0.2, 1, 8))])
    h.update(many.run(np.sin(np.arange(300) / 9)[:, None]).tobytes())
    rng = np.random.default_rng(1)
    x = rng.normal(size=(20, 96, 2))
    cell, ro = LSTM.random(2, 8, seed=2), Readout.random(8, 1, seed=3)
    hist = train_bptt(cell, ro, x, x[:, :, :1].cumsum(0), epochs=3, batch_size=32, optimizer=Adam(1e-2), seed=4,
                      progress=False)
    h.update(cell.W_hh.tobytes() + np.array(hist.loss).tobytes())
    X = dn.random_patterns(10, 100, seed=5)
    h.update(dn.Hopfield.from_patterns(X).recall(dn.flip_bits(X, 0.2, seed=6), seed=7).states.tobytes())
    print(h.hexdigest())
""")


EVOLUTION = textwrap.dedent("""
        import hashlib, numpy as np
        from dynnets.models.ctrnn import CTRNN
        from dynnets.tasks import cartpole, walker
        from dynnets.train import CMAES, GeneticAlgorithm, GenomeMap, evolve
        gm = GenomeMap(weights=((3, 3), -20, 20), input_weights=((3, 3), -20, 20), bias=(3, -20, 20))
        def pole(g):
            p = gm.decode(g)
            return cartpole.balance(CTRNN(p["weights"], 0.02, p["bias"], 1.0, p["input_weights"])).fitness[:, 0]
        wm = GenomeMap(weights=((4, 4), -16, 16), bias=(4, -16, 16), tau=(4, 0.5, 10))
        def walk(g):
            p = wm.decode(g)
            return walker.walk(CTRNN(p["weights"], p["tau"], p["bias"]), duration=40.0).fitness
        h = hashlib.sha256()
        for f, alg in ((pole, CMAES(gm.size, 70, seed=2)), (walk, GeneticAlgorithm(wm.size, 70, seed=2))):
            r = evolve(f, alg, generations=4, progress=False)
            h.update(r.best_genes.tobytes() + r.history["mean"].tobytes())
        print(h.hexdigest())
    """)


def digests(script):
    """The script's printed digest with 1 and with 2 numba threads, each in a new process."""
    out = []
    for threads in ("1", "2"):
        env = dict(os.environ, NUMBA_NUM_THREADS=threads)
        proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=900,
                              check=False)
        assert proc.returncode == 0, proc.stderr
        out.append(proc.stdout.strip())
    return out


@pytest.mark.parametrize("script", [SCRIPT, EVOLUTION], ids=["models", "evolution"])
def test_bitwise_equal_at_1_and_2_threads(script):
    one, two = digests(script)
    assert one == two and len(one) == 64
