"""Where the results store lives, decided in one place for every face (CLI, server, Python API).

Order: an explicit path (`--store`, or `store=` in the API), else `$DETENTE_STORE`, else the user's data
folder (platformdirs: ~/.local/share/detente/detente.duckdb on Linux, ~/Library/Application Support/detente
on macOS, %LOCALAPPDATA%\\detente on Windows). A fixed per-user default, rather than a path under the current
folder, means a run started from any folder is seen by `detente runs` and the dashboard from any other.
`$DETENTE_RESULTS`, the name older versions read, is honoured after `$DETENTE_STORE`.

A per-user store written by DuckDB 2.x (versions of détente that pinned it) cannot be read by the DuckDB 1.5 now
pinned: it is left untouched, and new runs go to `detente-duckdb1.duckdb` beside it (`newer_format_store` names it
so `detente runs` can say where the earlier runs are).
"""

from __future__ import annotations

import os
from pathlib import Path

STORE_ENV = "DETENTE_STORE"
LEGACY_ENV = "DETENTE_RESULTS"
STORE_FILE = "detente.duckdb"
BESIDE_NEWER_FILE = "detente-duckdb1.duckdb"  # the default when STORE_FILE was written by a newer DuckDB
LEGACY_RELATIVE = Path("results") / STORE_FILE  # where versions before the per-user store wrote


def user_store_path() -> Path:
    """The per-user default store, in the platform's data folder (beside it, if that one is in a newer format)."""
    import platformdirs

    preferred = platformdirs.user_data_path("detente", appauthor=False) / STORE_FILE
    return preferred.with_name(BESIDE_NEWER_FILE) if written_by_newer_duckdb(preferred) else preferred


def written_by_newer_duckdb(path: Path) -> bool:
    """True when `path` is a DuckDB file whose storage version this DuckDB cannot read (never changes the file)."""
    if not path.is_file():
        return False
    import duckdb

    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error as error:
        return "version number" in str(error)
    return False


def newer_format_store() -> Path | None:
    """The per-user store a newer DuckDB wrote, when the default moved beside it; its runs are still in it."""
    default = user_store_path()
    return default.with_name(STORE_FILE) if default.name == BESIDE_NEWER_FILE else None


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
