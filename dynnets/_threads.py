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

import numba

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
