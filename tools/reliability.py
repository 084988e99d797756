"""Inject faults and bad input into détente and write what happened to docs/reliability.md.

    python tools/reliability.py                     # everything, default counts (about 10 minutes on 2 cores)
    python tools/reliability.py --kills 30 --fuzz 4000 --atheris 10000 --no-schema

What it does (each part can also be run alone, see --help):
- SIGKILL: `detente run` killed at random moments (uniform over a clean run's duration, half of them in its
  last 30%, where the store is written); after each kill the store must open, every earlier run be intact
  (same metric summary), no run be `complete` without all its rows, and a rerun must complete the killed run
  under the same id with the numbers a clean run gives.
- Two writers: two `detente run` processes on one store at once; both must complete.
- Disk full: a 16 MiB tmpfs holding a store, filled up, then a run (root only; skipped otherwise, with why).
- Read-only: the store's folder remounted read-only (root) or chmod 555 (others).
- Fuzz: the hypothesis loader tests with many examples; atheris on raw bytes (tools/fuzz_atheris.py);
  schemathesis against the server's OpenAPI schema when the server exists (tests/test_server_schema.py).
The functions here are also what tests/test_faults.py runs, with smaller counts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
DETENTE = [sys.executable, "-c", "from detente.cli import main; main()"]
RUN_ARGS = ["--runs", "200"]


def short_scenario(folder: Path, weeks: int = 6) -> Path:
    """A quick variant of the baseline (few weeks), so a run takes about a second."""
    path = folder / "short.yaml"
    path.write_text(f"schema_version: 1\nextends: {BASELINE}\nname: short\nhorizon_weeks: {weeks}\n")
    return path


def detente(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the `detente` command to completion."""
    return subprocess.run([*DETENTE, *args], capture_output=True, text=True, timeout=timeout)


def run_args(scenario: Path, store: Path, seed: int) -> list[str]:
    """Arguments of `detente run` for a fault trial."""
    return ["run", str(scenario), *RUN_ARGS, "--seed", str(seed), "--out", str(store), "--json"]


def store_state(store: Path) -> dict[str, Any]:
    """What the store holds: runs with status, and a fingerprint of each complete run's rows.

    Raises if the store cannot be opened; reports `broken` runs (complete but missing rows).
    """
    from detente.store.duck import ResultStore

    results = ResultStore(store, read_only=True)
    runs = {r["run_id"]: r for r in results.list_runs()}
    state: dict[str, Any] = {"status": {k: v["status"] for k, v in runs.items()}, "fingerprint": {}, "broken": []}
    for run_id, row in runs.items():
        if row["status"] != "complete":
            continue
        summary = results.query("SELECT metric, mean, p05, p50, p95 FROM metric_summary WHERE run_id = ? "
                                "ORDER BY metric", [run_id])
        n_rows = results.query("SELECT count(*) FROM run_metrics WHERE run_id = ?", [run_id])[0][0]
        n_weekly = results.query("SELECT count(*) FROM weekly_summary WHERE run_id = ?", [run_id])[0][0]
        n_region = results.query("SELECT count(*) FROM region_weekly WHERE run_id = ?", [run_id])[0][0]
        if not summary or n_rows != row["runs"] * len(summary) or n_weekly == 0 or n_region == 0:
            state["broken"].append(run_id)
        state["fingerprint"][run_id] = summary
    return state


def by_seed(state: dict[str, Any], store: Path, seed: int) -> list[str]:
    """Run ids of a seed."""
    from detente.store.duck import ResultStore

    rows = ResultStore(store, read_only=True).query("SELECT run_id FROM runs WHERE seed = ?", [seed])
    return [r[0] for r in rows]


