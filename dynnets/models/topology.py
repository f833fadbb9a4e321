"""Reservoir topologies: sparse recurrent weight matrices from graphs.

Every function returns a ``scipy.sparse.csr_array`` ``W`` of shape (N, N) with
``W[i, j]`` the weight from unit j to unit i (the ``W x`` of the echo state
equations; note that this is the transpose of ``CTRNN.weights``). A directed
graph edge ``u -> v`` becomes ``W[v, u]``; an undirected edge gives both
directions, each with its own random weight.

Random topologies draw their nonzero weights uniformly from [-1, 1] (or from a
standard normal) and are then scaled to the requested spectral radius ``rho``
(the largest eigenvalue modulus, from ARPACK via ``scipy.sparse.linalg.eigs``).
Deterministic ones (delay line, simple cycle, cycle with jumps) take their
weights as parameters.

References
----------
.. [1] H. Jaeger, "The 'echo state' approach to analysing and training recurrent
       neural networks", GMD Report 148, 2001.
.. [2] A. Rodan, P. Tino, "Minimum complexity echo state network", IEEE Trans.
       Neural Netw. 22(1), 131-144, 2011 (delay line, simple cycle reservoir).
.. [3] A. Rodan, P. Tino, "Simple deterministically constructed cycle reservoirs
       with regular jumps", Neural Computation 24(7), 1822-1852, 2012.
.. [4] D. J. Watts, S. H. Strogatz, "Collective dynamics of 'small-world'
       networks", Nature 393, 440-442, 1998.
.. [5] A.-L. Barabasi, R. Albert, "Emergence of scaling in random networks",
       Science 286, 509-512, 1999.
"""

import networkx as nx
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .._validate import as_rng, as_scalar, per_unit

__all__ = ["cycle_with_jumps", "delay_line", "erdos_renyi", "from_graph", "input_weights", "orthogonal", "scale_free",
           "scale_spectral_radius", "simple_cycle", "small_world", "spectral_radius"]

_DENSE_EIG = 300  # below this size a dense eigensolver is faster and always converges


def _n_units(n):
    return as_scalar("n", n, low=1, integer=True)


def spectral_radius(W):
    """Largest eigenvalue modulus of a square matrix (sparse or dense).

    ARPACK (``scipy.sparse.linalg.eigs``, ``k=1, which="LM"``) for large sparse
    matrices, started from a fixed vector so the result is reproducible; LAPACK
    for small ones or when ARPACK does not converge.

    Parameters
    ----------
    W : sparse matrix or array_like, shape (N, N)

    Returns
    -------
    float
    """
    if sp.issparse(W):
        W = sp.csr_array(W, dtype=np.float64)
    else:
        W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be a square matrix, got shape {W.shape}")
    n = W.shape[0]
    if n == 0:
        return 0.0
    if n > _DENSE_EIG and (not sp.issparse(W) or W.nnz > 0):
        try:
            lam = spla.eigs(W, k=1, which="LM", v0=np.ones(n), return_eigenvectors=False,
                            tol=1e-10, maxiter=20 * n)
            return float(np.abs(lam[0]))
        except spla.ArpackNoConvergence:
            pass
    dense = W.toarray() if sp.issparse(W) else W
    return float(np.max(np.abs(np.linalg.eigvals(dense))))


def scale_spectral_radius(W, rho):
    """``W`` scaled so that its spectral radius is ``rho`` (a new CSR array).

    Parameters
    ----------
    W : sparse matrix or array_like, shape (N, N)
    rho : float
        The spectral radius wanted.

    Returns
    -------
    scipy.sparse.csr_array, shape (N, N)
    """
    rho = as_scalar("rho", rho, low=0.0)
    W = sp.csr_array(W, dtype=np.float64)
    r = spectral_radius(W)
    if r == 0.0:
        if rho == 0.0:
            return W
        raise ValueError("W is nilpotent (spectral radius 0: no cycles, e.g. too low a density) and cannot be "
                         "scaled to rho > 0; "
                         "use a topology with cycles or pass rho=None")
    return W * (rho / r)


def _draw(rng, size, distribution):
    if distribution == "uniform":
        return rng.uniform(-1.0, 1.0, size)
    if distribution == "normal":
        return rng.standard_normal(size)
    raise ValueError(f"distribution must be 'uniform' or 'normal', got {distribution!r}")


def _finish(W, rho):
    W = sp.csr_array(W, dtype=np.float64)
    W.sort_indices()
    return W if rho is None else scale_spectral_radius(W, rho)


