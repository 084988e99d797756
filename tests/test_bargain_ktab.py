"""KTAB SMP against KTAB's own reference run, and every reference input through the `bargain` command."""

from __future__ import annotations

import json
import re
import sys
import time
import types
from pathlib import Path

import numpy as np
import pytest

from detente.bargaining.ktab_input import read_problem
from detente.bargaining.smp import run_smp

KTAB = Path(__file__).resolve().parents[1] / "data" / "ktab"  # KTAB's inputs ship with the repository
LOG = KTAB / "20170530_ref-dummyData_3Dim.txt"



def parse_log(path: Path) -> tuple[np.ndarray, np.ndarray, list[float]]:
    """Per-round positions (4 decimals, 0–100), per-round win probabilities, convergence ratios from KTAB's log."""
    lines = path.read_text().splitlines()
    blocks: list[list[float]] = []
    for n, line in enumerate(lines):
        if re.match(r"^postn \d+ , 0 :", line.strip()):
            blocks.append([float(v) for v in lines[n + 1].split()])
    n_act = 7
    steps = np.array(blocks).reshape(-1, n_act, 3)  # rounds 1..T
    initial = []
    for n, line in enumerate(lines):
        m = re.match(r"^pos\[(\d+), (\d+)\] =\s+([\d.]+)", line.strip())
        if m:
            initial.append(float(m.group(3)))
    positions = np.concatenate([np.array(initial).reshape(1, n_act, 3), steps])
    probs = []
    for line in lines:
        m = re.match(r"^(SActor-\d+), prob :(.*)$", line.strip())
        if m:
            probs.append([float(v) for v in m.group(2).split()])
    ratios = [float(m.group(1)) for m in re.finditer(r"Fractional change compared to first step: ([\d.]+)",
                                                     path.read_text())]
    return positions, np.array(probs).T, ratios


@pytest.fixture(scope="module")
def reference():
    return parse_log(LOG)


@pytest.fixture(scope="module")
def run():
    return run_smp(read_problem(KTAB / "dummyData_3Dim.csv"))


def test_rounds_match_log(run, reference):
    positions, _, _ = reference
    assert run.rounds == positions.shape[0] - 1 == 10


def test_final_positions_within_half_a_point(run, reference):
    positions, _, _ = reference
    assert np.abs(run.final_positions - positions[-1]).max() < 0.5


def test_every_round_tracks_the_log(run, reference):
    positions, _, _ = reference
    ours = run.problem.to_scale(run.positions)
    # KTAB prints 4 decimals; bargains are rounded to 4 decimals on 0–1, i.e. 0.01 on 0–100
    assert np.abs(ours - positions).max() < 0.006


def test_win_probabilities_track_the_log(run, reference):
    _, probs, _ = reference
    assert np.abs(run.position_win_probabilities - probs).max() < 6e-5
    assert np.allclose(run.win_probabilities.sum(axis=1), 1.0)


def test_convergence_ratios_track_the_log(run, reference):
    _, _, ratios = reference
    assert len(ratios) == 10
    assert np.allclose(run.ratios[1:], ratios, atol=6e-5)


def test_first_round_risk_attitudes_and_challenges(run):
    assert np.allclose(run.risk[0], [-0.500, -0.459, -0.499, -0.274, 1.000, -0.232, -0.430], atol=6e-4)
    first = run.challenges[0]
    assert first.targets.tolist() == [6, 0, 6, 0, 0, 1, 1]
    assert np.allclose(first.probabilities, [0.7643, 0.7964, 0.8334, 0.8056, 0.5836, 0.8510, 0.3970], atol=6e-5)
    assert np.allclose(first.gains, [0.0947, 0.2810, 0.4711, 0.2839, 0.0116, 0.2986, 0.0286], atol=6e-5)


def test_xml_equals_csv(run):
    xml = run_smp(read_problem(KTAB / "dummyData_3Dim.xml"))
    assert xml.rounds == run.rounds
    assert np.allclose(xml.final_positions, run.final_positions)


def reference_inputs() -> list[Path]:
    if not KTAB.is_dir():
        return []
    return sorted(p for p in KTAB.iterdir() if p.suffix in (".csv", ".xml") and p.name != "smpSchema.xsd")


def bargain_app():
    """The `bargain` command on a private typer app (the package app also needs other teams' commands)."""
    import typer

    import detente

    saved = sys.modules.get("detente.cli")
    stub = types.ModuleType("detente.cli")
    stub.app = typer.Typer(pretty_exceptions_enable=False)
    stub.__path__ = [str(Path(detente.__file__).parent / "cli")]
    sys.modules["detente.cli"] = stub
    sys.modules.pop("detente.cli.bargain", None)
    try:
        import detente.cli.bargain  # noqa: F401  (registers on stub.app)

        @stub.app.callback()
        def _root() -> None:
            """Test root."""
    finally:
        sys.modules.pop("detente.cli.bargain", None)
        if saved is not None:
            sys.modules["detente.cli"] = saved
        else:
            sys.modules.pop("detente.cli", None)
    return stub.app


@pytest.fixture(scope="module")
def cli():
    from typer.testing import CliRunner

    app = bargain_app()
    runner = CliRunner()
    return lambda *args: runner.invoke(app, list(args))


@pytest.mark.parametrize("path", reference_inputs(), ids=lambda p: p.name)
def test_every_reference_input_runs(cli, path, tmp_path):
    started = time.perf_counter()
    out = cli("bargain", str(path), "--json", "--plot", str(tmp_path / "chart.html"))
    elapsed = time.perf_counter() - started
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["model"] == "smp"
    assert data["rounds"] >= 1
    assert len(data["final_positions"]) == len(data["win_probabilities"])
    assert abs(sum(data["win_probabilities"].values()) - 1.0) < 1e-4
    assert all(0.0 <= v <= 100.0 for pos in data["final_positions"].values() for v in pos)
    html = (tmp_path / "chart.html").read_text()
    assert "plotly" in html.lower() and len(html) > 1_000_000  # self-contained: plotly.js inside
    if path.name == "dummyData-a160.csv":
        assert elapsed < 60
    if path.name == "dummyData-a080.csv":
        assert elapsed < 20


def test_table_output(cli):
    out = cli("bargain", str(KTAB / "dummyData_3Dim.csv"))
    assert out.exit_code == 0, out.output
    assert "SMP" in out.output and "10 round" in out.output


@pytest.mark.parametrize("model", ["bdm", "compromise"])
def test_other_models_run_on_ktab_inputs(cli, model):
    out = cli("bargain", str(KTAB / "dummyData_6Dim.csv"), "--model", model, "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["model"] == model and len(data["final_positions"]["AA00"]) == 6


def test_unknown_model_is_refused(cli, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("S,d,3,1\nActor,Desc,Power,P,S\nA,a,1,10,50\nB,b,1,20,50\nC,c,1,30,50\n")
    out = cli("bargain", str(f), "--model", "nash")
    assert out.exit_code != 0
    assert "unknown model" in str(out.exception)  # an InputError: main() prints it and exits 2
