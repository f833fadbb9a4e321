"""Argument checks shared by the public functions (the Python side of the compile
boundary). Each raises ``TypeError``/``ValueError`` naming the argument."""

import numbers
import re
from contextlib import contextmanager

import numpy as np
from numba.core.registry import CPUDispatcher


def as_float_array(name, x, ndim=None, shape=None, finite=True, copy=False):
    """Return ``x`` as a C-contiguous float64 array, checked.

    ``shape`` may hold ``None`` for any size along an axis.
    """
    if x is None:
        raise TypeError(f"{name} must be an array, got None")
    if isinstance(x, np.ndarray) and x.dtype == object and not all(
        isinstance(v, numbers.Real) and not isinstance(v, bool) for v in x.flat
    ):
        raise TypeError(f"{name} must be an array of real numbers, got an object array")
    try:
        a = np.array(x, dtype=np.float64, copy=copy or None, order="C")
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be an array of real numbers: {err}") from None
    if np.iscomplexobj(np.asarray(x)):
        raise TypeError(f"{name} must be real, got complex values")
    if ndim is not None:
        ndims = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if a.ndim not in ndims:
            want = " or ".join(str(d) for d in ndims)
            raise ValueError(f"{name} must have {want} dimensions, got shape {a.shape}")
    if shape is not None and (a.ndim != len(shape) or any(
        s is not None and s != m for s, m in zip(shape, a.shape)
    )):
        want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name} must have shape {want}, got {a.shape}")
    if finite and a.size and not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return a


# The largest count (steps, iterations, sizes) any entry point accepts: no run of
# that many steps finishes and no array of that many elements fits in memory, so
# a bigger value is a mistake (a dt of 1e-300, a T of 1e18) and is refused
# instead of starting a loop that never ends.
MAX_COUNT = 2**40


def as_scalar(name, x, low=None, high=None, low_open=False, high_open=False, integer=False):
    """Return ``x`` as a finite float (or an int of at most ``MAX_COUNT``)
    within the given bounds."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(x, bool) or not isinstance(x, (kind, np.generic)) or (
        isinstance(x, np.generic) and not isinstance(x.item(), kind)
    ):
        raise TypeError(f"{name} must be {'an integer' if integer else 'a real number'}, got {type(x).__name__}")
    if integer:
        v = int(x)
        if abs(v) > MAX_COUNT:
            raise ValueError(f"{name} is out of range (at most {MAX_COUNT:.2e} in size), got {v}")
    else:
        try:
            v = float(x)
        except OverflowError:
            raise ValueError(f"{name} is out of range, got {x}") from None
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    if low is not None and (v <= low if low_open else v < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {v}")
    if high is not None and (v >= high if high_open else v > high):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {v}")
    return v


def per_unit(name, x, n, low=None, low_open=False):
    """A scalar (shared) or one value per unit: a float array of shape ``(n,)``."""
    a = as_float_array(name, x, ndim=(0, 1))
    if a.ndim == 1 and a.shape != (n,):
        raise ValueError(f"{name} must be a scalar or have shape ({n},), got {a.shape}")
    a = np.broadcast_to(a, (n,))
    if low is not None and np.any(a <= low if low_open else a < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}")
    return np.ascontiguousarray(a, dtype=np.float64)


def scalars(**named):
    """The named parameters, each checked by :func:`as_scalar`, as a float array in order."""
    return np.array([as_scalar(k, v) for k, v in named.items()], float)


def as_steps(name, duration, dt, at_least=0, ceil=False):
    """``round(duration / dt)`` (or its ceiling) steps, at least ``at_least``;
    refused above ``MAX_COUNT``."""
    n = duration / dt
    if not n <= MAX_COUNT:
        raise ValueError(f"{name} / dt = {n:.3g} steps is more than any run can take (at most {MAX_COUNT:.2e}); "
                         f"check {name} and dt")
    return max(at_least, int(np.ceil(n)) if ceil else round(n))


@contextmanager
def argument(name):
    """Checks made by a callee under its own names report ``name``: a
    ValueError/TypeError raised inside that does not mention it is re-raised as
    ``"{name}: {message}"``."""
    try:
        yield
    except (ValueError, TypeError) as err:
        if re.search(rf"\b{re.escape(name)}\b", str(err)):
            raise
        raise type(err)(f"{name}: {err}") from None


def check_jitted(name, f):
    """Require a numba ``@njit`` function (a CPU dispatcher)."""
    if not isinstance(f, CPUDispatcher):
        raise TypeError(
            f"{name} must be a numba @njit function, got {type(f).__name__}; "
            "decorate it with @numba.njit"
        )
    return f


def check_seed(seed, generator=True, none=True):
    """Require a seed: a non-negative int, or (where allowed) a Generator or None."""
    if (none and seed is None) or (generator and isinstance(seed, (np.random.Generator, np.random.SeedSequence))):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, (bool, np.bool_)):
        if seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed}")
        return int(seed)
    kinds = "an int" + (" or a numpy Generator" if generator else "") + (" or None" if none else "")
    raise TypeError(f"seed must be {kinds}, got {type(seed).__name__}")


def as_rng(seed):
    """A ``np.random.Generator`` from an int, a Generator or None."""
    seed = check_seed(seed)
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def as_bool(name, x):
    """Require a flag: ``True``/``False`` (or a NumPy bool)."""
    if not isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(x).__name__}")
    return bool(x)


def as_choice(name, x, choices):
    """Require one of ``choices`` (strings)."""
    if not isinstance(x, str) or x not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {x!r}")
    return x
