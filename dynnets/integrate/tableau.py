"""Explicit Runge-Kutta methods as data (Butcher tableaux).

A method is its coefficients: ``A`` (stages), ``b`` (weights), ``c`` (nodes), and
for embedded pairs ``e = b - b_hat`` (the error estimate) and ``P`` (the dense
output polynomial). One kernel (``dynnets.integrate.kernels``) runs any of them.

References
----------
.. [1] E. Hairer, S. P. Norsett, G. Wanner, "Solving Ordinary Differential
       Equations I", 2nd ed., Springer, 1993 (tableaux, step-size control).
.. [2] J. R. Dormand, P. J. Prince, "A family of embedded Runge-Kutta formulae",
       J. Comput. Appl. Math. 6(1), 1980.
.. [3] L. F. Shampine, "Some practical Runge-Kutta formulas", Math. Comp. 46,
       1986 (the dense output of Dormand-Prince 5(4)).
"""

from dataclasses import dataclass

import numpy as np

_TOL = 1e-14


@dataclass(frozen=True, eq=False)
class ButcherTableau:
    """An explicit Runge-Kutta method.

    Parameters
    ----------
    name : str
    A : ndarray, shape (s, s)
        Stage coefficients, strictly lower triangular.
    b : ndarray, shape (s,)
        Weights of the propagated solution; they sum to 1.
    c : ndarray, shape (s,)
        Nodes; ``c[i] == sum(A[i])``.
    order : int
        Order of the propagated solution.
    e : ndarray, shape (s,), optional
        ``b - b_hat``: weights of the embedded error estimate (adaptive methods).
    error_order : int, optional
        Order of the embedded solution ``b_hat``.
    P : ndarray, shape (s, q), optional
        Dense output: ``y(t + theta h) = y + h * sum_i K_i sum_k P[i, k] theta**(k+1)``.
        Without it the solver interpolates by cubic Hermite.
    """

    name: str
    A: np.ndarray
    b: np.ndarray
    c: np.ndarray
    order: int
    e: np.ndarray = None
    error_order: int = None
    P: np.ndarray = None

    def __post_init__(self):
        A = np.array(self.A, dtype=np.float64)
        b = np.array(self.b, dtype=np.float64)
        c = np.array(self.c, dtype=np.float64)
        s = b.size
        if b.ndim != 1 or A.shape != (s, s) or c.shape != (s,):
            raise ValueError(f"{self.name}: A must be (s, s), b and c (s,), got {A.shape}, {b.shape}, {c.shape}")
        if np.any(np.triu(A) != 0):
            raise ValueError(f"{self.name}: A must be strictly lower triangular (explicit method)")
        if abs(b.sum() - 1) > _TOL:
            raise ValueError(f"{self.name}: the weights b must sum to 1, got {b.sum()!r}")
        if np.max(np.abs(A.sum(axis=1) - c)) > _TOL:
            raise ValueError(f"{self.name}: c[i] must equal sum(A[i]) (row sums)")
        if not isinstance(self.order, int) or self.order < 1:
            raise ValueError(f"{self.name}: order must be a positive int")
        e = P = None
        if self.e is not None:
            e = np.array(self.e, dtype=np.float64)
            if e.shape != (s,) or abs(e.sum()) > _TOL:
                raise ValueError(f"{self.name}: e = b - b_hat must have shape (s,) and sum to 0")
            if not isinstance(self.error_order, int) or self.error_order < 1:
                raise ValueError(f"{self.name}: an embedded pair needs error_order")
        if self.P is not None:
            P = np.array(self.P, dtype=np.float64)
            # At theta = 1 the dense output must reproduce the step: sum_k P[i, k] = b[i].
            if P.ndim != 2 or P.shape[0] != s or np.max(np.abs(P.sum(axis=1) - b)) > 1e-12:
                raise ValueError(f"{self.name}: P must have s rows summing to b")
        for name, value in (("A", A), ("b", b), ("c", c), ("e", e), ("P", P)):
            if value is not None:
                value.setflags(write=False)
            object.__setattr__(self, name, value)

    @property
    def n_stages(self):
        return self.b.size

    @property
    def adaptive(self):
        """True for embedded pairs, which can control their step size."""
        return self.e is not None

    @property
    def fsal(self):
        """First same as last: the last stage is f(t + h, y_new)."""
        s = self.n_stages
        return s > 1 and self.c[-1] == 1.0 and np.array_equal(self.A[-1], self.b) and self.b[-1] == 0.0

    def __repr__(self):
        kind = f"embedded {self.order}({self.error_order})" if self.adaptive else f"order {self.order}"
        return f"ButcherTableau({self.name!r}, {self.n_stages} stages, {kind})"


EULER = ButcherTableau("euler", A=[[0.0]], b=[1.0], c=[0.0], order=1)

HEUN = ButcherTableau("heun", A=[[0, 0], [1, 0]], b=[0.5, 0.5], c=[0, 1], order=2)

RK4 = ButcherTableau(
    "rk4",
    A=[[0, 0, 0, 0], [0.5, 0, 0, 0], [0, 0.5, 0, 0], [0, 0, 1, 0]],
    b=[1 / 6, 1 / 3, 1 / 3, 1 / 6],
    c=[0, 0.5, 0.5, 1],
    order=4,
)

# Dormand-Prince 5(4): seven stages, the seventh is f(t + h, y_new) (FSAL).
DOPRI5 = ButcherTableau(
    "dopri5",
    A=[
        [0, 0, 0, 0, 0, 0, 0],
        [1 / 5, 0, 0, 0, 0, 0, 0],
        [3 / 40, 9 / 40, 0, 0, 0, 0, 0],
        [44 / 45, -56 / 15, 32 / 9, 0, 0, 0, 0],
        [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0, 0, 0],
        [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656, 0, 0],
        [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0],
    ],
    b=[35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0],
    c=[0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1],
    order=5,
    e=[-71 / 57600, 0, 71 / 16695, -71 / 1920, 17253 / 339200, -22 / 525, 1 / 40],
    error_order=4,
    P=[
        [1, -8048581381 / 2820520608, 8663915743 / 2820520608, -12715105075 / 11282082432],
        [0, 0, 0, 0],
        [0, 131558114200 / 32700410799, -68118460800 / 10900136933, 87487479700 / 32700410799],
        [0, -1754552775 / 470086768, 14199869525 / 1410260304, -10690763975 / 1880347072],
        [0, 127303824393 / 49829197408, -318862633887 / 49829197408, 701980252875 / 199316789632],
        [0, -282668133 / 205662961, 2019193451 / 616988883, -1453857185 / 822651844],
        [0, 40617522 / 29380423, -110615467 / 29380423, 69997945 / 29380423],
    ],
)

METHODS = {t.name: t for t in (EULER, HEUN, RK4, DOPRI5)}


def get_method(method):
    """Look up a method by name, or pass a ``ButcherTableau`` through.

    Parameters
    ----------
    method : str or ButcherTableau
        ``"euler"``, ``"heun"``, ``"rk4"`` or ``"dopri5"``.

    Returns
    -------
    ButcherTableau
    """
    if isinstance(method, ButcherTableau):
        return method
    if isinstance(method, str) and method.lower() in METHODS:
        return METHODS[method.lower()]
    raise ValueError(f"method must be one of {sorted(METHODS)} or a ButcherTableau, got {method!r}")
