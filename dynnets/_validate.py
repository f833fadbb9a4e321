"""Argument checks shared by the public functions (the Python side of the compile
boundary). Each raises ``TypeError``/``ValueError`` naming the argument."""

import numbers

import numpy as np
from numba.core.registry import CPUDispatcher


def as_float_array(name, x, ndim=None, shape=None, finite=True, copy=False):
    """Return ``x`` as a C-contiguous float64 array, checked.

    ``shape`` may hold ``None`` for any size along an axis.
    """
    if x is None:
        raise TypeError(f"{name} must be an array, got None")
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


def as_scalar(name, x, low=None, high=None, low_open=False, high_open=False, integer=False):
    """Return ``x`` as a finite float (or int) within the given bounds."""
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(x, bool) or not isinstance(x, (kind, np.generic)) or (
        isinstance(x, np.generic) and not isinstance(x.item(), kind)
    ):
        raise TypeError(f"{name} must be {'an integer' if integer else 'a real number'}, got {type(x).__name__}")
    v = int(x) if integer else float(x)
    if not np.isfinite(v):
        raise ValueError(f"{name} must be finite, got {v}")
    if low is not None and (v <= low if low_open else v < low):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {v}")
    if high is not None and (v >= high if high_open else v > high):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {v}")
    return v


def check_jitted(name, f):
    """Require a numba ``@njit`` function (a CPU dispatcher)."""
    if not isinstance(f, CPUDispatcher):
        raise TypeError(
            f"{name} must be a numba @njit function, got {type(f).__name__}; "
            "decorate it with @numba.njit"
        )
    return f


def as_rng(seed):
    """A ``np.random.Generator`` from an int, a Generator or None."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be an int or a numpy Generator, got {type(seed).__name__}")
