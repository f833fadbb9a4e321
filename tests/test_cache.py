"""dynnets drops its cached kernels when its source changes: numba checks only
each kernel's own file, so a kernel calling a changed helper from another module
kept running the old helper."""

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from dynnets._cache import _STAMP, PACKAGE, drop_stale_kernels, sources_stamp


def _package(tmp_path):
    root = tmp_path / "pkg"
    (root / "sub" / "__pycache__").mkdir(parents=True)
    (root / "a.py").write_text("x = 1\n")
    (root / "sub" / "b.py").write_text("y = 2\n")
    return root


def _cached(root):
    for name in ("b.f-1.py311.nbi", "b.f-1.py311.1.nbc"):
        (root / "sub" / "__pycache__" / name).write_bytes(b"old machine code")
    return sorted(p.name for p in root.rglob("*.nb[ic]"))


def test_cached_kernels_go_when_a_source_file_changes_and_stay_otherwise(tmp_path):
    root = _package(tmp_path)
    _cached(root)
    assert drop_stale_kernels(root) == 2  # no record yet: nothing is known to be fresh
    assert (root / "__pycache__" / _STAMP).exists()
    kept = _cached(root)  # compiled again from this source
    assert drop_stale_kernels(root) == 0
    assert sorted(p.name for p in root.rglob("*.nb[ic]")) == kept
    st = os.stat(root / "a.py")  # an edit to a file other than the kernel's own
    os.utime(root / "a.py", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert drop_stale_kernels(root) == 2
    assert not list(root.rglob("*.nb[ic]"))
    _cached(root)
    (root / "sub" / "c.py").write_text("z = 3\n")  # a new file counts too
    assert drop_stale_kernels(root) == 2


def test_a_cache_it_cannot_change_is_left_alone(tmp_path, monkeypatch):
    root = _package(tmp_path)
    _cached(root)

    def refuse(self, missing_ok=False):
        raise PermissionError(self)

    monkeypatch.setattr(Path, "unlink", refuse)
    assert drop_stale_kernels(root) == 0  # no error
    assert len(list(root.rglob("*.nb[ic]"))) == 2


def test_importing_dynnets_records_the_current_source():
    if os.access(PACKAGE / "__pycache__", os.W_OK):
        stamp = (PACKAGE / "__pycache__" / _STAMP).read_text()
        assert stamp == hashlib.sha256(sources_stamp().encode()).hexdigest()
    else:  # a read-only install: nothing cached, nothing to record, no error
        assert drop_stale_kernels() == 0


def test_a_changed_helper_reaches_the_kernel_that_calls_it(tmp_path):
    """numba's own cache keeps the old helper; the check at import drops it."""
    pkg = tmp_path / "p"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "main.py").write_text(textwrap.dedent("""
        from numba import njit
        from p.helper import h

        @njit(cache=True)
        def f(x):
            return h(x)
    """))

    def helper(k):
        (pkg / "helper.py").write_text(f"from numba import njit\n\n@njit(cache=True)\ndef h(x):\n    return x + {k}.0\n")
        st = os.stat(pkg / "helper.py")  # a distinct time stamp even on a coarse clock
        os.utime(pkg / "helper.py", ns=(st.st_atime_ns, st.st_mtime_ns + k * 10**9))

    def run(check):
        code = (f"import sys; sys.path.insert(0, {str(tmp_path)!r})\n"
                + (f"from dynnets._cache import drop_stale_kernels; drop_stale_kernels({str(pkg)!r})\n" if check else "")
                + "from p.main import f; print(f(1.0))")
        return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)

    helper(1)
    assert run(check=True) == 2.0
    helper(2)
    assert run(check=False) == 2.0  # numba alone: the stale helper
    assert run(check=True) == 3.0
