"""Continuation of fixed points of a flow in one parameter (pseudo-arclength),
with detection of saddle-node (fold) and Hopf points.

Along the branch ``f(y, p) = 0`` the solver predicts along the tangent of the
branch and corrects with Newton on the system augmented by the arclength
condition, so it follows the branch around folds. A saddle-node is where the
parameter component of the tangent changes sign; a Hopf point is where a complex
pair of eigenvalues of ``J = df/dy`` crosses the imaginary axis. Both are located
by bisection on the arclength between the two branch points that bracket them.
The driver is a Python loop (continuation is sequential); ``f`` and ``J`` are the
system's compiled functions, ``df/dp`` a central difference.

References
----------
.. [1] E. L. Allgower, K. Georg, "Introduction to Numerical Continuation
       Methods", SIAM, 2003.
.. [2] Yu. A. Kuznetsov, "Elements of Applied Bifurcation Theory", 3rd ed.,
       Springer, 2004, Ch. 10.
"""

from dataclasses import dataclass, field

import numpy as np

from .._bind import bind
from .._repr import array_repr
from .._validate import as_float_array, as_scalar
from ..systems import System, check_system
from .fixed_points import classify
from .lyapunov import _fd_jac_flow


@dataclass(frozen=True, eq=False)
class Bifurcation:
    """A detected bifurcation: ``kind`` is ``'saddle-node'`` or ``'hopf'``.

    Attributes
    ----------
    kind : str
    param : float
        Parameter value at the bifurcation.
    point : ndarray, shape (n,)
        The equilibrium there.
    eigenvalues : ndarray, shape (n,), complex
    """

    kind: str
    param: float
    point: np.ndarray
    eigenvalues: np.ndarray


@dataclass(frozen=True, eq=False)
class Branch:
    """A branch of fixed points.

    Attributes
    ----------
    params : ndarray, shape (m,)
    points : ndarray, shape (m, n)
    eigenvalues : ndarray, shape (m, n), complex
    stability : list of str
    bifurcations : list of Bifurcation
    """

    __repr__ = array_repr

    params: np.ndarray
    points: np.ndarray
    eigenvalues: np.ndarray
    stability: list
    bifurcations: list = field(default_factory=list)

    def plot(self, ax=None, component=0):
        """Component of the branch against the parameter, solid where stable,
        dashed where unstable, with the bifurcations marked; returns the Axes."""
        from ..plot import _axes

        ax = _axes(ax)
        stable = np.array([s.startswith("stable") for s in self.stability])
        y = self.points[:, component]
        for mask, ls in ((stable, "-"), (~stable, "--")):
            yy = np.where(mask, y, np.nan)
            ax.plot(self.params, yy, ls, color="k")
        for b in self.bifurcations:
            ax.plot(b.param, b.point[component], "o" if b.kind == "hopf" else "s", color="tab:red")
            ax.annotate(b.kind, (b.param, b.point[component]), fontsize="small",
                        xytext=(4, 4), textcoords="offset points")
        ax.set_xlabel("parameter")
        ax.set_ylabel(f"$y_{{{component + 1}}}$")
        return ax


