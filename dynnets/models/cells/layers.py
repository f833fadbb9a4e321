"""Cells composed into deeper networks: stacked layers, bidirectional layers and
an encoder-decoder pair. Each composite has the cells' interface (``run``,
``gradients``, ``parameters``, ``project``) and backpropagates through its
parts with their own kernels; parameters are named ``"<part>.<name>"``.

References
----------
.. [1] M. Schuster, K. K. Paliwal, "Bidirectional recurrent neural networks",
       IEEE Trans. Signal Processing 45(11), 2673-2681, 1997.
.. [2] A. Graves, A. Mohamed, G. Hinton, "Speech recognition with deep recurrent
       neural networks", ICASSP 2013 (stacked and bidirectional LSTMs).
.. [3] I. Sutskever, O. Vinyals, Q. V. Le, "Sequence to sequence learning with
       neural networks", NeurIPS 2014; K. Cho et al., EMNLP 2014 (encoder-decoder).
"""

from dataclasses import dataclass

import numpy as np

from ..._repr import array_repr
from ..._validate import argument, as_float_array
from ._base import Run, _Cell


def _check_cells(name, cells):
    if not all(isinstance(c, _Cell) for c in cells):
        raise TypeError(f"{name} must be cells of dynnets.models.cells, got "
                        f"{[type(c).__name__ for c in cells]}")


class _Composite:
    """Parameters of named parts, flattened as ``"<part>.<name>"``."""

    has_cell_state = False

    def _parts(self):
        raise NotImplementedError

    def parameters(self):
        """The trainable arrays of every part, by ``"<part>.<name>"``."""
        return {f"{k}.{p}": a for k, cell in self._parts() for p, a in cell.parameters().items()}

    @property
    def PARAMS(self):
        return tuple(self.parameters())

    def project(self):
        for _, cell in self._parts():
            cell.project()

    def _merge(self, grads):
        return {f"{k}.{p}": g[p] for (k, cell), g in zip(self._parts(), grads) for p in cell.parameters()}


@dataclass(frozen=True)
class StackRun:
    """Forward pass of a :class:`Stack`: ``layers`` (one :class:`Run` each) and
    ``h``, the top layer's states (T, B, H_top).

    Attributes
    ----------
    layers : list of Run
    h : ndarray, shape (T, B, H_top)
    c : ndarray or None
        The top layer's cell states, for an LSTM on top.
    """

    __repr__ = array_repr

    layers: list
    h: np.ndarray
    c: np.ndarray = None

    def plot(self, ax=None, item=0):
        """The top layer's states of batch item ``item`` against the step; returns the Axes."""
        import matplotlib.pyplot as plt

        ax = ax or plt.gca()
        ax.plot(self.h[:, item, :], lw=0.8)
        ax.set(xlabel="step", ylabel="h (top layer)")
        return ax


