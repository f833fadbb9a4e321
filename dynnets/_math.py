"""Elementary functions as plain arithmetic, so that loops calling them vectorise.

This numba build has no SIMD math library (no SVML), so a loop calling ``np.exp``
runs one libm call per element. Here ``x = k ln 2 + r`` with ``|r| <= ln(2)/2``
(Cody-Waite), ``e**r = (Q + P) / (Q - P)`` with the rational approximation of
Cephes' ``exp`` (S. L. Moshier, *Methods and Programs for Mathematical
Functions*, 1989), and ``2**k`` is built from its bits. ``sigmoid`` folds its own
division into that of the rational form, so it costs one division in all; this
is what makes CTRNN populations fast. ``tanh`` (reservoirs) works the same way. Both are within a few ulp of NumPy/SciPy
over the whole double range, subnormals, overflow and NaN included (checked in
``tests/test_math.py``).
"""

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from .config import JIT_STRICT

_LOG2E = 1.4426950408889634
_LN2_HI = 0.6931471803691238  # ln 2 split so that k * _LN2_HI is exact
_LN2_LO = 1.9082149292705877e-10
# Cephes exp.c: e**r = 1 + 2 r P(r^2) / (Q(r^2) - r P(r^2)) on |r| <= ln(2)/2
_P0, _P1, _P2 = 1.26177193074810590878e-4, 3.02994407707441961300e-2, 9.99999999999999999910e-1
_Q0, _Q1, _Q2, _Q3 = 3.00198505138664455042e-6, 2.52448340349684104192e-3, 2.27265548208155028766e-1, 2.0


