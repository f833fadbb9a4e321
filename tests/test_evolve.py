"""Evolutionary search: the genome map, every algorithm on a function with a
known optimum, GA and CMA-ES on a CTRNN oscillator of a target period, exact
resume (including after SIGKILL), configuration checks, NaN fitness, and the
executor and Dask paths against the in-process one."""

import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import dynnets as dn
from dynnets.train import (
    CMAES,
    GeneticAlgorithm,
    GenomeMap,
    MicrobialGA,
    ParticleSwarm,
    SimulatedAnnealing,
    evolve,
)

C = np.linspace(-0.5, 0.5, 6)


def sphere(genes):
    """Maximum 0 at genes = C."""
    return -((genes - C) ** 2).sum(1)


ALGS = {
    "ga": lambda: GeneticAlgorithm(6, 40, seed=1),
    "microbial": lambda: MicrobialGA(6, 40, seed=1),
    "cmaes": lambda: CMAES(6, seed=1),
    "annealing": lambda: SimulatedAnnealing(6, 20, T0=0.1, cooling=0.95, step=0.05, seed=1),
    "swarm": lambda: ParticleSwarm(6, 30, seed=1),
}


def test_genome_map_round_trip_and_errors():
    gm = GenomeMap(weights=((2, 3), -16, 16), tau=(3, 0.5, 10.0), gain=(1, 1.0, 1.0))
    assert gm.size == 10
    g = np.random.default_rng(0).uniform(-1, 1, (4, 10))
    p = gm.decode(g)
    assert p["weights"].shape == (4, 2, 3) and p["tau"].shape == (4, 3)
    # linear: -1 -> low, +1 -> high
    np.testing.assert_allclose(gm.decode(-np.ones(10))["tau"], 0.5)
    np.testing.assert_allclose(gm.decode(np.ones(10))["weights"], 16.0)
    np.testing.assert_allclose(gm.encode(p)[:, :9], g[:, :9], atol=1e-14)
    with pytest.raises(ValueError, match="min > max"):
        GenomeMap(tau=(3, 10.0, 0.5))
    with pytest.raises(ValueError, match="10 genes"):
        gm.decode(np.zeros(9))
    with pytest.raises(TypeError, match="seed"):
        GeneticAlgorithm(3, 10, seed=None)


@pytest.mark.parametrize("name", ALGS)
def test_every_algorithm_climbs_to_the_known_optimum(name):
    res = evolve(sphere, ALGS[name](), generations=120, progress=False)
    start = res.history["best"][0]
    assert res.best_fitness > 0.1 * start  # at least 10x closer than the first generation
    assert res.best_fitness > -0.05
    np.testing.assert_allclose(res.best_genes, C, atol=0.2)
    assert np.all(np.diff(res.history["best_so_far"]) >= 0)
    assert res.evaluations == res.generations * ALGS[name]().pop_size


GM = GenomeMap(weights=((2, 2), -16, 16), tau=(2, 0.5, 5.0))
TARGET = 8.0


def period_fitness(genes):
    """Center-crossing 2-neuron CTRNNs (Beer 1995) scored on how close the
    period of neuron 1's output is to TARGET."""
    p = GM.decode(genes)
    net = dn.CTRNN.center_crossing(p["weights"], tau=p["tau"])
    sol = dn.simulate(net, np.full(2, 0.1), dt=0.05, n_steps=2000, nan_ok=True)
    o = net.outputs(sol.y)[1000:, :, 0]
    amp = np.ptp(o, axis=0)
    c = o - o.mean(0)
    up = (c[:-1] < 0) & (c[1:] >= 0)
    f = -2.0 + amp
    for i in range(genes.shape[0]):
        k = np.flatnonzero(up[:, i])
        if k.size >= 3 and amp[i] > 0.05:
            f[i] = -min(1.0, abs(np.mean(np.diff(k)) * 0.05 - TARGET) / TARGET)
    return f


@pytest.mark.parametrize("alg", [lambda: GeneticAlgorithm(GM.size, 40, seed=2), lambda: CMAES(GM.size, 16, seed=2)])
def test_ga_and_cmaes_evolve_an_oscillator_of_a_target_period(alg):
    res = evolve(period_fitness, alg(), generations=60, target=-0.02, progress=False)
    assert res.solved
    # check the champion independently: its period from the SciPy-free simulation, measured again
    p = GM.decode(res.best_genes)
    net = dn.CTRNN.center_crossing(p["weights"], tau=p["tau"])
    o = net.outputs(dn.simulate(net, np.full(2, 0.1), dt=0.01, n_steps=20000).y)[5000:, 0]
    k = np.flatnonzero((o[:-1] < o.mean()) & (o[1:] >= o.mean()))
    assert abs(np.mean(np.diff(k)) * 0.01 - TARGET) < 0.3


@pytest.mark.parametrize("name", ALGS)
def test_resume_equals_an_uninterrupted_run(name, tmp_path):
    full = evolve(sphere, ALGS[name](), generations=12, checkpoint=tmp_path / "a.npz", progress=False)
    evolve(sphere, ALGS[name](), generations=5, checkpoint=tmp_path / "b.npz", progress=False)
    resumed = evolve(sphere, ALGS[name](), generations=12, checkpoint=tmp_path / "b.npz", progress=False)
    assert resumed.best_fitness == full.best_fitness
    np.testing.assert_array_equal(resumed.best_genes, full.best_genes)
    for k in full.history:
        np.testing.assert_array_equal(resumed.history[k], full.history[k], err_msg=k)


