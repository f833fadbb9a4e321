"""Analysis of any ``System`` (flow) or ``Map``: Lyapunov exponents, fixed points,
parameter sweeps."""

from .bifurcation import OrbitDiagram, lyapunov_sweep, orbit_diagram

from .fixed_points import FixedPoints, classify, fixed_points
from .lyapunov import LyapunovResult, kaplan_yorke, lyapunov_max, lyapunov_spectrum

__all__ = ["OrbitDiagram", "lyapunov_sweep", "orbit_diagram", "FixedPoints", "classify", "fixed_points", "LyapunovResult", "kaplan_yorke",
           "lyapunov_max", "lyapunov_spectrum"]
