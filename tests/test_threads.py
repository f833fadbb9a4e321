"""The thread pool that runs cached kernels (``dynnets._threads``)."""

import multiprocessing
import os

import numba
import numpy as np
import pytest

import dynnets as dn


def _simulate_in_child(pop, expected, ok):
    ok.value = int(np.array_equal(dn.simulate(pop, dt=0.01, n_steps=50).y, expected))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")
def test_a_forked_child_gets_its_own_pool():
    """A forked child inherits the pool object but none of its threads: with one
    pool per process id the child makes its own, where it used to wait forever."""
    before = numba.get_num_threads()
    numba.set_num_threads(2)
    try:
        pop = dn.CTRNN.random(4, population=100, seed=0)
        expected = dn.simulate(pop, dt=0.01, n_steps=50).y  # the parent's pool now exists
        ctx = multiprocessing.get_context("fork")
        ok = ctx.Value("i", 0)
        child = ctx.Process(target=_simulate_in_child, args=(pop, expected, ok))
        child.start()
        child.join(timeout=120)
        if child.is_alive():
            child.kill()
            pytest.fail("the forked child hung in the thread pool")
        assert child.exitcode == 0 and ok.value == 1
    finally:
        numba.set_num_threads(before)
