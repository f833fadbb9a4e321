"""Mat-vecs written with explicit SIMD vectors (LLVM IR), for the cell kernels
(in float64 or float32) and the CTRNN population (:func:`batched_matvec_add`).

``out = init + M^T v`` with ``M`` (J, C): every output is a sum down a column,
``out[c] = init[c] + M[0, c] v[0] + M[1, c] v[1] + ...`` in that order, one
fused multiply-add per term. A vector register holds 8 columns (4 with AVX2)
and a block of up to 16 vectors (8) is as many independent chains of FMAs over ``j``, with
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
depend on ``C`` or on its position.

Vector width and block sizes follow the CPU numba compiles for: 8 doubles a
vector and 32 registers with AVX-512, 4 and 16 with AVX2 (2 and 16 below it).
Blocks sized for 32 registers spilled with 16: on a Zen 3 the LSTM batch of
benchmark (b) ran 1.7x slower than with blocks sized for it. Every output is the
same chain of FMAs in the same order at any width, so the results do not
depend on the machine either.
"""

import sys

import llvmlite.binding as llvm
import numba
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


def _target_features():
    """The CPU features numba compiles for: the host's, or those of the CPU named
    by ``NUMBA_CPU_NAME`` / ``NUMBA_CPU_FEATURES`` (e.g. for a portable cache)."""
    if numba.config.CPU_NAME:
        return {f[1:] for f in (numba.config.CPU_FEATURES or "").split(",") if f.startswith("+")}
    return {k for k, on in llvm.get_host_cpu_features().items() if on}


_FEATURES = _target_features()
_LITTLE_ENDIAN = sys.byteorder == "little"
_LANES = 8 if "avx512f" in _FEATURES else 4 if "avx" in _FEATURES else 2  # doubles per register
_WIDE = _LANES == 8  # 32 vector registers, else 16
# Vectors per block, widest first: half the registers as independent chains of
# FMAs (16 with AVX-512, 8 with AVX2: two FMAs a cycle of 4-cycle latency),
# enough to hide their latency; each narrower width runs at most once, on what
# is left.
_WIDTHS = (16, 8, 4, 2, 1) if _WIDE else (8, 4, 2, 1)


class _Vectors:
    """IR helpers for one block of columns: loads, stores (masked to the first
    ``tail`` lanes when ``tail`` is given), broadcasts and FMAs of one register's
    worth of float64 or float32 (``dtype``, a numba type): ``lanes`` of them."""

    def __init__(self, builder, dtype, tail=None):
        self.b = b = builder
        f32 = dtype == types.float32
        self.elem = ir.FloatType() if f32 else ir.DoubleType()
        self.size = 4 if f32 else 8
        self.lanes = lanes = _LANES * 8 // self.size
        self.vty = vty = ir.VectorType(self.elem, lanes)
        name = f"v{lanes}{'f32' if f32 else 'f64'}"
        self.i64 = i64 = ir.IntType(64)
        self.fma = cgutils.get_or_insert_function(b.module, ir.FunctionType(vty, [vty] * 3), f"llvm.fma.{name}")
        self.mask = None
        if tail is not None:
            ivec = ir.VectorType(i64, lanes)
            self.mask = b.icmp_unsigned("<", ir.Constant(ivec, list(range(lanes))), self._splat(tail, ivec))
            mty = ir.VectorType(ir.IntType(1), lanes)
            self.mload = cgutils.get_or_insert_function(
                b.module, ir.FunctionType(vty, [vty.as_pointer(), ir.IntType(32), mty, vty]),
                f"llvm.masked.load.{name}.p0{name}")
            self.mstore = cgutils.get_or_insert_function(
                b.module, ir.FunctionType(ir.VoidType(), [vty, vty.as_pointer(), ir.IntType(32), mty]),
                f"llvm.masked.store.{name}.p0{name}")

    def _splat(self, x, vty):
        b = self.b
        one = b.insert_element(ir.Constant(vty, ir.Undefined), x, ir.Constant(self.i64, 0))
        return b.shuffle_vector(one, ir.Constant(vty, ir.Undefined),
                                ir.Constant(ir.VectorType(ir.IntType(32), vty.count), [0] * vty.count))

    def ptr(self, base, offset):
        """Address of the vector at element ``offset`` of ``base`` (an element pointer)."""
        return self.b.bitcast(self.b.gep(base, [offset]), self.vty.as_pointer())

    def load(self, ptr):
        if self.mask is None:
            return self.b.load(ptr, align=self.size)
        return self.b.call(self.mload, [ptr, ir.Constant(ir.IntType(32), self.size), self.mask,
                                        ir.Constant(self.vty, [0.0] * self.lanes)])

    def store(self, val, ptr):
        if self.mask is None:
            self.b.store(val, ptr, align=self.size)
        else:
            self.b.call(self.mstore, [val, ptr, ir.Constant(ir.IntType(32), self.size), self.mask])

    def broadcast(self, data, offset):
        """The element ``offset`` bytes into ``data``, in every lane."""
        b = self.b
        p = b.gep(b.bitcast(data, ir.IntType(8).as_pointer()), [offset])
        return self._splat(b.load(b.bitcast(p, self.elem.as_pointer())), self.vty)


