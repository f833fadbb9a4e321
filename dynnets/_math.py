"""Elementary functions as plain arithmetic, so that loops calling them vectorise.

This numba build has no SIMD math library (no SVML), so a loop calling ``np.exp``
runs one libm call per element. Here ``x = k ln 2 + r`` with ``|r| <= ln(2)/2``
(Cody-Waite), ``e**r = (Q + P) / (Q - P)`` with the rational approximation of
Cephes' ``exp`` (S. L. Moshier, *Methods and Programs for Mathematical
Functions*, 1989), and ``2**k`` is built from its bits. ``sigmoid`` folds its own
division into that of the rational form, so it costs one division in all; this
is what makes CTRNN populations fast. ``tanh`` (reservoirs) works the same way. Both are within a few ulp of NumPy/SciPy
over the whole double range, subnormals, overflow and NaN included (checked in
``tests/test_math.py``). ``sigmoid32`` and ``tanh32`` are the same forms in float32
arithmetic (for float32 kernels: twice the lanes); ``sigmoid_of`` and ``tanh_of``
pick by the argument's type.
"""

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic, overload

from .config import JIT_STRICT

_LOG2E = 1.4426950408889634
_LN2_HI = 0.6931471803691238  # ln 2 split so that k * _LN2_HI is exact
_LN2_LO = 1.9082149292705877e-10
# Cephes exp.c: e**r = 1 + 2 r P(r^2) / (Q(r^2) - r P(r^2)) on |r| <= ln(2)/2
_P0, _P1, _P2 = 1.26177193074810590878e-4, 3.02994407707441961300e-2, 9.99999999999999999910e-1
_Q0, _Q1, _Q2, _Q3 = 3.00198505138664455042e-6, 2.52448340349684104192e-3, 2.27265548208155028766e-1, 2.0


_INT_OF = {types.float64: types.int64, types.float32: types.int32}


@intrinsic
def _to_bits(typingctx, x):
    """Reinterpret a float64's (float32's) bits as an int64 (int32)."""
    if x not in _INT_OF:
        return None
    sig = _INT_OF[x](x)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(signature.return_type.bitwidth))

    return sig, codegen


@intrinsic
def _from_bits(typingctx, bits):
    """Reinterpret an int64's (int32's) bits as a float64 (float32); free, and
    vectorisable."""
    flt = {i: f for f, i in _INT_OF.items()}.get(bits)
    if flt is None:
        return None
    sig = flt(bits)

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType() if flt == types.float64 else ir.FloatType())

    return sig, codegen


_SHIFTER = 6755399441055744.0  # 1.5 * 2**52: adding it rounds to an integer, kept in the low bits
_SHIFTER_BITS = 0x4338000000000000
_TWO_M600 = 2.0 ** -600


@njit(cache=True, inline="always", **JIT_STRICT)
def _exp_shifted(t):
    """``e**t = 2**k (Q + P) / (Q - P)`` for ``|t|`` of modest size: returns
    ``P``, ``Q``, ``k`` and ``k`` as an int64. ``k = round(t / ln 2)`` comes from
    the shifter, which leaves it in the low bits of the sum: no conversion of
    doubles to integers, which has no vector instruction before AVX-512."""
    kk = t * _LOG2E + _SHIFTER
    k = kk - _SHIFTER
    r = (t - k * _LN2_HI) - k * _LN2_LO
    rr = r * r
    p = r * ((_P0 * rr + _P1) * rr + _P2)
    q = ((_Q0 * rr + _Q1) * rr + _Q2) * rr + _Q3
    return p, q, k, _to_bits(kk) - _SHIFTER_BITS


