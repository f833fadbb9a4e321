"""Training: readouts, gradient methods and evolutionary search."""

from .esn import ESN
from .online import RLS, ForceResult, force
from .ridge import Ridge, RidgeClassifier

__all__ = ["ESN", "ForceResult", "RLS", "Ridge", "RidgeClassifier", "force"]
