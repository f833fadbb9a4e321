"""Symbol sequences for recurrent networks: the (embedded) Reber grammar, a
small built-in text, the 3-bit flip-flop, and one-hot coding.

Reber grammar (Reber 1967), as used by Fahlman (1991) and Hochreiter and
Schmidhuber (1997); symbols B T P S X V E, each branch taken with probability
1/2::

    B -> 1;  1: T -> 2, P -> 3;  2: S -> 2, X -> 4;  3: T -> 3, V -> 5;
    4: X -> 3, S -> end;  5: P -> 4, V -> end;  end: E

Embedded Reber grammar: ``B c <Reber string> c E`` with ``c`` in {T, P}. The
second-to-last symbol repeats the second one, across the whole inner string:
predicting it needs memory that gradient descent on simple recurrent networks
rarely finds.

References
----------
.. [1] A. S. Reber, "Implicit learning of artificial grammars", J. Verbal
       Learning and Verbal Behavior 6, 855-863, 1967.
.. [2] S. Hochreiter, J. Schmidhuber, "Long short-term memory", Neural
       Computation 9(8), 1735-1780, 1997 (experiment 1).
.. [3] D. Sussillo, O. Barak, "Opening the black box: low-dimensional dynamics in
       high-dimensional recurrent neural networks", Neural Computation 25(3),
       626-649, 2013 (3-bit flip-flop).
.. [4] L. Carroll, "Alice's Adventures in Wonderland", 1865, chapter I (public
       domain): the built-in text.
"""

from importlib import resources

import numpy as np

from .._validate import as_bool, as_rng, as_scalar

REBER_SYMBOLS = "BTPSXVE"
# node -> ((symbol, next node), (symbol, next node)); node 6 is the end
_REBER = {1: (("T", 2), ("P", 3)), 2: (("S", 2), ("X", 4)), 3: (("T", 3), ("V", 5)), 4: (("X", 3), ("S", 6)),
          5: (("P", 4), ("V", 6))}


def _reber_body(rng):
    """Symbols after B up to the end node, with the legal successors of each prefix."""
    node, out, legal = 1, [], [set("TP")]
    while node != 6:
        sym, node = _REBER[node][rng.integers(2)]
        out.append(sym)
        legal.append({s for s, _ in _REBER[node]} if node != 6 else {"E"})
    return out, legal


def reber(n, *, embedded=False, seed=None):
    """``n`` strings of the (embedded) Reber grammar.

    Parameters
    ----------
    n : int
        Strings.
    embedded : bool
        The embedded grammar (Hochreiter and Schmidhuber 1997) instead of Reber's.
    seed : int or numpy Generator, optional

    Returns
    -------
    strings : list of str
        Each from ``B`` to ``E``.
    legal : list of list of str
        ``legal[i][t]``: the symbols the grammar allows after ``strings[i][:t + 1]``
        (one entry per symbol but the last).
    """
    n = as_scalar("n", n, low=1, integer=True)
    rng = as_rng(seed)
    strings, legals = [], []
    for _ in range(n):
        body, legal = _reber_body(rng)
        if as_bool("embedded", embedded):
            c = "TP"[rng.integers(2)]
            s = "B" + c + "B" + "".join(body) + "E" + c + "E"
            # after B: T or P; after c: B; the inner string's own successors, with
            # the inner E's successor fixed by c
            legal = [set("TP"), {"B"}] + legal[:-1] + [{"E"}, {c}, {"E"}]
        else:
            s = "B" + "".join(body) + "E"
        strings.append(s)
        legals.append(["".join(sorted(x)) for x in legal])
    return strings, legals


