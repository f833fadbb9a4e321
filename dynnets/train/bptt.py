"""Training recurrent cells by backpropagation through time.

A model is a cell (:mod:`dynnets.models.cells`) and a linear readout
``y_t = W h_t + b``. A loss on the readout's outputs, at every step or at the
last, gives ``dL/dy``; the readout turns it into ``dL/dh`` and the cell's
hand-derived backward kernel does the rest. Minibatches run their sequences in
parallel; gradients are clipped by their global norm and applied by SGD with
momentum or Adam, whose updates follow PyTorch's ``torch.optim`` exactly (the
tests check). Truncated BPTT splits the sequences into windows of ``truncate``
steps, carries the state across windows and updates after each.

Losses (means over the scored steps and the batch):

- ``"mse"``: ``mean((y - target)^2)`` over every output component;
- ``"cross_entropy"``: ``mean(-log softmax(y)[label])`` with integer labels.

References
----------
.. [1] P. J. Werbos, "Backpropagation through time: what it does and how to do
       it", Proc. IEEE 78(10), 1550-1560, 1990.
.. [2] R. J. Williams, J. Peng, "An efficient gradient-based algorithm for on-line
       training of recurrent network trajectories", Neural Computation 2(4),
       490-501, 1990 (truncated BPTT).
.. [3] D. P. Kingma, J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.
.. [4] R. Pascanu, T. Mikolov, Y. Bengio, "On the difficulty of training recurrent
       neural networks", ICML 2013 (gradient-norm clipping).
"""

from dataclasses import dataclass, field

import numpy as np
from tqdm.auto import tqdm

from .._validate import as_bool, as_choice, as_float_array, as_rng, as_scalar
from ..errors import DivergenceError
from ..models.cells._base import _Cell
from ..models.cells.layers import Bidirectional, Stack

LOSSES = ("mse", "cross_entropy")


class Readout:
    """Linear readout ``y = W h + b``.

    Parameters
    ----------
    W : array_like, shape (O, H)
    b : array_like, shape (O,), optional
    """

    def __init__(self, W, b=None, *, trainable=True):
        self.W = as_float_array("W", W, ndim=2)
        self.b = np.zeros(self.W.shape[0]) if b is None else as_float_array("b", b, shape=(self.W.shape[0],))
        self.PARAMS = ("W", "b") if trainable else ()

    @classmethod
    def fixed(cls, W, b=None):
        """A readout that training leaves alone (for example one that selects the
        output units of a :class:`~dynnets.models.cells.FullyRecurrent` network)."""
        return cls(W, b, trainable=False)

    def __repr__(self):
        fixed = "" if self.PARAMS else ", fixed"
        return f"Readout(hidden={self.W.shape[1]}, outputs={self.W.shape[0]}{fixed})"

    @classmethod
    def random(cls, n_hidden, n_outputs, *, seed=None):
        """Uniform in ``[-1/sqrt(H), 1/sqrt(H)]`` (PyTorch's ``nn.Linear``)."""
        n_hidden = as_scalar("n_hidden", n_hidden, low=1, integer=True)
        n_outputs = as_scalar("n_outputs", n_outputs, low=1, integer=True)
        s = 1.0 / np.sqrt(n_hidden)
        rng = as_rng(seed)
        return cls(rng.uniform(-s, s, (n_outputs, n_hidden)), rng.uniform(-s, s, n_outputs))

    def __call__(self, h):
        return h @ self.W.T + self.b

    def gradients(self, h, dy):
        """``(dict(W, b), dh)`` for upstream ``dy`` shaped like the outputs (the
        dict is empty for a fixed readout)."""
        if not self.PARAMS:
            return {}, dy @ self.W
        hf, dyf = h.reshape(-1, h.shape[-1]), dy.reshape(-1, dy.shape[-1])
        return {"W": dyf.T @ hf, "b": dyf.sum(0)}, dy @ self.W


