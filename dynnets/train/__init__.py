"""Training: readouts, gradient methods and evolutionary search."""

from .bptt import SGD, Adam, History, Readout, sample, train_bptt
from .esn import ESN
from .online import RLS, ForceResult, force
from .ridge import Ridge, RidgeClassifier
from .rtrl import RTRLResult, train_rtrl

__all__ = [
           "ESN",
           "RLS",
           "SGD",
           "Adam",
           "ForceResult",
           "History",
           "RTRLResult",
           "Readout",
           "Ridge",
           "RidgeClassifier",
           "force",
           "sample",
           "train_bptt",
           "train_rtrl",
]
