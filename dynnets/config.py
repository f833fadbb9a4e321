"""Project-wide compile settings: the one place fastmath flags are defined.

``FASTMATH`` leaves out ``nnan`` and ``ninf`` on purpose: the kernels test states
with ``np.isfinite`` to detect divergence, and those flags would let LLVM fold
the test away.

Indexing in hot loops: numba wraps negative indices, so ``a[off + i]`` with a
signed offset LLVM cannot prove non-negative costs a compare and two conditional
moves per access and can stop vectorisation. Slice the arrays to the block first
and index from 0 (``a[off:off + n][i]``), or keep the offset unsigned
(``np.uint64``); the reservoir mat-vec ran 1.5x faster for it.
"""

FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}

# For code whose rounding must follow the source order (range reductions,
# compensated sums): no reassociation.
FASTMATH_STRICT = {"nsz", "arcp", "contract", "afn"}

# Options every compute kernel is compiled with. numba's default error model adds
# a zero-division check (a branch) to every float division, which stops loops from
# vectorising; with "numpy" a division by zero gives inf/NaN, and the kernels'
# finiteness checks report it.
JIT = {"fastmath": FASTMATH, "error_model": "numpy"}
JIT_STRICT = {"fastmath": FASTMATH_STRICT, "error_model": "numpy"}

# For per-step kernels that allocate nothing (their scratch comes from the caller):
# compiled without numba's runtime, array arguments and views are not reference
# counted. Every count is an atomic add, and with the helpers a kernel calls they
# took half the time of an LSTM step of 32 units (numba issue #2350 measures the
# same). Such a kernel cannot allocate or return arrays, and it benefits only if
# the helpers it calls are inlined (``inline="always"``). ``_nrt`` is numba's
# own switch for this, not part of its documented API: the tests run every such
# kernel.
JIT_NO_RC = JIT | {"_nrt": False}

# Networks per block in population kernels. Each block is one parallel work item
# and its inner loops run over the block's networks, so they vectorise. The block
# size is fixed (not derived from the thread count), so every network is computed
# by the same instructions at any thread count. Blocks of 16 networks of 10
# neurons keep their weights (12.8 KB) in the L1 cache; networks of up to
# ``POP_SMALL_N`` neurons, whose weighted sums are unrolled, go 64 to a block, or
# loop overhead dominates (measured 1.3-1.9x slower at 2-3 neurons with 16).
POP_BLOCK = 16
POP_SMALL_N = 6
POP_BLOCK_SMALL = 64

# Sequences per block in the LSTM's batch kernels: a block is stepped together,
# so that each step reads W_hh once for all of it. Each block's weight gradients
# go to one buffer, so the sums do not depend on the thread count either.
SEQ_BLOCK = 8
