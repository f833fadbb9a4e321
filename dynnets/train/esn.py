"""Echo state network: a fixed reservoir and a trained ridge readout.

Training drives the reservoir with the inputs (teacher forcing the output
feedback, if any), drops ``washout`` steps of transient per sequence, and fits
``y(t) = W_out [u(t); x(t)] + b`` by ridge regression (:class:`Ridge`).
Generation closes the loop: the readout's output becomes the next input (a
forecaster trained on ``u(t) -> u(t+1)``) or the feedback signal.

References
----------
.. [1] H. Jaeger, H. Haas, "Harnessing nonlinearity: predicting chaotic systems
       and saving energy in wireless communication", Science 304, 78-80, 2004.
.. [2] M. Lukosevicius, "A practical guide to applying echo state networks",
       LNCS 7700, 659-686, 2012.
"""

import numpy as np

from .._validate import argument, as_bool, as_float_array, as_scalar
from ..models.reservoir import Reservoir
from .ridge import Ridge


class ESN:
    """Echo state network estimator (``fit`` / ``predict`` / ``generate``).

    Parameters
    ----------
    reservoir : Reservoir
    ridge : float or {"gcv", "loo"}
        Readout regularisation, or chosen by cross-validation on ``grid``.
    washout : int
        Initial steps of every training sequence left out of the fit.
    use_input : bool
        The readout sees ``[u(t); x(t)]`` (True) or ``x(t)`` only.
    grid : array_like, optional
        Candidate ridge values for ``"gcv"``/``"loo"``.

    Attributes
    ----------
    readout_ : Ridge
    last_state_ : ndarray, shape (N,)
        Reservoir state at the end of the last ``fit``/``predict`` sequence.
    """

    def __init__(self, reservoir, *, ridge=1e-8, washout=100, use_input=True, grid=None):
        if not isinstance(reservoir, Reservoir):
            raise TypeError(f"reservoir must be a Reservoir, got {type(reservoir).__name__}")
        self.reservoir = reservoir
        self.washout = as_scalar("washout", washout, low=0, integer=True)
        self.use_input = as_bool("use_input", use_input)
        self.readout_ = Ridge(ridge, grid=grid)
        self.last_state_ = None

    def __repr__(self):
        return f"ESN({self.reservoir!r}, ridge={self.readout_.ridge!r}, washout={self.washout})"

    def _features(self, u, X):
        u = np.asarray(u, dtype=np.float64).reshape(len(X), -1)
        return np.hstack([u, X]) if self.use_input else X

    def _as_list(self, a):
        return list(a) if isinstance(a, (list, tuple)) else [a]

    def fit(self, u, y, *, x0=None):
        """Train the readout.

        Parameters
        ----------
        u : array_like, shape (T, m) or (T,), or a list of such sequences
        y : array_like, shape (T, k) or (T,), or a list matching ``u``
            Targets; also the teacher signal of the output feedback.
        x0 : array_like, shape (N,), optional

        Returns
        -------
        self
        """
        us, ys = self._as_list(u), self._as_list(y)
        if len(us) != len(ys):
            raise ValueError(f"u and y must have the same number of sequences, got {len(us)} and {len(ys)}")
        feats, targets = [], []
        for i, (ui, yi) in enumerate(zip(us, ys)):
            ui = as_float_array(f"u[{i}]" if len(us) > 1 else "u", ui, ndim=(1, 2))
            yi = as_float_array(f"y[{i}]" if len(ys) > 1 else "y", yi, ndim=(1, 2))
            yi = yi[:, None] if yi.ndim == 1 else yi
            if len(yi) != np.shape(ui)[0]:
                raise ValueError(f"u and y must have the same number of steps, got {np.shape(ui)[0]} and {len(yi)}")
            if len(yi) <= self.washout:
                raise ValueError(f"a training sequence of {len(yi)} steps is not longer than washout={self.washout}")
            X = self.reservoir.run(ui, x0, feedback=yi if self.reservoir.n_feedback else None)
            F = self._features(ui, X)[self.washout:]
            feats.append(F)
            targets.append(yi[self.washout:])
            self.last_state_ = X[-1]
        self.readout_.fit(feats, targets)
        return self

    def predict(self, u, *, x0=None, feedback=None, return_states=False):
        """Open-loop outputs for inputs ``u`` (T, m) (teacher forcing ``feedback``
        if the reservoir has output feedback); shape (T, k)."""
        u = as_float_array("u", u, ndim=(1, 2, 3))
        X = self.reservoir.run(u, x0, feedback=feedback)
        self.last_state_ = X[-1]
        y = self.readout_.predict(self._features(u, X))
        return (y, X) if as_bool("return_states", return_states) else y

    def generate(self, n_steps, u_warmup, *, y_warmup=None, x0=None, u=None):
        """Free-running (closed-loop) output after a teacher-forced warm-up.

        Parameters
        ----------
        n_steps : int
        u_warmup : array_like, shape (T_w, m), or (T_w, S, m) for S runs at once
            Inputs of the warm-up (the true series when forecasting).
        y_warmup : array_like, shape (T_w, k) or (T_w, S, k), optional
            Teacher outputs of the warm-up, for reservoirs with output feedback.
        x0 : array_like, optional
            Initial state of the warm-up.
        u : array_like, shape (n_steps, m) or (n_steps, S, m), optional
            External inputs during generation, for a feedback reservoir; without
            it the output is fed back as the next input (forecasting).

        Returns
        -------
        y : ndarray, shape (n_steps, k) or (n_steps, S, k)
            For forecasting, ``y[h]`` predicts the input ``h + 1`` steps after
            the warm-up's last one: ``y[0]`` is the open-loop prediction at the
            end of the warm-up, and each later value is fed back in turn.
        """
        n_steps = as_scalar("n_steps", n_steps, low=1, integer=True)
        res = self.reservoir
        forecast = u is None
        if forecast and res.n_feedback:
            raise ValueError("a reservoir with output feedback needs external inputs u during generation")
        u_warmup = as_float_array("u_warmup", u_warmup, ndim=(1, 2, 3))
        with argument("u_warmup"):
            X = res.run(u_warmup, x0, feedback=y_warmup)
        uw = np.asarray(u_warmup, dtype=np.float64)
        last_u = uw[-1].reshape(X.shape[1:-1] + (res.n_inputs,))
        feats = np.concatenate([last_u, X[-1]], axis=-1) if self.use_input else X[-1]
        y0 = feats @ self.readout_.coef_ + self.readout_.intercept_
        if forecast:
            if n_steps == 1:
                return y0[None]
            Y, _ = res.generate(self.readout_.coef_, self.readout_.intercept_, X[-1], y0, n_steps - 1,
                                use_input=self.use_input, to_input=True)
            return np.concatenate([y0[None], Y], axis=0)
        Y, _ = res.generate(self.readout_.coef_, self.readout_.intercept_, X[-1], y0, n_steps,
                            use_input=self.use_input, to_input=False, u=u)
        return Y