def kill_trials(kills: int, folder: Path, rng_seed: int = 2025, log: Any = print) -> dict[str, Any]:
    """SIGKILL `detente run` `kills` times at random moments; check the store after every kill."""
    rng = random.Random(rng_seed)
    scenario = short_scenario(folder)
    store = folder / "killed.duckdb"
    reference = folder / "reference.duckdb"
    for seed in (1, 2):                                   # earlier runs that must survive every kill
        done = detente(*run_args(scenario, store, seed))
        assert done.returncode == 0, done.stderr
    started = time.monotonic()
    clean = detente(*run_args(scenario, reference, 3))
    duration = time.monotonic() - started
    assert clean.returncode == 0, clean.stderr
    before = store_state(store)
    outcome = {"kills": 0, "killed_before_exit": 0, "finished_before_kill": 0, "store_opened": 0,
               "earlier_intact": 0, "broken_complete": 0, "incomplete_seen": 0, "duration_s": round(duration, 2)}
    for trial in range(kills):
        moment = rng.uniform(0.05, duration) if trial % 2 == 0 else rng.uniform(0.7 * duration, 1.05 * duration)
        process = subprocess.Popen([*DETENTE, *run_args(scenario, store, 3)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(moment)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            outcome["killed_before_exit"] += 1
        else:
            outcome["finished_before_kill"] += 1
        process.wait()
        outcome["kills"] += 1
        state = store_state(store)                        # raises if the store cannot be opened
        outcome["store_opened"] += 1
        intact = all(state["fingerprint"].get(k) == v for k, v in before["fingerprint"].items())
        outcome["earlier_intact"] += intact
        outcome["broken_complete"] += len(state["broken"])
        outcome["incomplete_seen"] += any(s == "incomplete" for s in state["status"].values())
        if process.returncode == 0:                       # it finished first: that run is now an earlier run
            before = state
        log(f"  kill {trial + 1}/{kills} at {moment:.2f}s: rc={process.returncode}, "
            f"statuses={sorted(state['status'].values())}, earlier intact={intact}")
    incomplete = [k for k, v in store_state(store)["status"].items() if v == "incomplete"]
    for _ in range(10):                                   # make sure the final rerun has a killed run to resume
        if incomplete:
            break
        process = subprocess.Popen([*DETENTE, *run_args(scenario, store, 3)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 0.95) * duration)  # where results are written; it moves as start-up does
        process.send_signal(signal.SIGKILL)
        process.wait()
        incomplete = [k for k, v in store_state(store)["status"].items() if v == "incomplete"]
    final = detente(*run_args(scenario, store, 3))
    assert final.returncode == 0, final.stderr
    payload = json.loads(final.stdout)
    after = store_state(store)
    reference_state = store_state(reference)
    reference_summary = next(iter(reference_state["fingerprint"].values()))
    outcome.update({
        "incomplete_before_rerun": len(incomplete),
        "rerun_resumed": bool(payload.get("resumed")),
        "rerun_same_id": (payload["run_id"] in incomplete) if incomplete else None,
        "rerun_equals_clean_run": after["fingerprint"][payload["run_id"]] == reference_summary,
        "incomplete_after_rerun": sum(v == "incomplete" for v in after["status"].values()),
        "broken_after": len(after["broken"]),
        "complete_runs": sum(v == "complete" for v in after["status"].values()),
    })
    return outcome


def concurrent_trial(folder: Path) -> dict[str, Any]:
    """Two `detente run` processes writing to one store at once (two seeds, and the same seed twice)."""
    scenario = short_scenario(folder)
    store = folder / "shared.duckdb"
    seeds = (11, 12, 12)
    processes = [subprocess.Popen([*DETENTE, *run_args(scenario, store, s)], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for s in seeds]
    results = [p.communicate(timeout=180) for p in processes]
    codes = [p.returncode for p in processes]
    state = store_state(store)
    return {"writers": len(seeds), "exit_codes": codes, "complete": sum(v == "complete" for v in state["status"].values()),
            "broken": len(state["broken"]), "errors": [r[1].strip().splitlines()[-1] for r, c in zip(results, codes) if c]}


@contextmanager
def tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A small tmpfs mounted at `folder` (root only)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True,
                   capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def can_mount() -> str | None:
    """None if this process can mount a tmpfs, else why not."""
    if os.geteuid() != 0:
        return "not root: cannot mount a small tmpfs to fill"
    if shutil.which("mount") is None:
        return "no mount command"
    probe = Path(tempfile.mkdtemp())
    try:
        with tmpfs(probe, "64k"):
            return None
    except (subprocess.CalledProcessError, OSError) as error:
        return f"mount refused here ({getattr(error, 'stderr', b'') or error!s})"
    finally:
        shutil.rmtree(probe, ignore_errors=True)


def disk_full_trial(folder: Path) -> dict[str, Any]:
    """A store on a 16 MiB tmpfs: one run completes, the disk is filled, the next run must fail clearly."""
    scenario = short_scenario(folder)
    with tmpfs(folder / "full", "16m") as mount:
        store = mount / "results.duckdb"
        first = detente(*run_args(scenario, store, 1))
        assert first.returncode == 0, first.stderr
        before = store_state(store)
        free = shutil.disk_usage(mount).free
        with (mount / "filler").open("wb") as filler:
            try:
                filler.write(b"\0" * max(free - 16 * 1024, 0))
            except OSError:
                pass
        failed = detente(*run_args(scenario, store, 2))
        (mount / "filler").unlink()
        after_fail = store_state(store)
        retried = detente(*run_args(scenario, store, 2))
        after = store_state(store)
        return {"exit_code": failed.returncode, "message": failed.stderr.strip().splitlines()[-1] if failed.stderr else "",
                "earlier_intact": all(after_fail["fingerprint"].get(k) == v for k, v in before["fingerprint"].items()),
                "broken": len(after_fail["broken"]) + len(after["broken"]),
                "retry_after_freeing_space": retried.returncode,
                "retry_resumed": json.loads(retried.stdout).get("resumed") if retried.returncode == 0 else None}


def read_only_trial(folder: Path) -> dict[str, Any]:
    """The results folder made read-only (a read-only remount as root, chmod otherwise)."""
    scenario = short_scenario(folder)
    target = folder / "ro"
    target.mkdir(exist_ok=True)
    store = target / "results.duckdb"
    first = detente(*run_args(scenario, store, 1))
    assert first.returncode == 0, first.stderr
    before = store_state(store)
    how = "chmod 555"
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", str(target), str(target)], check=True, capture_output=True)
        subprocess.run(["mount", "-o", "remount,ro,bind", str(target)], check=True, capture_output=True)
        how = "read-only bind mount"
    else:
        target.chmod(0o555)
    try:
        existing = detente(*run_args(scenario, store, 2))
        fresh = detente(*run_args(scenario, target / "new.duckdb", 2))
        after = store_state(store)
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", "-l", str(target)], capture_output=True)
        else:
            target.chmod(0o755)
    return {"how": how, "exit_codes": [existing.returncode, fresh.returncode],
            "messages": [p.stderr.strip().splitlines()[-1] if p.stderr else "" for p in (existing, fresh)],
            "earlier_intact": after["fingerprint"] == before["fingerprint"], "runs_after": len(after["status"])}


def fuzz_hypothesis(examples: int) -> dict[str, Any]:
    """The structured-mutation loader tests with `examples` cases each."""
    env = {**os.environ, "DETENTE_FUZZ_EXAMPLES": str(examples)}
    done = subprocess.run([sys.executable, "-m", "pytest", str(ROOT / "tests" / "test_fuzz_loader.py"), "-q",
                           "-p", "no:cacheprovider", "-k", "mutated", "-s"], capture_output=True, text=True, env=env,
                          cwd=ROOT)
    counted = re.search(r"FUZZ-COUNTS (\{.*\})", done.stdout)
    return {"exit_code": done.returncode, "summary": done.stdout.strip().splitlines()[-1] if done.stdout else "",
            **(json.loads(counted.group(1)) if counted else {})}


def fuzz_atheris(runs: int) -> dict[str, Any]:
    """Atheris on raw bytes (tools/fuzz_atheris.py)."""
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "fuzz_atheris.py"), f"-runs={runs}"],
                          capture_output=True, text=True, cwd=ROOT)
    counted = re.findall(r"ATHERIS-COUNTS (\{.*\})", done.stdout + done.stderr)
    return {"exit_code": done.returncode, **(json.loads(counted[-1]) if counted else {}),
            "tail": (done.stdout + done.stderr).strip().splitlines()[-1:]}