@njit(cache=True, **JIT_STRICT)
def _exp_parts(x):
    """``e**x = 2**k1 * 2**k2 * (Q + P) / (Q - P)`` for ``x`` clamped to the range
    where ``e**x`` goes from zero to inf; returns ``(P, Q, s1, s2)`` with the
    powers of two ``s1 = 2**k1``, ``s2 = 2**k2``. Two factors, so that overflow,
    underflow and subnormal results come out of the multiplications. ``k`` from
    the shifter (:func:`_exp_shifted`): with ``floor`` and a conversion to
    int64, which has no vector instruction before AVX-512, its loops ran scalar
    on AVX2."""
    # Clamping keeps k in the shifter's range; NaN passes through (the callers restore it).
    if x > 710.0:  # noqa: PLR1730 (min() would need care with NaN; this lets it through)
        x = 710.0
    if x < -746.0:  # noqa: PLR1730
        x = -746.0
    p, q, _, ki = _exp_shifted(x)
    k1 = ki >> 1
    k2 = ki - k1
    return p, q, _from_bits((k1 + 1023) << 52), _from_bits((k2 + 1023) << 52)


@njit(cache=True, **JIT_STRICT)
def exp(x):
    """``e**x`` for a float64 scalar; NaN in gives NaN out, overflow gives inf."""
    p, q, s1, s2 = _exp_parts(x)
    res = ((1.0 + 2.0 * p / (q - p)) * s1) * s2
    return x if x != x else res  # noqa: PLR0124 (x != x: NaN)


@njit(cache=True, **JIT_STRICT)
def sigmoid(x):
    """The logistic function ``1 / (1 + exp(-x))``, accurate in both tails.

    With ``z = e**-|x| = 2**k (Q + P) / (Q - P)``: ``sigmoid(|x|) = (Q - P) /
    (Q - P + 2**k (Q + P))`` and ``sigmoid(-|x|)`` has ``2**k (Q + P)`` on top;
    one division either way. The argument is never positive, so this takes a
    shorter path than :func:`exp` (28 vector instructions against 33 through
    ``exp``'s path of the time, which took ``k`` by ``floor``; the sigmoid is
    half the time of a CTRNN population): ``k = round(-|x| / ln 2)``
    by the shifter, which leaves ``k`` in the low bits of the sum, and one
    power of two ``2**(k + 600)`` built from them, whose product with ``Q + P``
    is exact; the factor ``2**-600`` then rounds once, into the subnormals
    where it must, as the two factors of :func:`_exp_parts` do.
    """
    t = -abs(x)
    if t < -746.0:  # noqa: PLR1730 (below, e**t rounds to zero; NaN passes)
        t = -746.0
    p, q, _, kbits = _exp_shifted(t)
    s = _from_bits((kbits + 1623) << 52)  # 2**(k + 600)
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
    s = _from_bits((kbits + 1023) << 52)  # 2**k
    num = 2.0 * p if k == 0.0 else (q + p) * s - d  # m = num / d
    res = -num / (2.0 * d + num)
    res = res if x >= 0.0 else -res
    return x if x != x else res  # noqa: PLR0124 (x != x: NaN)


# -- float32 -------------------------------------------------------------------
# The same forms in float32 arithmetic, for float32 kernels (the LSTM's): a
# vector holds twice as many. e**r on |r| <= ln(2)/2 is Cephes' expf polynomial,
# e**r = 1 + r + r^2 E(r); np.float32 constants keep numba's arithmetic in float32
# (a Python float would make it float64).

_F = np.float32
_LOG2E_F = _F(1.44269504088896341)
_LN2_HI_F, _LN2_LO_F = _F(0.693359375), _F(-2.12194440e-4)  # Cephes expf's split
_E0, _E1, _E2 = _F(1.9875691500e-4), _F(1.3981999507e-3), _F(8.3334519073e-3)
_E3, _E4, _E5 = _F(4.1665795894e-2), _F(1.6666665459e-1), _F(5.0000001201e-1)
_SHIFTER_F = _F(12582912.0)  # 1.5 * 2**23
_SHIFTER_F_BITS = 0x4B400000
_TWO_M64_F = _F(2.0 ** -64)


