"""dynnets: recurrent and continuous-time neural networks at compiled speed.

Simulate CTRNNs and other recurrent networks with numba-compiled kernels,
integrate ODE systems with Runge-Kutta tableaux, and run populations of networks
in parallel. See the README and ``docs/`` for the conventions (time is the first
axis of every trajectory; ``weights[j, i]`` goes from unit j to unit i).
"""

from ._cache import drop_stale_kernels as _drop_stale_kernels

_drop_stale_kernels()  # before any kernel loads from the disk cache

from . import analysis, tasks, train
from .errors import DivergenceError, NumericalWarning
from .integrate import ButcherTableau, Solution, System, solve, solve_batch
from .io import load, save
from .models import (
                     BAM,
                     CTRNN,
                     GRU,
                     LSM,
                     LSTM,
                     Elman,
                     Hopfield,
                     ModernHopfield,
                     Reservoir,
                     continuous_hopfield,
                     continuous_hopfield_energy,
                     duffing,
                     flip_bits,
                     henon,
                     logistic,
                     lorenz,
                     mtrnn,
                     overlaps,
                     random_patterns,
                     rossler,
                     simulate,
                     to_bipolar,
                     van_der_pol,
)
from .systems import Map
from .train import ESN, Ridge, RidgeClassifier

__version__ = "0.1.0"

__all__ = ["BAM", "CTRNN", "ESN", "GRU", "LSM", "LSTM", "ButcherTableau", "DivergenceError", "Elman", "Hopfield",
           "Map", "ModernHopfield", "NumericalWarning", "Reservoir", "Ridge", "RidgeClassifier", "Solution", "System", "__version__",
           "analysis", "continuous_hopfield", "continuous_hopfield_energy", "duffing", "flip_bits", "henon",
           "load", "logistic", "lorenz", "mtrnn", "overlaps", "random_patterns", "rossler", "save", "simulate", "solve",
           "solve_batch", "tasks", "to_bipolar", "train", "van_der_pol"]