def _by_column_blocks(builder, dtype, C, body, widths=_WIDTHS):
    """Cover columns 0..C-1 in blocks: those of each width in ``widths`` (in
    vectors), then the last ``C % lanes`` columns as one masked vector.
    ``body(vec, cols)`` emits the code of one block, given the first column of
    each of its vectors."""
    i64 = ir.IntType(64)

    def blocks(vec, start, n_blocks, width):
        with cgutils.for_range(builder, n_blocks) as blk:
            c0 = builder.add(start, builder.mul(blk.index, ir.Constant(i64, width * vec.lanes)))
            body(vec, [builder.add(c0, ir.Constant(i64, k * vec.lanes)) for k in range(width)])

    start = ir.Constant(i64, 0)
    vec = _Vectors(builder, dtype)
    for width in widths:  # widest first; each narrower width runs at most once
        cols = ir.Constant(i64, width * vec.lanes)
        n_blocks = builder.udiv(builder.sub(C, start), cols)
        blocks(vec, start, n_blocks, width)
        start = builder.add(start, builder.mul(n_blocks, cols))
    tail = builder.sub(C, start)
    blocks(_Vectors(builder, dtype, tail), start,
           builder.zext(builder.icmp_unsigned("!=", tail, ir.Constant(i64, 0)), i64), 1)


def _is_array(t, layout=None, ndim=1, dtype=types.float64):
    return (isinstance(t, types.Array) and t.dtype == dtype and t.ndim == ndim
            and (layout is None or t.layout == layout))


def _float_dtype(t):
    """float64 or float32: the element type an intrinsic's arrays share."""
    return t.dtype if isinstance(t, types.Array) and t.dtype in (types.float32, types.float64) else None


