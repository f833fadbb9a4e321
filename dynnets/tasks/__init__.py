"""Data and environments for training and benchmarks."""

from .series import lorenz_series, mackey_glass, narma, nrmse
from .symbols import REBER_SYMBOLS, flip_flop, one_hot, reber, text

__all__ = ["REBER_SYMBOLS", "flip_flop", "lorenz_series", "mackey_glass", "narma", "nrmse", "one_hot", "reber", "text"]