def from_graph(graph, rho=0.9, *, distribution="uniform", weight=None, seed=None):
    """Weights on the edges of any networkx graph.

    Parameters
    ----------
    graph : networkx.Graph or DiGraph
        N nodes, taken in ``graph.nodes`` order as units 0..N-1. A directed edge
        ``u -> v`` connects unit u to unit v; an undirected edge both ways.
    rho : float or None
        Spectral radius to scale to; ``None`` keeps the drawn weights.
    distribution : {"uniform", "normal"}
        Weights drawn from U[-1, 1] or N(0, 1) independently per direction.
    weight : str, optional
        Use this edge attribute as the weight instead of drawing one.
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    W : scipy.sparse.csr_array, shape (N, N)
        ``W[i, j]`` is the weight from unit j to unit i.
    """
    if not isinstance(graph, nx.Graph):
        raise TypeError(f"graph must be a networkx graph, got {type(graph).__name__}")
    if graph.number_of_nodes() == 0:
        raise ValueError("graph must have at least one node")
    rng = as_rng(seed)
    # to_scipy_sparse_array gives A[u, v] for the edge u -> v; transpose for W[v, u]
    A = nx.to_scipy_sparse_array(graph, weight=weight, format="csr", dtype=np.float64).T.tocsr()
    A.sort_indices()
    if weight is None:
        A.data = _draw(rng, A.nnz, distribution)
    return _finish(A, rho)


def erdos_renyi(n, density=0.1, rho=0.9, *, distribution="uniform", seed=None):
    """Directed random reservoir, the usual ESN one [1]_: ``round(density * N^2)``
    connections (self loops allowed) at distinct positions drawn uniformly
    (``scipy.sparse.random_array``, the G(N, M) form of Erdos-Renyi).

    Parameters
    ----------
    n : int
        Units N.
    density : float in (0, 1]
        Fraction of the N^2 possible connections.
    rho : float or None
        Spectral radius to scale to (None: keep the drawn weights).
    distribution : {"uniform", "normal"}
        Weights from U[-1, 1] or N(0, 1).
    seed : int or numpy Generator, optional

    Returns
    -------
    W : scipy.sparse.csr_array, shape (N, N)
        ``W[i, j]`` from unit j to unit i.
    """
    n = _n_units(n)
    density = as_scalar("density", density, low=0.0, high=1.0, low_open=True)
    rng = as_rng(seed)
    W = sp.random_array((n, n), density=density, format="csr", rng=rng,
                        data_sampler=lambda size: _draw(rng, size, distribution))
    return _finish(W, rho)


def small_world(n, k=4, p=0.1, rho=0.9, *, distribution="uniform", seed=None):
    """Watts-Strogatz small world [4]_: a ring where each unit links to its ``k``
    nearest neighbours, each edge rewired with probability ``p``
    (``networkx.watts_strogatz_graph``).

    Parameters
    ----------
    n : int
        Units N.
    k : int
        Neighbours on the ring.
    p : float in [0, 1]
        Rewiring probability.
    rho : float or None
        Spectral radius to scale to (None: keep the drawn weights).
    distribution : {"uniform", "normal"}
        Weights from U[-1, 1] or N(0, 1).
    seed : int or numpy Generator, optional

    Returns
    -------
    W : scipy.sparse.csr_array, shape (N, N)
        ``W[i, j]`` from unit j to unit i.
    """
    n = _n_units(n)
    k = as_scalar("k", k, low=0, high=n - 1, integer=True)
    p = as_scalar("p", p, low=0.0, high=1.0)
    rng = as_rng(seed)
    G = nx.watts_strogatz_graph(n, k, p, seed=int(rng.integers(2**31)))
    return from_graph(G, rho, distribution=distribution, seed=rng)


def scale_free(n, m=2, rho=0.9, *, distribution="uniform", seed=None):
    """Barabasi-Albert scale-free graph [5]_ in which each new unit attaches to
    ``m`` existing ones by preferential attachment (``networkx.barabasi_albert_graph``).

    Parameters
    ----------
    n : int
        Units N.
    m : int
        Links of each new unit.
    rho : float or None
        Spectral radius to scale to (None: keep the drawn weights).
    distribution : {"uniform", "normal"}
        Weights from U[-1, 1] or N(0, 1).
    seed : int or numpy Generator, optional

    Returns
    -------
    W : scipy.sparse.csr_array, shape (N, N)
        ``W[i, j]`` from unit j to unit i.
    """
    n = _n_units(n)
    m = as_scalar("m", m, low=1, high=max(n - 1, 1), integer=True)
    if m >= n:
        raise ValueError(f"m must be < n, got m={m}, n={n}")
    rng = as_rng(seed)
    G = nx.barabasi_albert_graph(n, m, seed=int(rng.integers(2**31)))
    return from_graph(G, rho, distribution=distribution, seed=rng)


