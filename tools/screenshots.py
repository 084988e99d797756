"""Regenerate the README's pictures: docs/img/dashboard.png and docs/img/report.png.

    python tools/screenshots.py [--runs 200] [--store FILE] [--out docs/img]

What it does, and why this way: it runs the baseline and one variant into a fresh store (or uses `--store`),
starts the real dashboard (`detente serve`) on 127.0.0.1, and takes the dashboard's picture with a plain
headless Chromium screenshot, the same way `checks/seeit-dashboard` does, so the picture shows what a first
paint shows; then it writes the baseline's HTML report and photographs it from disk (file://), as a reader
opens it. Needs /usr/bin/chromium (scripts/test installs it).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--virtual-time-budget=15000"]


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "detente.cli", *args], env=env, capture_output=True, text=True,
                          check=True)


def _shot(url: str, out: Path, size: tuple[int, int], scratch: Path) -> None:
    """A plain headless Chromium screenshot of `url` (no scripted waiting)."""
    subprocess.run([str(CHROMIUM), *FLAGS, f"--user-data-dir={scratch / 'profile'}",
                    f"--window-size={size[0]},{size[1]}", f"--screenshot={out}", url],
                   capture_output=True, timeout=120, check=False)
    if not out.exists() or out.stat().st_size < 10_000:
        raise SystemExit(f"chromium wrote no picture of {url}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="runs per scenario when making a fresh store")
    parser.add_argument("--store", type=Path, help="an existing results store (its newest run is shown)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit("no /usr/bin/chromium: apt-get install chromium (scripts/test does)")
    args.out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with tempfile.TemporaryDirectory(prefix="detente-shots-") as tmp:
        scratch = Path(tmp)
        store = args.store
        if store is None:
            store = scratch / "store.duckdb"
            for scenario in ("seed000-odesa-transnistria.yaml", "baseline.yaml"):  # the baseline last: newest
                _cli("run", str(ROOT / "scenarios" / scenario), "--runs", str(args.runs), "--seed", "1",
                     "--store", str(store), env=env)
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-m", "detente.cli", "serve", "--port", str(port), "--store",
                                   str(store), "--scenarios", str(ROOT / "scenarios")], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}/"
            for _ in range(60):
                try:
                    urllib.request.urlopen(url, timeout=1).read()
                    break
                except OSError:
                    time.sleep(0.5)
            _shot(url, args.out / "dashboard.png", (1280, 900), scratch)
        finally:
            server.terminate()
            server.wait(timeout=20)
        from detente.report.html import write_report
        from detente.store.duck import ResultStore

        newest = ResultStore(store, read_only=True).list_runs()[0]["run_id"]
        report = write_report(store, newest, scratch / "report.html")
        _shot(report.as_uri(), args.out / "report.png", (1200, 1300), scratch)
    for name in ("dashboard.png", "report.png"):
        print(f"wrote {args.out / name} ({(args.out / name).stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
