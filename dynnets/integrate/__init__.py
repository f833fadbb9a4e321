"""ODE integration: Butcher tableaux as data, one Runge-Kutta kernel, the driver."""

from ..systems import System
from .solve import Solution, solve, solve_batch
from .tableau import DOPRI5, EULER, HEUN, METHODS, RK4, ButcherTableau, get_method

__all__ = ["DOPRI5", "EULER", "HEUN", "METHODS", "RK4", "ButcherTableau", "Solution", "System", "get_method",
           "solve", "solve_batch"]
