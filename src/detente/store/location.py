"""Where the results store lives, decided in one place for every face (CLI, server, Python API).

Order: an explicit path (`--store`, or `store=` in the API), else `$DETENTE_STORE`, else the user's data
folder (platformdirs: ~/.local/share/detente/detente.duckdb on Linux, ~/Library/Application Support/detente
on macOS, %LOCALAPPDATA%\\detente on Windows). A fixed per-user default, rather than a path under the current
folder, means a run started from any folder is seen by `detente runs` and the dashboard from any other.
`$DETENTE_RESULTS`, the name older versions read, is honoured after `$DETENTE_STORE`.
"""

from __future__ import annotations

import os
from pathlib import Path

STORE_ENV = "DETENTE_STORE"
LEGACY_ENV = "DETENTE_RESULTS"
STORE_FILE = "detente.duckdb"
LEGACY_RELATIVE = Path("results") / STORE_FILE  # where versions before the per-user store wrote


def user_store_path() -> Path:
    """The per-user default store, in the platform's data folder."""
    import platformdirs

    return platformdirs.user_data_path("detente", appauthor=False) / STORE_FILE


def store_path(explicit: str | Path | None = None) -> Path:
    """The store to use: `explicit`, else $DETENTE_STORE, else $DETENTE_RESULTS, else the per-user default."""
    if explicit is not None and str(explicit) != "":
        return Path(explicit).expanduser()
    for name in (STORE_ENV, LEGACY_ENV):
        value = os.environ.get(name, "").strip()
        if value:
            return Path(value).expanduser()
    return user_store_path()


def legacy_store_here() -> Path | None:
    """A store an older version left under the current folder, if there is one and it is not the one in use."""
    candidate = LEGACY_RELATIVE
    if candidate.is_file() and candidate.resolve() != store_path().resolve():
        return candidate
    return None
