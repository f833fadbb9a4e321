"""Classic discrete-time maps (steps and Jacobians), as ``Map``s.

References
----------
.. [1] M. Henon, "A two-dimensional mapping with a strange attractor",
       Commun. Math. Phys. 50, 1976.
.. [2] R. M. May, "Simple mathematical models with very complicated dynamics",
       Nature 261, 1976 (the logistic map).
"""

from numba import njit

from .._validate import scalars
from ..config import JIT
from ..systems import Map


@njit(cache=True, **JIT)
def henon_step(y, params, out):
    a, b = params[0], params[1]
    out[0] = 1.0 - a * y[0] * y[0] + y[1]
    out[1] = b * y[0]


@njit(cache=True, **JIT)
def henon_jac(y, params, J):
    a, b = params[0], params[1]
    J[0, 0] = -2.0 * a * y[0]
    J[0, 1] = 1.0
    J[1, 0] = b
    J[1, 1] = 0.0


def henon(a=1.4, b=0.3):
    """The Henon map ``x' = 1 - a x^2 + y``, ``y' = b x``.

    Parameters
    ----------
    a, b : float
        Henon's chaotic values by default.

    Returns
    -------
    Map
        State shape (2,); params ``(a, b)``; analytic Jacobian.

    References
    ----------
    M. Henon, Commun. Math. Phys. 50, 69-77 (1976).
    """
    return Map(henon_step, scalars(a=a, b=b), henon_jac, 2, "henon")


@njit(cache=True, **JIT)
def logistic_step(y, params, out):
    out[0] = params[0] * y[0] * (1.0 - y[0])


@njit(cache=True, **JIT)
def logistic_jac(y, params, J):
    J[0, 0] = params[0] * (1.0 - 2.0 * y[0])


def logistic(r=4.0):
    """The logistic map ``x' = r x (1 - x)``.

    Parameters
    ----------
    r : float
        Growth rate; chaotic at 4 (exponent ln 2).

    Returns
    -------
    Map
        State shape (1,); params ``(r,)``; analytic Jacobian.

    References
    ----------
    R. M. May, Nature 261, 459-467 (1976).
    """
    return Map(logistic_step, scalars(r=r), logistic_jac, 1, "logistic")