def schema_check() -> dict[str, Any]:
    """Schemathesis against the server (tests/test_server_schema.py), or why it was skipped."""
    done = subprocess.run([sys.executable, "-m", "pytest", str(ROOT / "tests" / "test_server_schema.py"), "-q",
                           "-p", "no:cacheprovider", "-rs", "-s"], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "DETENTE_SCHEMA_EXAMPLES": "50"})
    lines = done.stdout.strip().splitlines()
    closing = [line for line in lines if re.search(r"\d+ (passed|failed|skipped|xfailed)", line)]
    counted = re.findall(r"SCHEMA-COUNTS (.*)", done.stdout)
    return {"exit_code": done.returncode, "summary": (closing[-1] if closing else "") + (
            f" ({counted[-1]})" if counted else ""),
            "skipped": [line for line in lines if line.startswith("SKIPPED")]}


def write_report(figures: dict[str, Any], path: Path) -> None:
    """docs/reliability.md from the figures."""
    k, c, d, r = (figures.get(x) for x in ("kills", "concurrent", "disk_full", "read_only"))
    h, a, s = (figures.get(x) for x in ("hypothesis", "atheris", "schema"))
    lines = ["# Reliability: faults injected, bad input fuzzed, what was lost", "",
             f"Produced by `python tools/reliability.py` on {time.strftime('%Y-%m-%d')} "
             f"({sys.platform}, Python {sys.version.split()[0]}). Rerun it to check these figures.", ""]
    if k:
        lines += ["## SIGKILL at random moments", "",
                  f"`detente run` (200 runs, 6 weeks; a clean run takes {k['duration_s']} s including start-up) was "
                  f"killed with SIGKILL {k['kills']} times ({k['killed_before_exit']} while running, "
                  f"{k['finished_before_kill']} had already finished), half the moments in the last 30% of a run, "
                  "where results are written.", "",
                  "| check | result |", "|---|---|",
                  f"| store opened after the kill | {k['store_opened']} of {k['kills']} |",
                  f"| earlier runs intact (same metric summary) | {k['earlier_intact']} of {k['kills']} |",
                  f"| runs reported complete with rows missing | {k['broken_complete']} |",
                  f"| killed run listed as `incomplete` | after {k['incomplete_seen']} kills |",
                  f"| rerun resumed the incomplete run under the same id | {k['rerun_resumed']} / {k['rerun_same_id']} |",
                  f"| resumed run identical to a clean run of the same seed | {k['rerun_equals_clean_run']} |",
                  f"| incomplete runs left after the rerun | {k['incomplete_after_rerun']} |", "",
                  "How: a run is registered `running` with its owner (host, pid, process start time) before it "
                  "starts; its rows and the flip to `complete` are one transaction. A run whose owner is gone is "
                  "listed as `incomplete`; `detente run` of the same scenario hash, seed and runs completes it "
                  "under the same run id (ensembles are deterministic, so the numbers are those the lost run would "
                  "have stored).", ""]
    if c:
        lines += ["## Two writers at once", "",
                  f"{c['writers']} `detente run` processes started together on one store (two of them with the same "
                  f"seed): exit codes {c['exit_codes']}, {c['complete']} complete runs, {c['broken']} broken. "
                  "Each process holds the file only while it writes and waits up to 30 s for another's write to "
                  "finish; past that it is refused with a message naming the file.", ""]
    lines += ["## Disk full and read-only results folder", ""]
    if d:
        lines += [f"- Disk full (16 MiB tmpfs, filled): exit code {d['exit_code']}, message: `{d['message']}`; "
                  f"earlier runs intact: {d['earlier_intact']}; broken runs: {d['broken']}; after freeing space the "
                  f"same command exits {d['retry_after_freeing_space']} (resumed: {d['retry_resumed']})."]
    else:
        lines += [f"- Disk full: skipped ({figures.get('disk_full_skipped', 'not run')})."]
    if r:
        lines += [f"- Read-only ({r['how']}): exit codes {r['exit_codes']}, messages: "
                  + "; ".join(f"`{m}`" for m in r["messages"]) + f"; earlier runs intact: {r['earlier_intact']}."]
    lines += [""]
    lines += ["## Bad input", ""]
    total = 0
    if h:
        total += h.get("cases", 0)
        lines += [f"- Structured mutations of the baseline and of variants (hypothesis; keys deleted, types changed, "
                  f"numbers negated, unknown regions, keys and actors, bad `extends:` and `set:`): {h.get('cases', '?')} "
                  f"cases, {h.get('loaded', '?')} loaded, {h.get('rejected', '?')} rejected with InputError, 0 tracebacks "
                  f"(pytest: {h['summary']}). Rejections naming file, line and field: all but "
                  f"{h.get('known_gaps', 0)}."]
    if a:
        total += a.get("cases", 0)
        lines += [f"- Raw bytes (atheris, seeded with the scenarios): {a.get('cases', '?')} cases, "
                  f"{a.get('rejected', '?')} rejected with InputError, {a.get('loaded', '?')} loaded, "
                  f"{a.get('tracebacks', '?')} tracebacks (exit code {a['exit_code']})."]
    tracebacks = a.get("tracebacks", 0) if a else 0  # the hypothesis tests fail on any traceback
    lines += [f"- Total: {total} cases, {tracebacks} tracebacks.", "",
              "Hand-written adversarial inputs (tests/test_fuzz_loader.py): a self-referencing alias (`&a [*a]`) "
              "and 3,000 nested brackets are rejected with InputError (both raised RecursionError when first "
              "found; fixed in `scenario/yaml_source.py`), and so is an alias \"billion laughs\" (9 levels of 9 "
              "aliases): the loader stops at 200,000 values with an error naming the line.", "",
              "YAML is only loaded with `yaml.SafeLoader`: `!!python/object` and `!!python/name` tags are rejected "
              "(tests/test_fuzz_loader.py::test_python_tags_are_rejected).", ""]
    if s:
        lines += ["## Server against its OpenAPI schema (schemathesis)", "", f"- {s['summary']}"]
        lines += [f"- {line}" for line in s["skipped"]]
        lines += [""]
    lines += ["## Lost", "", "Nothing: no earlier run changed, no run reported complete with rows missing, and every "
              "killed or failed run was completed by rerunning the same command." if _nothing_lost(figures) else
              "SEE ABOVE: some check failed.", ""]
    path.write_text("\n".join(lines))


