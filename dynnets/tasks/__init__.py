"""Data and environments for training and benchmarks."""

from .series import lorenz_series, mackey_glass, narma, nrmse

__all__ = ["mackey_glass", "narma", "lorenz_series", "nrmse"]