@intrinsic
def _float64_to_bits(typingctx, x):
    """Reinterpret a float64's bits as an int64."""
    sig = types.int64(types.float64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return sig, codegen


@intrinsic
def _bits_to_float64(typingctx, bits):
    """Reinterpret an int64's bits as a float64 (free, and vectorisable)."""
    sig = types.float64(types.int64)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return sig, codegen


@njit(cache=True, **JIT_STRICT)
def _exp_parts(x):
    """``e**x = 2**k1 * 2**k2 * (Q + P) / (Q - P)`` for ``x`` clamped to the range
    where ``e**x`` goes from zero to inf; returns ``(P, Q, s1, s2)`` with the
    powers of two ``s1 = 2**k1``, ``s2 = 2**k2``. Two factors, so that overflow,
    underflow and subnormal results come out of the multiplications."""
    # Clamping keeps k in int range; NaN passes through (the callers restore it).
    if x > 710.0:  # noqa: PLR1730 (min() would need care with NaN; this lets it through)
        x = 710.0
    if x < -746.0:  # noqa: PLR1730
        x = -746.0
    k = np.floor(x * _LOG2E + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    rr = r * r
    p = r * ((_P0 * rr + _P1) * rr + _P2)
    q = ((_Q0 * rr + _Q1) * rr + _Q2) * rr + _Q3
    ki = np.int64(k)
    k1 = ki >> 1
    k2 = ki - k1
    return p, q, _bits_to_float64((k1 + 1023) << 52), _bits_to_float64((k2 + 1023) << 52)


@njit(cache=True, **JIT_STRICT)
def exp(x):
    """``e**x`` for a float64 scalar; NaN in gives NaN out, overflow gives inf."""
    p, q, s1, s2 = _exp_parts(x)
    res = ((1.0 + 2.0 * p / (q - p)) * s1) * s2
    return x if x != x else res  # noqa: PLR0124 (x != x: NaN)


_SHIFTER = 6755399441055744.0  # 1.5 * 2**52: adding it rounds to an integer, kept in the low bits
_SHIFTER_BITS = 0x4338000000000000
_TWO_M600 = 2.0 ** -600


@njit(cache=True, inline="always", **JIT_STRICT)
def _exp_shifted(t):
    """``e**t = 2**k (Q + P) / (Q - P)`` for ``t <= 0`` of modest size: returns
    ``P``, ``Q``, ``k`` and ``k`` as an int64. ``k = round(t / ln 2)`` comes from
    the shifter, which leaves it in the low bits of the sum: no conversion of
    doubles to integers, which has no vector instruction before AVX-512."""
    kk = t * _LOG2E + _SHIFTER
    k = kk - _SHIFTER
    r = (t - k * _LN2_HI) - k * _LN2_LO
    rr = r * r
    p = r * ((_P0 * rr + _P1) * rr + _P2)
    q = ((_Q0 * rr + _Q1) * rr + _Q2) * rr + _Q3
    return p, q, k, _float64_to_bits(kk) - _SHIFTER_BITS


@njit(cache=True, **JIT_STRICT)
def sigmoid(x):
    """The logistic function ``1 / (1 + exp(-x))``, accurate in both tails.

    With ``z = e**-|x| = 2**k (Q + P) / (Q - P)``: ``sigmoid(|x|) = (Q - P) /
    (Q - P + 2**k (Q + P))`` and ``sigmoid(-|x|)`` has ``2**k (Q + P)`` on top;
    one division either way. The argument is never positive, so this takes a
    shorter path than :func:`exp` (28 vector instructions against 33; the
    sigmoid is half the time of a CTRNN population): ``k = round(-|x| / ln 2)``
    by the shifter, which leaves ``k`` in the low bits of the sum, and one
    power of two ``2**(k + 600)`` built from them, whose product with ``Q + P``
    is exact; the factor ``2**-600`` then rounds once, into the subnormals
    where it must, as the two factors of :func:`_exp_parts` do.
    """
    t = -abs(x)
    if t < -746.0:  # noqa: PLR1730 (below, e**t rounds to zero; NaN passes)
        t = -746.0
    p, q, _, kbits = _exp_shifted(t)
    s = _bits_to_float64((kbits + 1623) << 52)  # 2**(k + 600)
    d = q - p
    zn = ((q + p) * s) * _TWO_M600
    res = (d if x >= 0.0 else zn) / (d + zn)
    return x if x != x else res  # noqa: PLR0124 (x != x: NaN)


@njit(cache=True, **JIT_STRICT)
def tanh(x):
    """``tanh(x)`` for a float64 scalar, within a few ulp of ``np.tanh``.

    ``tanh(|x|) = -m / (2 + m)`` with ``m = e**(-2|x|) - 1``, one division. When
    the range reduction leaves ``k = 0`` (``|x| < ln(2)/4``) the rational form
    gives ``m = 2P / (Q - P)`` without cancellation, so small arguments keep
    their relative accuracy. ``k`` comes from the shifter, as in
    :func:`sigmoid` (with a conversion of doubles to integers its loops ran
    scalar on AVX2).
    Beyond ``|x| = 20``, ``e**(-2|x|) < 2**-57`` and ``m`` rounds to -1, so the
    argument is clamped there and ``2**k`` stays a normal number.
    """
    t = -2.0 * abs(x)
    if t < -40.0:  # noqa: PLR1730 (min() would need care with NaN; this lets it through)
        t = -40.0
    p, q, k, kbits = _exp_shifted(t)
    d = q - p
    s = _bits_to_float64((kbits + 1023) << 52)  # 2**k
    num = 2.0 * p if k == 0.0 else (q + p) * s - d  # m = num / d
    res = -num / (2.0 * d + num)
    res = res if x >= 0.0 else -res
    return x if x != x else res  # noqa: PLR0124 (x != x: NaN)


_EXP_MASK = 0x7FF0000000000000


@njit(cache=True)
def is_finite(x):
    """``x`` is neither NaN nor inf, tested on the exponent bits.

    Integer operations are immune to fastmath: with ``nsz`` and ``reassoc``
    together LLVM can fold ``np.isfinite`` or ``x - x`` away inside fast-math
    kernels, and divergence checks must survive. Use this in every kernel; it
    vectorises.
    """
    return (_float64_to_bits(x) & _EXP_MASK) != _EXP_MASK
