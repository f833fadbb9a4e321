"""Network models and classic dynamical systems."""

from . import topology
from .bam import BAM, BAMRecall
from .cells import GRU, LSTM, Elman
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

__all__ = ["CTRNN", "mtrnn", "simulate", "lorenz", "van_der_pol", "rossler", "duffing", "random_network", "henon",
           "logistic", "Hopfield", "ModernHopfield", "Recall", "BAM", "BAMRecall", "continuous_hopfield",
           "continuous_hopfield_energy", "hebbian", "storkey", "pseudo_inverse", "random_patterns", "flip_bits", "overlaps",
           "to_bipolar", "recall_curve", "classify_states", "Reservoir", "LSM", "Elman", "LSTM", "GRU",
           "topology"]