@njit(cache=True, inline="always", **JIT_STRICT)
def _expm1_shifted32(t):
    """``e**t = 2**k (1 + m)`` for a float32 ``t <= 0`` of modest size: returns
    ``m`` (without cancellation near 0), ``k`` and ``k`` as an int32."""
    kk = t * _LOG2E_F + _SHIFTER_F
    k = kk - _SHIFTER_F
    r = (t - k * _LN2_HI_F) - k * _LN2_LO_F
    m = r + r * r * (((((_E0 * r + _E1) * r + _E2) * r + _E3) * r + _E4) * r + _E5)
    return m, k, np.int32(_to_bits(kk) - np.int32(_SHIFTER_F_BITS))


@njit(cache=True, **JIT_STRICT)
def sigmoid32(x):
    """:func:`sigmoid` of a float32 in float32 arithmetic: ``z = e**-|x|``,
    ``sigmoid(|x|) = 1 / (1 + z)``, ``sigmoid(-|x|) = z / (1 + z)``; the power
    of two is ``2**(k + 64)`` and the factor ``2**-64`` rounds into the
    subnormals, as in :func:`sigmoid`."""
    t = -abs(x)
    if t < _F(-104.0):  # noqa: PLR1730 (below, e**t rounds to zero; NaN passes)
        t = _F(-104.0)
    m, _, kbits = _expm1_shifted32(t)
    s = _from_bits(np.int32((kbits + np.int32(191)) << np.int32(23)))  # 2**(k + 64)
    z = ((_F(1.0) + m) * s) * _TWO_M64_F
    res = (_F(1.0) if x >= _F(0.0) else z) / (_F(1.0) + z)
    return x if x != x else res  # noqa: PLR0124 (x != x: NaN)


@njit(cache=True, **JIT_STRICT)
def tanh32(x):
    """:func:`tanh` of a float32 in float32 arithmetic: ``tanh(|x|) = -m' / (2 +
    m')`` with ``m' = e**(-2|x|) - 1 = 2**k (1 + m) - 1``, which is ``m`` itself
    when ``k = 0`` (no cancellation for small ``|x|``). Beyond ``|x| = 10``
    ``m'`` rounds to -1, so the argument is clamped there."""
    t = _F(-2.0) * abs(x)
    if t < _F(-20.0):  # noqa: PLR1730
        t = _F(-20.0)
    m, k, kbits = _expm1_shifted32(t)
    s = _from_bits(np.int32((kbits + np.int32(127)) << np.int32(23)))  # 2**k
    mm = m if k == _F(0.0) else (_F(1.0) + m) * s - _F(1.0)
    res = -mm / (_F(2.0) + mm)
    res = res if x >= _F(0.0) else -res
    return x if x != x else res  # noqa: PLR0124 (x != x: NaN)


def sigmoid_of(x):
    """:func:`sigmoid` or :func:`sigmoid32` by the type of ``x``, in compiled code."""
    raise NotImplementedError("sigmoid_of is for compiled code")


def tanh_of(x):
    """:func:`tanh` or :func:`tanh32` by the type of ``x``, in compiled code."""
    raise NotImplementedError("tanh_of is for compiled code")


@overload(sigmoid_of, inline="always")
def _sigmoid_of(x):
    if x == types.float32:
        return lambda x: sigmoid32(x)
    return lambda x: sigmoid(x)


@overload(tanh_of, inline="always")
def _tanh_of(x):
    if x == types.float32:
        return lambda x: tanh32(x)
    return lambda x: tanh(x)


_EXP_MASK = 0x7FF0000000000000


@njit(cache=True)
def is_finite(x):
    """``x`` is neither NaN nor inf, tested on the exponent bits.

    Integer operations are immune to fastmath: with ``nsz`` and ``reassoc``
    together LLVM can fold ``np.isfinite`` or ``x - x`` away inside fast-math
    kernels, and divergence checks must survive. Use this in every kernel; it
    vectorises.
    """
    return (_to_bits(np.float64(x)) & _EXP_MASK) != _EXP_MASK
