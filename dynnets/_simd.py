"""A mat-vec written with explicit SIMD vectors (LLVM IR), for the cell kernels.

``out = init + M^T v`` with ``M`` (J, C): every output is a sum down a column,
``out[c] = init[c] + M[0, c] v[0] + M[1, c] v[1] + ...`` in that order, one
fused multiply-add per term. Eight columns share a vector register and a block
of up to 128 columns is up to 16 independent chains of FMAs over ``j``, with
``v[j]`` broadcast: no horizontal sums, and the accumulators stay in registers.
Row dot products (``out[r] = W[r] . v``) end every row in a horizontal sum,
about 9 cycles a row of 32; at 128 x 32 (an LSTM of 32 units) this form is 2-3x
faster. So the forward kernels of the cells take ``W_ih`` and ``W_hh``
transposed (``_Cell._transposed``).

LLVM does not find this form from numba code: with reassociation allowed it
vectorises the ``j`` reduction (gathers down the columns); without, its SLP
vectoriser leaves the sums scalar. So the loops are built here with llvmlite.
The last ``C % 8`` columns use masked loads and stores, and every column is
summed in the same order whichever block computes it, so an output does not
depend on ``C`` or on its position. Without AVX-512 LLVM splits the vectors
into narrower ones; the results are the same.
"""

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

_LANES = 8  # float64 in a 512-bit register
# Vectors per block, widest first: 16 vectors (128 columns) are 16 independent
# chains of FMAs, enough to hide their latency; each narrower width runs at most
# once, on what is left.
_WIDTHS = (16, 8, 4, 2, 1)


def _vec_ptr(builder, base, offset, vty):
    return builder.bitcast(builder.gep(base, [offset]), vty.as_pointer())


def _column_blocks(builder, M, v, init, out, J, C, vstride, c_start, n_blocks, width, tail=None):
    """Columns ``c_start + b * width * 8 ...`` for ``b < n_blocks``, ``width``
    vectors at a time; with ``tail`` (< 8), one vector of ``tail`` columns."""
    dbl = ir.DoubleType()
    vty = ir.VectorType(dbl, _LANES)
    i64 = ir.IntType(64)
    accs = [cgutils.alloca_once(builder, vty) for _ in range(width)]
    fma = cgutils.get_or_insert_function(builder.module, ir.FunctionType(vty, [vty] * 3), f"llvm.fma.v{_LANES}f64")
    if tail is not None:
        lanes = ir.Constant(ir.VectorType(i64, _LANES), list(range(_LANES)))
        limit = builder.shuffle_vector(builder.insert_element(ir.Constant(ir.VectorType(i64, _LANES), ir.Undefined),
                                                              tail, ir.Constant(i64, 0)),
                                       ir.Constant(ir.VectorType(i64, _LANES), ir.Undefined),
                                       ir.Constant(ir.VectorType(ir.IntType(32), _LANES), [0] * _LANES))
        mask = builder.icmp_unsigned("<", lanes, limit)
        mty = ir.VectorType(ir.IntType(1), _LANES)
        mload = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(vty, [vty.as_pointer(), ir.IntType(32), mty, vty]),
            f"llvm.masked.load.v{_LANES}f64.p0v{_LANES}f64")
        mstore = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [vty, vty.as_pointer(), ir.IntType(32), mty]),
            f"llvm.masked.store.v{_LANES}f64.p0v{_LANES}f64")
        zero = ir.Constant(vty, [0.0] * _LANES)
        align = ir.Constant(ir.IntType(32), 8)

        def load(ptr):
            return builder.call(mload, [ptr, align, mask, zero])

        def store(val, ptr):
            builder.call(mstore, [val, ptr, align, mask])
    else:
        def load(ptr):
            return builder.load(ptr, align=8)

        def store(val, ptr):
            builder.store(val, ptr, align=8)
    with cgutils.for_range(builder, n_blocks) as blk:
        c0 = builder.add(c_start, builder.mul(blk.index, ir.Constant(i64, width * _LANES)))
        for k in range(width):
            ck = builder.add(c0, ir.Constant(i64, k * _LANES))
            builder.store(load(_vec_ptr(builder, init.data, ck, vty)), accs[k])
        with cgutils.for_range(builder, J) as jl:
            j = jl.index
            vj = builder.load(builder.bitcast(builder.gep(builder.bitcast(v.data, ir.IntType(8).as_pointer()),
                                                          [builder.mul(j, vstride)]), dbl.as_pointer()))
            vb = builder.shuffle_vector(builder.insert_element(ir.Constant(vty, ir.Undefined), vj, ir.Constant(i64, 0)),
                                        ir.Constant(vty, ir.Undefined), ir.Constant(ir.VectorType(ir.IntType(32), _LANES),
                                                                                    [0] * _LANES))
            row = builder.mul(j, C)
            for k in range(width):
                ck = builder.add(builder.add(row, c0), ir.Constant(i64, k * _LANES))
                m = load(_vec_ptr(builder, M.data, ck, vty))
                builder.store(builder.call(fma, [m, vb, builder.load(accs[k])]), accs[k])
        for k in range(width):
            ck = builder.add(c0, ir.Constant(i64, k * _LANES))
            store(builder.load(accs[k]), _vec_ptr(builder, out.data, ck, vty))


@intrinsic
def matvec_t(typingctx, M, v, init, out):
    """``out[c] = init[c] + sum_j M[j, c] v[j]`` (summed in order of ``j``).

    ``M`` (J, C) C-contiguous float64; ``v`` (J,) float64, any stride; ``init``
    and ``out`` (C,) C-contiguous float64 (``out`` may be ``init``). Sizes are
    not checked: the caller's shapes must agree.
    """
    f8 = types.float64
    if not (isinstance(M, types.Array) and M.dtype == f8 and M.ndim == 2 and M.layout == "C"):
        return None
    if not (isinstance(v, types.Array) and v.dtype == f8 and v.ndim == 1):
        return None
    for a in (init, out):
        if not (isinstance(a, types.Array) and a.dtype == f8 and a.ndim == 1 and a.layout == "C"):
            return None
    sig = types.void(M, v, init, out)

    def codegen(context, builder, signature, args):
        Ma, va, ia, oa = (context.make_array(t)(context, builder, a) for t, a in zip(signature.args, args))
        J, C = cgutils.unpack_tuple(builder, Ma.shape, 2)
        vstride = cgutils.unpack_tuple(builder, va.strides, 1)[0]
        i64 = ir.IntType(64)
        start = ir.Constant(i64, 0)
        for width in _WIDTHS:  # widest blocks first; each narrower width runs at most once
            cols = ir.Constant(i64, width * _LANES)
            n_blocks = builder.udiv(builder.sub(C, start), cols)
            _column_blocks(builder, Ma, va, ia, oa, J, C, vstride, start, n_blocks, width)
            start = builder.add(start, builder.mul(n_blocks, cols))
        # the last C % 8 columns: one vector block, loads and stores masked to them
        tail = builder.sub(C, start)
        has_tail = builder.zext(builder.icmp_unsigned("!=", tail, ir.Constant(i64, 0)), i64)
        _column_blocks(builder, Ma, va, ia, oa, J, C, vstride, start, has_tail, 1, tail)
        return context.get_dummy_value()

    return sig, codegen
