"""Whether the model's compiled kernels are already in numba's disk cache, for this machine and this source.

The first run after an install, an update or on a new machine compiles them (about a minute and a half of CPU on
the 2-core development machine), which looks like a hang behind a progress bar standing at 0; the CLI says so
(`COMPILING`). (Compiling once in the parent before forking the workers was measured and dropped: a cold 2,000-run
ensemble took 117 s wall and 146 s CPU against 98 s and 172 s with each worker compiling on its own, because the
workers still compiled what a one-run block had not reached.)

numba keeps no public "is this cached" call: `ready` reads the cache's index as numba itself does when it loads
(the index is dropped when the source file changed) and, for a kernel whose cache also depends on the modules it
compiles in (`dynamics.mechanism.cached_with`), looks for an entry with their current stamp. Should numba's
private layout change, it answers True: say nothing rather than guess.
"""

from __future__ import annotations

import importlib
from typing import Any, Iterable

# the week's compiled calls of the war and the table: if any of these is stale, the first run compiles
KERNELS = (("detente.kernel", "advance"), ("detente.table.sessions", "negotiate"),
           ("detente.table.week", "before_talks"), ("detente.table.positions", "between_sessions"))

COMPILING = ("compiling the model for this machine (the first run after an install or an update: about 1-2 "
             "minutes; later runs start at once)")


def ready(dispatchers: Iterable[Any] | None = None) -> bool:
    """True when every dispatcher (by default `KERNELS`) is compiled in this process or cached on disk."""
    if dispatchers is None:
        dispatchers = [getattr(importlib.import_module(module), name) for module, name in KERNELS]
    for dispatcher in dispatchers:
        if dispatcher.signatures:  # compiled or loaded in this process already
            continue
        try:
            cache = dispatcher._cache
            index = cache._cache_file._load_index()
        except Exception:  # noqa: BLE001 - numba's private layout moved: assume cached
            return True
        stamp = getattr(cache, "_stamp", None)
        if not any(stamp is None or key[-1] == stamp for key in index):
            return False
    return True