class Stack(_Composite):
    """Layers of cells, each reading the states of the one below.

    Parameters
    ----------
    cells : sequence of cells
        Bottom first; layer ``l`` must have ``n_inputs`` equal to the state size
        of layer ``l - 1``.
    """

    def __init__(self, cells):
        cells = list(cells)
        if not cells:
            raise ValueError("cells must hold at least one cell")
        _check_cells("cells", cells)
        for l in range(1, len(cells)):
            if cells[l].n_inputs != cells[l - 1].n_state:
                raise ValueError(f"cells[{l}] takes {cells[l].n_inputs} inputs but cells[{l - 1}] has "
                                 f"{cells[l - 1].n_state} states")
        self.cells = cells

    n_inputs = property(lambda self: self.cells[0].n_inputs)
    n_state = property(lambda self: self.cells[-1].n_state)

    def __repr__(self):
        return f"Stack({', '.join(repr(c) for c in self.cells)})"

    def _parts(self):
        return [(str(l), c) for l, c in enumerate(self.cells)]

    def _initial(self, name, v):
        if v is None:
            return [None] * len(self.cells)
        if len(v) != len(self.cells):
            raise ValueError(f"{name} must hold one state per layer ({len(self.cells)}), got {len(v)}")
        return list(v)

    def run(self, x, h0=None, c0=None):
        """States of every layer for inputs ``x`` (T, I) or (T, B, I); ``h0``,
        ``c0``: one initial state (or None) per layer. Returns :class:`StackRun`."""
        h0, c0 = self._initial("h0", h0), self._initial("c0", c0)
        runs, inp = [], x
        for cell, h, c in zip(self.cells, h0, c0):
            r = cell.run(inp, h, c if cell.has_cell_state else None)
            runs.append(r)
            inp = r.h
        return StackRun(runs, runs[-1].h)

    def gradients(self, x, dh, run=None, h0=None, c0=None, dc=None):
        """BPTT through the stack for ``dh`` (T, B, H_top) on the top layer's
        states; returns every layer's parameter gradients (``"0.W_ih"`` ...),
        ``x`` (T, B, I) and ``h0`` / ``c0`` as lists per layer."""
        if dc is not None:
            raise ValueError("dc: a Stack takes its outside gradient on the top layer's h only")
        h0, c0 = self._initial("h0", h0), self._initial("c0", c0)
        run = self.run(x, h0, c0) if run is None else run
        grads, d = [None] * len(self.cells), dh
        dh0, dc0 = [None] * len(self.cells), [None] * len(self.cells)
        for l in range(len(self.cells) - 1, -1, -1):
            cell = self.cells[l]
            inp = x if l == 0 else run.layers[l - 1].h
            g = cell.gradients(inp, d, run=run.layers[l], h0=h0[l], c0=c0[l] if cell.has_cell_state else None)
            grads[l], d = g, g["x"]
            dh0[l], dc0[l] = g["h0"], g.get("c0")
        out = self._merge(grads)
        out.update(x=d, h0=dh0, c0=dc0)
        return out


class Bidirectional(_Composite):
    """A forward and a backward cell over the same sequence; the state at step t
    is ``[h_fwd_t; h_bwd_t]`` (T, B, H_f + H_b), where the backward cell has read
    steps T-1 down to t.

    Parameters
    ----------
    forward, backward : cells with the same number of inputs
    """

    def __init__(self, forward, backward):
        _check_cells("forward and backward", [forward, backward])
        if forward.n_inputs != backward.n_inputs:
            raise ValueError(f"forward and backward must take the same inputs, got {forward.n_inputs} and "
                             f"{backward.n_inputs}")
        self.forward, self.backward = forward, backward

    n_inputs = property(lambda self: self.forward.n_inputs)
    n_state = property(lambda self: self.forward.n_state + self.backward.n_state)

    def __repr__(self):
        return f"Bidirectional({self.forward!r}, {self.backward!r})"

    def _parts(self):
        return [("forward", self.forward), ("backward", self.backward)]

    def run(self, x, h0=None, c0=None):
        """States for inputs ``x`` (T, I) or (T, B, I), from zero initial states.
        Returns :class:`StackRun` with ``layers = [forward run, backward run]``
        (the backward run in its own, reversed, time order)."""
        if h0 is not None or c0 is not None:
            raise ValueError("h0/c0: a Bidirectional layer starts both directions from zero")
        X = as_float_array("x", x, ndim=(2, 3))
        rf, rb = self.forward.run(X), self.backward.run(X[::-1])
        return StackRun([rf, rb], np.concatenate([rf.h, rb.h[::-1]], axis=-1))

    def gradients(self, x, dh, run=None, h0=None, c0=None, dc=None):
        """BPTT for ``dh`` (T, B, H_f + H_b); returns ``"forward.*"``,
        ``"backward.*"`` and ``x``."""
        if dc is not None:
            raise ValueError("dc: a Bidirectional layer takes its outside gradient on h only")
        X = as_float_array("x", x, ndim=(2, 3))
        run = self.run(X) if run is None else run
        dh = as_float_array("dh", dh)
        if dh.shape[:-1] != run.h.shape[:-1] or dh.shape[-1] != self.n_state:
            raise ValueError(f"dh must have the shape of the states that x gives, {run.h.shape}, got {dh.shape}")
        nf = self.forward.n_state
        gf = self.forward.gradients(X, dh[..., :nf], run=run.layers[0])
        gb = self.backward.gradients(X[::-1], dh[::-1, ..., nf:], run=run.layers[1])
        out = self._merge([gf, gb])
        out["x"] = gf["x"] + gb["x"][::-1]
        return out


