"""Classic continuous-time systems (right-hand sides and Jacobians), as ``System``s.

References
----------
.. [1] E. N. Lorenz, "Deterministic nonperiodic flow", J. Atmos. Sci. 20, 1963.
.. [2] B. van der Pol, "On relaxation-oscillations", Phil. Mag. 2, 1926.
.. [3] O. E. Rossler, "An equation for continuous chaos", Phys. Lett. A 57, 1976.
.. [4] G. Duffing, "Erzwungene Schwingungen bei veranderlicher Eigenfrequenz", 1918;
       the forced form as in Guckenheimer and Holmes, "Nonlinear Oscillations",
       Springer, 1983.
"""

import numpy as np
from numba import njit

from .._validate import as_rng, as_scalar, scalars
from ..config import JIT
from ..systems import System


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
    ``z' = x y - beta z``.

    Parameters
    ----------
    sigma, rho, beta : float
        The classic chaotic values by default.

    Returns
    -------
    System
        State shape (3,); params ``(sigma, rho, beta)``; analytic Jacobian.

    References
    ----------
    E. N. Lorenz, J. Atmos. Sci. 20, 130-141 (1963).
    """
    return System(lorenz_rhs, scalars(sigma=sigma, rho=rho, beta=beta), lorenz_jac, 3, "lorenz")


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
    ``x' = v``, ``v' = mu (1 - x^2) v - x``.

    Parameters
    ----------
    mu : float
        Nonlinear damping; a stable limit cycle for ``mu > 0``.

    Returns
    -------
    System
        State shape (2,); params ``(mu,)``; analytic Jacobian.

    References
    ----------
    B. van der Pol, Phil. Mag. 2, 978-992 (1926).
    """
    return System(van_der_pol_rhs, scalars(mu=mu), van_der_pol_jac, 2, "van_der_pol")


@njit(cache=True, **JIT)
def rossler_rhs(t, y, params, dydt):
    a, b, c = params[0], params[1], params[2]
    dydt[0] = -y[1] - y[2]
    dydt[1] = y[0] + a * y[1]
    dydt[2] = b + y[2] * (y[0] - c)


@njit(cache=True, **JIT)
def rossler_jac(t, y, params, J):
    a, c = params[0], params[2]
    J[0, 0] = 0.0
    J[0, 1] = -1.0
    J[0, 2] = -1.0
    J[1, 0] = 1.0
    J[1, 1] = a
    J[1, 2] = 0.0
    J[2, 0] = y[2]
    J[2, 1] = 0.0
    J[2, 2] = y[0] - c


def rossler(a=0.2, b=0.2, c=5.7):
    """The Rossler system ``x' = -y - z``, ``y' = x + a y``, ``z' = b + z (x - c)``.

    Parameters
    ----------
    a, b, c : float
        The chaotic values of Rossler's paper by default.

    Returns
    -------
    System
        State shape (3,); params ``(a, b, c)``; analytic Jacobian.

    References
    ----------
    O. E. Rossler, Phys. Lett. A 57, 397-398 (1976).
    """
    return System(rossler_rhs, scalars(a=a, b=b, c=c), rossler_jac, 3, "rossler")


@njit(cache=True, **JIT)
def duffing_rhs(t, y, params, dydt):
    delta, alpha, beta, gamma, omega = params[0], params[1], params[2], params[3], params[4]
    dydt[0] = y[1]
    dydt[1] = -delta * y[1] - alpha * y[0] - beta * y[0] ** 3 + gamma * np.cos(omega * t)


@njit(cache=True, **JIT)
def duffing_jac(t, y, params, J):
    delta, alpha, beta = params[0], params[1], params[2]
    J[0, 0] = 0.0
    J[0, 1] = 1.0
    J[1, 0] = -alpha - 3.0 * beta * y[0] ** 2
    J[1, 1] = -delta


def duffing(delta=0.3, alpha=-1.0, beta=1.0, gamma=0.5, omega=1.2):
    """The forced Duffing oscillator ``x'' + delta x' + alpha x + beta x^3 =
    gamma cos(omega t)`` as a first-order system.

    Parameters
    ----------
    delta, alpha, beta, gamma, omega : float
        Damping, linear and cubic stiffness, forcing amplitude and frequency;
        the defaults are chaotic.

    Returns
    -------
    System
        State shape (2,); params ``(delta, alpha, beta, gamma, omega)``; analytic
        Jacobian (non-autonomous: the forcing depends on ``t``).

    References
    ----------
    J. Guckenheimer, P. Holmes, *Nonlinear Oscillations, Dynamical Systems, and
    Bifurcations of Vector Fields* (1983), section 2.2.
    """
    params = scalars(delta=delta, alpha=alpha, beta=beta, gamma=gamma, omega=omega)
    return System(duffing_rhs, params, duffing_jac, 2, "duffing")


@njit(cache=True, **JIT)
def random_network_rhs(t, x, params, dxdt):
    """params = [g, J (n*n, row-major: J[i, j] drives i from j)]."""
    n = x.size
    g = params[0]
    phi = np.tanh(x)
    for i in range(n):
        acc = 0.0
        row = 1 + i * n
        for j in range(n):
            acc += params[row + j] * phi[j]
        dxdt[i] = -x[i] + g * acc


@njit(cache=True, **JIT)
def random_network_jac(t, x, params, Jac):
    n = x.size
    g = params[0]
    for j in range(n):
        d = 1.0 - np.tanh(x[j]) ** 2
        for i in range(n):
            Jac[i, j] = g * params[1 + i * n + j] * d
    for i in range(n):
        Jac[i, i] -= 1.0


def random_network(n, g=1.5, seed=None):
    """The random rate network of Sompolinsky, Crisanti and Sommers (1988):
    ``dx/dt = -x + g J tanh(x)`` with ``J_ij ~ N(0, 1/n)`` (no self-coupling
    removed); params ``[g, J.ravel()]``, so ``g`` is parameter 0. The origin is
    stable for ``g < 1`` (as n grows) and the network is chaotic for ``g > 1``.

    Parameters
    ----------
    n : int
        Units.
    g : float
        Coupling gain.
    seed : int or numpy Generator, optional
        Draws ``J``.

    Returns
    -------
    System
        State shape (n,); analytic Jacobian.

    References
    ----------
    .. [1] H. Sompolinsky, A. Crisanti, H. J. Sommers, "Chaos in random neural
           networks", Phys. Rev. Lett. 61, 259, 1988.
    """
    n = as_scalar("n", n, low=1, integer=True)
    J = as_rng(seed).normal(0.0, 1.0 / np.sqrt(n), (n, n))
    return System(random_network_rhs, np.concatenate([scalars(g=g), J.ravel()]), random_network_jac, n,
                  "random_network")
