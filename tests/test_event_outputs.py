"""Prisoner exchanges (count, persons), truce days by kind and scope and the table's events by quarter appear
in every place outcomes are read: `detente run` (table and --json), `compare`, the report and the dashboard.

The real CLI in subprocesses over a real DuckDB file, and a real server (`detente serve`) on 127.0.0.1."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import BASELINE
from tests.test_cli_errors import detente
from tests.test_server_resume import _call, _kill, _serve

SHOWN = ("events/prisoner_exchange", "persons/prisoner_exchange", "truce_days/agreed/energy_strikes")


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """Two short runs of the baseline (26 weeks: two quarters) and a variant without exchanges, in one store."""
    folder = tmp_path_factory.mktemp("event-outputs")
    scenarios = folder / "scenarios"
    scenarios.mkdir()
    short = scenarios / "short.yaml"
    short.write_text(f"schema_version: 1\nextends: {BASELINE}\nname: short\nhorizon_weeks: 26\n")
    fewer = scenarios / "fewer.yaml"
    fewer.write_text(f"schema_version: 1\nextends: {short}\nname: fewer\n"
                     "set:\n  table.exchanges.rate_per_year: 4\n")
    store = folder / "store.duckdb"
    ran = detente(["run", str(short), "--runs", "60", "--seed", "1", "--json", "--workers", "1"], folder, store)
    assert ran.returncode == 0, ran.stderr
    first = json.loads(ran.stdout)
    text = detente(["run", str(fewer), "--runs", "60", "--seed", "1", "--workers", "1"], folder, store)
    assert text.returncode == 0, text.stderr
    second = re.search(r"stored as (\S+)", text.stdout).group(1)
    return folder, scenarios, store, first, text.stdout, second


def test_run_json_and_table(stored):
    _, _, _, first, text, _ = stored
    metrics = first["metrics"]
    for name in SHOWN + ("events_in_q1/prisoner_exchange", "events_in_q2/energy_strikes"):
        assert name in metrics, name
    assert "events_in_q3/prisoner_exchange" not in metrics             # 26 weeks: two quarters
    # the text: the summary's rows, and the quarter grid instead of one row per quarter
    assert "prisoner_exchange events" in text and "persons in" in text
    assert "days of agreed" in text and "energy_strikes truce" in text
    assert "events in each" in text and re.search(r"prisoner_exchange +\d+\.\d +\d+\.\d", text)
    assert "prisoner_exchange in Q1" not in text


def test_compare_json_and_table(stored):
    folder, scenarios, store, *_ = stored
    args = ["compare", str(scenarios / "short.yaml"), str(scenarios / "fewer.yaml"), "--runs", "40", "--seed", "2"]
    answer = detente(args + ["--json"], folder, store)
    assert answer.returncode == 0, answer.stderr
    difference = json.loads(answer.stdout)["variants"][0]["difference"]
    for name in SHOWN:
        assert name in difference, name
    assert difference["events/prisoner_exchange"]["p50"] < 0          # 4 a year against 11.5
    assert difference["truce_days/agreed/energy_strikes"]["p50"] == 0  # exchanges leave the table alone
    text = detente(args, folder, store)
    assert text.returncode == 0, text.stderr
    assert "events/prisoner" in text.stdout and "events_in_q2/pri" in text.stdout


def test_report(stored, tmp_path):
    folder, _, store, first, _, _ = stored
    out = tmp_path / "report.html"
    answer = detente(["report", "--run", first["run_id"], "-o", str(out), "--weeks", "0,26"], folder, store)
    assert answer.returncode == 0, answer.stderr
    page = out.read_text()
    for name in SHOWN:
        assert f"data-metric='{name}'" in page, name
    events = page[page.index("<section id='events'>"):]
    events = events[:events.index("</section>")]
    assert "data-event='prisoner_exchange'" in events and "<th>Q2</th>" in events and "<th>Q3</th>" not in events


def test_dashboard_on_a_real_server(stored):
    _, scenarios, store, first, _, second = stored
    server, url = _serve(store, scenarios)
    try:
        comparison = _call(f"{url}/api/compare?a={first['run_id']}&b={second}")
        compared = {m["metric"]: m for m in comparison["metrics"]}
        for name in SHOWN:
            assert name in compared, name
        assert compared["events/prisoner_exchange"]["b_p50"] < compared["events/prisoner_exchange"]["a_p50"]
        assert not any(name.startswith("events_in_q") for name in compared)   # the quarters: the report's table
        fans = {s["name"]: s for s in _call(f"{url}/api/runs/{first['run_id']}/fans")}
        assert "events_to_date/prisoner_exchange" in fans
    finally:
        _kill(server)


def test_the_quarter_grids_fit_80_columns_with_every_name():
    """Eight quarters of a two-year run: each scope's and event's name whole, every quarter and held column shown
    (wider, rich dropped the scope column and cut Q8)."""
    from rich.console import Console

    from detente.cli.commands_war import ceasefire_table, events_table

    class Result:
        def summary(self):
            out = {}
            for q in range(1, 9):
                out.update({f"ceasefire_agreed_by_q{q}/{s}": {"mean": 1.0} for s in ("black_sea", "energy_strikes")})
                out.update({f"events_in_q{q}/{e}": {"mean": 12.5} for e in ("agreement_in_principle", "summit")})
            out.update({f"ceasefire_held_{d}/{s}": {"mean": 1.0} for d in ("30d", "90d")
                        for s in ("black_sea", "energy_strikes")})
            return out

    console = Console(width=80, record=True, color_system=None)
    console.print(ceasefire_table(Result()))
    console.print(events_table(Result()))
    text = console.export_text()
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80
    for name in ("black_sea", "energy_strikes", "agreement_in_principle", "summit", "Q8", "30 d", "90 d"):
        assert name in text, name
    assert re.search(r"energy_strikes( +100%){10}", text)
