"""Discrete recurrent cells with hand-derived backward passes.

Every cell maps an input sequence ``x`` (T, B, I), time first, to states ``h``
(T, B, H) with :meth:`run`, which also returns the gate activations; gives
backpropagation-through-time gradients of every parameter, of the inputs and
of the initial state with :meth:`gradients`, given ``dL/dh_t`` from outside
(the readout and loss); and the Jacobian of its state update with
:meth:`jacobian`, for fixed-point and Lyapunov analysis; :meth:`stepper` advances
a copy of the cell one input at a time from Python code, at compiled speed
(agents, control). Sequences of a batch
are independent items of one parallel kernel; the result does not depend on
the number of threads. ``rtrl`` (Elman, fully recurrent, LSTM) gives the same
weight gradients by real-time recurrent learning, forward in time.

========================  ===============================================  ================
cell                      update                                           file
========================  ===============================================  ================
:class:`Elman`            ``h = f(W_ih x + W_hh h + b)`` (``nn.RNN``)      ``elman.py``
:class:`FullyRecurrent`   Williams and Zipser: outputs are units           ``elman.py``
:class:`Jordan`           context from the previous output                 ``jordan.py``
:class:`IndRNN`           ``h = relu(W x + u * h + b)``, bounded ``u``     ``indrnn.py``
:class:`SecondOrder`      ``h_i = f(sum W_ijk h_j x_k + b_i)``             ``second_order.py``
:class:`LSTM`             variants NP (``nn.LSTM``), V (peepholes), CIFG   ``lstm.py``
:class:`GRU`              reset after (``nn.GRU``) or before (Cho)         ``gru.py``
========================  ===============================================  ================

:class:`Stack`, :class:`Bidirectional` and :class:`EncoderDecoder` (``layers.py``)
compose cells into deeper networks.

Elman, LSTM and GRU use PyTorch's names, shapes and gate order, and move to and
from PyTorch with ``torch_state`` / ``from_torch_state``.

Cells compute in float64. An LSTM can also run and train in float32
(``LSTM(..., dtype="float32")`` or ``cell.astype("float32")``), PyTorch's default
precision, about 1.5-2x faster on large batches; its stepper, RTRL, Jacobian and
map still compute in float64.

References
----------
.. [1] P. J. Werbos, "Backpropagation through time: what it does and how to do it",
       Proc. IEEE 78(10), 1550-1560, 1990.
.. [2] R. J. Williams, D. Zipser, "A learning algorithm for continually running
       fully recurrent neural networks", Neural Computation 1(2), 270-280, 1989.

Each cell's module gives its equations and references.
"""

from ._base import Run
from .elman import Elman, FullyRecurrent
from .gru import GRU
from .indrnn import IndRNN
from .jordan import Jordan
from .layers import Bidirectional, EncoderDecoder, Stack, StackRun
from .lstm import LSTM
from .second_order import SecondOrder

__all__ = ["GRU", "LSTM", "Bidirectional", "Elman", "EncoderDecoder", "FullyRecurrent", "IndRNN", "Jordan", "Run",
           "SecondOrder", "Stack", "StackRun"]
