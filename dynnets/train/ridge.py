"""Ridge-regression readouts, streaming, with the ridge parameter chosen by
generalised or leave-one-out cross-validation.

The readout ``Y ~ X coef + intercept`` minimises::

    ||Y - X coef - 1 intercept||^2 + ridge ||coef||^2

(the intercept is not penalised). The fit needs only the sufficient statistics
``n``, the column means, ``Xc^T Xc``, ``Xc^T Yc`` and ``Yc^T Yc`` of the centred
data, accumulated over any number of sequences (:meth:`Ridge.partial_fit`;
``X^T X`` by the BLAS ``syrk``), then solved by a Cholesky factorisation of
``Xc^T Xc + ridge I`` (never an explicit inverse). With the eigendecomposition
``Xc^T Xc = V diag(s) V^T`` and ``g = V^T Xc^T Yc`` every ridge value on a grid
costs O(d k):

- GCV (Golub, Heath and Wahba 1979): ``n RSS / (n - df)^2`` with
  ``df = 1 + sum s / (s + ridge)`` and ``RSS`` from the statistics alone, so it
  works on streamed data;
- LOO (the PRESS statistic, Allen 1974): ``sum_i (r_i / (1 - h_ii))^2``, exact
  leave-one-out, which needs the samples (``fit`` on arrays).

References
----------
.. [1] A. E. Hoerl, R. W. Kennard, "Ridge regression: biased estimation for
       nonorthogonal problems", Technometrics 12(1), 55-67, 1970.
.. [2] G. H. Golub, M. Heath, G. Wahba, "Generalized cross-validation as a method
       for choosing a good ridge parameter", Technometrics 21(2), 215-223, 1979.
.. [3] D. M. Allen, "The relationship between variable selection and data
       augmentation and a method for prediction", Technometrics 16(1), 125-127, 1974.
.. [4] M. Lukosevicius, "A practical guide to applying echo state networks",
       LNCS 7700, 659-686, 2012.
"""

import warnings

import numpy as np
import scipy.linalg
from scipy.linalg.blas import dsyrk

from .._validate import as_bool, as_float_array, as_scalar
from ..errors import NumericalWarning

DEFAULT_GRID = np.logspace(-12, 2, 29)
_SELECT = ("gcv", "loo")


def _as_xy(X, Y):
    X = as_float_array("X", X, ndim=(1, 2))
    X = X[:, None] if X.ndim == 1 else X
    Y = as_float_array("Y", Y, ndim=(1, 2))
    Y = Y[:, None] if Y.ndim == 1 else Y
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y must have the same number of samples, got {X.shape[0]} and {Y.shape[0]}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must have at least one sample and one feature, got shape {X.shape}")
    return X, Y