@intrinsic
def matvec_t(typingctx, M, v, init, out):
    """``out[c] = init[c] + sum_j M[j, c] v[j]`` (summed in order of ``j``).

    ``M`` (J, C) C-contiguous float64; ``v`` (J,) float64, any stride; ``init``
    and ``out`` (C,) C-contiguous float64 (``out`` may be ``init``). Sizes are
    not checked: the caller's shapes must agree.
    """
    dt = _float_dtype(M)
    if not (_is_array(M, "C", 2, dt) and _is_array(v, None, 1, dt) and _is_array(init, "C", 1, dt)
            and _is_array(out, "C", 1, dt)):
        return None
    sig = types.void(M, v, init, out)

    def codegen(context, builder, signature, args):
        Ma, va, ia, oa = (context.make_array(t)(context, builder, a) for t, a in zip(signature.args, args))
        J, C = cgutils.unpack_tuple(builder, Ma.shape, 2)
        vstride = cgutils.unpack_tuple(builder, va.strides, 1)[0]

        def block(vec, cols):
            # accumulators in allocas (in the entry block): LLVM keeps them in registers
            accs = [cgutils.alloca_once(builder, vec.vty) for _ in cols]
            for acc, c in zip(accs, cols):
                builder.store(vec.load(vec.ptr(ia.data, c)), acc)
            mcol = builder.gep(Ma.data, [cols[0]])  # the block's vectors: constant offsets from a row's start
            with cgutils.for_range(builder, J) as jl:
                vj = vec.broadcast(va.data, builder.mul(jl.index, vstride))
                mrow = builder.gep(mcol, [builder.mul(jl.index, C)])
                for k, acc in enumerate(accs):
                    m = vec.load(vec.ptr(mrow, ir.Constant(vec.i64, k * vec.lanes)))
                    builder.store(builder.call(vec.fma, [m, vj, builder.load(acc)]), acc)
            for acc, c in zip(accs, cols):
                vec.store(builder.load(acc), vec.ptr(oa.data, c))

        _by_column_blocks(builder, dt, C, block)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def outer_add(typingctx, G, d, v):
    """``G[r, c] += d[r] v[c]`` (one FMA per element).

    ``G`` (R, C) C-contiguous float64; ``d`` (R,) float64, any stride; ``v`` (C,)
    C-contiguous float64. A block of up to 16 vectors of ``v`` (8 with AVX2)
    stays in registers while the rows of ``G`` stream through. Sizes are not checked.
    """
    dt = _float_dtype(G)
    if not (_is_array(G, "C", 2, dt) and _is_array(d, None, 1, dt) and _is_array(v, "C", 1, dt)):
        return None
    sig = types.void(G, d, v)

    def codegen(context, builder, signature, args):
        Ga, da, va = (context.make_array(t)(context, builder, a) for t, a in zip(signature.args, args))
        R, C = cgutils.unpack_tuple(builder, Ga.shape, 2)
        dstride = cgutils.unpack_tuple(builder, da.strides, 1)[0]

        def block(vec, cols):
            vs = [vec.load(vec.ptr(va.data, c)) for c in cols]
            gcol = builder.gep(Ga.data, [cols[0]])
            with cgutils.for_range(builder, R) as rl:
                dr = vec.broadcast(da.data, builder.mul(rl.index, dstride))
                grow = builder.gep(gcol, [builder.mul(rl.index, C)])
                for k, vk in enumerate(vs):
                    p = vec.ptr(grow, ir.Constant(vec.i64, k * vec.lanes))
                    vec.store(builder.call(vec.fma, [dr, vk, vec.load(p)]), p)

        _by_column_blocks(builder, dt, C, block)
        return context.get_dummy_value()

    return sig, codegen


# Accumulators of a block of :func:`gemm_tn_add` (rows x vectors of columns),
# leaving registers for the vectors of ``B`` and a broadcast: 4 x 4 with
# AVX-512, 4 x 2 with AVX2.
_GEMM_ACCS = 16 if _WIDE else 8
_GEMM_WIDTHS = (4, 2, 1) if _WIDE else (2, 1)