class _Problem:
    def __init__(self, system, p_index):
        self.s = system
        self.i = p_index

    def params(self, p):
        q = np.array(self.s.params)
        q[self.i] = p
        return q

    def f(self, y, p):
        out = np.empty(y.size)
        self.s.rhs(0.0, y, self.params(p), out)
        return out

    def J(self, y, p):
        n = y.size
        J = np.empty((n, n))
        if self.s.jac is not None:
            self.s.jac(0.0, y, self.params(p), J)
        else:
            bind(_fd_jac_flow, self.s.rhs)(0.0, y, self.params(p), J, np.empty(n), np.empty(n), np.empty(n))
        return J

    def fp(self, y, p):
        h = 6e-6 * max(1.0, abs(p))
        return (self.f(y, p + h) - self.f(y, p - h)) / (2 * h)

    def augmented_jacobian(self, y, p):
        return np.hstack([self.J(y, p), self.fp(y, p)[:, None]])

    def tangent(self, u, prev=None):
        A = self.augmented_jacobian(u[:-1], u[-1])
        # the null vector of the n x (n+1) matrix: last right singular vector
        t = np.linalg.svd(A)[2][-1]
        if prev is not None and t @ prev < 0:
            t = -t
        return t / np.linalg.norm(t)

    def correct(self, u_pred, t, tol, max_iter):
        u = u_pred.copy()
        for _ in range(max_iter):
            F = np.append(self.f(u[:-1], u[-1]), t @ (u - u_pred))
            A = np.vstack([self.augmented_jacobian(u[:-1], u[-1]), t])
            du = np.linalg.solve(A, -F)
            u += du
            scale = tol * (1 + np.linalg.norm(u))
            if np.linalg.norm(du) <= scale and np.linalg.norm(self.f(u[:-1], u[-1])) <= 1e3 * scale:
                return u
        return None


def _hopf_test(eig):
    """Kuznetsov's test function for Hopf points: the product of
    ``lambda_i + lambda_j`` over pairs ``i < j`` (real, as a symmetric function of
    a real matrix's eigenvalues). It changes sign where a complex pair crosses the
    imaginary axis, however far apart the branch points are (a pair may turn
    real on the way), and also at neutral saddles (a real pair ``lambda, -lambda``),
    which :func:`_is_hopf` tells apart at the located point."""
    n = eig.size
    i, j = np.triu_indices(n, 1)
    return float(np.prod(eig[i] + eig[j]).real) if n > 1 else np.nan


def _is_hopf(eig, tol=1e-6):
    """A complex pair on the imaginary axis."""
    pair = eig[np.abs(eig.imag) > tol]
    return pair.size > 0 and np.min(np.abs(pair.real)) <= tol * (1 + np.max(np.abs(pair)))


