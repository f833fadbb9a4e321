"""Keep numba's on-disk cache of dynnets' kernels in step with the source.

numba keys a cached kernel by the time stamp of its own file only, so when a
helper it calls (or inlines) from another module changes, the kernel still loads
its old machine code from ``__pycache__`` (numba documents this; numba issue
#1833). An edited helper in ``cells/_base.py`` then silently runs in its old form
inside every cell's kernels. At import, :func:`drop_stale_kernels` compares a
stamp of all of dynnets' source files (paths, modification times, sizes; the
bound kernels of :mod:`dynnets._bind` are named by it too) with the one recorded
beside the cache and, when they differ, removes dynnets' cached kernels so they
compile afresh. An installed
release never changes, so this costs one ``stat`` per file; it matters when the
source is edited (an editable install, a development tree).

With ``NUMBA_CACHE_DIR`` set the cache lives elsewhere and is left alone.
"""

import hashlib
import os
from pathlib import Path

import numba

from .io import atomic_write

PACKAGE = Path(__file__).resolve().parent
_STAMP = "dynnets-sources.sha256"


def file_stamp(path):
    """``path:mtime_ns:size``: what numba's cache checks of a source file."""
    st = os.stat(path)
    return f"{path}:{st.st_mtime_ns}:{st.st_size}"


def sources_stamp(root=PACKAGE):
    """The stamps of every ``.py`` file under ``root``, in order."""
    return "|".join(file_stamp(p) for p in sorted(Path(root).rglob("*.py")))


def drop_stale_kernels(root=PACKAGE):
    """Remove the cached kernels under ``root`` if any of its source files
    changed since they were written; returns how many cache files were removed.
    Never raises on a read-only or vanished cache (the kernels then compile in
    memory, as numba would)."""
    if numba.config.CACHE_DIR:
        return 0
    root = Path(root)
    digest = hashlib.sha256(sources_stamp(root).encode()).hexdigest()
    stamp = root / "__pycache__" / _STAMP
    try:
        if stamp.read_text() == digest:
            return 0
    except OSError:
        pass
    removed = 0
    try:
        for pattern in ("*.nbi", "*.nbc"):
            for p in root.rglob(pattern):
                p.unlink(missing_ok=True)
                removed += 1
        stamp.parent.mkdir(exist_ok=True)
        atomic_write(stamp, lambda tmp: Path(tmp).write_text(digest))
    except OSError:
        pass
    return removed