def noisy_sphere(genes, generation):
    """The sphere with its centre moved by noise that is new every generation
    (the same for every individual, as trials drawn for the generation are)."""
    shift = np.random.default_rng([7, generation]).normal(0.0, 0.1, C.size)
    return -((genes - C - shift) ** 2).sum(1)


def test_a_fitness_that_takes_the_generation_resumes_and_distributes_like_a_local_run(tmp_path):
    calls = []

    def spy(genes, generation):
        calls.append(generation)
        return noisy_sphere(genes, generation)

    full = evolve(spy, CMAES(6, seed=1), generations=9, progress=False)
    assert calls == list(range(9))
    evolve(noisy_sphere, CMAES(6, seed=1), generations=4, checkpoint=tmp_path / "g.npz", progress=False)
    resumed = evolve(noisy_sphere, CMAES(6, seed=1), generations=9, checkpoint=tmp_path / "g.npz", progress=False)
    with ThreadPoolExecutor(2) as ex:
        spread = evolve(noisy_sphere, CMAES(6, seed=1), generations=9, executor=ex, chunks=3, progress=False)
    for res in (resumed, spread):
        np.testing.assert_array_equal(res.history["best"], full.history["best"])
        np.testing.assert_array_equal(res.best_genes, full.best_genes)
    # the noise matters: without the generation the search goes elsewhere
    plain = evolve(lambda g: noisy_sphere(g, 0), CMAES(6, seed=1), generations=9, progress=False)
    assert not np.array_equal(plain.history["best"], full.history["best"])


def test_checkpoint_from_another_configuration_or_file_is_refused(tmp_path):
    evolve(sphere, GeneticAlgorithm(6, 40, seed=1), generations=2, checkpoint=tmp_path / "c.npz", progress=False)
    with pytest.raises(ValueError, match="different search configuration"):
        evolve(sphere, GeneticAlgorithm(6, 40, seed=2), generations=3, checkpoint=tmp_path / "c.npz",
               progress=False)
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    with pytest.raises(ValueError, match="not a dynnets evolution checkpoint"):
        evolve(sphere, GeneticAlgorithm(6, 40, seed=1), checkpoint=tmp_path / "other.npz", progress=False)


def test_nan_fitness_is_the_worst_and_logged():
    def half_nan(genes):
        f = sphere(genes)
        f[::2] = np.nan
        return f

    res = evolve(half_nan, GeneticAlgorithm(6, 40, seed=1), generations=30, progress=False)
    assert np.all(res.history["invalid"] == 20)
    assert np.isfinite(res.best_fitness) and res.best_fitness > -0.5
    with pytest.raises(ValueError, match="one value per individual"):
        evolve(lambda g: np.zeros(3), GeneticAlgorithm(6, 40, seed=1), generations=1, progress=False)


def test_executor_and_dask_give_the_in_process_result():
    ref = evolve(sphere, CMAES(6, seed=3), generations=8, progress=False)
    with ThreadPoolExecutor(2) as ex:
        res = evolve(sphere, CMAES(6, seed=3), generations=8, executor=ex, chunks=3, progress=False)
    np.testing.assert_array_equal(res.history["best"], ref.history["best"])
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        res = evolve(sphere, CMAES(6, seed=3), generations=8, executor=client, progress=False)
    np.testing.assert_array_equal(res.history["best"], ref.history["best"])
    np.testing.assert_array_equal(res.best_genes, ref.best_genes)


def test_sigkill_mid_run_then_resume_equals_uninterrupted(tmp_path):
    script = textwrap.dedent(f"""
        import time, numpy as np
        from dynnets.train import GeneticAlgorithm, evolve
        C = np.linspace(-0.5, 0.5, 6)
        def slow(g):
            time.sleep(0.05)
            return -((g - C) ** 2).sum(1)
        evolve(slow, GeneticAlgorithm(6, 40, seed=1), generations=400, checkpoint={str(tmp_path / 'k.npz')!r},
               progress=False)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script])
    path = tmp_path / "k.npz"
    deadline = time.time() + 120
    while time.time() < deadline:
        if path.exists():
            try:
                with np.load(path) as z:
                    if z["fitness"].shape[0] >= 5:
                        break
            except (OSError, ValueError, KeyError):
                pass
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with np.load(path) as z:
        done = z["fitness"].shape[0]
    assert 5 <= done < 400
    resumed = evolve(sphere, GeneticAlgorithm(6, 40, seed=1), generations=done + 5, checkpoint=path, progress=False)
    full = evolve(sphere, GeneticAlgorithm(6, 40, seed=1), generations=done + 5, progress=False)
    np.testing.assert_array_equal(resumed.history["best"], full.history["best"])
    np.testing.assert_array_equal(resumed.best_genes, full.best_genes)


def test_cmaes_start_must_be_genes():
    with pytest.raises(ValueError, match="x0"):
        CMAES(3, x0=[0.0, 1.5, 0.0])
    with pytest.raises(ValueError, match="x0"):
        CMAES(3, x0=[0.0, 0.0])