def loss_and_grad(kind, y, target, mask=None):
    """Loss and ``dL/dy`` for outputs ``y`` (..., O).

    ``target`` has the shape of ``y`` for ``"mse"``; for ``"cross_entropy"`` it
    holds integer labels of shape ``y.shape[:-1]``. ``mask`` (``y.shape[:-1]``,
    bool) keeps only some positions (padding of variable-length sequences): the
    loss is the mean over them and the others get zero gradient."""
    w = None if mask is None else np.asarray(mask, dtype=bool)
    if kind == "mse":
        d = y - target
        if w is None:
            return float(np.mean(d * d)), 2.0 * d / d.size
        d = d * w[..., None]
        n = max(1, int(w.sum())) * y.shape[-1]
        return float(np.sum(d * d)) / n, 2.0 * d / n
    if kind == "cross_entropy":
        z = y - y.max(axis=-1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
        lab = target.astype(np.int64)
        if w is not None:
            lab = np.where(w, lab, 0)
        pick = np.take_along_axis(logp, lab[..., None], axis=-1)[..., 0]
        g = np.exp(logp)
        np.put_along_axis(g, lab[..., None], np.take_along_axis(g, lab[..., None], axis=-1) - 1.0, axis=-1)
        if w is None:
            n = lab.size
            return -float(pick.sum()) / n, g / n
        n = max(1, int(w.sum()))
        return -float(pick[w].sum()) / n, g * w[..., None] / n
    raise ValueError(f"loss must be one of {LOSSES}, got {kind!r}")


class SGD:
    """Stochastic gradient descent with momentum (PyTorch's form:
    ``v <- mu v + g``, ``p <- p - lr v``).

    Parameters
    ----------
    lr : float
    momentum : float
    """

    def __init__(self, lr=0.01, momentum=0.0):
        self.lr = as_scalar("lr", lr, low=0.0, low_open=True)
        self.momentum = as_scalar("momentum", momentum, low=0.0, high=1.0, high_open=True)
        self.state = {}

    def __repr__(self):
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g})"

    def step(self, params, grads):
        """Update the arrays of ``params`` (a dict) in place."""
        _check_step(params, grads)
        for k, p in params.items():
            g = grads[k]
            if self.momentum:
                v = self.state.get(k)
                v = g.copy() if v is None else self.momentum * v + g
                self.state[k] = v
                g = v
            p -= self.lr * g


class Adam:
    """Adam (Kingma and Ba 2015) with bias correction, as ``torch.optim.Adam``.

    Parameters
    ----------
    lr : float
    betas : (float, float)
        Decay of the first and second moment estimates.
    eps : float
    """

    def __init__(self, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        self.lr = as_scalar("lr", lr, low=0.0, low_open=True)
        self.b1 = as_scalar("betas[0]", betas[0], low=0.0, high=1.0, high_open=True)
        self.b2 = as_scalar("betas[1]", betas[1], low=0.0, high=1.0, high_open=True)
        self.eps = as_scalar("eps", eps, low=0.0, low_open=True)
        self.t = 0
        self.state = {}

    def __repr__(self):
        return f"Adam(lr={self.lr:g}, betas=({self.b1:g}, {self.b2:g}), eps={self.eps:g}, steps={self.t})"

    def step(self, params, grads):
        """Update the arrays of ``params`` (a dict) in place."""
        _check_step(params, grads)
        self.t += 1
        c1, c2 = 1.0 - self.b1**self.t, 1.0 - self.b2**self.t
        for k, p in params.items():
            g = grads[k]
            m, v = self.state.get(k, (np.zeros_like(p), np.zeros_like(p)))
            m = self.b1 * m + (1.0 - self.b1) * g
            v = self.b2 * v + (1.0 - self.b2) * g * g
            self.state[k] = (m, v)
            p -= (self.lr / c1) * m / (np.sqrt(v) / np.sqrt(c2) + self.eps)


def _as_labels(name, x):
    """Integer class labels (any shape)."""
    try:
        a = np.asarray(x)
    except ValueError:
        raise ValueError(f"{name} must be an array of integer labels") from None
    if a.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer labels, got dtype {a.dtype}")
    return a


def _check_step(params, grads):
    """An optimiser step needs two dicts of float arrays with the same keys and shapes."""
    for name, d in (("params", params), ("grads", grads)):
        if not isinstance(d, dict):
            raise TypeError(f"{name} must be a dict of arrays, got {type(d).__name__}")
    if params.keys() != grads.keys():
        raise ValueError(f"grads must have the keys of params {sorted(params)}, got {sorted(grads)}")
    for k, p in params.items():
        if not isinstance(p, np.ndarray) or p.dtype not in (np.float64, np.float32):
            raise TypeError(f"params[{k!r}] must be a float64 or float32 array (updated in place)")
        g = as_float_array(f"grads[{k!r}]", grads[k])
        if g.shape != p.shape:
            raise ValueError(f"grads[{k!r}] must have the shape of params[{k!r}] {p.shape}, got {g.shape}")


def _global_norm(grads):
    with np.errstate(over="ignore", invalid="ignore"):  # inf is the answer, and checked
        return float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))


