"""Network models and classic dynamical systems."""

from .ctrnn import CTRNN, mtrnn, simulate
from .flows import duffing, lorenz, random_network, rossler, van_der_pol
from .maps import henon, logistic

__all__ = ["CTRNN", "mtrnn", "simulate", "lorenz", "van_der_pol", "rossler", "duffing", "random_network", "henon",
           "logistic"]