class Ridge:
    """Ridge regression with an unpenalised intercept, fitted from accumulated
    statistics.

    Parameters
    ----------
    ridge : float or {"gcv", "loo"}
        The regularisation ``ridge >= 0``, or choose it on ``grid`` by generalised
        cross-validation (works with :meth:`partial_fit`) or exact leave-one-out
        (needs :meth:`fit` on arrays).
    fit_intercept : bool
    grid : array_like, optional
        Candidate values for ``"gcv"``/``"loo"`` (default ``logspace(-12, 2, 29)``).

    Attributes
    ----------
    coef_ : ndarray, shape (d, k)
    intercept_ : ndarray, shape (k,)
    ridge_ : float
        The value used.
    cv_scores_ : ndarray, shape (len(grid),)
        Mean squared cross-validation error per grid value (``"gcv"``/``"loo"``).
    n_samples_ : int
    """

    def __init__(self, ridge=1e-8, *, fit_intercept=True, grid=None):
        if isinstance(ridge, str):
            if ridge not in _SELECT:
                raise ValueError(f"ridge must be a number >= 0 or one of {_SELECT}, got {ridge!r}")
        else:
            ridge = as_scalar("ridge", ridge, low=0.0)
        self.ridge = ridge
        self.fit_intercept = as_bool("fit_intercept", fit_intercept)
        g = DEFAULT_GRID if grid is None else as_float_array("grid", grid, ndim=1)
        if g.size == 0 or np.any(g < 0):
            raise ValueError("grid must be a non-empty array of values >= 0")
        self.grid = g
        self.reset()

    def __repr__(self):
        fitted = f", fitted on {self.n_samples_} samples" if self.n_samples_ else ""
        return f"Ridge(ridge={self.ridge!r}, fit_intercept={self.fit_intercept}{fitted})"

    def reset(self):
        """Forget the accumulated statistics."""
        self.n_samples_ = 0
        self._shift = self._sx = self._sy = self._xx = self._xy = self._yy = None
        self._dirty = True
        self._coef = self._intercept = None
        self.ridge_ = None
        self.cv_scores_ = None
        return self

    # -- accumulation --------------------------------------------------------
    def partial_fit(self, X, Y):
        """Add samples ``X`` (n, d) with targets ``Y`` (n, k) to the statistics.

        Data are shifted by the first batch's means before the products are
        summed, which keeps the later centring free of cancellation.
        """
        X, Y = _as_xy(X, Y)
        n = X.shape[0]
        sum_x, sum_y = X.sum(0), Y.sum(0)
        if self.n_samples_ == 0:
            d, k = X.shape[1], Y.shape[1]
            self._shift = (sum_x / n, sum_y / n) if self.fit_intercept else (np.zeros(d), np.zeros(k))
            self._sx, self._sy = np.zeros(d), np.zeros(k)
            self._xx = np.zeros((d, d), order="F")
            self._xy, self._yy = np.zeros((d, k)), np.zeros(k)
        elif X.shape[1] != self._sx.size or Y.shape[1] != self._sy.size:
            raise ValueError(f"X and Y must have {self._sx.size} features and {self._sy.size} outputs "
                             f"as before, got {X.shape[1]} and {Y.shape[1]}")
        Xs, Ys = X - self._shift[0], Y - self._shift[1]
        self._sx += sum_x - n * self._shift[0]  # the sums of Xs, Ys without another pass
        self._sy += sum_y - n * self._shift[1]
        # Xs^T Xs, upper triangle: Xs.T is a Fortran view, no copy
        self._xx = dsyrk(1.0, Xs.T, c=self._xx, beta=1.0, trans=0, lower=0, overwrite_c=True)
        self._xy += Xs.T @ Ys
        self._yy += np.einsum("ij,ij->j", Ys, Ys)
        self.n_samples_ += X.shape[0]
        self._dirty = True
        return self

    def _centred(self):
        """``(C, c, yy, mean_x, mean_y)``: centred second moments; only the upper
        triangle of ``C`` is meaningful (what the factorisations read)."""
        if self.n_samples_ == 0:
            raise ValueError("no data: call fit or partial_fit first")
        n = self.n_samples_
        C = self._xx.copy(order="F")
        c, yy = self._xy.copy(), self._yy.copy()
        mx, my = self._sx / n, self._sy / n
        if self.fit_intercept:
            C -= n * np.outer(mx, mx)
            c -= n * np.outer(mx, my)
            yy -= n * my * my
        return C, c, yy, mx + self._shift[0], my + self._shift[1]

    # -- fitting -------------------------------------------------------------
    def fit(self, X, Y):
        """Fit on arrays ``X`` (n, d) and ``Y`` (n, k) (or lists of such
        arrays, one per sequence); returns self."""
        self.reset()
        if isinstance(X, (list, tuple)):
            if not isinstance(Y, (list, tuple)) or len(X) != len(Y) or not X:
                raise ValueError("X and Y must be lists of the same non-zero length")
            for x, y in zip(X, Y):
                self.partial_fit(x, y)
            data = (np.concatenate([np.reshape(x, (len(x), -1)) for x in X]),
                    np.concatenate([np.reshape(y, (len(y), -1)) for y in Y])) if self.ridge == "loo" else None
        else:
            self.partial_fit(X, Y)
            data = _as_xy(X, Y) if self.ridge == "loo" else None
        self._solve(data)
        return self

    def _solve(self, data=None):
        C, c, yy, mx, my = self._centred()
        n, d = self.n_samples_, C.shape[0]
        if isinstance(self.ridge, str):
            s, V = np.linalg.eigh(C, UPLO="U")
            s = np.maximum(s, 0.0)
            g = V.T @ c
            if self.ridge == "gcv":
                scores = self._gcv(s, g, yy, n)
            else:
                if data is None:
                    raise ValueError("ridge='loo' needs the samples: use fit(X, Y), not partial_fit")
                scores = self._loo(s, V, g, data, mx, my)
            self.cv_scores_ = scores
            best = int(np.nanargmin(scores))
            lam = float(self.grid[best])
        else:
            lam = float(self.ridge)
        C[np.diag_indices(d)] += lam
        try:  # Cholesky of the upper triangle; finiteness is checked on the way in
            factor = scipy.linalg.cho_factor(C, lower=False, overwrite_a=True, check_finite=False)
        except (np.linalg.LinAlgError, scipy.linalg.LinAlgError):
            raise ValueError(f"the normal equations are singular with ridge={lam:g} (collinear or constant "
                             "features, or fewer samples than features): use ridge > 0") from None
        r = np.abs(np.diag(factor[0]))
        cond = (r.max() / r.min()) ** 2 if r.min() > 0 else np.inf  # a lower bound on the condition number
        if cond > 1e13:
            warnings.warn(f"the normal equations are ill-conditioned with ridge={lam:g} (condition number at least "
                          f"{cond:.1e}): the readout may be dominated by rounding; use a larger ridge or "
                          "ridge='gcv'", NumericalWarning, stacklevel=3)
        coef = scipy.linalg.cho_solve(factor, c, check_finite=False)
        self._coef = coef
        self._intercept = my - mx @ coef if self.fit_intercept else np.zeros(c.shape[1])
        self.ridge_ = lam
        self._dirty = False

    def _gcv(self, s, g, yy, n):
        dof_icpt = 1.0 if self.fit_intercept else 0.0
        out = np.empty(self.grid.size)
        g2 = (g * g).sum(1)
        for i, lam in enumerate(self.grid):
            w = s + lam
            with np.errstate(divide="ignore", invalid="ignore"):
                # RSS = yy - 2 beta^T c + beta^T C beta in eigen-coordinates
                fit = np.where(w > 0, g2 * (2.0 * w - s) / (w * w), 0.0)
                dof = dof_icpt + np.sum(np.where(w > 0, s / w, 0.0))
            rss = max(yy.sum() - fit.sum(), 0.0)
            out[i] = np.inf if dof >= n else n * rss / (n - dof) ** 2 / yy.size
        return out

    def _loo(self, s, V, g, data, mx, my):
        X, Y = data
        Z = (X - mx) @ V
        Yc = Y - my
        Z2 = Z * Z
        out = np.empty(self.grid.size)
        for i, lam in enumerate(self.grid):
            w = s + lam
            with np.errstate(divide="ignore", invalid="ignore"):
                inv = np.where(w > 0, 1.0 / w, 0.0)
            h = Z2 @ inv + (1.0 / X.shape[0] if self.fit_intercept else 0.0)
            r = Yc - Z @ (inv[:, None] * g)
            with np.errstate(divide="ignore", invalid="ignore"):
                e = r / (1.0 - h)[:, None]
            out[i] = np.mean(e * e) if np.all(h < 1.0 - 1e-12) else np.inf
        return out

    # -- results -------------------------------------------------------------
    def _fitted(self):
        if self._dirty:
            self._solve()
        return self._coef, self._intercept

    @property
    def coef_(self):
        return self._fitted()[0]

    @property
    def intercept_(self):
        return self._fitted()[1]

    def predict(self, X):
        """``X coef + intercept`` for ``X`` (n, d) -> (n, k)."""
        coef, b = self._fitted()
        X = as_float_array("X", X, ndim=(1, 2))
        X = X[:, None] if X.ndim == 1 else X
        if X.shape[1] != coef.shape[0]:
            raise ValueError(f"X must have {coef.shape[0]} features, got {X.shape[1]}")
        return X @ coef + b


