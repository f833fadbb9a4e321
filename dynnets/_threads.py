"""Compiled ``nogil`` kernels run in a thread pool, instead of ``prange``.

numba compiles a ``parallel=True`` kernel in every process, together with all
the code it calls: for the LSTM's batch kernels that took 6-13 s a process and
for the CTRNN population kernel 10-14 s. A serial kernel compiled with
``cache=True, nogil=True`` loads from the disk cache instead, and a few Python
threads run it on disjoint parts of the work. The caller fixes how the work is
split, so results do not depend on the thread count.
"""

from concurrent.futures import ThreadPoolExecutor

import numba

_POOLS = {}


def in_threads(tasks):
    """Run ``tasks`` (callables of compiled ``nogil`` kernels), up to
    ``numba.get_num_threads()`` at a time in a thread pool, and wait for all."""
    n = min(len(tasks), numba.get_num_threads())
    if n <= 1:
        for task in tasks:
            task()
        return
    if n not in _POOLS:
        _POOLS[n] = ThreadPoolExecutor(max_workers=n, thread_name_prefix="dynnets")
    for f in [_POOLS[n].submit(task) for task in tasks]:
        f.result()