def clip_grad_norm(grads, max_norm):
    """Scale ``grads`` (dict) in place so that their global 2-norm is at most
    ``max_norm``; returns the norm before clipping."""
    norm = _global_norm(grads)
    coef = max_norm / (norm + 1e-6)  # as torch.nn.utils.clip_grad_norm_
    if coef < 1.0:
        for g in grads.values():
            g *= coef
    return norm


@dataclass
class History:
    """Per-epoch training record: ``loss`` (mean over minibatches) and ``grad_norm``
    (mean global gradient norm before clipping).

    Attributes
    ----------
    loss : list of float
    grad_norm : list of float
    """

    loss: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)

    def plot(self, ax=None):
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        ax.semilogy(np.arange(1, len(self.loss) + 1), self.loss)
        ax.set(xlabel="epoch", ylabel="training loss")
        return ax


def _params(cell, readout):
    p = {f"cell.{k}": a for k, a in cell.parameters().items()}
    p.update({f"readout.{k}": getattr(readout, k) for k in readout.PARAMS})
    return p


def batch_gradients(cell, readout, x, target, *, loss="mse", where="all", h0=None, c0=None, mask=None):
    """Loss and gradients of one minibatch.

    Parameters
    ----------
    cell : a cell of :mod:`dynnets.models.cells`, a Stack or a Bidirectional layer
    readout : Readout
    x : ndarray, shape (T, B, I)
    target : ndarray
        ``(T, B, O)`` or ``(B, O)`` for ``"mse"`` (``where`` = "all" / "last");
        integer labels ``(T, B)`` or ``(B,)`` for ``"cross_entropy"``.
    where : {"all", "last"}
        Score every step or only the last.
    h0, c0 : ndarray, shape (B, H), optional
    mask : ndarray of bool, shape (T, B), optional
        With ``where="all"``: the steps that count (the rest is padding).

    Returns
    -------
    loss : float
    grads : dict
        ``"cell.W_ih"`` ... ``"readout.b"``, matching :func:`train_bptt`'s parameters.
    run : Run
        The forward pass (its last states continue truncated BPTT).
    """
    run = cell.run(x, h0, c0)
    if where == "all":
        y = readout(run.h)
        L, dy = loss_and_grad(loss, y, target, mask)
        gr, dh = readout.gradients(run.h, dy)
    elif where == "last":
        y = readout(run.h[-1])
        L, dy = loss_and_grad(loss, y, target)
        gr, dh_last = readout.gradients(run.h[-1], dy)
        dh = np.zeros_like(run.h)
        dh[-1] = dh_last
    else:
        raise ValueError(f"where must be 'all' or 'last', got {where!r}")
    gc = cell.gradients(x, dh, run=run, h0=h0, c0=c0)
    grads = {f"cell.{k}": gc[k] for k in cell.parameters()}
    grads.update({f"readout.{k}": v for k, v in gr.items()})
    return L, grads, run


