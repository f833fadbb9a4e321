"""Training: readouts, gradient methods and evolutionary search."""

from .bptt import SGD, Adam, History, Readout, sample, train_bptt
from .esn import ESN
from .evolve import (
    CMAES,
    EvolutionResult,
    GeneticAlgorithm,
    GenomeMap,
    MicrobialGA,
    ParticleSwarm,
    SimulatedAnnealing,
    evolve,
)
from .online import RLS, ForceResult, force
from .ridge import Ridge, RidgeClassifier
from .rtrl import RTRLResult, train_rtrl

__all__ = ["CMAES", "ESN", "RLS", "SGD", "Adam", "EvolutionResult", "ForceResult", "GeneticAlgorithm", "GenomeMap",
           "History", "MicrobialGA", "ParticleSwarm", "RTRLResult", "Readout", "Ridge", "RidgeClassifier",
           "SimulatedAnnealing", "evolve", "force", "sample", "train_bptt", "train_rtrl"]