class EncoderDecoder(_Composite):
    """Sequence to sequence: the encoder reads the source, its last state starts
    the decoder, which reads the decoder inputs (teacher forcing: the target
    shifted by one step).

    Parameters
    ----------
    encoder, decoder : cells of the same kind and state size
    """

    def __init__(self, encoder, decoder):
        _check_cells("encoder and decoder", [encoder, decoder])
        if encoder.n_state != decoder.n_state or encoder.has_cell_state != decoder.has_cell_state:
            raise ValueError("encoder and decoder must have the same state size and kind (cell state or not)")
        self.encoder, self.decoder = encoder, decoder

    n_state = property(lambda self: self.decoder.n_state)

    def __repr__(self):
        return f"EncoderDecoder({self.encoder!r}, {self.decoder!r})"

    def _parts(self):
        return [("encoder", self.encoder), ("decoder", self.decoder)]

    def run(self, source, inputs):
        """Encoder run on ``source`` (T_s, B, I_s) and decoder run on ``inputs``
        (T_d, B, I_d) from the encoder's last state. Returns :class:`StackRun`
        with ``layers = [encoder run, decoder run]`` and the decoder's ``h``."""
        with argument("source"):
            re = self.encoder.run(source)
        c = re.c[-1] if self.encoder.has_cell_state else None
        with argument("inputs"):
            rd = self.decoder.run(inputs, re.h[-1], c)
        return StackRun([re, rd], rd.h)

    def gradients(self, source, inputs, dh, run=None):
        """BPTT for ``dh`` (T_d, B, H) on the decoder states: the gradient on the
        decoder's initial state flows into the encoder's last step. Returns
        ``"encoder.*"``, ``"decoder.*"``, ``source`` and ``inputs`` gradients."""
        run = self.run(source, inputs) if run is None else run
        re, rd = run.layers
        c0 = re.c[-1] if self.encoder.has_cell_state else None
        gd = self.decoder.gradients(inputs, dh, run=rd, h0=re.h[-1], c0=c0)
        dhe = np.zeros(re.h.shape)
        dhe[-1] = gd["h0"]
        if self.encoder.has_cell_state:
            dce = np.zeros(re.c.shape)
            dce[-1] = gd["c0"]
            ge = self.encoder.gradients(source, dhe, run=re, dc=dce)
        else:
            ge = self.encoder.gradients(source, dhe, run=re)
        out = self._merge([ge, gd])
        out.update(source=ge["x"], inputs=gd["x"])
        return out

    def generate(self, source, first, n_steps, readout, feedback):
        """Decode without teacher forcing: from the encoder's state, feed the
        decoder ``first`` (B, I_d), then ``feedback(readout(h_t))`` at each step.

        Parameters
        ----------
        source : array_like, shape (T_s, B, I_s)
        first : array_like, shape (B, I_d)
        n_steps : int
        readout : callable
            States (B, H) to outputs (B, O), e.g. a :class:`~dynnets.train.bptt.Readout`.
        feedback : callable
            Outputs (B, O) to the next decoder input (B, I_d) (e.g. one-hot of
            the argmax).

        Returns
        -------
        ndarray, shape (n_steps, B, O)
            The outputs.
        """
        re = self.encoder.run(source)
        h = re.h[-1]
        c = re.c[-1] if self.encoder.has_cell_state else None
        inp = as_float_array("first", first, ndim=2)
        outs = []
        for _ in range(int(n_steps)):
            r = self.decoder.run(inp[None], h, c)
            h = r.h[0]
            c = r.c[0] if self.decoder.has_cell_state else None
            y = readout(h)
            outs.append(y)
            inp = as_float_array("feedback(y)", feedback(y), ndim=2)
        return np.stack(outs)


__all__ = ["Bidirectional", "EncoderDecoder", "Run", "Stack", "StackRun"]
