"""Data and environments for training and benchmarks.

The embodied tasks are modules: :mod:`~dynnets.tasks.cartpole` (single and
double pole balancing), :mod:`~dynnets.tasks.walker` (Beer's legged walker)
and :mod:`~dynnets.tasks.catch` (catching falling objects).
"""

from . import cartpole, catch, walker
from .series import lorenz_series, mackey_glass, narma, nrmse
from .symbols import (
    REBER_SYMBOLS,
    flip_flop,
    legal_predictions,
    next_symbol,
    one_hot,
    reber,
    text,
)

__all__ = ["REBER_SYMBOLS", "cartpole", "catch", "flip_flop", "legal_predictions", "lorenz_series", "mackey_glass", "narma", "next_symbol",
           "nrmse", "one_hot", "reber", "text", "walker"]
