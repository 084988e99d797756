"""docs/tutorial.ipynb runs from top to bottom on the code it ships with (executed as a reader would)."""

from __future__ import annotations

import os
import time

import pytest

from tests.conftest import ROOT


def test_tutorial_notebook_runs(monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="the test extra installs nbformat")
    nbclient = pytest.importorskip("nbclient", reason="the test extra installs nbclient")
    notebook = nbformat.read(ROOT / "docs" / "tutorial.ipynb", as_version=4)
    if "PYTHONPATH" not in os.environ:  # the kernel imports this checkout's détente (as installed, or from src/)
        monkeypatch.setenv("PYTHONPATH", str(ROOT / "src"))
    started = time.perf_counter()
    nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "docs")}}).execute()
    elapsed = time.perf_counter() - started
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = " ".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "EnsembleResult baseline" in text and "metrics_wide.csv" in text
    assert any("application/vnd.plotly.v1+json" in o.get("data", {}) for o in outputs)  # the figures drew
    assert elapsed < 120, f"the tutorial took {elapsed:.0f} s"
