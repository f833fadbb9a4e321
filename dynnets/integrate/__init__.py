"""ODE integration: Butcher tableaux as data, one Runge-Kutta kernel, the driver."""

from ..systems import System
from .solve import Solution, solve, solve_batch
from .tableau import DOPRI5, EULER, HEUN, METHODS, RK4, ButcherTableau, get_method

__all__ = ["ButcherTableau", "EULER", "HEUN", "RK4", "DOPRI5", "METHODS", "get_method",
           "System", "Solution", "solve", "solve_batch"]
