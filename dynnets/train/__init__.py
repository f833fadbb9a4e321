"""Training: readouts, gradient methods and evolutionary search."""

from .esn import ESN
from .ridge import Ridge, RidgeClassifier

__all__ = ["ESN", "Ridge", "RidgeClassifier"]
