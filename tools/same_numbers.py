"""Same numbers before and after a refactor: run scenarios with fixed seeds through `run_block` and save every
metric, weekly series, table and the weekly WarState and WeekReport to OUTDIR/<case>.npz; compare two such folders.

Usage: PYTHONPATH=src python tools/same_numbers.py OUTDIR ; python tools/same_numbers.py --compare BEFORE AFTER
(issue 13: the mechanisms rewritten as one source each gave 0 differing arrays of ~18,000, bit for bit)."""
import sys, dataclasses
from pathlib import Path
import numpy as np

def make(out):
    import detente.ensemble.runner as runner
    from detente.scenario.loader import load_scenario
    from detente.world.model import compile_model
    from detente.ensemble.controllers import default_controllers
    root = Path(runner.__file__).resolve().parents[3]
    cases = [("baseline", "baseline.yaml", 1, 0, 300), ("baseline_s5b1", "baseline.yaml", 5, 1, 200),
             ("forecast2024", "forecast-2024.yaml", 3, 0, 200), ("energy", "seed000-energy-ceasefire.yaml", 2, 0, 150),
             ("odesa", "seed000-odesa-transnistria.yaml", 4, 0, 150), ("backtest", "backtest-2024.yaml", 6, 0, 150),
             ("waronly", "baseline-war-only.yaml", 7, 0, 150)]
    real_step = runner.step
    for name, file, seed, block, runs in cases:
        saved = {}
        week = [0]
        def step(state, model, rng, drawn=None, report=True):
            new, rep = real_step(state, model, rng, drawn, report)
            w = new.week
            for f in dataclasses.fields(new):
                v = getattr(new, f.name)
                saved[f"state/{w}/{f.name}"] = np.asarray(v)
            if rep is not None:
                for f in dataclasses.fields(rep):
                    saved[f"report/{w}/{f.name}"] = np.asarray(getattr(rep, f.name))
            return new, rep
        runner.step = step
        loaded = load_scenario(root / "scenarios" / file)
        model = compile_model(loaded.scenario)
        out_block = runner.run_block(model, seed, block, runs, default_controllers(loaded.scenario))
        runner.step = real_step
        for k, v in out_block.metrics.items():
            saved[f"metric/{k}"] = np.asarray(v)
        for k, v in out_block.weekly.items():
            saved[f"weekly/{k}"] = np.asarray(v)
        for t, frame in out_block.extras.get("tables", {}).items():
            for c, v in frame.items():
                saved[f"table/{t}/{c}"] = np.asarray(v)
        saved["regions"] = np.asarray(out_block.regions.counts) if hasattr(out_block.regions, "counts") else np.zeros(0)
        np.savez(Path(out) / f"{name}.npz", **saved)
        print(name, len(saved), "arrays")

def compare(a, b):
    bad = 0; worst = 0.0
    for fa in sorted(Path(a).glob("*.npz")):
        A, B = np.load(fa, allow_pickle=True), np.load(Path(b) / fa.name, allow_pickle=True)
        if set(A.files) != set(B.files):
            print(fa.name, "keys differ", set(A.files) ^ set(B.files)); bad += 1
        same = 0
        for k in A.files:
            if k not in B.files: continue
            x, y = A[k], B[k]
            if x.shape != y.shape or x.dtype != y.dtype:
                print(fa.name, k, "shape/dtype", x.shape, y.shape, x.dtype, y.dtype); bad += 1; continue
            if x.dtype.kind in "fc":
                eq = np.array_equal(x, y, equal_nan=True)
            else:
                eq = np.array_equal(x, y)
            if eq: same += 1; continue
            bad += 1
            if x.dtype.kind in "fc":
                d = np.nanmax(np.abs(x - y) / np.maximum(np.abs(x), 1e-300)) if x.size else 0
                worst = max(worst, d); print(fa.name, k, "max rel diff", d)
            else:
                print(fa.name, k, "differs")
        print(fa.name, f"{same}/{len(A.files)} arrays bit-identical")
    print("DIFFERENT ARRAYS:", bad, "worst rel", worst)

if __name__ == "__main__":
    if sys.argv[1] == "--compare": compare(sys.argv[2], sys.argv[3])
    else: Path(sys.argv[1]).mkdir(parents=True, exist_ok=True); make(sys.argv[1])
