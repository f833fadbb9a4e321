"""Network models and classic dynamical systems."""

from . import topology
from .bam import BAM, BAMRecall
from .cells import GRU, LSTM, Elman, FullyRecurrent, IndRNN, Jordan, SecondOrder
from .ctrnn import CTRNN, mtrnn, simulate
from .flows import duffing, lorenz, random_network, rossler, van_der_pol
from .hopfield import (
                       Hopfield,
                       ModernHopfield,
                       Recall,
                       classify_states,
                       continuous_hopfield,
                       continuous_hopfield_energy,
                       flip_bits,
                       hebbian,
                       overlaps,
                       pseudo_inverse,
                       random_patterns,
                       recall_curve,
                       storkey,
                       to_bipolar,
)
from .lsm import LSM
from .maps import henon, logistic
from .reservoir import Reservoir

__all__ = [
                       "BAM",
                       "CTRNN",
                       "GRU",
                       "LSM",
                       "LSTM",
                       "BAMRecall",
                       "Elman",
                       "FullyRecurrent",
                       "Hopfield",
                       "IndRNN",
                       "Jordan",
                       "ModernHopfield",
                       "Recall",
                       "Reservoir",
                       "SecondOrder",
                       "classify_states",
                       "continuous_hopfield",
                       "continuous_hopfield_energy",
                       "duffing",
                       "flip_bits",
                       "hebbian",
                       "henon",
                       "logistic",
                       "lorenz",
                       "mtrnn",
                       "overlaps",
                       "pseudo_inverse",
                       "random_network",
                       "random_patterns",
                       "recall_curve",
                       "rossler",
                       "simulate",
                       "storkey",
                       "to_bipolar",
                       "topology",
                       "van_der_pol",
]