class RidgeClassifier:
    """Ridge readout for classification: one-hot targets, argmax decision.

    Parameters
    ----------
    ridge, grid : see :class:`Ridge`
    pooling : {"mean", "last", None}
        For sequences (a list of (T_i, d) arrays, one label each): classify the
        time-averaged or the last features; ``None`` trains on every time step
        with the sequence's label and decides by the time-averaged scores.

    Attributes
    ----------
    classes_ : ndarray
    readout_ : Ridge
    """

    def __init__(self, ridge=1e-6, *, pooling="mean", grid=None):
        if pooling not in ("mean", "last", None):
            raise ValueError(f"pooling must be 'mean', 'last' or None, got {pooling!r}")
        self.pooling = pooling
        self.readout_ = Ridge(ridge, grid=grid)
        self.classes_ = None

    def __repr__(self):
        classes = "" if self.classes_ is None else f", {len(self.classes_)} classes"
        return f"RidgeClassifier(ridge={self.readout_.ridge!r}, pooling={self.pooling!r}{classes})"

    def _pool(self, X):
        if not isinstance(X, (list, tuple)):
            X = as_float_array("X", X, ndim=2)
            return X, None
        if len(X) == 0:
            raise ValueError("X must hold at least one sequence")
        seqs = [as_float_array(f"X[{i}]", x, ndim=2) for i, x in enumerate(X)]
        if any(len(x) == 0 for x in seqs):
            raise ValueError("every sequence in X must have at least one step")
        if self.pooling == "mean":
            return np.stack([x.mean(0) for x in seqs]), None
        if self.pooling == "last":
            return np.stack([x[-1] for x in seqs]), None
        return np.concatenate(seqs), np.repeat(np.arange(len(seqs)), [len(x) for x in seqs])

    def fit(self, X, labels):
        """``X``: (n, d) samples, or a list of (T_i, d) sequences; ``labels``: one
        per sample or per sequence."""
        F, owner = self._pool(X)
        try:
            labels = np.asarray(labels)
        except ValueError:
            raise ValueError("labels must be a 1-D array of class labels") from None
        if labels.ndim != 1 or labels.size != (F.shape[0] if owner is None else owner.max() + 1):
            raise ValueError(f"labels must have one entry per sample (or per sequence) of X, got {labels.size} for "
                             f"{F.shape[0] if owner is None else owner.max() + 1}")
        self.classes_, idx = np.unique(labels, return_inverse=True)
        if self.classes_.size < 2:
            raise ValueError("labels must contain at least two classes")
        T = np.eye(self.classes_.size)[idx if owner is None else idx[owner]]
        self.readout_.fit(F, T)
        return self

    def decision_function(self, X):
        """Class scores: (n, n_classes), or (n_sequences, n_classes)."""
        F, owner = self._pool(X)
        scores = self.readout_.predict(F)
        if owner is not None:
            counts = np.bincount(owner)
            scores = np.stack([np.bincount(owner, scores[:, c]) / counts for c in range(scores.shape[1])], 1)
        return scores

    def predict(self, X):
        return self.classes_[np.argmax(self.decision_function(X), axis=1)]

    def score(self, X, labels):
        """Accuracy."""
        return float(np.mean(self.predict(X) == np.asarray(labels)))