def continuation(system, param, y0, p0, p_end, *, ds=0.01, ds_max=0.5, max_steps=5000, tol=1e-10,
                 max_iter=20, eig_tol=1e-9):
    """Follow a branch of fixed points of a flow from ``(y0, p0)`` towards ``p_end``.

    Parameters
    ----------
    system : System
        Autonomous flow; ``system.params[param]`` is varied.
    param : int
        Index of the parameter.
    y0 : array_like, shape (n,)
        A point near the branch at ``p0`` (corrected by Newton first).
    p0, p_end : float
        Start and stop values of the parameter (either order).
    ds, ds_max : float
        Initial and largest arclength step (adapted to Newton's convergence).
    max_steps : int
    tol : float
        Newton tolerance.

    Returns
    -------
    Branch
        With the saddle-node and Hopf points found along it.
    """
    if not isinstance(system, System):
        raise TypeError(f"system must be a System (a flow), got {type(system).__name__}")
    if system.params.size == 0:
        raise ValueError(f"{system.name} has no parameters to continue in")
    i = as_scalar("param", param, low=0, high=system.params.size - 1, integer=True)
    y0 = as_float_array("y0", y0, ndim=1)
    if system.n is not None and y0.size != system.n:
        raise ValueError(f"y0 must have {system.n} components, got {y0.size}")
    p0 = as_scalar("p0", p0)
    p_end = as_scalar("p_end", p_end)
    if p0 == p_end:
        raise ValueError("p0 and p_end must differ")
    ds = as_scalar("ds", ds, low=0.0, low_open=True)
    ds_max = as_scalar("ds_max", ds_max, low=0.0, low_open=True)
    if ds_max < ds:
        raise ValueError(f"ds_max must be at least ds, got ds_max={ds_max} and ds={ds}")
    max_steps = as_scalar("max_steps", max_steps, low=1, integer=True)
    max_iter = as_scalar("max_iter", max_iter, low=1, integer=True)
    tol = as_scalar("tol", tol, low=0.0, low_open=True)
    eig_tol = as_scalar("eig_tol", eig_tol, low=0.0)
    check_system(system.with_params(np.where(np.arange(system.params.size) == i, p0, system.params)), y0)
    pr = _Problem(system if system.n else System(system.rhs, system.params, system.jac, y0.size, system.name), i)

    # first point: Newton in y at fixed p0
    y = y0.copy()
    for _ in range(max_iter):
        dy = np.linalg.solve(pr.J(y, p0), -pr.f(y, p0))
        y += dy
        if np.linalg.norm(dy) <= tol * (1 + np.linalg.norm(y)):
            break
    else:
        raise RuntimeError("Newton did not converge at the starting point; give a y0 closer to the branch")
    u = np.append(y, p0)
    t = pr.tangent(u)
    if np.sign(t[-1]) != np.sign(p_end - p0):
        t = -t
    us, eigs = [u.copy()], [np.linalg.eigvals(pr.J(y, p0))]
    tangents = [t]
    h = ds
    lo, hi = min(p0, p_end), max(p0, p_end)
    for _ in range(max_steps):
        u_new = pr.correct(u + h * t, t, tol, max_iter)
        if u_new is None:
            h *= 0.5
            if h < 1e-10:
                break
            continue
        t_new = pr.tangent(u_new, t)
        u, t = u_new, t_new
        us.append(u.copy())
        tangents.append(t)
        eigs.append(np.linalg.eigvals(pr.J(u[:-1], u[-1])))
        h = min(1.5 * h, ds_max)
        if not lo <= u[-1] <= hi:
            break
    U = np.array(us)
    E = np.array(eigs)
    T = np.array(tangents)

    bifs = []
    for k in range(len(U) - 1):
        # saddle-node: the parameter direction of the branch reverses
        if T[k, -1] * T[k + 1, -1] < 0:
            bifs.append(_locate(pr, U[k], T[k], U[k + 1], lambda u, tt: tt[-1], "saddle-node", tol, max_iter))
        # Hopf: a complex pair crosses the imaginary axis
        a, b = _hopf_test(E[k]), _hopf_test(E[k + 1])
        if a * b < 0:
            hb = _locate(pr, U[k], T[k], U[k + 1], lambda u, tt: _hopf_test(np.linalg.eigvals(pr.J(u[:-1], u[-1]))),
                         "hopf", tol, max_iter)
            if hb is not None and _is_hopf(hb.eigenvalues):
                bifs.append(hb)
    inside = (U[:, -1] >= lo) & (U[:, -1] <= hi)
    labels = [classify(e, False, eig_tol) for e in E[inside]]
    return Branch(U[inside, -1], U[inside, :-1], E[inside], labels, [b for b in bifs if b is not None])


def _locate(pr, u_a, t_a, u_b, indicator, kind, tol, max_iter):
    """Bisection in arclength between two branch points for a sign change of
    ``indicator(u, tangent)``."""
    s_hi = np.linalg.norm(u_b - u_a)
    s_lo = 0.0
    g_lo = indicator(u_a, t_a)
    u_mid = u_a
    for _ in range(60):
        s = 0.5 * (s_lo + s_hi)
        u_mid = pr.correct(u_a + s * t_a, t_a, tol, max_iter)
        if u_mid is None:
            return None
        g = indicator(u_mid, pr.tangent(u_mid, t_a))
        if np.sign(g) == np.sign(g_lo):
            s_lo, g_lo = s, g
        else:
            s_hi = s
        if s_hi - s_lo <= 1e-12 * (1 + np.linalg.norm(u_a)):
            break
    return Bifurcation(kind, float(u_mid[-1]), u_mid[:-1].copy(), np.linalg.eigvals(pr.J(u_mid[:-1], u_mid[-1])))
