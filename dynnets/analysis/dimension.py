"""Correlation dimension (Grassberger and Procaccia) of a set of points.

``C(r)`` is the fraction of point pairs (i, j), ``|i - j| > theiler``, closer than
``r`` (Euclidean distance); the correlation dimension is the slope of
``log C(r)`` against ``log r`` in the scaling region. The default region, chosen
to avoid the saturation of C at large r and the sampling noise at small r, is
where ``max(1e-4, 100 / n_pairs) <= C(r) <= 0.1``; pass ``fit`` to choose another.
Pair counts are integers accumulated per block of rows in parallel and reduced
afterwards, so the result does not depend on the thread count.

References
----------
.. [1] P. Grassberger, I. Procaccia, "Measuring the strangeness of strange
       attractors", Physica D 9, 189-208, 1983 (Henon 1.21, Lorenz 2.05).
.. [2] J. Theiler, "Spurious dimension from correlation integrals of
       filtered noise", Phys. Rev. A 34, 1986 (the Theiler window).
"""

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .._validate import as_float_array, as_scalar
from ..config import JIT

_ROWS_PER_BLOCK = 64


def _n_pairs(N, theiler):
    """Pairs i < j with j - i > theiler among N points."""
    m = N - theiler - 1
    return m * (m + 1) // 2 if m > 0 else 0


@njit(parallel=True, **JIT)
def _pair_counts(x, r2, theiler, counts):
    """counts[block, k] = pairs of rows in the block (i < j - theiler) whose squared
    distance d2 satisfies r2[k-1] <= d2 < r2[k]; k = len(r2) counts d2 >= r2[-1]."""
    N, n = x.shape
    n_blocks = counts.shape[0]
    for blk in prange(n_blocks):
        for i in range(blk * _ROWS_PER_BLOCK, min(N, (blk + 1) * _ROWS_PER_BLOCK)):
            for j in range(i + theiler + 1, N):
                d2 = 0.0
                for m in range(n):
                    d = x[i, m] - x[j, m]
                    d2 += d * d
                counts[blk, np.searchsorted(r2, d2, side="right")] += 1


def _points(x):
    """``x`` (N,) or (N, d) as a C-contiguous (N, d) array of at least one point."""
    x = as_float_array("x", x, ndim=(1, 2))
    if x.size == 0:
        raise ValueError(f"x must hold at least one point, got shape {x.shape}")
    return np.ascontiguousarray(x.reshape(x.shape[0], -1))


def correlation_sum(x, r, *, theiler=0):
    """The correlation sum ``C(r)`` of points ``x``.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, n)
        Points (a trajectory, time first).
    r : array_like, shape (m,)
        Increasing radii, > 0.
    theiler : int
        Pairs closer than this in index are left out (temporal correlations).

    Returns
    -------
    ndarray, shape (m,)
        Fraction of pairs closer than each ``r``.
    """
    x = _points(x)
    r = as_float_array("r", r, ndim=1)
    if r.size == 0 or np.any(r <= 0) or np.any(np.diff(r) <= 0):
        raise ValueError("r must be a non-empty, strictly increasing array of positive radii")
    theiler = as_scalar("theiler", theiler, low=0, integer=True)
    N = x.shape[0]
    n_pairs = _n_pairs(N, theiler)
    if n_pairs < 1:
        raise ValueError(f"x has {N} points: too few for pairs outside the Theiler window {theiler}")
    counts = np.zeros(((N + _ROWS_PER_BLOCK - 1) // _ROWS_PER_BLOCK, r.size + 1), np.int64)
    _pair_counts(x, r * r, theiler, counts)
    return np.cumsum(counts.sum(axis=0))[:-1] / n_pairs


@dataclass(frozen=True, eq=False)
class CorrelationDimension:
    """Result of :func:`correlation_dimension`.

    Attributes
    ----------
    dimension : float
        Slope of log C against log r over the fit region.
    r, C : ndarray, shape (m,)
    fit : ndarray of bool, shape (m,)
        The radii used in the fit.
    """

    dimension: float
    r: np.ndarray
    C: np.ndarray
    fit: np.ndarray

    def plot(self, ax=None):
        """log-log C(r) with the fitted line; returns the Axes."""
        from ..plot import _axes

        ax = _axes(ax)
        ok = self.C > 0
        ax.loglog(self.r[ok], self.C[ok], "o", ms=3, color="k", label="C(r)")
        rf = self.r[self.fit]
        coef = np.polyfit(np.log(rf), np.log(self.C[self.fit]), 1)
        ax.loglog(rf, np.exp(np.polyval(coef, np.log(rf))), color="tab:red",
                  label=f"slope {self.dimension:.3f}")
        ax.set_xlabel("r")
        ax.set_ylabel("C(r)")
        ax.legend(fontsize="small")
        return ax


def correlation_dimension(x, r=None, *, theiler=0, fit=None, n_r=32):
    """Correlation dimension by Grassberger and Procaccia.

    Parameters
    ----------
    x : array_like, shape (N,) or (N, n)
    r : array_like, shape (m,), optional
        Radii (default: ``n_r`` log-spaced between 1e-3 and 1 times the diameter
        of the bounding box).
    theiler : int
        Theiler window (samples).
    fit : (float, float), optional
        The ``(r_low, r_high)`` range of the fit; default: the region where
        ``max(1e-4, 100 / n_pairs) <= C <= 0.1`` (see module docstring).

    Returns
    -------
    CorrelationDimension
    """
    x2 = _points(x)
    if r is None:
        diam = float(np.linalg.norm(x2.max(axis=0) - x2.min(axis=0)))
        if diam == 0:
            raise ValueError("x has no spread (all points equal)")
        r = np.logspace(-3, 0, as_scalar("n_r", n_r, low=4, integer=True)) * diam
    r = as_float_array("r", r, ndim=1)
    C = correlation_sum(x2, r, theiler=theiler)
    n_pairs = _n_pairs(x2.shape[0], theiler)
    if fit is None:
        sel = (C >= max(1e-4, 100.0 / n_pairs)) & (C <= 0.1)
    else:
        lo, hi = as_float_array("fit", fit, shape=(2,))
        sel = (r >= lo) & (r <= hi) & (C > 0)
    if sel.sum() < 3:
        raise ValueError("fewer than 3 radii in the scaling region: give more points, more radii or a fit range")
    slope = float(np.polyfit(np.log(r[sel]), np.log(C[sel]), 1)[0])
    return CorrelationDimension(slope, r, C, sel)
