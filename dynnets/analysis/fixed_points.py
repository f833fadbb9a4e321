"""Fixed points of flows (``f(y) = 0``) and maps (``step(y) = y``): multi-start
damped Newton (in parallel over the starts when the search is large enough to
pay for it), deduplication, and stability from the
eigenvalues of the Jacobian.

Classification. Flows: all ``Re(lambda) < 0`` stable, all ``> 0`` unstable, mixed
signs a saddle; a stable or unstable point is a *focus* when some eigenvalues are
complex, else a *node*; an eigenvalue with ``|Re| <= eig_tol`` makes it
*non-hyperbolic*. Maps: the same with ``|lambda|`` against 1.

References
----------
.. [1] S. H. Strogatz, "Nonlinear Dynamics and Chaos", 2nd ed., Westview, 2015,
       Ch. 5-6 (linear classification).
.. [2] J. E. Dennis, R. B. Schnabel, "Numerical Methods for Unconstrained
       Optimization and Nonlinear Equations", SIAM, 1996 (damped Newton).
"""

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from .._bind import bind
from .._repr import html_table
from .._validate import as_bool, as_float_array, as_rng, as_scalar
from ..config import JIT
from ..systems import Map, System, check_system
from .lyapunov import _fd_jac_flow, _fd_jac_map, _no_jac

# Starts x dimension**3 below which the starts run serially: such a search takes
# well under a millisecond, while compiling the parallel loop costs seconds in
# every new process (only serial kernels are cached on disk).
PARALLEL_WORK = 10**6


@njit(**JIT)
def _norm(v):
    s = 0.0
    for i in range(v.size):
        s += v[i] * v[i]
    return np.sqrt(s)


# The helpers that receive the model's function are inline="always", so that
# bind() can cache the Newton iteration compiled for a built-in system (_bind).
@njit(inline="always", **JIT)
def _residual_flow(f, y, params, out):
    f(0.0, y, params, out)


@njit(inline="always", **JIT)
def _residual_map(f, y, params, out):
    """step(y) - y"""
    f(y, params, out)
    for i in range(y.size):
        out[i] -= y[i]


@njit(inline="always", **JIT)
def _jacobian_flow(f, jac, has_jac, y, params, J, w1, w2, w3):
    if has_jac:
        jac(0.0, y, params, J)
    else:
        _fd_jac_flow(f, 0.0, y, params, J, w1, w2, w3)


@njit(inline="always", **JIT)
def _jacobian_map(f, jac, has_jac, y, params, J, w1, w2, w3):
    """Jacobian of step(y) - y."""
    if has_jac:
        jac(y, params, J)
    else:
        _fd_jac_map(f, y, params, J, w1, w2, w3)
    for i in range(y.size):
        J[i, i] -= 1.0


@njit(inline="always", **JIT)
def _newton(residual, jacobian, f, jac, has_jac, params, y, tol, max_iter):
    """Damped Newton from ``y`` (updated in place) on ``residual(f, y) = 0``;
    True when it converged. A singular Jacobian leaves the start unconverged."""
    n = y.size
    F = np.empty(n)
    Ft = np.empty(n)
    yt = np.empty(n)
    J = np.empty((n, n))
    w1 = np.empty(n)
    w2 = np.empty(n)
    w3 = np.empty(n)
    residual(f, y, params, F)
    fn = _norm(F)
    ok = False
    for _ in range(max_iter):
        if not np.isfinite(fn):
            break
        jacobian(f, jac, has_jac, y, params, J, w1, w2, w3)
        if np.abs(np.linalg.det(J)) < 1e-300:
            break
        dx = np.linalg.solve(J, -F)
        lam = 1.0
        while True:  # backtracking: accept the first step that reduces |F|
            for i in range(n):
                yt[i] = y[i] + lam * dx[i]
            residual(f, yt, params, Ft)
            ft = _norm(Ft)
            if ft < (1.0 - 0.5 * lam) * fn or lam < 1e-6:
                break
            lam *= 0.5
        y[:] = yt
        F[:] = Ft
        fn = ft
        if fn <= tol and _norm(dx) * lam <= 1e3 * tol * (1.0 + _norm(y)):
            ok = True
            break
    return ok and np.isfinite(fn) and fn <= tol