def one_hot(strings, alphabet, length=None):
    """One-hot code ``strings`` over ``alphabet``, time first, zero-padded.

    Parameters
    ----------
    strings : list of str
    alphabet : str or sequence of str
    length : int, optional
        Pad to this many symbols (default: the longest string).

    Returns
    -------
    x : ndarray, shape (T, N, len(alphabet))
    codes : ndarray of int, shape (T, N)
        Symbol indices, -1 in the padding.
    mask : ndarray of bool, shape (T, N)
        True where there is a symbol.
    """
    if isinstance(strings, str) or not isinstance(strings, (list, tuple)) or not strings \
            or not all(isinstance(s, str) for s in strings):
        raise TypeError("strings must be a non-empty list of str")
    if not (isinstance(alphabet, str) or (isinstance(alphabet, (list, tuple))
                                          and all(isinstance(c, str) for c in alphabet))) or not alphabet:
        raise TypeError("alphabet must be a non-empty str or sequence of str")
    index = {c: i for i, c in enumerate(alphabet)}
    T = max(len(s) for s in strings) if length is None else as_scalar("length", length, low=1, integer=True)
    codes = np.full((T, len(strings)), -1, np.int64)
    for j, s in enumerate(strings):
        try:
            codes[:len(s), j] = [index[c] for c in s[:T]]
        except KeyError as err:
            raise ValueError(f"strings: symbol {err} is not in the alphabet {alphabet!r}") from None
    x = np.zeros((T, len(strings), len(alphabet)))
    t, j = np.nonzero(codes >= 0)
    x[t, j, codes[t, j]] = 1.0
    return x, codes, codes >= 0


def next_symbol(strings, alphabet, length=None):
    """Next-symbol prediction data: inputs are symbols ``0 .. L-2`` of each
    string (one-hot), labels symbols ``1 .. L-1``.

    Parameters
    ----------
    strings : list of str
    alphabet : str or sequence of str
    length : int, optional
        Pad to this many symbols (default: the longest string).

    Returns
    -------
    x : ndarray, shape (T - 1, N, K)
    labels : ndarray of int, shape (T - 1, N)
        -1 in the padding.
    mask : ndarray of bool, shape (T - 1, N)
        For :func:`dynnets.train.train_bptt` (``mask=``).
    """
    x, codes, mask = one_hot(strings, alphabet, length)
    return x[:-1], codes[1:], mask[1:]


def legal_predictions(logits, legal, alphabet=REBER_SYMBOLS):
    """Score next-symbol predictions against the grammar.

    At each step the prediction is right when the ``k`` largest outputs are
    exactly the ``k`` legal successors (Hochreiter and Schmidhuber's criterion:
    the units of the possible next symbols are the most active).

    Parameters
    ----------
    logits : ndarray, shape (T, N, K)
        Outputs after reading symbols ``0 .. T-1`` of each string.
    legal : list of list of str
        From :func:`reber`.

    Returns
    -------
    strings : ndarray of bool, shape (N,)
        Every step of the string predicted right.
    second_to_last : ndarray of bool, shape (N,)
        The long-range step of the embedded grammar (the second-to-last symbol)
        predicted right.
    """
    logits = np.asarray(logits)
    order = np.argsort(-logits, axis=-1)
    all_ok = np.zeros(len(legal), bool)
    pen_ok = np.zeros(len(legal), bool)
    for j, lg in enumerate(legal):
        ok = [{alphabet[k] for k in order[t, j, :len(a)]} == set(a) for t, a in enumerate(lg)]
        all_ok[j] = all(ok)
        pen_ok[j] = ok[len(lg) - 2]
    return all_ok, pen_ok


def text():
    """The built-in text: the opening of chapter I of Carroll's *Alice's
    Adventures in Wonderland* (public domain), about 3,300 characters."""
    return resources.files("dynnets.tasks").joinpath("data/alice_ch1.txt").read_text(encoding="utf-8")


def flip_flop(n, T, *, bits=3, p=0.05, seed=None):
    """The n-bit flip-flop task of Sussillo and Barak (2013).

    Each input channel carries rare pulses of +1 or -1 (probability ``p`` per
    step); the matching output holds the sign of the last pulse on its channel
    (0 before the first).

    Parameters
    ----------
    n : int
        Sequences.
    T : int
        Steps.
    bits : int
        Channels.
    p : float
        Pulse probability per step and channel.
    seed : int or numpy Generator, optional

    Returns
    -------
    x, y : ndarray, shape (T, n, bits)
    """
    n = as_scalar("n", n, low=1, integer=True)
    T = as_scalar("T", T, low=1, integer=True)
    bits = as_scalar("bits", bits, low=1, integer=True)
    p = as_scalar("p", p, low=0.0, high=1.0)
    rng = as_rng(seed)
    x = np.where(rng.random((T, n, bits)) < p, rng.choice([-1.0, 1.0], (T, n, bits)), 0.0)
    y = np.zeros_like(x)
    last = np.zeros((n, bits))
    for t in range(T):
        last = np.where(x[t] != 0, x[t], last)
        y[t] = last
    return x, y
