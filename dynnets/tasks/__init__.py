"""Data and environments for training and benchmarks."""

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

__all__ = ["REBER_SYMBOLS", "flip_flop", "legal_predictions", "lorenz_series", "mackey_glass", "narma", "next_symbol",
           "nrmse", "one_hot", "reber", "text"]
