"""The check that tells the CLI whether the model's kernels must be compiled before the first run."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = textwrap.dedent("""
    import sys
    sys.path.insert(0, sys.argv[1])
    from detente.dynamics.mechanism import cached_with
    from detente.ensemble import compile_cache
    import probe_kernel, probe_helper
    plain, dependent = probe_kernel.plain, cached_with(probe_kernel.dependent, probe_helper)
    print(compile_cache.ready([plain]), compile_cache.ready([dependent]), end=" ")
    plain(1.0), dependent(1.0)
    print(compile_cache.ready([plain, dependent]))
""")


def _probe(folder: Path, cache: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NUMBA_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", PROBE, str(folder)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_ready_follows_numbas_disk_cache_and_the_modules_a_kernel_compiles_in(tmp_path):
    (tmp_path / "probe_helper.py").write_text("SCALE = 2.0\n")
    (tmp_path / "probe_kernel.py").write_text(textwrap.dedent("""
        import numba

        @numba.njit(cache=True)
        def plain(x):
            return x + 1.0

        @numba.njit(cache=True)
        def dependent(x):
            return x * 2.0
    """))
    cache = tmp_path / "cache"
    assert _probe(tmp_path, cache) == "False False True"   # cold; compiled in this process once called
    assert _probe(tmp_path, cache) == "True True True"     # a second process finds both on disk
    (tmp_path / "probe_helper.py").write_text("SCALE = 3.0\n")  # a module the dependent kernel compiles in
    assert _probe(tmp_path, cache) == "True False True"    # its cache is stale, the plain one's is not
    (tmp_path / "probe_kernel.py").write_text((tmp_path / "probe_kernel.py").read_text() + "\n# edited\n")
    assert _probe(tmp_path, cache) == "False False True"   # the kernel's own source changed: both stale


def test_the_kernels_checked_are_the_cached_week_kernels():
    """Each name in KERNELS is a compiled function whose disk cache follows the modules it compiles in, so a
    rename, or a kernel left uncached, fails here rather than silencing the CLI's note."""
    import importlib

    from detente.dynamics.mechanism import _DependentCache
    from detente.ensemble import compile_cache

    for module, name in compile_cache.KERNELS:
        dispatcher = getattr(importlib.import_module(module), name)
        assert isinstance(dispatcher._cache, _DependentCache), (module, name)
