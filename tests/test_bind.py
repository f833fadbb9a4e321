"""bind(): kernels that call a model's numba function are cached on disk, and an
edited function never reuses a stale kernel."""

import os
import subprocess
import sys
import textwrap

import numpy as np
from numba import njit
from numba.core.caching import NullCache

import dynnets as dn
from dynnets._bind import bind
from dynnets.integrate import kernels


def _python(code, cache, cwd=None):
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], check=False, env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_second_process_loads_bound_kernels_from_disk(tmp_path):
    # solve and fixed_points on built-in systems: every bound kernel is compiled
    # in the first process and loaded, not compiled, in the second
    code = """
        import numpy as np
        import dynnets as dn
        from dynnets._bind import _bound
        y = dn.solve(dn.lorenz(), [1.0, 1, 1], (0, 0.5)).y[-1]
        fp = dn.analysis.fixed_points(dn.CTRNN.random(2, seed=3).system(), [[-5, 5], [-5, 5]], n_starts=20)
        hits = sum(sum(b.stats.cache_hits.values()) for b in _bound.values())
        misses = sum(sum(b.stats.cache_misses.values()) for b in _bound.values())
        print(len(_bound), hits, misses, repr(y.tolist()).replace(' ', ''), len(fp))
    """
    first = _python(code, tmp_path)
    second = _python(code, tmp_path)
    n = int(first[0])
    assert n >= 3  # rk_core, the Newton starts and the Jacobian
    assert first[1:3] == ["0", str(n)]
    assert second[1:3] == [str(n), "0"]
    assert first[3:] == second[3:]


def test_edited_user_function_gets_a_new_kernel(tmp_path):
    # two files define an `rhs` of the same name; then one of them is edited:
    # each solve must use the function as it is now
    def write(name, rate):
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(f"""
            from numba import njit

            @njit(cache=True)
            def rhs(t, y, params, dydt):
                # a comprehension: a nested code object, whose repr differs per process
                dydt[0] = -{rate} * y[0] + sum([0.0 for _ in range(2)])
        """))

    code = """
        import dynnets as dn
        from dynnets._bind import _bound
        import mod_a, mod_b
        for m in (mod_a, mod_b):
            print(repr(float(dn.solve(m.rhs, [1.0], (0, 1.0), rtol=1e-10, atol=1e-12).y[-1, 0])))
        print(sum(sum(b.stats.cache_hits.values()) for b in _bound.values()))
    """
    write("mod_a", 1.0)
    write("mod_b", 2.0)
    a, b, hits = map(float, _python(code, tmp_path / "cache", cwd=tmp_path))
    np.testing.assert_allclose([a, b], np.exp([-1.0, -2.0]), rtol=1e-8)
    assert hits == 0
    write("mod_a", 3.0)
    a, b, hits = map(float, _python(code, tmp_path / "cache", cwd=tmp_path))
    np.testing.assert_allclose([a, b], np.exp([-3.0, -2.0]), rtol=1e-8)
    assert hits == 1  # mod_b's kernel from the cache, mod_a's compiled anew


def test_uncacheable_functions_are_bound_in_memory():
    # a closure's captured values are not in its code: bound, but never cached
    def make(rate):
        @njit
        def rhs(t, y, params, dydt):
            dydt[0] = -rate * y[0]
        return rhs

    for rate in (1.0, 2.0):
        f = make(rate)
        assert isinstance(bind(kernels.rk_core, f)._cache, NullCache)
        y = dn.solve(f, [1.0], (0, 1.0), rtol=1e-10, atol=1e-12).y[-1, 0]
        np.testing.assert_allclose(y, np.exp(-rate), rtol=1e-8)
    assert bind(kernels.rk_core, f) is bind(kernels.rk_core, f)
