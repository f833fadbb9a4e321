"""Classic continuous-time systems (right-hand sides and Jacobians), as ``System``s.

References
----------
.. [1] E. N. Lorenz, "Deterministic nonperiodic flow", J. Atmos. Sci. 20, 1963.
.. [2] B. van der Pol, "On relaxation-oscillations", Phil. Mag. 2, 1926.
"""

import numpy as np
from numba import njit

from ..config import JIT
from ..integrate.solve import System


@njit(cache=True, **JIT)
def lorenz_rhs(t, y, params, dydt):
    sigma, rho, beta = params[0], params[1], params[2]
    dydt[0] = sigma * (y[1] - y[0])
    dydt[1] = y[0] * (rho - y[2]) - y[1]
    dydt[2] = y[0] * y[1] - beta * y[2]


@njit(cache=True, **JIT)
def lorenz_jac(t, y, params, J):
    sigma, rho, beta = params[0], params[1], params[2]
    J[0, 0] = -sigma
    J[0, 1] = sigma
    J[0, 2] = 0.0
    J[1, 0] = rho - y[2]
    J[1, 1] = -1.0
    J[1, 2] = -y[0]
    J[2, 0] = y[1]
    J[2, 1] = y[0]
    J[2, 2] = -beta


def lorenz(sigma=10.0, rho=28.0, beta=8.0 / 3.0):
    """The Lorenz system ``x' = sigma (y - x)``, ``y' = x (rho - z) - y``,
    ``z' = x y - beta z``; params ``(sigma, rho, beta)``."""
    return System(lorenz_rhs, np.array([sigma, rho, beta], float), lorenz_jac, 3, "lorenz")


@njit(cache=True, **JIT)
def van_der_pol_rhs(t, y, params, dydt):
    mu = params[0]
    dydt[0] = y[1]
    dydt[1] = mu * (1.0 - y[0] * y[0]) * y[1] - y[0]


@njit(cache=True, **JIT)
def van_der_pol_jac(t, y, params, J):
    mu = params[0]
    J[0, 0] = 0.0
    J[0, 1] = 1.0
    J[1, 0] = -2.0 * mu * y[0] * y[1] - 1.0
    J[1, 1] = mu * (1.0 - y[0] * y[0])


def van_der_pol(mu=1.0):
    """The van der Pol oscillator ``x'' - mu (1 - x^2) x' + x = 0`` as
    ``x' = v``, ``v' = mu (1 - x^2) v - x``; params ``(mu,)``."""
    return System(van_der_pol_rhs, np.array([mu], float), van_der_pol_jac, 2, "van_der_pol")
