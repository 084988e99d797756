"""The server against its own OpenAPI schema (schemathesis): no 500s, no response outside the schema;
and its limits: paths outside its data folder, oversized bodies, loopback by default.

`DETENTE_SCHEMA_EXAMPLES` sets the examples per endpoint (a few here; tools/reliability.py runs more).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
server = pytest.importorskip("detente.web.server")

from hypothesis import HealthCheck, settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = int(os.environ.get("DETENTE_SCHEMA_EXAMPLES", "8"))


def _app(folder: Path):
    from detente.ensemble.runner import simulate
    from detente.store.duck import ResultStore

    scenarios = folder / "scenarios"
    scenarios.mkdir(exist_ok=True)
    (scenarios / "short.yaml").write_text(f"schema_version: 1\nextends: {ROOT / 'scenarios' / 'baseline.yaml'}\n"
                                          "name: short\nhorizon_weeks: 3\n")
    results = folder / "results" / "detente.duckdb"
    store = ResultStore(results)
    result = simulate(scenarios / "short.yaml", runs=50, seed=1)
    import json

    run_id = store.begin_run(result.manifest, json.dumps(result.loaded.located.data, default=str))
    store.complete_run(run_id, result)
    return server.create_app(results, scenarios, max_runs=200)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    return _app(tmp_path_factory.mktemp("served"))


def _fuzz(app, checks: list) -> tuple[int, list[str]]:
    """Every operation fuzzed from the schema with the given checks: (operations tried, failures).

    Driven through hypothesis directly: schemathesis's pytest plugin does not load under pytest 9.
    """
    from hypothesis import given

    api = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures, tried = [], 0
    for found in api.get_all_operations():
        operation = found.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        def check(case) -> None:
            case.call_and_validate(checks=checks)

        tried += 1
        try:
            check()
        except Exception as error:  # collect every operation's failure, then report them together
            lines = [line.strip() for line in str(error).splitlines() if line.strip()]
            failures.append(f"{operation.label}: " + " | ".join(lines[:4]))
    print(f"SCHEMA-COUNTS operations={tried} examples_per_operation={EXAMPLES} failures={len(failures)}")
    return tried, failures


def test_no_server_errors_and_responses_match_the_schema(app) -> None:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    tried, failures = _fuzz(app, [not_a_server_error, response_schema_conformance])
    assert tried > 0
    assert not failures, "\n".join(failures)


def test_every_status_code_is_documented(app) -> None:
    from schemathesis.specs.openapi.checks import status_code_conformance

    tried, failures = _fuzz(app, [status_code_conformance])
    assert not failures, "\n".join(failures)


def test_refuses_paths_outside_its_data_folder(app) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(app)
    for name in ("../../etc/passwd", "/etc/passwd", "..%2F..%2Fetc%2Fpasswd"):
        response = client.get("/api/runs", params={"results": name})
        assert response.status_code in (400, 403, 404), (name, response.status_code)
        assert response.status_code != 500


def test_refuses_oversized_bodies(app) -> None:
    from fastapi.testclient import TestClient

    client = TestClient(app)
    body = b'{"scenario": "' + b"x" * 5_000_000 + b'"}'
    response = client.post("/api/jobs", content=body, headers={"content-type": "application/json"})
    assert response.status_code in (400, 413, 422), response.status_code


def test_serve_binds_loopback_by_default() -> None:
    from typer.testing import CliRunner

    from detente.cli import app as cli

    shown = CliRunner().invoke(cli, ["serve", "--help"])
    if shown.exit_code != 0:
        pytest.skip("no `detente serve` command yet")
    assert "127.0.0.1" in shown.output


def test_nul_byte_in_results_name_is_refused(app) -> None:
    from fastapi.testclient import TestClient

    response = TestClient(app).get("/api/runs", params={"results": "\x00"})
    assert response.status_code in (400, 403, 404)
