"""Analysis of any ``System`` (flow) or ``Map``: Lyapunov exponents, fixed points,
parameter sweeps,
Poincare sections and periodic orbits, correlation dimension, basins of attraction;
memory capacity, the echo state property and the largest Lyapunov exponent of
reservoirs."""

from .basins import Attractor, Basins, basins
from .bifurcation import OrbitDiagram, lyapunov_sweep, orbit_diagram
from .continuation import Bifurcation, Branch, continuation
from .dimension import CorrelationDimension, correlation_dimension, correlation_sum
from .fixed_points import FixedPoints, classify, fixed_points
from .lyapunov import LyapunovResult, kaplan_yorke, lyapunov_max, lyapunov_spectrum
from .orbits import PeriodicOrbit, Section, periodic_orbit, poincare_section
from .reservoir import (
           MemoryCapacity,
           echo_state_distance,
           memory_capacity,
           reservoir_lyapunov,
)

__all__ = [
           "Attractor",
           "Basins",
           "Bifurcation",
           "Branch",
           "CorrelationDimension",
           "FixedPoints",
           "LyapunovResult",
           "MemoryCapacity",
           "OrbitDiagram",
           "PeriodicOrbit",
           "Section",
           "basins",
           "classify",
           "continuation",
           "correlation_dimension",
           "correlation_sum",
           "echo_state_distance",
           "fixed_points",
           "kaplan_yorke",
           "lyapunov_max",
           "lyapunov_spectrum",
           "lyapunov_sweep",
           "memory_capacity",
           "orbit_diagram",
           "periodic_orbit",
           "poincare_section",
           "reservoir_lyapunov",
]
