"""Fuzz the scenario loader on raw bytes with atheris (coverage-guided), seeded with the committed scenarios.

    python tools/fuzz_atheris.py -runs=10000        # libFuzzer options pass through

Every input is written to a file and loaded; an `InputError` (a clear rejection naming the file) is fine,
anything else is a crash that atheris reports with the input that caused it. Prints
`ATHERIS-COUNTS {...}` every 100 cases (tools/reliability.py reads it). Needs `atheris` (the `test` extra).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from detente.errors import InputError
    from detente.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
FOLDER = Path(tempfile.mkdtemp(prefix="detente-atheris-"))
TARGET = FOLDER / "fuzzed.yaml"
(FOLDER / "baseline.yaml").write_bytes((ROOT / "scenarios" / "baseline.yaml").read_bytes())
COUNTS = {"cases": 0, "loaded": 0, "rejected": 0, "tracebacks": 0, "without_line": 0}
MAX_BYTES = 4096


def test_one_input(data: bytes) -> None:
    """Load the bytes as a scenario file (with baseline.yaml beside it, so `extends:` can resolve)."""
    COUNTS["cases"] += 1
    if COUNTS["cases"] % 100 == 0:
        _report()  # libFuzzer ends the process with _exit, so report as we go; the last line counts
    TARGET.write_bytes(data[:MAX_BYTES])
    try:
        load_scenario(TARGET)
    except InputError as error:
        COUNTS["rejected"] += 1
        COUNTS["without_line"] += any(p.line is None for p in error.problems)
        assert all(p.file for p in error.problems)
        return
    except RecursionError:
        # known loader defect (see tests/test_fuzz_loader.py LOADER_RECURSION): counted, not a new finding
        COUNTS["tracebacks"] += 1
        return
    except BaseException:
        COUNTS["tracebacks"] += 1
        raise
    COUNTS["loaded"] += 1


def _report() -> None:
    print(f"ATHERIS-COUNTS {json.dumps(COUNTS)}", flush=True)


def main() -> None:
    corpus = FOLDER / "corpus"
    corpus.mkdir()
    for i, path in enumerate(sorted((ROOT / "scenarios").glob("*.yaml"))):
        text = path.read_bytes()
        (corpus / f"seed{i}").write_bytes(text.replace(b"extends: baseline.yaml", b"extends: baseline.yaml")[:MAX_BYTES])
    argv = [sys.argv[0], *sys.argv[1:], f"-max_len={MAX_BYTES}", str(corpus)]
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
