"""A/B timing of two (or more) checkouts of détente, alternated in one sitting, as issue 13's "same speed" asks.

    python bench/ab.py [--rounds 5] [--nice 10] CHECKOUT CHECKOUT [...] -- COMMAND ...
    python bench/ab.py /work/main 419474f -- python bench/ensemble.py --no-parallel --sizes 10000,100000
    python bench/ab.py --pythonpath SITE /work/main 419474f -- python bench/mesa_reference.py   # SITE: where Mesa is
    python bench/ab.py /work/main 419474f -- throughput        # foundation-throughput's command, whole process

A CHECKOUT is a folder (a worktree) or a commit, for which a detached worktree is made under /tmp (and
removed at the end). Each round runs COMMAND once in every checkout, the order flipped every other round
(A B, B A, A B, …), in the checkout's root with PYTHONPATH=<checkout>/src, so each runs its own code and its
own bench script. `throughput` stands for `python -m detente.cli run scenarios/baseline.yaml --runs 20000
--seed 5 --json` with the store in a scratch folder (the acceptance check runs the same command through its
virtual environment's `detente`).

Printed per checkout: the median (and range) over the rounds of the wall seconds, the CPU seconds of the
command and its children (user + sys: less disturbed than wall on a shared machine), the peak memory, and
every figure the command printed that this script knows how to read (`bench/ensemble.py`'s run-weeks/s per
mode and size, `bench/mesa_reference.py`'s µs per run-week, the throughput's run-weeks/s); the last column
is the change of each median against the first checkout's.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

THROUGHPUT = ["python", "-m", "detente.cli", "run", "scenarios/baseline.yaml", "--runs", "20000", "--seed", "5",
              "--json"]
THROUGHPUT_RUN_WEEKS = 20000 * 104
WARMUP = ["python", "-m", "detente.cli", "run", "scenarios/baseline.yaml", "--runs", "300", "--seed", "1", "--json",
          "--workers", "1"]


def checkout(spec: str, made: list[Path]) -> Path:
    """The folder of a checkout: the folder itself, or a detached worktree of the commit."""
    path = Path(spec)
    if path.is_dir():
        return path.resolve()
    folder = Path(tempfile.mkdtemp(prefix=f"ab-{spec[:10]}-"))
    subprocess.run(["git", "worktree", "add", "--detach", str(folder), spec], check=True, capture_output=True)
    made.append(folder)
    return folder


def figures(text: str) -> dict[str, float]:
    """The figures a known bench printed, by name."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        m = re.match(r"(vectorised, \d+ cores?|one run at a time)\s+([\d,]+)\s+([\d,]+)(?:\s+([\d,]+)\s+([\d,]+))?"
                     r"(?:\s+([\d,]+))?", line)
        if m:
            label = m.group(1).replace("vectorised, ", "")
            runs = m.group(2).replace(",", "")
            out[f"{label} {runs} engine rw/s"] = float(m.group(3).replace(",", ""))
            if m.group(4):
                out[f"{label} {runs} process rw/s"] = float(m.group(4).replace(",", ""))
                out[f"{label} {runs} peak MB"] = float(m.group(5).replace(",", ""))
            if m.group(6):
                out[f"{label} {runs} engine rw/CPU s"] = float(m.group(6).replace(",", ""))
        m = re.match(r"détente, (whole ensemble|the runs alone).*?([\d.]+) µs per run-week", line)
        if m:
            out[f"détente {m.group(1)} µs/rw"] = float(m.group(2))
        m = re.match(r"Mesa .*?([\d.]+) µs per run-week", line)
        if m:
            out["Mesa µs/rw"] = float(m.group(1))
    return out


def run_once(command: list[str], root: Path, nice: int, bytecode: bool = False, extra_path: str = "") -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(root / "src"), extra_path) if p))
    if bytecode:  # the warm-up writes the modules' bytecode too, so that no checkout compiles its sources each run
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    scratch = Path(tempfile.mkdtemp(prefix="ab-scratch-"))
    throughput = command == ["throughput"]
    if throughput:
        command = THROUGHPUT
    env["DETENTE_STORE"] = str(scratch / "store.duckdb")
    if command[0] == "python":
        command = [sys.executable, *command[1:]]
    began = time.perf_counter()
    proc = subprocess.Popen(["nice", "-n", str(nice), *command] if nice else command, cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - began
    out, err = proc.stdout.read(), proc.stderr.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    shutil.rmtree(scratch, ignore_errors=True)
    if proc.returncode:
        sys.exit(f"{' '.join(command)} failed in {root}:\n{err[-2000:]}")
    result = {"wall s": wall, "cpu s": usage.ru_utime + usage.ru_stime, "peak MB (process)": usage.ru_maxrss / 1024}
    if throughput:
        result["throughput rw/s"] = THROUGHPUT_RUN_WEEKS / wall
    result.update(figures(out))
    return result


def main() -> None:
    argv = sys.argv[1:]
    if "--" not in argv:
        sys.exit(__doc__)
    cut = argv.index("--")
    parser = argparse.ArgumentParser()
    parser.add_argument("checkouts", nargs="+")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--nice", type=int, default=10)
    parser.add_argument("--pythonpath", default="", help="more folders for PYTHONPATH (e.g. where Mesa is installed)")
    parser.add_argument("--no-warmup", action="store_true",
                        help="skip the untimed small run per checkout that fills its numba caches first")
    args = parser.parse_args(argv[:cut])
    command = argv[cut + 1:]
    made: list[Path] = []
    try:
        roots = [checkout(c, made) for c in args.checkouts]
        results: list[list[dict[str, float]]] = [[] for _ in roots]
        if not args.no_warmup:  # a new worktree compiles its kernels on first use: not what is being compared
            for root in roots:
                run_once(WARMUP, root, args.nice, bytecode=True, extra_path=args.pythonpath)
        for r in range(args.rounds):
            order = list(range(len(roots)))
            if r % 2:
                order.reverse()
            for i in order:
                results[i].append(run_once(command, roots[i], args.nice, extra_path=args.pythonpath))
                print(f"round {r + 1} {args.checkouts[i]}: " + ", ".join(
                    f"{k} {v:,.2f}" for k, v in results[i][-1].items()), flush=True)
        print(f"\nmedians over {args.rounds} rounds, alternated ({resource.getpagesize() and os.cpu_count()} cores, "
              f"load {os.getloadavg()[0]:.1f} at the end)")
        keys = list(results[0][0])
        width = max(len(k) for k in keys)
        print(f"{'':{width}}  " + "".join(f"{c[-24:]:>34}" for c in args.checkouts))
        for k in keys:
            base = statistics.median(x[k] for x in results[0])
            cells = []
            for res in results:
                values = [x[k] for x in res if k in x]
                if not values:  # a figure this checkout's bench does not print (an older bench script)
                    cells.append(f"{'—':>33} ")
                    continue
                med = statistics.median(values)
                change = f"{(med / base - 1) * 100:+.1f}%" if base else ""
                cells.append(f"{med:>12,.2f} [{min(values):,.1f}–{max(values):,.1f}] {change:>7}")
            print(f"{k:{width}}  " + "".join(f"{c:>34}" for c in cells))
    finally:
        for folder in made:
            subprocess.run(["git", "worktree", "remove", "--force", str(folder)], capture_output=True)


if __name__ == "__main__":
    main()
