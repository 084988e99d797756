"""Same numbers before and after a refactor, bit for bit.

`save OUTDIR` runs a fixed set of scenarios with fixed seeds through `run_block` and saves every metric, weekly
series, table and the weekly WarState and WeekReport to OUTDIR/<case>.npz; `compare BEFORE AFTER` reports every
array that differs between two such folders and exits 1 if any does. A speedup or a refactor is done when the
comparison finds none (issue 13: the mechanisms rewritten as one source each gave 0 differing arrays of ~18,000).

    PYTHONPATH=src python tools/same_numbers.py save /tmp/before
    PYTHONPATH=src python tools/same_numbers.py save /tmp/after
    python tools/same_numbers.py compare /tmp/before /tmp/after
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

# (case, scenario file, seed, block, runs): the baseline twice, a forecast with a posterior, two seeds' variants
# that exercise truces and the Odesa front, the in-sample backtest and the war without a table
CASES = [("baseline", "baseline.yaml", 1, 0, 300), ("baseline_s5b1", "baseline.yaml", 5, 1, 200),
         ("forecast2024", "forecast-2024.yaml", 3, 0, 200), ("energy", "seed000-energy-ceasefire.yaml", 2, 0, 150),
         ("odesa", "seed000-odesa-transnistria.yaml", 4, 0, 150), ("backtest", "backtest-2024.yaml", 6, 0, 150),
         ("waronly", "baseline-war-only.yaml", 7, 0, 150)]


def _fields(record, prefix: str) -> dict[str, np.ndarray]:
    return {f"{prefix}/{f.name}": np.asarray(getattr(record, f.name)) for f in dataclasses.fields(record)}


def save(out: Path) -> None:
    """Run every case and write its arrays; the state and report of every week are caught by wrapping `step`."""
    import detente.ensemble.runner as runner
    from detente.ensemble.controllers import default_controllers
    from detente.scenario.loader import load_scenario
    from detente.world.model import compile_model

    out.mkdir(parents=True, exist_ok=True)
    real_step = runner.step
    for name, file, seed, block, runs in CASES:
        saved: dict[str, np.ndarray] = {}

        def step(state, model, rng, drawn=None, report=True):
            new, week_report = real_step(state, model, rng, drawn, report)
            saved.update(_fields(new, f"state/{new.week}"))
            if week_report is not None:
                saved.update(_fields(week_report, f"report/{new.week}"))
            return new, week_report

        runner.step = step
        try:
            loaded = load_scenario(ROOT / "scenarios" / file)
            result = runner.run_block(compile_model(loaded.scenario), seed, block, runs,
                                      default_controllers(loaded.scenario))
        finally:
            runner.step = real_step
        saved.update({f"metric/{k}": np.asarray(v) for k, v in result.metrics.items()})
        saved.update({f"weekly/{k}": np.asarray(v) for k, v in result.weekly.items()})
        for table, frame in result.extras.get("tables", {}).items():
            saved.update({f"table/{table}/{column}": np.asarray(v) for column, v in frame.items()})
        counts = getattr(result.regions, "counts", None)
        saved["regions"] = np.asarray(counts) if counts is not None else np.zeros(0)
        np.savez(out / f"{name}.npz", **saved)
        print(name, len(saved), "arrays")


def _same(x: np.ndarray, y: np.ndarray) -> bool:
    return np.array_equal(x, y, equal_nan=x.dtype.kind in "fc")


def compare(before: Path, after: Path) -> int:
    """Print each differing array (with its largest relative difference) and return how many differ."""
    files = sorted(before.glob("*.npz"))
    if not files:
        raise SystemExit(f"no saved cases (*.npz) in {before}: run `save {before}` first")
    differing, worst = 0, 0.0
    for file in files:
        if not (after / file.name).exists():
            print(file.name, "missing in", after)
            differing += 1
            continue
        a, b = np.load(file, allow_pickle=True), np.load(after / file.name, allow_pickle=True)
        if set(a.files) != set(b.files):
            print(file.name, "arrays only on one side:", sorted(set(a.files) ^ set(b.files)))
            differing += 1
        same = 0
        for key in sorted(set(a.files) & set(b.files)):
            x, y = a[key], b[key]
            if x.shape != y.shape or x.dtype != y.dtype:
                print(file.name, key, "shape/dtype", x.shape, y.shape, x.dtype, y.dtype)
                differing += 1
            elif _same(x, y):
                same += 1
            else:
                differing += 1
                if x.dtype.kind in "fc" and x.size:
                    relative = float(np.nanmax(np.abs(x - y) / np.maximum(np.abs(x), 1e-300)))
                    worst = max(worst, relative)
                    print(file.name, key, "max relative difference", relative)
                else:
                    print(file.name, key, "differs")
        print(file.name, f"{same}/{len(a.files)} arrays bit-identical")
    print("DIFFERENT ARRAYS:", differing, "worst relative difference", worst)
    return differing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("save", help="run the cases and write OUTDIR/<case>.npz").add_argument("outdir", type=Path)
    compare_parser = commands.add_parser("compare", help="report the arrays that differ between two folders")
    compare_parser.add_argument("before", type=Path)
    compare_parser.add_argument("after", type=Path)
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--compare":                    # the earlier spelling, still in notes and commit messages
        argv = ["compare", *argv[1:]]
    elif argv and not argv[0].startswith("-") and argv[0] not in ("save", "compare"):
        argv = ["save", *argv]
    args = parser.parse_args(argv)
    if args.command == "save":
        save(args.outdir)
        return 0
    return 1 if compare(args.before, args.after) else 0


if __name__ == "__main__":
    sys.exit(main())