@njit(inline="always", **JIT)
def _newton_starts(residual, jacobian, f, jac, has_jac, params, starts, tol, max_iter, out, converged,
                   lo, hi):
    """Newton from ``starts[lo:hi]`` into ``out`` and ``converged``. The copies
    are loops: an array assignment compiles numba's shape-mismatch message,
    seconds in every process."""
    n = starts.shape[1]
    y = np.empty(n)
    for s in range(lo, hi):
        for i in range(n):
            y[i] = starts[s, i]
        converged[s] = _newton(residual, jacobian, f, jac, has_jac, params, y, tol, max_iter)
        for i in range(n):
            out[s, i] = y[i]


@njit(parallel=True, **JIT)
def _newton_parallel(newton_starts, has_jac, params, starts, tol, max_iter, out, converged):
    """``newton_starts`` (``_newton_starts`` bound to the system) with one start
    per work item: the same arithmetic per start as the serial call."""
    for s in prange(starts.shape[0]):
        newton_starts(has_jac, params, starts, tol, max_iter, out, converged, s, s + 1)


def classify(eigenvalues, is_map=False, eig_tol=1e-9):
    """Stability label from the Jacobian's eigenvalues (see module docstring).

    Parameters
    ----------
    eigenvalues : array_like, shape (n,)
        Of the Jacobian at the point.
    is_map : bool
        Stability by moduli (maps) instead of real parts (flows).
    eig_tol : float
        Within this of the stability boundary: 'non-hyperbolic'.

    Returns
    -------
    str
    """
    try:
        lam = np.asarray(eigenvalues, dtype=complex)
    except (TypeError, ValueError):
        raise TypeError("eigenvalues must be an array of numbers") from None
    if lam.ndim != 1 or lam.size == 0 or not np.all(np.isfinite(lam)):
        raise ValueError(f"eigenvalues must be a non-empty 1-D array of finite numbers, got shape {lam.shape}")
    is_map = as_bool("is_map", is_map)
    eig_tol = as_scalar("eig_tol", eig_tol, low=0.0)
    complex_ = bool(np.any(np.abs(lam.imag) > eig_tol))
    g = np.abs(lam) - 1.0 if is_map else lam.real
    if np.any(np.abs(g) <= eig_tol):
        return "non-hyperbolic"
    if np.all(g < 0):
        return "stable focus" if complex_ else "stable node"
    if np.all(g > 0):
        return "unstable focus" if complex_ else "unstable node"
    return "saddle"


@dataclass(frozen=True, eq=False)
class FixedPoints:
    """Fixed points found, sorted by their first coordinate.

    Attributes
    ----------
    points : ndarray, shape (m, n)
    eigenvalues : ndarray, shape (m, n), complex
        Eigenvalues of the system's Jacobian (of ``step`` for maps) at each point.
    stability : list of str
        ``'stable node'``, ``'stable focus'``, ``'unstable node'``,
        ``'unstable focus'``, ``'saddle'`` or ``'non-hyperbolic'``.
    n_converged : int
        Starts that converged (before deduplication).
    """

    points: np.ndarray
    eigenvalues: np.ndarray
    stability: list
    n_converged: int

    @property
    def stable(self):
        """Boolean mask of the stable points."""
        return np.array([s.startswith("stable") for s in self.stability], bool)

    def __len__(self):
        return self.points.shape[0]

    def __repr__(self):
        kinds = {s: self.stability.count(s) for s in sorted(set(self.stability))}
        return f"FixedPoints({len(self)} found: {kinds})"

    def _repr_html_(self, max_rows=20):
        """A table in Jupyter: each point (first 4 components), its kind and its
        leading eigenvalue."""
        rows = []
        for p, st, ev in zip(self.points[:max_rows], self.stability, self.eigenvalues):
            lead = ev[np.argmax(np.abs(ev))]
            comps = ", ".join(f"{v:.4g}" for v in p[:4]) + (", ..." if p.size > 4 else "")
            rows.append((comps, st, f"{lead:.4g}"))
        more = f" (first {max_rows})" if len(self) > max_rows else ""
        return html_table(f"{len(self)} fixed points{more}", ("point", "kind", "leading eigenvalue"), rows)

    def plot(self, ax=None, i=0, j=1):
        """The points in components ``i`` and ``j``: stable ones filled, unstable
        ones open, one legend entry per kind; returns the Axes."""
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        for k, kind in enumerate(sorted(set(self.stability))):
            sel = np.array([s == kind for s in self.stability])
            pts = self.points[sel]
            yj = pts[:, j] if self.points.shape[1] > j else np.zeros(len(pts))
            filled = kind.startswith("stable")
            ax.plot(pts[:, i], yj, "o", ms=7, mec=f"C{k}", mfc=f"C{k}" if filled else "white", label=kind)
        ax.set(xlabel=f"component {i}", ylabel=f"component {j}")
        ax.legend(fontsize="small")
        return ax