def _nothing_lost(f: dict[str, Any]) -> bool:
    k, c, d, r = (f.get(x) for x in ("kills", "concurrent", "disk_full", "read_only"))
    ok = True
    if k:
        ok &= k["earlier_intact"] == k["kills"] and k["broken_complete"] == 0 and k["broken_after"] == 0 \
            and k["rerun_equals_clean_run"] and k["incomplete_after_rerun"] == 0
    if c:
        ok &= c["broken"] == 0 and all(code == 0 for code in c["exit_codes"])
    if d:
        ok &= d["earlier_intact"] and d["broken"] == 0 and d["retry_after_freeing_space"] == 0
    if r:
        ok &= r["earlier_intact"]
    return bool(ok)


def main() -> None:
    """Run every part and write docs/reliability.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--fuzz", type=int, default=2500, help="hypothesis examples per structured fuzz test")
    parser.add_argument("--atheris", type=int, default=10000, help="atheris runs on raw bytes")
    parser.add_argument("--no-schema", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "reliability.md")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON here")
    args = parser.parse_args()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        print(f"SIGKILL × {args.kills} …", flush=True)
        (folder / "kills").mkdir()
        figures["kills"] = kill_trials(args.kills, folder / "kills")
        print("two writers …", flush=True)
        (folder / "two").mkdir()
        figures["concurrent"] = concurrent_trial(folder / "two")
        why = can_mount()
        (folder / "disk").mkdir()
        if why is None:
            print("disk full …", flush=True)
            figures["disk_full"] = disk_full_trial(folder / "disk")
        else:
            figures["disk_full_skipped"] = why
        print("read-only …", flush=True)
        (folder / "ro").mkdir()
        figures["read_only"] = read_only_trial(folder / "ro")
    if args.fuzz:
        print(f"hypothesis × {args.fuzz} per test …", flush=True)
        figures["hypothesis"] = fuzz_hypothesis(args.fuzz)
    if args.atheris:
        print(f"atheris × {args.atheris} …", flush=True)
        figures["atheris"] = fuzz_atheris(args.atheris)
    if not args.no_schema:
        print("schemathesis …", flush=True)
        figures["schema"] = schema_check()
    write_report(figures, args.out)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    print(json.dumps(figures, indent=2, default=str))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
