"""Analysis of any ``System`` (flow) or ``Map``: Lyapunov exponents, fixed points."""

from .fixed_points import FixedPoints, classify, fixed_points
from .lyapunov import LyapunovResult, kaplan_yorke, lyapunov_max, lyapunov_spectrum

__all__ = ["FixedPoints", "classify", "fixed_points", "LyapunovResult", "kaplan_yorke",
           "lyapunov_max", "lyapunov_spectrum"]