def sample(cell, readout, prompt, n_steps, *, temperature=1.0, seed=None):
    """Generate symbols from a trained model: read ``prompt``, then draw each
    next symbol from ``softmax(readout(h) / temperature)`` and feed it back
    (one-hot) as the next input.

    Parameters
    ----------
    cell : a cell whose inputs are one-hot symbols (``n_inputs`` symbols)
    readout : Readout
        With one output per symbol (the logits).
    prompt : sequence of int, length >= 1
        Symbol indices that start the text.
    n_steps : int
        How many symbols to draw.
    temperature : float
        Below 1 sharpens the distribution, above 1 flattens it; 0 takes the most
        likely symbol.
    seed : int or Generator, optional

    Returns
    -------
    ndarray of int, shape (n_steps,)
        The drawn symbols (after the prompt).
    """
    if not isinstance(cell, _Cell):
        raise TypeError(f"cell must be a recurrent cell (dynnets.models.cells), got {type(cell).__name__}")
    if not isinstance(readout, Readout):
        raise TypeError(f"readout must be a Readout, got {type(readout).__name__}")
    K = cell.n_inputs
    if readout.W.shape[0] != K:
        raise ValueError(f"readout must have one output per input symbol ({K}), got {readout.W.shape[0]}")
    prompt = _as_labels("prompt", prompt)
    if prompt.ndim != 1 or prompt.size == 0 or not np.issubdtype(prompt.dtype, np.integer) \
            or prompt.min() < 0 or prompt.max() >= K:
        raise ValueError(f"prompt must be a non-empty sequence of symbol indices in [0, {K})")
    n_steps = as_scalar("n_steps", n_steps, low=1, integer=True)
    temperature = as_scalar("temperature", temperature, low=0.0)
    rng = as_rng(seed)
    eye = np.eye(K)
    run = cell.run(eye[prompt])
    h = run.h[-1, 0]
    c = run.c[-1, 0] if cell.has_cell_state else None
    out = np.empty(n_steps, np.int64)
    for t in range(n_steps):
        z = readout(h)
        if temperature == 0.0:
            k = int(np.argmax(z))
        else:
            p = np.exp((z - z.max()) / temperature)
            k = int(rng.choice(K, p=p / p.sum()))
        out[t] = k
        state = cell.step(eye[k], h, c)
        h, c = state if cell.has_cell_state else (state, None)
    return out


