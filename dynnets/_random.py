"""Counter-free random streams for kernels: one independent stream per item.

Parallel kernels must give the same numbers whatever the thread count, so each
item (a recall trial, an individual) carries its own generator state, seeded from
the user's ``seed`` through ``np.random.SeedSequence``. The generator is
SplitMix64 (Steele, Lea and Flood 2014, "Fast splittable pseudorandom number
generators", OOPSLA; the seeding generator of xoshiro), which passes BigCrush and
is four integer operations per draw. State is a ``uint64`` array, one entry per
stream, updated in place.
"""

import numpy as np
from numba import njit, uint64

from ._validate import check_seed
from .config import JIT

_GAMMA = uint64(0x9E3779B97F4A7C15)
_M1 = uint64(0xBF58476D1CE4E5B9)
_M2 = uint64(0x94D049BB133111EB)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


def stream_states(seed, n):
    """``n`` independent SplitMix64 states (uint64 array) derived from ``seed``
    (an int, a ``SeedSequence`` or a ``np.random.Generator``)."""
    seed = check_seed(seed)
    if isinstance(seed, np.random.Generator):
        seed = int(seed.integers(2**63))
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return ss.generate_state(max(n, 1), np.uint64)[:n].copy()


@njit(cache=True, **JIT)
def next_u64(state, k):
    """The next 64-bit output of stream ``k`` of ``state``."""
    z = state[k] + _GAMMA
    state[k] = z
    z = (z ^ (z >> uint64(30))) * _M1
    z = (z ^ (z >> uint64(27))) * _M2
    return z ^ (z >> uint64(31))


@njit(cache=True, **JIT)
def uniform(state, k):
    """A double uniform on [0, 1) from stream ``k`` (53 random bits)."""
    return (next_u64(state, k) >> uint64(11)) * _TO_UNIT


@njit(cache=True, **JIT)
def randint(state, k, n):
    """An integer uniform on ``0 .. n-1`` from stream ``k`` (Lemire's
    multiply-shift; bias below 2**-32 for ``n`` below 2**21, negligible here)."""
    return np.int64((next_u64(state, k) >> uint64(32)) * uint64(n) >> uint64(32))


@njit(cache=True, **JIT)
def shuffle(order, state, k):
    """Fisher-Yates shuffle of ``order`` in place with stream ``k``."""
    for i in range(order.size - 1, 0, -1):
        j = randint(state, k, i + 1)
        tmp = order[i]
        order[i] = order[j]
        order[j] = tmp
