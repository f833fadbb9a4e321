"""Exceptions raised by dynnets."""


class DivergenceError(FloatingPointError):
    """A state became non-finite (NaN or inf) during a simulation.

    Attributes
    ----------
    step : int
        Index of the step that produced the non-finite state.
    unit : int
        Index of the first non-finite state component.
    item : int or None
        Index in the batch or population, when there is one.
    """

    def __init__(self, step, unit, item=None, t=None, hint=None):
        self.step, self.unit, self.item, self.t = int(step), int(unit), item, t
        where = f"item {item}, " if item is not None else ""
        when = f" (t = {t:.6g})" if t is not None else ""
        super().__init__(
            f"state became non-finite at {where}step {self.step}{when}, unit {self.unit}; "
            + (hint or "reduce the step size or pass nan_ok=True to record divergence instead")
        )


class NumericalWarning(UserWarning):
    """A setting that is valid but almost certainly wrong (a spectral radius far
    above 1 without leak, an Euler step longer than a time constant, a ridge
    that leaves the normal equations ill-conditioned).

    Silence it where the setting is deliberate::

        import warnings
        warnings.filterwarnings("ignore", category=dn.NumericalWarning)
    """