def train_bptt(cell, readout, x, target, *, loss="mse", where="all", mask=None, epochs=10, batch_size=32,
               optimizer=None, clip=None, truncate=None, seed=None, progress=True):
    """Train ``cell`` and ``readout`` in place by minibatch BPTT.

    Parameters
    ----------
    cell : a cell of :mod:`dynnets.models.cells`, a Stack or a Bidirectional layer
    readout : Readout
    x : array_like, shape (T, N, I)
        N training sequences of T steps, time first.
    target : array_like
        ``(T, N, O)`` / ``(N, O)`` for ``"mse"`` with ``where`` "all" / "last";
        integer labels ``(T, N)`` / ``(N,)`` for ``"cross_entropy"``.
    loss : {"mse", "cross_entropy"}
    where : {"all", "last"}
    mask : array_like of bool, shape (T, N), optional
        With ``where="all"``: the steps that count, for sequences of different
        lengths padded to T (see :func:`dynnets.tasks.one_hot`).
    epochs, batch_size : int
    optimizer : SGD or Adam, optional
        Default ``Adam(1e-3)``.
    clip : float, optional
        Maximum global gradient norm.
    truncate : int, optional
        Truncated BPTT window (steps); the state is carried across windows and
        the weights are updated after each. Needs ``where="all"``.
    seed : int or Generator, optional
        Shuffles the sequences each epoch.
    progress : bool

    Returns
    -------
    History

    Raises
    ------
    FloatingPointError
        When a loss, a gradient or a state becomes non-finite; the update that
        would have used it is not applied, so the weights are the last finite ones.
    """
    if not isinstance(cell, (_Cell, Stack, Bidirectional)):
        raise TypeError(f"cell must be a cell of dynnets.models.cells, a Stack or a Bidirectional layer, got "
                        f"{type(cell).__name__}")
    if not isinstance(readout, Readout):
        raise TypeError(f"readout must be a Readout, got {type(readout).__name__}")
    loss = as_choice("loss", loss, LOSSES)
    X = as_float_array("x", x, ndim=3)
    T, N, m = X.shape
    if m != cell.n_inputs:
        raise ValueError(f"x must have shape (T, N, {cell.n_inputs}), got {X.shape}")
    tgt = as_float_array("target", target) if loss == "mse" else _as_labels("target", target)
    lead = (T, N) if where == "all" else (N,)
    want = lead + ((readout.W.shape[0],) if loss == "mse" else ())
    if tgt.shape != want:
        raise ValueError(f"target must have shape {want} for loss={loss!r}, where={where!r}, got {tgt.shape}")
    if mask is not None:
        if where != "all":
            raise ValueError("mask needs where='all'")
        mask = np.asarray(mask)
        if mask.shape != (T, N) or mask.dtype != bool:
            raise ValueError(f"mask must be a boolean array of shape {(T, N)}, got {mask.dtype} {mask.shape}")
    scored = tgt if mask is None or loss == "mse" else tgt[mask]
    if loss == "cross_entropy" and scored.size and (scored.min() < 0 or scored.max() >= readout.W.shape[0]):
        raise ValueError(f"target labels must be in [0, {readout.W.shape[0]})")
    tgt = as_float_array("target", np.where(mask, tgt, 0) if mask is not None and loss != "mse" else tgt)
    epochs = as_scalar("epochs", epochs, low=1, integer=True)
    batch_size = as_scalar("batch_size", batch_size, low=1, integer=True)
    if truncate is not None:
        truncate = as_scalar("truncate", truncate, low=1, integer=True)
        if where != "all":
            raise ValueError("truncate needs where='all' (a loss at every step)")
        if not isinstance(cell, _Cell):
            raise ValueError("truncate needs a single cell (its last state starts the next window)")
    if clip is not None:
        clip = as_scalar("clip", clip, low=0.0, low_open=True)
    opt = Adam() if optimizer is None else optimizer
    rng = as_rng(seed)
    params = _params(cell, readout)
    hist = History()
    window = T if truncate is None else truncate
    for epoch in tqdm(range(epochs), desc="BPTT", unit="epoch", disable=not as_bool("progress", progress)):
        order = rng.permutation(N)
        losses, norms = [], []
        for a in range(0, N, batch_size):
            idx = order[a:a + batch_size]
            xb = X[:, idx]
            tb = tgt[:, idx] if where == "all" else tgt[idx]
            mb = None if mask is None else mask[:, idx]
            h0 = c0 = None
            for t0 in range(0, T, window):
                sl = slice(t0, min(T, t0 + window))
                where_msg = f"epoch {epoch}, minibatch {a // batch_size}"
                try:  # an overflow shows as a non-finite loss or gradient, reported below
                    with np.errstate(over="ignore", invalid="ignore"):
                        L, grads, run = batch_gradients(cell, readout, xb[sl], tb[sl] if where == "all" else tb,
                                                        loss=loss, where=where, h0=h0, c0=c0,
                                                        mask=None if mb is None else mb[sl])
                except DivergenceError as err:
                    raise FloatingPointError(f"training diverged at {where_msg}: {err}; the weights are the last "
                                             "finite ones (lower the learning rate or clip)") from err
                norm = _global_norm(grads)
                if not (np.isfinite(L) and np.isfinite(norm)):
                    raise FloatingPointError(f"training diverged at {where_msg} (non-finite loss or gradient); the "
                                             "weights are the last finite ones (lower the learning rate or clip)")
                if clip:
                    clip_grad_norm(grads, clip)
                norms.append(norm)
                opt.step(params, grads)
                cell.project()
                losses.append(L)
                h0 = run.h[-1]
                c0 = run.c[-1] if run.c is not None else None
        hist.loss.append(float(np.mean(losses)))
        hist.grad_norm.append(float(np.mean(norms)))
    return hist
