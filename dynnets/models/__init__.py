"""Network models and classic dynamical systems."""

from .ctrnn import CTRNN, mtrnn, simulate
from .flows import lorenz, van_der_pol

__all__ = ["CTRNN", "mtrnn", "simulate", "lorenz", "van_der_pol"]