def fixed_points(system, bounds=None, *, starts=None, n_starts=200, tol=1e-12, max_iter=100,
                 dedup_tol=1e-7, eig_tol=1e-9, seed=None):
    """Find fixed points by damped Newton from many starts.

    Parameters
    ----------
    system : System or Map
        Flows: zeros of ``rhs(0, y)`` (autonomous systems). Maps: ``step(y) = y``.
        The analytic ``jac`` is used when present, else central differences.
    bounds : array_like, shape (n, 2), optional
        Box ``[low, high]`` per component from which ``n_starts`` starts are drawn
        uniformly (with ``seed``).
    starts : array_like, shape (m, n), optional
        Explicit starting points (instead of, or added to, the random ones).
    tol : float
        Residual norm ``|F(y)|`` accepted as converged.
    dedup_tol : float
        Points closer than ``dedup_tol * (1 + |y|)`` are the same point.
    eig_tol : float
        Margin for non-hyperbolic eigenvalues in the classification.
    seed : int or numpy Generator

    Returns
    -------
    FixedPoints
    """
    if not isinstance(system, (System, Map)):
        raise TypeError(f"system must be a System or a Map, got {type(system).__name__}")
    is_map = isinstance(system, Map)
    pts = []
    if bounds is not None:
        b = as_float_array("bounds", bounds, ndim=2)
        if b.shape[1] != 2 or np.any(b[:, 0] > b[:, 1]):
            raise ValueError(f"bounds must have shape (n, 2) with low <= high, got {b.shape}")
        if system.n is not None and b.shape[0] != system.n:
            raise ValueError(f"bounds must have one (low, high) row per state component: shape ({system.n}, 2) "
                             f"for {system.name}, got {b.shape}")
        n_starts = as_scalar("n_starts", n_starts, low=1, integer=True)
        pts.append(as_rng(seed).uniform(b[:, 0], b[:, 1], (n_starts, b.shape[0])))
    if starts is not None:
        pts.append(as_float_array("starts", starts, ndim=2))
    if not pts:
        raise ValueError("give bounds (a box to draw starts from) or starts")
    S = np.ascontiguousarray(np.concatenate(pts))
    n = S.shape[1]
    if n == 0 or (system.n is not None and n != system.n):
        raise ValueError(f"starts must have {system.n or 'at least one'} components, got {n}")
    if S.shape[0] == 0:
        raise ValueError("no starting points")
    tol = as_scalar("tol", tol, low=0.0, low_open=True)
    max_iter = as_scalar("max_iter", max_iter, low=1, integer=True)
    check_system(system, S[0])
    f = system.step if is_map else system.rhs
    has_jac = system.jac is not None
    jac = system.jac if has_jac else _no_jac
    out = np.empty_like(S)
    conv = np.zeros(S.shape[0], np.bool_)
    residual, jacobian = (_residual_map, _jacobian_map) if is_map else (_residual_flow, _jacobian_flow)
    newton_starts = bind(_newton_starts, residual, jacobian, f, jac)
    if S.shape[0] * n**3 < PARALLEL_WORK:
        newton_starts(has_jac, system.params, S, tol, max_iter, out, conv, 0, S.shape[0])
    else:
        _newton_parallel(newton_starts, has_jac, system.params, S, tol, max_iter, out, conv)

    found = []
    for y in out[conv]:
        if not any(np.linalg.norm(y - z) <= dedup_tol * (1 + np.linalg.norm(z)) for z in found):
            found.append(y)
    found.sort(key=lambda y: tuple(y))
    P = np.array(found).reshape(-1, n)
    eigs = np.empty((len(found), n), complex)
    labels = []
    J = np.empty((n, n))
    w = np.empty((3, n))
    for i, y in enumerate(P):
        bind(jacobian, f, jac)(has_jac, y, system.params, J, w[0], w[1], w[2])
        if is_map:
            J += np.eye(n)  # the helper gives the Jacobian of step(y) - y
        eigs[i] = np.linalg.eigvals(J)
        labels.append(classify(eigs[i], is_map, eig_tol))
    return FixedPoints(P, eigs, labels, int(conv.sum()))
