"""Training: readouts, gradient methods and evolutionary search."""

from .bptt import SGD, Adam, History, Readout, train_bptt
from .esn import ESN
from .online import RLS, ForceResult, force
from .ridge import Ridge, RidgeClassifier

__all__ = ["ESN", "ForceResult", "RLS", "Ridge", "RidgeClassifier", "force", "Adam", "SGD", "History", "Readout",
           "train_bptt"]
