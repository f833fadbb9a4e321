"""What analysis and integration work on: continuous-time systems (flows) and
discrete-time maps, each an ``@njit`` function with optional analytic Jacobian and a
flat float64 parameter vector.

Jacobians follow one convention: ``J[i, k] = d f_i / d y_k``.
"""

from dataclasses import dataclass, field

import numpy as np

from ._validate import as_float_array, as_scalar, check_jitted


def _validate(obj, fname):
    """The checks System and Map share: jitted functions, float params, n."""
    check_jitted(fname, getattr(obj, fname))
    if obj.jac is not None:
        check_jitted("jac", obj.jac)
    p = as_float_array("params", obj.params, ndim=1)
    p.setflags(write=False)
    object.__setattr__(obj, "params", p)
    if obj.n is not None:
        object.__setattr__(obj, "n", as_scalar("n", obj.n, low=1, integer=True))
    if not isinstance(obj.name, str):
        raise TypeError(f"name must be a string, got {type(obj.name).__name__}")


@dataclass(frozen=True, eq=False)
class System:
    """A continuous-time system ``dy/dt = rhs(t, y, params)``.

    Parameters
    ----------
    rhs : numba @njit function
        ``rhs(t, y, params, dydt)`` writes the derivative into ``dydt``
        (float64 arrays of shape ``(n,)``) and returns nothing.
    params : array_like, shape (p,)
        Parameters passed to ``rhs`` (and ``jac``) as a float64 array.
    jac : numba @njit function, optional
        ``jac(t, y, params, J)`` writes ``J[i, k] = d rhs_i / d y_k`` (shape
        ``(n, n)``). Analysis tools use it; without it they fall back to finite
        differences.
    n : int, optional
        State dimension, when the system has a fixed one (checked against ``y0``).
    name : str
    """

    rhs: object
    params: np.ndarray = field(default_factory=lambda: np.zeros(0))
    jac: object = None
    n: int = None
    name: str = "system"

    def __post_init__(self):
        _validate(self, "rhs")

    def with_params(self, params):
        """The same system with other parameters."""
        return System(self.rhs, params, self.jac, self.n, self.name)

    def __repr__(self):
        dim = f"n={self.n}, " if self.n else ""
        return f"System({self.name!r}, {dim}{self.params.size} params, jac={'yes' if self.jac else 'no'})"


@dataclass(frozen=True, eq=False)
class Map:
    """A discrete-time map ``y_{k+1} = step(y_k, params)``.

    Parameters
    ----------
    step : numba @njit function
        ``step(y, params, out)`` writes the next state into ``out`` (float64
        arrays of shape ``(n,)``) and returns nothing.
    params : array_like, shape (p,)
    jac : numba @njit function, optional
        ``jac(y, params, J)`` writes ``J[i, k] = d step_i / d y_k``.
    n : int, optional
        State dimension, when fixed.
    name : str
    """

    step: object
    params: np.ndarray = field(default_factory=lambda: np.zeros(0))
    jac: object = None
    n: int = None
    name: str = "map"

    def __post_init__(self):
        _validate(self, "step")

    def with_params(self, params):
        """The same map with other parameters."""
        return Map(self.step, params, self.jac, self.n, self.name)

    def __repr__(self):
        dim = f"n={self.n}, " if self.n else ""
        return f"Map({self.name!r}, {dim}{self.params.size} params, jac={'yes' if self.jac else 'no'})"


def check_system(system, y0, t0=0.0):
    """Check ``system`` against a state ``y0`` of shape (n,) before compiled code runs.

    The Python versions of ``rhs``/``step`` and ``jac`` are called once on NumPy
    arrays, whose indexing is bounds-checked: a Jacobian written for another
    dimension raises here instead of corrupting memory in a kernel. An analytic
    Jacobian must also agree with central differences of the vector field.
    """
    n = y0.size
    is_map = isinstance(system, Map)
    f = system.step if is_map else system.rhs
    fname = "step" if is_map else "rhs"

    def call_f(y, out):
        return f.py_func(y, system.params, out) if is_map else f.py_func(t0, y, system.params, out)

    out = np.zeros(n)
    try:
        call_f(y0.copy(), out)
    except IndexError as err:
        raise ValueError(f"{system.name}.{fname} does not fit a state of {n} components: {err}") from None
    except TypeError as err:
        raise TypeError(f"{system.name}.{fname} has the wrong signature: {err}") from None
    if system.jac is None:
        return
    J = np.zeros((n, n))
    try:
        if is_map:
            system.jac.py_func(y0.copy(), system.params, J)
        else:
            system.jac.py_func(t0, y0.copy(), system.params, J)
    except IndexError as err:
        raise ValueError(f"{system.name}.jac does not fit a state of {n} components (J is ({n}, {n})): {err}") from None
    except TypeError as err:
        raise TypeError(f"{system.name}.jac has the wrong signature: {err}") from None
    J_fd = np.empty((n, n))
    f1, f2 = np.empty(n), np.empty(n)
    for k in range(n):
        h = 6e-6 * max(1.0, abs(y0[k]))
        yp, ym = y0.copy(), y0.copy()
        yp[k] += h
        ym[k] -= h
        call_f(yp, f1)
        call_f(ym, f2)
        J_fd[:, k] = (f1 - f2) / (2 * h)
    scale = 1e-5 * (1.0 + np.abs(J_fd).max())
    if np.abs(J - J_fd).max() > scale:
        i, k = np.unravel_index(np.argmax(np.abs(J - J_fd)), J.shape)
        raise ValueError(f"{system.name}.jac disagrees with central differences of {fname} at y0: "
                         f"J[{i}, {k}] = {J[i, k]:.6g}, differences give {J_fd[i, k]:.6g}")
