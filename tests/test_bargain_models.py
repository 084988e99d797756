"""Bargaining models: analytic cases, invariants, the BDM baselines, and bad inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.bargaining import bdm, compromise, smp
from detente.bargaining.bargain_result import run_bargain
from detente.bargaining.ktab_input import BargainingProblem, read_problem
from detente.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "data"  # the inputs ship with the repository
BDM = DATA / "bdm"
KTAB = DATA / "ktab"


def problem(cap, pos, sal) -> BargainingProblem:
    """Build a problem from 0–100 positions and 0–1 saliences."""
    return BargainingProblem.from_arrays(cap, pos, sal)


# --- analytic cases -------------------------------------------------------------------------------------------

def test_two_actors_meet_between_their_ideals():
    p = problem([100.0, 50.0], [[20.0], [80.0]], [[0.9], [0.6]])
    result = smp.run_smp(p)
    final = result.final_positions[:, 0]
    assert np.all((final >= 20.0 - 1e-9) & (final <= 80.0 + 1e-9))
    mean = compromise.weighted_mean(p.to_scale(p.positions), p.capability, p.salience)[0]
    assert mean == pytest.approx((100 * 0.9 * 20 + 50 * 0.6 * 80) / (100 * 0.9 + 50 * 0.6))
    assert 20.0 < mean < 80.0
    assert 20.0 <= bdm.run_bdm(p).final_positions[:, 0].min() <= bdm.run_bdm(p).final_positions[:, 0].max() <= 80.0


def test_stronger_actor_concedes_less_in_bargain():
    x_i, x_j = np.array([[0.2]]), np.array([[0.8]])
    s = np.array([[0.5]])
    b_i, b_j = smp.interpolate_bargains(x_i, s, x_j, s, np.array([0.9]))
    assert 0.2 < b_i[0, 0] < 0.5  # the likely winner's side stays near its own position
    assert b_j[0, 0] == pytest.approx(b_i[0, 0], abs=1e-4)


def test_identical_actors_do_not_move():
    p = problem([10.0, 20.0, 30.0], [[40.0, 60.0]] * 3, [[0.5, 0.3]] * 3)
    result = smp.run_smp(p)
    assert np.allclose(result.positions, result.positions[0])
    assert np.allclose(result.win_probabilities.sum(axis=1), 1.0)
    assert np.allclose(bdm.run_bdm(p).positions, p.positions)


def test_utility_and_pce_basics():
    assert smp.utility(0.0, 0.7) == 1.0 and smp.utility(1.0, -0.5) == 0.0
    c = np.array([[1e-8, 3.0], [1.0, 1e-8]])
    assert np.allclose(smp.conditional_pce(c), [0.75, 0.25])


# --- invariants -----------------------------------------------------------------------------------------------

@st.composite
def problems(draw):
    n = draw(st.integers(2, 7))
    d = draw(st.integers(1, 3))
    cap = draw(st.lists(st.floats(1.0, 200.0), min_size=n, max_size=n))
    pos = draw(st.lists(st.lists(st.floats(0.0, 100.0), min_size=d, max_size=d), min_size=n, max_size=n))
    raw = draw(st.lists(st.lists(st.floats(0.05, 1.0), min_size=d, max_size=d), min_size=n, max_size=n))
    total = draw(st.lists(st.floats(0.1, 1.0), min_size=n, max_size=n))
    sal = [[v * t / sum(row) for v in row] for row, t in zip(raw, total)]
    return problem(cap, pos, sal)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_smp_invariants(p):
    result = smp.run_smp(p, max_rounds=15)
    scaled = p.to_scale(result.positions)
    assert np.all(scaled >= -1e-9) and np.all(scaled <= 100.0 + 1e-9)
    assert np.allclose(result.win_probabilities.sum(axis=1), 1.0)
    assert np.all(result.position_win_probabilities >= 0) and np.all(result.position_win_probabilities <= 1)
    assert 1 <= result.rounds <= 15


@settings(max_examples=30, deadline=None)
@given(problems())
def test_bdm_and_compromise_invariants(p):
    for model in ("bdm", "compromise"):
        result = run_bargain(p, model, max_rounds=10)
        lo, hi = p.to_scale(p.positions).min(axis=0), p.to_scale(p.positions).max(axis=0)
        assert np.all(result.positions >= lo - 1e-9) and np.all(result.positions <= hi + 1e-9)
        assert np.allclose(result.win_probabilities.sum(axis=1), 1.0)
    mean = compromise.weighted_mean(p.to_scale(p.positions), p.capability, p.salience)
    median = compromise.weighted_median(p.to_scale(p.positions), p.capability, p.salience)
    lo, hi = p.to_scale(p.positions).min(axis=0), p.to_scale(p.positions).max(axis=0)
    assert np.all((mean >= lo - 1e-9) & (mean <= hi + 1e-9) & (median >= lo) & (median <= hi))


# --- BDM baselines --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "mean", "median"), [("eu_emissions_1994.csv", 7.39, 7.0),
                                                      ("Sultan.csv", 13.62, 13.9)])
def test_bdm_baselines(name, mean, median):
    p = read_problem(BDM / name)
    out = run_bargain(p, "compromise").to_json()
    assert out["compromise"] == [mean]
    assert out["weighted_median"] == [pytest.approx(median)]
    assert round(compromise.run_compromise(p).mean[0], 2) == mean
    forecast = run_bargain(p, "bdm").to_json()
    assert forecast["model"] == "bdm" and forecast["rounds"] >= 1
    assert abs(forecast["forecast"][0] - median) < 1.0  # BDM's forecast stays near the median voter


def test_weighted_mean_api_any_shape():
    assert compromise.weighted_mean([1.0, 3.0], [1.0, 1.0], [1.0, 1.0]).tolist() == [2.0]
    out = compromise.weighted_mean(np.array([[0.0, 10.0], [10.0, 0.0]]), [3.0, 1.0], np.array([[1, 1], [1, 1]]))
    assert np.allclose(out, [2.5, 7.5])


# --- bad inputs -----------------------------------------------------------------------------------------------

GOOD = "S,demo,3,2\nActor,Desc,Power,P1,S1,P2,S2\nA,a,10,20,30,40,50\nB,b,20,60,20,10,20\nC,c,30,90,40,50,10\n"


def write(tmp_path, text, name="bad.csv") -> Path:
    f = tmp_path / name
    f.write_text(text)
    return f


def test_good_csv_reads(tmp_path):
    p = read_problem(write(tmp_path, GOOD, "good.csv"))
    assert p.actors == ("A", "B", "C") and p.dimensions == ("P1", "P2")
    assert np.allclose(p.positions[0], [0.2, 0.4]) and np.allclose(p.salience[1], [0.2, 0.2])


@pytest.mark.parametrize(("text", "line", "words"), [
    (GOOD.replace("B,b,20,60,20,10,20", "B,b,20,60,20,10"), 4, "wrong number of columns"),
    (GOOD.replace("B,b,20,60,20,10,20", "B,b,20,60,20,10,20,7"), 4, "wrong number of columns"),
    (GOOD.replace("C,c,30,90,40,50,10", "C,c,30,90,60,50,41"), 5, "above 100"),
    (GOOD.replace("A,a,10,20,30", "A,a,ten,20,30"), 3, "not a number"),
    (GOOD.replace("B,b,20,60,20,10,20", "B,b,20,60,x,10,20"), 4, "not a number"),
    (GOOD.replace("S,demo,3,2", "S,demo,three,2"), 1, "not a number"),
    (GOOD.replace("S,demo,3,2", "S,demo,4,2"), 5, "announces 4"),
    (GOOD.replace("C,c,30,90,40", "C,c,30,190,40"), 5, "outside 0–100"),
    (GOOD.replace("A,a,10,", "A,a,0,"), 3, "must be positive"),
])
def test_bad_csv_is_input_error(tmp_path, text, line, words):
    f = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        read_problem(f)
    problem_ = caught.value.problems[0]
    assert problem_.file == str(f) and problem_.line == line
    assert words in caught.value.render()


def _xml(actor_extra: str = "", cap: str = "10") -> str:
    actors = "".join(
        f"<Actor><name>{n}</name><description>d</description><capability>{cap if n == 'A' else 5}</capability>"
        f"<Position><dCoord>{x}</dCoord></Position><Salience><dSal>{s}</dSal></Salience>{actor_extra}</Actor>\n"
        for n, x, s in (("A", 10, 50), ("B", 50, 60), ("C", 90, 70)))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Scenario>\n<name>t</name>\n<desc>d</desc>\n'
            f"<prngSeed>1</prngSeed>\n<Dimensions><dName>D</dName></Dimensions>\n<Actors>\n{actors}</Actors>\n"
            f"</Scenario>\n")


def test_good_xml_reads(tmp_path):
    p = read_problem(write(tmp_path, _xml(), "good.xml"))
    assert p.actors == ("A", "B", "C") and np.allclose(p.positions[:, 0], [0.1, 0.5, 0.9])


@pytest.mark.parametrize(("text", "line", "words"), [
    (_xml(cap="lots"), 8, "fails KTAB's schema"),
    (_xml(actor_extra="<colour>red</colour>"), 8, "fails KTAB's schema"),
    (_xml().replace("<dSal>70</dSal>", "<dSal>170</dSal>"), 10, ""),
    ("<Scenario><name>x</name>", 1, "not well-formed"),
])
def test_bad_xml_is_input_error(tmp_path, text, line, words):
    f = write(tmp_path, text, "bad.xml")
    with pytest.raises(InputError) as caught:
        read_problem(f)
    assert caught.value.problems[0].file == str(f)
    assert caught.value.problems[0].line == line
    assert words in caught.value.render()


def test_missing_and_unsupported_files(tmp_path):
    with pytest.raises(InputError):
        read_problem(tmp_path / "nothing.csv")
    with pytest.raises(InputError):
        read_problem(write(tmp_path, "x", "table.txt"))


def test_cli_reports_input_error_without_traceback(tmp_path):
    from test_bargain_ktab import bargain_app
    from typer.testing import CliRunner

    f = write(tmp_path, GOOD.replace("A,a,10,20,30", "A,a,ten,20,30"))
    out = CliRunner().invoke(bargain_app(), ["bargain", str(f), "--json"])
    assert isinstance(out.exception, InputError)  # main() turns this into a message and exit status 2
    assert f"{f}:3" in out.exception.render()