@intrinsic
def gemm_tn_add(typingctx, A, B, Cm):
    """``Cm[r, c] += sum_t A[t, r] B[t, c]`` (``Cm += A^T B``, summed in order of ``t``).

    ``A`` (T, R) float64 of any layout (``A = X.T`` gives ``Cm += X B``);
    ``B`` (T, C) and ``Cm`` (R, C) C-contiguous float64. A block of 4 rows and
    4 vectors of columns of ``Cm`` (2 with AVX2) stays in registers while ``t``
    runs, and each vector of ``B`` loaded serves 4 rows (with fewer than 4 rows,
    blocks of one row and up to 16 vectors). Uses: the weight gradients of a
    sequence, ``sum_t da_t h_{t-1}^T``, once after the backward pass instead of
    an outer product per step; and the gate pre-activations of several
    sequences at once, ``H_{t-1} W_hh^T``, so that ``W_hh`` is read once a step
    for all of them. Every entry is summed in the same order as
    :func:`matvec_t` sums it, so a row of ``Cm`` is the same bits as the
    mat-vec of its row of ``A^T``. Sizes are not checked.
    """
    dt = _float_dtype(A)
    if not (_is_array(A, None, 2, dt) and _is_array(B, "C", 2, dt) and _is_array(Cm, "C", 2, dt)):
        return None
    sig = types.void(A, B, Cm)

    def codegen(context, builder, signature, args):
        Aa, Ba, Ca = (context.make_array(t)(context, builder, a) for t, a in zip(signature.args, args))
        T, R = cgutils.unpack_tuple(builder, Aa.shape, 2)
        a_t, a_r = cgutils.unpack_tuple(builder, Aa.strides, 2)
        C = cgutils.unpack_tuple(builder, Ba.shape, 2)[1]
        i64 = ir.IntType(64)

        def rows(vec, r_start, n_rows, rb, cols):
            """Rows ``r_start + i * rb ...`` for ``i < n_rows``, ``rb`` at a time."""
            accs = [[cgutils.alloca_once(builder, vec.vty) for _ in cols] for _ in range(rb)]
            with cgutils.for_range(builder, n_rows) as rl:
                r0 = builder.add(r_start, builder.mul(rl.index, ir.Constant(i64, rb)))
                rs = [builder.add(r0, ir.Constant(i64, i)) for i in range(rb)]
                for r, acc_r in zip(rs, accs):
                    for acc, c in zip(acc_r, cols):
                        builder.store(vec.load(vec.ptr(Ca.data, builder.add(builder.mul(r, C), c))), acc)
                # loop-invariant bases, so that the loop's addresses are one offset each
                bcol = builder.gep(Ba.data, [cols[0]])
                a8 = builder.bitcast(Aa.data, ir.IntType(8).as_pointer())
                acols = [builder.gep(a8, [builder.mul(r, a_r)]) for r in rs]
                with cgutils.for_range(builder, T) as tl:
                    brow = builder.gep(bcol, [builder.mul(tl.index, C)])
                    bs = [vec.load(vec.ptr(brow, ir.Constant(i64, k * vec.lanes))) for k in range(len(cols))]
                    arow = builder.mul(tl.index, a_t)
                    for acol, acc_r in zip(acols, accs):
                        a = vec.broadcast(acol, arow)
                        for acc, bk in zip(acc_r, bs):
                            builder.store(builder.call(vec.fma, [a, bk, builder.load(acc)]), acc)
                for r, acc_r in zip(rs, accs):
                    for acc, c in zip(acc_r, cols):
                        vec.store(builder.load(acc), vec.ptr(Ca.data, builder.add(builder.mul(r, C), c)))

        def block(vec, cols):
            rb = _GEMM_ACCS // len(cols)  # rb x width accumulators
            n_full = builder.udiv(R, ir.Constant(i64, rb))
            rows(vec, ir.Constant(i64, 0), n_full, rb, cols)
            if rb > 1:  # the last R % rb rows one at a time
                r_done = builder.mul(n_full, ir.Constant(i64, rb))
                rows(vec, r_done, builder.sub(R, r_done), 1, cols)

        def one_row_at_a_time(vec, cols):
            rows(vec, ir.Constant(i64, 0), R, 1, cols)

        # Fewer than 4 rows (a batch of one sequence): wide blocks of columns
        # instead, or each block's few chains of FMAs would wait on each other.
        with builder.if_else(builder.icmp_unsigned("<", R, ir.Constant(i64, 4))) as (few, many):
            with few:
                _by_column_blocks(builder, dt, C, one_row_at_a_time)
            with many:
                _by_column_blocks(builder, dt, C, block, widths=_GEMM_WIDTHS)
        return context.get_dummy_value()

    return sig, codegen


# Rows per chunk of :func:`batched_matvec_add`, widest first, and vectors of
# items per block: 8 x 2 independent chains of FMAs hide their latency (4-7%
# faster than 8 x 1 at 10 x 10; 4 x 2 with AVX2's 16 registers); each narrower
# chunk runs at most once.
_ROW_CHUNKS = (8, 4, 2, 1) if _WIDE else (4, 2, 1)
_ITEM_VECTORS = (2, 1)


