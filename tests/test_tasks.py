"""Benchmark series: Mackey-Glass against a closed form and its convergence
order, NARMA against its recurrence, NRMSE against its definition."""

import numpy as np
import pytest

from dynnets.tasks import lorenz_series, mackey_glass, narma, nrmse


def test_delay_integrator_is_exact_on_piecewise_cubic_solution():
    # beta = -2, gamma = 0, n = 0 gives x'(t) = -x(t - 1); with x = 1 on [-1, 0]
    # the method of steps gives polynomials of degree 1, 2, 3 on [0, 3]
    x = mackey_glass(31, tau=1.0, beta=-2.0, gamma=0.0, n=0.0, x0=1.0, dt=0.1, sample_every=0.1)
    t = np.arange(31) * 0.1
    ref = np.where(t <= 1, 1 - t, np.where(t <= 2, 1 - t + (t - 1) ** 2 / 2,
                                           1 - t + (t - 1) ** 2 / 2 - (t - 2) ** 3 / 6))
    np.testing.assert_allclose(x, ref, atol=1e-13)


def test_mackey_glass_converges_with_order_four():
    ref = mackey_glass(150, dt=0.0125)
    errs = [np.abs(mackey_glass(150, dt=dt) - ref).max() for dt in (0.1, 0.05)]
    assert 3.5 < np.log2(errs[0] / errs[1]) < 4.5
    x = mackey_glass(2000, discard=500)
    assert 0.2 < x.min() < 0.5 and 1.2 < x.max() < 1.4  # the tau = 17 attractor's range


def test_narma10_follows_its_recurrence():
    u, y = narma(300, seed=0, discard=0)
    assert u.min() >= 0 and u.max() <= 0.5
    for t in range(9, 299):
        assert y[t + 1] == pytest.approx(0.3 * y[t] + 0.05 * y[t] * y[t - 9:t + 1].sum()
                                         + 1.5 * u[t - 9] * u[t] + 0.1, rel=1e-12)
    u2, y2 = narma(100, seed=0)
    assert y2.shape == u2.shape == (100,)


def test_lorenz_series_and_nrmse():
    x = lorenz_series(100, dt=0.01)
    assert x.shape == (100, 3)
    y = np.sin(np.linspace(0, 10, 200))
    p = y + 0.1
    assert nrmse(y, p) == pytest.approx(0.1 / y.std())
    assert nrmse(np.c_[y, 2 * y], np.c_[p, 2 * y], multioutput="raw_values")[1] == 0.0
    with pytest.raises(ValueError, match="y_pred"):
        nrmse(y, p[:-1])
    with pytest.raises(ValueError, match="tau / dt"):
        mackey_glass(10, tau=17.05, dt=0.1)


def test_reber_strings_match_the_grammar_and_legal_sets_hold():
    import re

    from dynnets.tasks import REBER_SYMBOLS, one_hot, reber

    n4 = "(?:XT*VP)*(?:XT*VV|S)"
    inner = f"B(?:TS*X{n4}|PT*V(?:P{n4}|V))E"
    for embedded in (False, True):
        strings, legal = reber(300, embedded=embedded, seed=1)
        pattern = f"B([TP]){inner}\\1E" if embedded else inner
        for s, lg in zip(strings, legal):
            assert re.fullmatch(pattern, s), s
            assert len(lg) == len(s) - 1
            assert all(s[t + 1] in lg[t] for t in range(len(s) - 1))
        # the embedded grammar's second-to-last symbol is forced by the second
        if embedded:
            assert all(lg[-2] == s[1] for s, lg in zip(strings, legal))
    x, codes, mask = one_hot(strings, REBER_SYMBOLS)
    assert x.shape == (max(map(len, strings)), 300, 7)
    np.testing.assert_array_equal(mask.sum(0), [len(s) for s in strings])
    np.testing.assert_array_equal(x.sum(-1), mask)
    assert REBER_SYMBOLS[codes[1, 0]] == strings[0][1]


def test_flip_flop_holds_the_last_pulse():
    from dynnets.tasks import flip_flop

    x, y = flip_flop(4, 300, bits=3, seed=2)
    rng = np.random.default_rng(0)
    for _ in range(50):
        t, j, b = rng.integers(300), rng.integers(4), rng.integers(3)
        pulses = np.flatnonzero(x[:t + 1, j, b])
        assert y[t, j, b] == (x[pulses[-1], j, b] if pulses.size else 0.0)
    assert set(np.unique(x)) <= {-1.0, 0.0, 1.0}


def test_builtin_text_is_there():
    from dynnets.tasks import text

    t = text()
    assert t.startswith("Alice was beginning") and len(t) > 3000
