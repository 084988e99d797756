"""Posteriors on disk: `data/posteriors/NAME/` holds `samples.csv` (one column per fitted parameter, named by
its dotted scenario path, one row per sample; equally weighted) and `manifest.json` (data files and their
sha256, fit window, method and settings, the commit at which priors, mechanisms and forecast scenarios were
fixed, diagnostics). A posterior holds parameters, never state: a scenario that names it (`posterior: NAME`)
draws one row per run, so its parameters vary jointly as the fit found them.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detente.errors import InputError
from detente.world.geography import _default_data_dir


def posterior_dir(name: str) -> Path:
    """data/posteriors/NAME (DETENTE_DATA moves data/)."""
    return _default_data_dir() / "posteriors" / name


@dataclass(frozen=True)
class Posterior:
    """Equally weighted joint samples of named parameters."""

    name: str
    names: tuple[str, ...]          # dotted scenario paths, e.g. combat.ground_rate_km2
    samples: np.ndarray             # (S, P)
    manifest: dict

    def column(self, name: str) -> np.ndarray:
        return self.samples[:, self.names.index(name)]


def read_posterior(name: str) -> Posterior:
    """Load data/posteriors/NAME; a clear error if it is missing or malformed."""
    folder = posterior_dir(name)
    path = folder / "samples.csv"
    if not path.exists():
        known = sorted(p.name for p in folder.parent.glob("*") if (p / "samples.csv").exists()) \
            if folder.parent.exists() else []
        raise InputError.single(str(path), f"no posterior named '{name}'", field="posterior",
                                hint=f"known: {', '.join(known)}" if known else "fit one with `detente calibrate`")
    header, samples = _samples(path)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    return Posterior(name=name, names=header, samples=samples, manifest=manifest)


_read: dict[str, tuple[tuple[int, int], tuple[str, ...], np.ndarray]] = {}  # path -> (mtime, size), header, samples


def _samples(path: Path) -> tuple[tuple[str, ...], np.ndarray]:
    """The header and samples of a samples.csv, parsed once per version of the file: a scenario that names a
    posterior reads it when it is loaded and again when it is compiled, every ensemble (4,000 rows parsed in
    Python cost ~20 ms, a third of a 1,000-run ensemble of the war core). The samples are read-only, as they are
    shared; a refit writes a new file, which is parsed anew."""
    stat = path.stat()
    version = (stat.st_mtime_ns, stat.st_size)
    known = _read.get(str(path))
    if known is not None and known[0] == version:
        return known[1], known[2]
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        rows = [[float(x) for x in row] for row in reader if row]
    if not header or not rows or any(len(r) != len(header) for r in rows):
        raise InputError.single(str(path), "a posterior needs a header and equally long numeric rows",
                                field="posterior")
    samples = np.asarray(rows, float)
    samples.flags.writeable = False
    _read[str(path)] = (version, tuple(header), samples)
    return tuple(header), samples


def write_posterior(name: str, names: list[str], samples: np.ndarray, manifest: dict) -> Path:
    """Write samples.csv and manifest.json under data/posteriors/NAME; returns the folder."""
    folder = posterior_dir(name)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "samples.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for row in samples:
            writer.writerow([f"{x:.6g}" for x in row])
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    return folder