@intrinsic
def batched_matvec_add(typingctx, W, v, out):
    """``out[i, q] += sum_j W[j, i, q] v[j, q]`` (summed in order of ``j``).

    One mat-vec per item ``q``, with the items last so that a vector holds 8 of
    them: ``W`` (J, I, Q), ``v`` (J, Q) and ``out`` (I, Q), all C-contiguous
    float64. For two vectors of items (16 items) at a time, 8 rows of ``out``
    stay in registers while ``j`` runs (16 independent chains of FMAs), each
    ``v[j]`` loaded once for them; written as one sum per output in numba, the
    same work runs at the latency of one chain of FMAs at a time (3x slower at
    10 x 10). Use: the weighted sums of a block of CTRNNs, each network with its
    own weights. Sizes are not checked.
    """
    if not (_is_array(W, "C", 3) and _is_array(v, "C", 2) and _is_array(out, "C", 2)):
        return None
    sig = types.void(W, v, out)

    def codegen(context, builder, signature, args):
        Wa, va, aa = (context.make_array(t)(context, builder, a) for t, a in zip(signature.args, args))
        J, I, Q = cgutils.unpack_tuple(builder, Wa.shape, 3)
        i64 = ir.IntType(64)
        IQ = builder.mul(I, Q)

        def block(vec, cols):
            start = ir.Constant(i64, 0)
            for rb in _ROW_CHUNKS:
                rb_ = ir.Constant(i64, rb)
                n_chunks = builder.udiv(builder.sub(I, start), rb_) if rb > 1 else builder.sub(I, start)
                # rb rows x len(cols) vectors of outputs, each its own chain of FMAs
                accs = [cgutils.alloca_once(builder, vec.vty) for _ in range(rb * len(cols))]
                offs = [builder.add(builder.mul(ir.Constant(i64, k), Q), ir.Constant(i64, c * vec.lanes))
                        for k in range(rb) for c in range(len(cols))]
                with cgutils.for_range(builder, n_chunks) as cl:
                    first = builder.add(builder.mul(builder.add(start, builder.mul(cl.index, rb_)), Q), cols[0])
                    arow = builder.gep(aa.data, [first])
                    wcol = builder.gep(Wa.data, [first])
                    for acc, off in zip(accs, offs):
                        builder.store(vec.load(vec.ptr(arow, off)), acc)
                    with cgutils.for_range(builder, J) as jl:
                        vrow = builder.gep(va.data, [builder.add(builder.mul(jl.index, Q), cols[0])])
                        vj = [vec.load(vec.ptr(vrow, ir.Constant(i64, c * vec.lanes))) for c in range(len(cols))]
                        wrow = builder.gep(wcol, [builder.mul(jl.index, IQ)])
                        for a, (acc, off) in enumerate(zip(accs, offs)):
                            w = vec.load(vec.ptr(wrow, off))
                            builder.store(builder.call(vec.fma, [w, vj[a % len(cols)], builder.load(acc)]), acc)
                    for acc, off in zip(accs, offs):
                        vec.store(builder.load(acc), vec.ptr(arow, off))
                start = builder.add(start, builder.mul(n_chunks, rb_))

        _by_column_blocks(builder, types.float64, Q, block, widths=_ITEM_VECTORS)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def sell_chunk(typingctx, val, col, off, length, x, out, o):
    """``out[o + i] += sum_l val[off + 8 l + i] * x[col[off + 8 l + i]]`` for
    ``i < 8``: the 8 rows of one chunk of a sliced ELLPACK matrix (stored column
    by column, see ``dynnets.models.reservoir``), one chain of FMAs per row
    that starts at ``out[o + i]`` and runs in storage order.

    ``val`` (float64) and ``col`` (uint16 or uint32) C-contiguous, ``x`` float64
    of any stride, ``out`` C-contiguous float64. The states are scalar loads:
    what LLVM makes of a gather on a Zen 3 moves each 64-bit address out of a
    vector register, and a hardware gather is slower still (13% and 5-17%
    slower than scalar loads there). Those loads are the bound, so the indices
    come 64 bits at a time (4 uint16 or 2 uint32) and are split by integer
    instructions, which run beside them; with BMI a middle field is one
    ``bextr`` (LLVM's shift, move and zero-extension are three). On a Zen 3 at
    100 and 1000 units: 9-14% faster with uint16 words than one load per
    index, and 9-16% faster again with ``bextr``. The load is volatile so that
    LLVM does not split it back into narrow loads. Sizes and indices are not
    checked.
    """
    if not (_is_array(val, "C") and isinstance(col, types.Array) and col.dtype in (types.uint16, types.uint32)
            and col.layout == "C" and col.ndim == 1 and isinstance(off, types.Integer)
            and isinstance(length, types.Integer) and _is_array(x) and _is_array(out, "C")
            and isinstance(o, types.Integer)):
        return None
    sig = types.void(val, col, off, length, x, out, o)
    contiguous = x.layout == "C"
    bits = col.dtype.bitwidth

    def codegen(context, builder, signature, args):
        va, ca, xa, oa = (context.make_array(signature.args[k])(context, builder, args[k]) for k in (0, 1, 4, 5))
        o0, n, oo = (context.cast(builder, args[k], signature.args[k], types.int64) for k in (2, 3, 6))
        i32, i64 = ir.IntType(32), ir.IntType(64)
        v = _Vectors(builder, types.float64)
        lanes, vty = v.lanes, v.vty
        per_word = 64 // bits
        vbase = builder.gep(va.data, [o0])
        cbase = builder.gep(ca.data, [o0])
        outp = builder.bitcast(builder.gep(oa.data, [oo]), vty.as_pointer())
        xstride = cgutils.unpack_tuple(builder, xa.strides, 1)[0]
        xbytes = builder.ptrtoint(xa.data, i64)
        bextr = (cgutils.get_or_insert_function(builder.module, ir.FunctionType(i64, [i64, i64]), "llvm.x86.bmi.bextr.64")
                 if "bmi" in _FEATURES else None)
        accs = [cgutils.alloca_once(builder, vty) for _ in range(8 // lanes)]
        for h, accp in enumerate(accs):
            builder.store(builder.load(builder.gep(outp, [ir.Constant(i32, h)]), align=8), accp)

        def state(j):  # x[j] for an int64 index j
            if contiguous:
                return builder.load(builder.gep(xa.data, [j]))
            return builder.load(builder.inttoptr(builder.add(xbytes, builder.mul(j, xstride)), xa.data.type))

        with cgutils.for_range(builder, n) as loop:
            k = builder.mul(loop.index, ir.Constant(i64, 8))
            idx = []
            for w in range(8 // per_word):
                p = builder.bitcast(builder.gep(cbase, [builder.add(k, ir.Constant(i64, w * per_word))]), i64.as_pointer())
                word = builder.load(p, align=bits // 8)
                word.volatile = True
                for i in range(per_word):
                    pos = i if _LITTLE_ENDIAN else per_word - 1 - i  # the field's place in the word
                    if pos == per_word - 1:  # the top field: a shift
                        idx.append(builder.lshr(word, ir.Constant(i64, bits * pos)))
                    elif pos > 0 and bextr is not None:  # a middle one: BMI's one-instruction field extract
                        idx.append(builder.call(bextr, [word, ir.Constant(i64, bits * pos | bits << 8)]))
                    else:
                        idx.append(builder.and_(builder.lshr(word, ir.Constant(i64, bits * pos)),
                                                ir.Constant(i64, (1 << bits) - 1)))
            for h, accp in enumerate(accs):
                xs = ir.Constant(vty, ir.Undefined)
                for i in range(lanes):
                    xs = builder.insert_element(xs, state(idx[h * lanes + i]), ir.Constant(i32, i))
                vs = builder.load(v.ptr(vbase, builder.add(k, ir.Constant(i64, h * lanes))), align=8)
                builder.store(builder.call(v.fma, [vs, xs, builder.load(accp)]), accp)
        for h, accp in enumerate(accs):
            builder.store(builder.load(accp), builder.gep(outp, [ir.Constant(i32, h)]), align=8)
        return context.get_dummy_value()

    return sig, codegen