def delay_line(n, r=0.5):
    """Delay line reservoir [2]_: ``W[i+1, i] = r``, a shift register (nilpotent,
    spectral radius 0, so ``r`` sets the scale instead).

    Parameters
    ----------
    n : int
        Units N.
    r : float
        The weight of every link.

    Returns
    -------
    W : scipy.sparse.csr_array, shape (N, N)
    """
    n = _n_units(n)
    r = as_scalar("r", r)
    i = np.arange(n - 1)
    return _finish(sp.csr_array((np.full(n - 1, r), (i + 1, i)), shape=(n, n)), None)


def simple_cycle(n, r=0.9):
    """Simple cycle reservoir [2]_: ``W[i+1 mod N, i] = r``; spectral radius ``|r|``.

    Parameters
    ----------
    n : int
        Units N.
    r : float
        The weight of every link.

    Returns
    -------
    W : scipy.sparse.csr_array, shape (N, N)
    """
    n = _n_units(n)
    r = as_scalar("r", r)
    i = np.arange(n)
    return _finish(sp.csr_array((np.full(n, r), ((i + 1) % n, i)), shape=(n, n)), None)


def cycle_with_jumps(n, r_c=0.7, r_j=0.3, jump=3):
    """Cycle reservoir with regular jumps [3]_: the simple cycle with weight
    ``r_c`` plus bidirectional links of weight ``r_j`` between units 0, jump,
    2 jump, ... (the last link is dropped when N is not a multiple of ``jump``).

    Parameters
    ----------
    n : int
        Units N.
    r_c, r_j : float
        Cycle and jump weights.
    jump : int
        Distance between jumping units.

    Returns
    -------
    W : scipy.sparse.csr_array, shape (N, N)
    """
    n = _n_units(n)
    r_c = as_scalar("r_c", r_c)
    r_j = as_scalar("r_j", r_j)
    jump = as_scalar("jump", jump, low=2, integer=True)
    i = np.arange(n)
    rows, cols, vals = list((i + 1) % n), list(i), [r_c] * n
    hubs = np.arange(0, n - jump + 1 if n % jump else n, jump)
    for a in hubs:
        b = (a + jump) % n
        if a != b:
            rows += [b, a]
            cols += [a, b]
            vals += [r_j, r_j]
    W = sp.coo_array((vals, (rows, cols)), shape=(n, n))
    W.sum_duplicates()
    return _finish(W, None)


def orthogonal(n, rho=1.0, *, seed=None):
    """A random orthogonal matrix times ``rho`` (all eigenvalues of modulus
    ``rho``; dense, stored as CSR), the reservoir whose linear memory capacity
    reaches N (Jaeger 2001 [1]_; White, Lee and Sompolinsky 2004).

    Parameters
    ----------
    n : int
        Units N.
    rho : float
        Modulus of every eigenvalue.
    seed : int or numpy Generator, optional

    Returns
    -------
    W : scipy.sparse.csr_array, shape (N, N)
    """
    n = _n_units(n)
    rho = as_scalar("rho", rho, low=0.0)
    rng = as_rng(seed)
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    q *= np.sign(np.diag(r))  # Haar measure
    return _finish(rho * q, None)


def input_weights(n, n_inputs=1, scaling=1.0, *, density=1.0, distribution="uniform", seed=None):
    """Dense input weights ``W_in`` of shape (N, n_inputs).

    ``distribution`` is ``"uniform"`` (U[-1, 1]), ``"normal"`` or ``"bernoulli"``
    (+-1 with equal probability, ReservoirPy's default); a fraction
    ``1 - density`` of the entries is zeroed; ``scaling`` is a scalar or one
    factor per input.

    Parameters
    ----------
    n : int
        Units N.
    n_inputs : int
    scaling : float or array_like, shape (n_inputs,)
        Scale of all inputs, or one per input.
    density : float in (0, 1]
    distribution : {"uniform", "normal", "bernoulli"}
    seed : int or numpy Generator, optional

    Returns
    -------
    W_in : ndarray, shape (N, n_inputs)
    """
    n = _n_units(n)
    n_inputs = as_scalar("n_inputs", n_inputs, low=1, integer=True)
    density = as_scalar("density", density, low=0.0, high=1.0, low_open=True)
    scale = per_unit("scaling", scaling, n_inputs)
    rng = as_rng(seed)
    if distribution == "bernoulli":
        W = rng.choice([-1.0, 1.0], size=(n, n_inputs))
    else:
        W = _draw(rng, (n, n_inputs), distribution)
    if density < 1.0:
        W *= rng.random((n, n_inputs)) < density
    return W * scale
