"""Elementary functions as plain arithmetic, so that loops calling them vectorise.

This numba build has no SIMD math library (no SVML), so a loop calling ``np.exp``
runs one libm call per element. ``exp`` below is a Cody-Waite range reduction and a
degree-13 Taylor polynomial, and builds ``2**k`` from its bits; it is within a few
ulp of ``np.exp`` over the whole double range, subnormals, overflow and NaN included (checked in ``tests/test_math.py``).
"""

import math

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

from .config import JIT_STRICT

_LOG2E = 1.4426950408889634
_LN2_HI = 0.6931471803691238  # ln 2 split so that k * _LN2_HI is exact
_LN2_LO = 1.9082149292705877e-10
_INV_FACT = tuple(1.0 / math.factorial(k) for k in range(14))


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
def exp(x):
    """``e**x`` for a float64 scalar; NaN in gives NaN out, overflow gives inf.

    Branch-free: ``2**k`` is applied as two factors ``2**k1 * 2**k2`` so that
    overflow, underflow and subnormal results come out of the multiplication.
    """
    # Clamping keeps k in int range; written so that NaN passes through.
    if x > 710.0:
        x = 710.0
    if x < -746.0:
        x = -746.0
    k = np.floor(x * _LOG2E + 0.5)
    r = (x - k * _LN2_HI) - k * _LN2_LO
    p = _INV_FACT[13]
    p = p * r + _INV_FACT[12]
    p = p * r + _INV_FACT[11]
    p = p * r + _INV_FACT[10]
    p = p * r + _INV_FACT[9]
    p = p * r + _INV_FACT[8]
    p = p * r + _INV_FACT[7]
    p = p * r + _INV_FACT[6]
    p = p * r + _INV_FACT[5]
    p = p * r + _INV_FACT[4]
    p = p * r + _INV_FACT[3]
    p = p * r + _INV_FACT[2]
    p = p * r + 1.0
    p = p * r + 1.0
    ki = np.int64(k)
    k1 = ki >> 1
    k2 = ki - k1
    res = (p * _bits_to_float64((k1 + 1023) << 52)) * _bits_to_float64((k2 + 1023) << 52)
    return x if x != x else res


@njit(cache=True, **JIT_STRICT)
def sigmoid(x):
    """The logistic function ``1 / (1 + exp(-x))``, accurate in both tails."""
    z = exp(-abs(x))
    return (1.0 if x >= 0.0 else z) / (1.0 + z)


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
