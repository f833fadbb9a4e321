"""Compiled ``nogil`` kernels run in a thread pool, instead of ``prange``.

numba compiles a ``parallel=True`` kernel in every process, together with all
the code it calls: for the LSTM's batch kernels that took 6-13 s a process, for
the CTRNN population kernel 5-7 s. A serial kernel compiled with ``cache=True,
nogil=True`` loads from the disk cache instead, and a few Python threads run it
on disjoint parts of the work. The population, minibatch and recall-batch kernels
run this way (see :func:`strided`'s callers). The caller fixes how the work is
split, so results do not depend on the thread count.
"""

import functools
import os
from concurrent.futures import ThreadPoolExecutor

import llvmlite.binding as llvm
import numba
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

_POOLS = {}  # by (process id, size): a forked child has none of its parent's threads


def in_threads(tasks):
    """Run ``tasks`` (callables of compiled ``nogil`` kernels), up to
    ``numba.get_num_threads()`` at a time in a thread pool, and wait for all."""
    n = min(len(tasks), numba.get_num_threads())
    if n <= 1:
        for task in tasks:
            task()
        return
    key = (os.getpid(), n)
    if key not in _POOLS:
        _POOLS[key] = ThreadPoolExecutor(max_workers=n, thread_name_prefix="dynnets")
    for f in [_POOLS[key].submit(task) for task in tasks]:
        f.result()


def strided(kernel, n_items, *args):
    """Run ``kernel(first, stride, *args)`` as ``stride = min(n_items,
    numba.get_num_threads())`` tasks, ``first = 0 .. stride - 1``: the kernel
    takes items ``first, first + stride, ...`` of ``n_items``. The items must be
    independent of one another (sequences; gradient buffers, each summing a fixed
    set of sequences), so the split does not change the results."""
    stride = max(1, min(n_items, numba.get_num_threads()))
    in_threads([functools.partial(kernel, first, stride, *args) for first in range(stride)])


# -- hand-over between two threads --------------------------------------------
# A kernel that steps a recurrence can pass finished rows to a second thread
# (a ring buffer and two counters) instead of writing them out itself: see
# ``dynnets.models.reservoir._run_ahead``. The counters are int64 array entries
# a cache line apart, written with release and read with acquire ordering, so
# the rows written before a count are visible to whoever reads that count.

_SPINS = 1000  # pause-spins before a waiting thread yields its CPU
_X86 = llvm.get_process_triple().startswith(("x86_64", "i386", "i686"))


def _counter(flags, i):
    """``flags`` an int64 C-contiguous vector and ``i`` an integer (numba types)."""
    return (isinstance(flags, types.Array) and flags.dtype == types.int64 and flags.ndim == 1
            and flags.layout == "C" and isinstance(i, types.Integer))


@intrinsic
def load_acquire(typingctx, flags, i):
    """``flags[i]`` (int64), read with acquire ordering."""
    if not _counter(flags, i):
        return None

    def codegen(context, builder, signature, args):
        a = context.make_array(signature.args[0])(context, builder, args[0])
        p = builder.gep(a.data, [context.cast(builder, args[1], signature.args[1], types.int64)])
        return builder.load_atomic(p, "acquire", 8)

    return types.int64(flags, i), codegen


@intrinsic
def store_release(typingctx, flags, i, value):
    """``flags[i] = value`` (int64), written with release ordering."""
    if not (_counter(flags, i) and isinstance(value, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        a = context.make_array(signature.args[0])(context, builder, args[0])
        p = builder.gep(a.data, [context.cast(builder, args[1], signature.args[1], types.int64)])
        builder.store_atomic(context.cast(builder, args[2], signature.args[2], types.int64), p, "release", 8)
        return context.get_dummy_value()

    return types.void(flags, i, value), codegen


@intrinsic
def _relax(typingctx):
    """A spin-wait hint to the CPU (``pause`` on x86, nothing elsewhere)."""

    def codegen(context, builder, signature, args):
        if _X86:
            builder.call(cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), []),
                                                        "llvm.x86.sse2.pause"), [])
        return context.get_dummy_value()

    return types.void(), codegen


@intrinsic
def _yield(typingctx):
    """POSIX ``sched_yield()``: let another thread run on this CPU."""

    def codegen(context, builder, signature, args):
        builder.call(cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.IntType(32), []),
                                                    "sched_yield"), [])
        return context.get_dummy_value()

    return types.void(), codegen


@numba.njit(cache=True, nogil=True)
def wait_for(flags, i, target, stop):
    """Wait until ``flags[i] >= target`` (True) or ``flags[stop] != 0``
    (False): spinning, and after ``_SPINS`` spins yielding the CPU, so a waiting
    thread costs little when the machine has more threads than CPUs."""
    spins = 0
    while load_acquire(flags, i) < target:
        if load_acquire(flags, stop) != 0:
            return load_acquire(flags, i) >= target
        _relax()
        spins += 1
        if spins >= _SPINS:
            _yield()
            spins = 0
    return True


HAND_OVER = os.name == "posix"  # sched_yield
