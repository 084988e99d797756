"""The dashboard server: a JSON API over the results store, and the page that draws it.

`create_app(results, scenarios_dir)` serves:
- `/` the page and `/static/*` its script and style; `/static/plotly.min.js` is the file the installed plotly
  package ships (nothing from a CDN);
- `/api/...` one endpoint per chart (runs, map, fan charts, comparison, sensitivity), each with a response
  model, so `/openapi.json` documents them all;
- `/api/jobs` to start a run of a scenario file from `scenarios_dir` in a background thread, and to poll it.

Files are named only relative to their folders: `?results=NAME` picks a DuckDB file inside the folder of the
results file the server was started with, and a job names a scenario inside `scenarios_dir`; anything that
resolves outside is refused (403).
"""

from __future__ import annotations

import threading
import uuid
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

import numpy as np
from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from detente.errors import DetenteError, InputError, StoreError

STATIC = Path(__file__).parent / "static"
MAX_SERVER_RUNS = 20_000
COMPARE_METRICS_LIMIT = 60
BOOTSTRAP_RESAMPLES = 200


# --- response models -------------------------------------------------------------------------------------

class RunSummary(BaseModel):
    """A stored run as listed: its manifest fields."""

    run_id: str
    scenario: str
    scenario_hash: str | None = None
    seed: int | None = None
    runs: int | None = None
    horizon_weeks: int | None = None
    start_date: str | None = None
    package_version: str | None = None
    created_at: str | None = None
    completed_at: str | None = None
    status: str | None = None


class RunList(BaseModel):
    """Every stored run, newest first."""

    store: str
    runs: list[RunSummary]


class MetricSummary(BaseModel):
    """Mean, median and 10–90% interval of one outcome metric over runs."""

    mean: float | None
    p10: float | None
    p50: float | None
    p90: float | None


class RunDetail(BaseModel):
    """One run: its manifest and metric summaries."""

    run_id: str
    status: str | None
    completed_at: str | None
    manifest: dict[str, Any]
    metrics: dict[str, MetricSummary]


class MapData(BaseModel):
    """Per week (rows) and region (columns): control shares under Russian control, and the front."""

    run_id: str
    regions: list[str]
    names: list[str]
    weeks: list[int]
    dates: list[str]
    p50_control: list[list[float]]
    p10_control: list[list[float]]
    p90_control: list[list[float]]
    mean_control: list[list[float]]
    p_changed_hands: list[list[float]]
    p_russian_majority: list[list[float]]
    front: list[list[int]] = Field(description="per week, indices into /api/borders where control meets")
    labels: list[str] = Field(default_factory=list, description="short region names to print on the map")
    lon: list[float] = Field(default_factory=list, description="where each region's label goes (longitude)")
    lat: list[float] = Field(default_factory=list, description="where each region's label goes (latitude)")
    neutral: list[bool] = Field(default_factory=list, description="true for a country outside Ukraine and Russia "
                                "that no run brought under any Russian control (drawn in a neutral colour)")


class Border(BaseModel):
    """The land border of two adjacent regions as a polyline (null breaks a line)."""

    a: str
    b: str
    lon: list[float | None]
    lat: list[float | None]


class SeriesData(BaseModel):
    """One weekly series' fan: mean and quantiles per week."""

    name: str
    probability: bool = Field(description="true when the mean is a probability (a 0/1 indicator per run)")
    title: str = Field("", description="a human title from the metric registry")
    unit: str = Field("", description="the unit of the values (from the metric registry)")
    kind: str = Field("quantity", description="probability, quantity, count or score")
    percent: bool = Field(False, description="true when values are shares, shown as percentages")
    description: str = ""
    cumulative: bool = Field(False, description="true when the series counts up from the scenario's start")
    first_week: int = Field(0, description="the first week worth drawing (1 for a stock the first step computes)")
    constant: bool = Field(False, description="true when every quantile is the same in every week (no chart)")
    constant_value: float | None = None
    note: str = Field("", description="what a reader must know to read the chart (since when; from which week)")
    weeks: list[int]
    dates: list[str]
    mean: list[float]
    p05: list[float]
    p10: list[float]
    p25: list[float]
    p50: list[float]
    p75: list[float]
    p90: list[float]
    p95: list[float]


class SeriesList(BaseModel):
    """The weekly series a run stored, in reading order."""

    run_id: str
    series: list[str]


class MetricDifference(BaseModel):
    """B minus A for one metric: the medians, their difference and its bootstrap 90% interval; for a yes/no
    outcome (kind `probability`), the share of runs in A and B, its paired difference and interval."""

    metric: str
    kind: str = Field("quantity", description="probability, quantity, count or score (detente.ensemble.registry)")
    unit: str = ""
    title: str = ""
    percent: bool = Field(False, description="true for yes/no outcomes: values are shares, shown as percentages")
    a_p50: float = Field(description="A's median; for a probability, the share of A's runs (0–1)")
    b_p50: float = Field(description="B's median; for a probability, the share of B's runs (0–1)")
    difference: float
    low: float
    high: float


class Comparison(BaseModel):
    """Two runs side by side: metric differences with intervals, and the difference map per week."""

    a: str
    b: str
    metrics: list[MetricDifference]
    regions: list[str]
    weeks: list[int]
    mean_control_difference: list[list[float]] = Field(description="per week and region, B minus A, of the mean "
                                                                   "share under Russian control")
    names: list[str] = Field(default_factory=list, description="region names, as `regions`")
    labels: list[str] = Field(default_factory=list, description="short region names to print on the map")
    lon: list[float] = Field(default_factory=list)
    lat: list[float] = Field(default_factory=list)
    neutral: list[bool] = Field(default_factory=list, description="countries outside the war in both runs")


class ScenarioFile(BaseModel):
    """A scenario file that can be run from the page."""

    path: str
    name: str


class JobRequest(BaseModel):
    """Start a run of a scenario file (relative to the scenarios folder)."""

    scenario: str
    runs: int = 1000
    seed: int = 0


class JobStatus(BaseModel):
    """A background run: how far it got, and the stored run id once done."""

    job_id: str
    scenario: str
    runs: int
    seed: int
    status: str = Field(description="running, complete or failed")
    done: int
    fraction: float
    run_id: str | None = Field(None, description="the stored run's id, known once it is registered (before "
                                                 "simulating)")
    resumed: bool = Field(False, description="whether this job completes a run a killed process left incomplete")
    error: str | None = None


class SensitivitySummary(BaseModel):
    """A stored sensitivity analysis (without indices)."""

    analysis_id: str
    scenario: str
    scenario_hash: str | None
    method: str
    samples: int
    replicates: int
    runs: int
    seed: int
    wall_seconds: float
    created_at: str
    parameters: list[dict[str, Any]]


class SensitivityDetail(SensitivitySummary):
    """A stored sensitivity analysis with its indices: metric -> parameter -> index -> value."""

    indices: dict[str, dict[str, dict[str, float]]]
    titles: dict[str, str] = Field(default_factory=dict, description="metric -> its human title (metric registry)")


class StoreFile(BaseModel):
    """A results file in the results folder."""

    name: str
    size_bytes: int


# --- the app ---------------------------------------------------------------------------------------------

def plotly_js_path() -> Path:
    """The plotly.min.js that the installed plotly package ships."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.exists():
        raise StoreError(f"plotly.js not found in the plotly package at {path}; reinstall plotly")
    return path


class ErrorMessage(BaseModel):
    """Every refusal: a message saying what was wrong and what to do."""

    detail: Any


def _inside(folder: Path, name: str) -> Path:
    """`name` resolved inside `folder`, or 403 if it would leave it (400 if it cannot be a file name)."""
    if "\x00" in name or len(name) > 1024:
        raise HTTPException(400, "refused: not a file name (NUL byte or over 1,024 characters)")
    target = (folder / name).resolve()
    if target != folder and folder not in target.parents:
        raise HTTPException(403, f"refused: '{name}' is outside the served folder; name a file inside it")
    return target


def _weekly_rows(store: Any, run_id: str, series: str | None = None) -> list[tuple]:
    sql = ("SELECT series, week, date, mean, p05, p10, p25, p50, p75, p90, p95 FROM weekly_summary WHERE run_id = ?"
           + (" AND series = ?" if series else "") + " ORDER BY series, week")
    return store.query(sql, [run_id, series] if series else [run_id])


def create_app(results: Path, scenarios_dir: Path, max_runs: int = MAX_SERVER_RUNS) -> FastAPI:
    """Build the dashboard app over a results file (its folder is the data folder) and a scenarios folder."""
    from detente.report import plots
    from detente.store.duck import ResultStore
    from detente.store.sensitivity import list_sensitivity, load_sensitivity

    results = Path(results).resolve()
    data_folder = results.parent
    scenarios_folder = Path(scenarios_dir).resolve()
    errors = {code: {"model": ErrorMessage, "description": text} for code, text in (
        (400, "malformed request"), (403, "a path outside the served folders"), (404, "no such run or file"),
        (413, "over the server's limits"), (422, "invalid input: the message names file, line and field"))}
    app = FastAPI(title="détente dashboard", version="1", responses=errors,
                  description="Results of war-and-peace ensembles: map over time, fan charts, comparisons, "
                              "sensitivity. Every chart on the page draws one of these endpoints.")
    db_lock = threading.RLock()

    class LockedStore(ResultStore):
        """The served store, opened by one thread at a time in this process (jobs write while pages read)."""

        @contextmanager
        def _connect(self) -> Iterator[Any]:
            with db_lock, super()._connect() as con:
                yield con
    jobs: dict[str, dict[str, Any]] = {}

    def store_path(results_name: str | None = Query(None, alias="results", description="a results file inside "
                                                    "the results folder (default: the one the server serves)")
                   ) -> Path:
        if results_name is None:
            return results
        target = _inside(data_folder, results_name)
        if not target.is_file():
            raise HTTPException(404, f"no results file '{results_name}' in the results folder")
        return target

    def open_store(path: Path) -> ResultStore:
        if not path.exists():
            raise HTTPException(404, f"no results store yet at {path.name}; start a run first")
        try:
            return ResultStore(path)  # one configuration in this process: read-write, opened per call
        except StoreError as error:
            raise HTTPException(409, str(error)) from None

    def need_run(store: ResultStore, run_id: str) -> None:
        if not store.query("SELECT 1 FROM runs WHERE run_id = ?", [run_id]):
            raise HTTPException(404, f"no run '{run_id}' in {store.path.name}; GET /api/runs lists them")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(plotly_js_path(), media_type="application/javascript",
                            headers={"Cache-Control": "max-age=86400"})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/stores", response_model=list[StoreFile], summary="Results files in the results folder")
    def stores() -> list[StoreFile]:
        return [StoreFile(name=p.name, size_bytes=p.stat().st_size) for p in sorted(data_folder.glob("*.duckdb"))]

    @app.get("/api/runs", response_model=RunList, summary="Stored runs with their manifests")
    def runs(path: Path = Depends(store_path)) -> RunList:
        if not path.exists():
            return RunList(store=path.name, runs=[])
        with db_lock:
            listed = open_store(path).list_runs()
        return RunList(store=path.name, runs=[RunSummary(**{k: (str(v) if k.endswith(("_at", "_date")) and v
                                                                 else v) for k, v in r.items()}) for r in listed])

    @app.get("/api/runs/{run_id}", response_model=RunDetail, summary="One run's manifest and metric summary")
    def run_detail(run_id: str, path: Path = Depends(store_path)) -> RunDetail:
        with db_lock:
            shown = open_store(path).get_run(run_id)
        if shown is None:
            raise HTTPException(404, f"no run '{run_id}' in {path.name}; GET /api/runs lists them")
        return RunDetail(**shown)

    @app.get("/api/geojson", summary="Region polygons (GeoJSON, features keyed by properties.id)")
    def geojson() -> dict[str, Any]:
        return _geojson()

    @app.get("/api/borders", response_model=list[Border], summary="Shared land borders of adjacent regions")
    def borders() -> list[dict[str, Any]]:
        return plots.shared_borders()

    @app.get("/api/runs/{run_id}/map", response_model=MapData, summary="Control by region and week, and the front")
    def map_data(run_id: str, path: Path = Depends(store_path)) -> MapData:
        with db_lock:
            store = open_store(path)
            need_run(store, run_id)
            rows = store.query("SELECT region, week, date, p50_control, p10_control, p90_control, mean_control, "
                               "p_changed_hands, p_russian_majority FROM region_weekly WHERE run_id = ? "
                               "ORDER BY week, region", [run_id])
        return _map_payload(run_id, rows)

    @app.get("/api/runs/{run_id}/series", response_model=SeriesList, summary="Weekly series stored for a run")
    def series_list(run_id: str, path: Path = Depends(store_path)) -> SeriesList:
        with db_lock:
            store = open_store(path)
            need_run(store, run_id)
            names = [r[0] for r in store.query("SELECT DISTINCT series FROM weekly_summary WHERE run_id = ?",
                                               [run_id])]
        return SeriesList(run_id=run_id, series=plots.series_order(names))

    @app.get("/api/runs/{run_id}/series/{name:path}", response_model=SeriesData,
             summary="One weekly series: mean and quantiles per week (a fan chart)")
    def series(run_id: str, name: str, path: Path = Depends(store_path)) -> SeriesData:
        with db_lock:
            store = open_store(path)
            need_run(store, run_id)
            rows = _weekly_rows(store, run_id, name)
        if not rows:
            raise HTTPException(404, f"run '{run_id}' has no weekly series '{name}'; "
                                     f"GET /api/runs/{run_id}/series lists them")
        return _series_payload(name, rows)

    @app.get("/api/runs/{run_id}/fans", response_model=list[SeriesData], summary="Every weekly series of a run")
    def fans(run_id: str, path: Path = Depends(store_path)) -> list[SeriesData]:
        with db_lock:
            store = open_store(path)
            need_run(store, run_id)
            rows = _weekly_rows(store, run_id)
        grouped: dict[str, list[tuple]] = {}
        for row in rows:
            grouped.setdefault(row[0], []).append(row)
        return [_series_payload(n, grouped[n]) for n in plots.series_order(list(grouped))]

    @app.get("/api/compare", response_model=Comparison, summary="B minus A: metrics with intervals, difference map")
    def compare(a: str = Query(..., description="run id A (the reference)"),
                b: str = Query(..., description="run id B (the variant)"),
                path: Path = Depends(store_path)) -> Comparison:
        with db_lock:
            store = open_store(path)
            need_run(store, a)
            need_run(store, b)
            names = [m for (m,) in store.query("SELECT DISTINCT metric FROM metric_summary WHERE run_id IN (?, ?)",
                                                [a, b]) if _compared(m)]
            values = {rid: store.query("SELECT metric, list(value ORDER BY run) FROM run_metrics WHERE run_id = ? "
                                       "AND list_contains(?, metric) GROUP BY metric", [rid, names])
                      for rid in (a, b)}
            maps = {rid: store.query("SELECT week, region, mean_control FROM region_weekly WHERE run_id = ? "
                                     "ORDER BY week, region", [rid]) for rid in (a, b)}
        return _comparison(a, b, values, maps)

    @app.get("/api/scenarios", response_model=list[ScenarioFile], summary="Scenario files that can be run")
    def scenario_files() -> list[ScenarioFile]:
        if not scenarios_folder.is_dir():
            return []
        found = []
        for p in sorted(scenarios_folder.rglob("*.yaml")):
            relative = p.relative_to(scenarios_folder)
            if relative.parts[0] == "sensitivity":
                continue  # parameter-range files, not scenarios
            found.append(ScenarioFile(path=str(relative), name=p.stem))
        return found

    @app.post("/api/jobs", response_model=JobStatus, status_code=202,
              summary="Start a run of a scenario file in the background",
              responses={403: {"description": "scenario path outside the scenarios folder"},
                         413: {"description": "more runs than the server allows"},
                         422: {"description": "the scenario file has errors (file, line, field)"}})
    def start_job(request: JobRequest) -> JobStatus:
        """Register the run in the store, then simulate it in a thread: a server killed mid-way leaves the run
        listed as incomplete, and the same request (scenario, seed, runs) later completes it under its id."""
        from detente.scenario.loader import load_scenario
        from detente.store.run import run_and_store

        if request.runs > max_runs:
            raise HTTPException(413, f"refused: {request.runs:,} runs is more than this server runs at once "
                                     f"(limit {max_runs:,}); use `detente run` on the command line for more")
        if request.runs < 1:
            raise HTTPException(422, f"runs must be at least 1 (got {request.runs})")
        scenario_path = _inside(scenarios_folder, request.scenario)
        if not scenario_path.is_file():
            raise HTTPException(404, f"no scenario file '{request.scenario}' in the scenarios folder")
        try:
            loaded = load_scenario(scenario_path)
        except InputError as error:
            raise HTTPException(422, str(error)) from None
        job_id = uuid.uuid4().hex[:10]
        job = {"job_id": job_id, "scenario": request.scenario, "runs": request.runs, "seed": request.seed,
               "status": "running", "done": 0, "fraction": 0.0, "run_id": None, "resumed": False, "error": None}
        jobs[job_id] = job

        def progress(done: int) -> None:
            job["done"] = done
            job["fraction"] = done / request.runs

        def registered(run_id: str, resumed: bool) -> None:
            job.update(run_id=run_id, resumed=resumed)

        def work() -> None:
            try:
                stored = run_and_store(loaded, request.runs, request.seed, LockedStore(results), progress=progress,
                                       registered=registered)
                job.update(run_id=stored.run_id, status="complete", fraction=1.0)
            except DetenteError as error:
                job.update(status="failed", error=str(error))
            except Exception as error:  # noqa: BLE001 — shown on the page rather than lost in a thread
                job.update(status="failed", error=f"{type(error).__name__}: {error}")

        threading.Thread(target=work, name=f"detente-job-{job_id}", daemon=True).start()
        return JobStatus(**job)

    @app.get("/api/jobs/{job_id}", response_model=JobStatus, summary="Progress of a background run")
    def job_status(job_id: str) -> JobStatus:
        if job_id not in jobs:
            raise HTTPException(404, f"no job '{job_id}' (jobs last as long as the server)")
        return JobStatus(**jobs[job_id])

    @app.get("/api/sensitivity", response_model=list[SensitivitySummary], summary="Stored sensitivity analyses")
    def sensitivity_list(path: Path = Depends(store_path)) -> list[dict[str, Any]]:
        if not path.exists():
            return []
        with db_lock:
            open_store(path)
            return list_sensitivity(path)

    @app.get("/api/sensitivity/{analysis_id}", response_model=SensitivityDetail,
             summary="One sensitivity analysis with its indices (the tornado chart)")
    def sensitivity_detail(analysis_id: str, path: Path = Depends(store_path)) -> dict[str, Any]:
        with db_lock:
            open_store(path)
            found = load_sensitivity(path, analysis_id)
        if found is None:
            raise HTTPException(404, f"no sensitivity analysis '{analysis_id}'; GET /api/sensitivity lists them")
        from detente.report import labels

        return {**found, "titles": {m: labels.describe(m).heading for m in found["indices"]}}

    return app


@lru_cache(maxsize=1)
def _geojson() -> dict[str, Any]:
    from detente.world.geography import load_geography

    return load_geography().geojson()


def _map_payload(run_id: str, rows: list[tuple]) -> MapData:
    from detente.report import plots

    regions = sorted({r[0] for r in rows})
    weeks = sorted({r[1] for r in rows})
    position = {rid: i for i, rid in enumerate(regions)}
    fields = ("p50_control", "p10_control", "p90_control", "mean_control", "p_changed_hands", "p_russian_majority")
    grids = {f: np.zeros((len(weeks), len(regions))) for f in fields}
    dates = [""] * len(weeks)
    for region, week, date, *values in rows:
        dates[week] = str(date)
        for f, v in zip(fields, values):
            grids[f][week, position[region]] = v
    borders = plots.shared_borders()
    front = [plots.front_borders(dict(zip(regions, grids["p50_control"][w])), borders) for w in range(len(weeks))]
    touched = grids["mean_control"].max(axis=0) > 0 if weeks else np.zeros(len(regions), dtype=bool)
    return MapData(run_id=run_id, regions=regions, weeks=weeks, dates=dates, front=front,
                   **_region_info(regions, touched), **{f: np.round(g, 4).tolist() for f, g in grids.items()})


def _region_info(regions: list[str], touched: Any) -> dict[str, list]:
    """Names, map labels and label positions of regions, and which are neutral: a country outside Ukraine and
    Russia that no run brought under any Russian control (`touched` false) is drawn apart, in a neutral colour,
    rather than as "0% Russian control"."""
    from detente.report import plots
    from detente.world.geography import load_geography

    geo = load_geography()
    known = [geo.index(r) if r in geo.ids else None for r in regions]
    names = [geo.names[i] if i is not None else r for r, i in zip(regions, known)]
    return {"names": names, "labels": [plots.short_name(n) for n in names],
            "lon": [float(geo.lon[i]) if i is not None else 0.0 for i in known],
            "lat": [float(geo.lat[i]) if i is not None else 0.0 for i in known],
            "neutral": [bool(i is not None and geo.countries[i] not in ("UA", "RU") and not touched[k])
                        for k, i in enumerate(known)]}


def _series_payload(name: str, rows: list[tuple]) -> SeriesData:
    from detente.report import plots

    columns = list(zip(*rows))
    stats = ("mean", "p05", "p10", "p25", "p50", "p75", "p90", "p95")
    values = {s: [float(v) for v in columns[3 + i]] for i, s in enumerate(stats)}
    view = plots.series_view(name, values, str(columns[2][0]) if columns[2] else None)
    view.pop("name")
    return SeriesData(name=name, probability=view["kind"] == "probability" or plots.is_probability_series(name),
                      weeks=list(columns[1]),
                      dates=[str(d) for d in columns[2]], **view, **values)


def _boot_median(values: np.ndarray, rng: np.random.Generator, cap: int = 20_000) -> np.ndarray:
    """Bootstrap medians; beyond `cap` runs an m-out-of-n bootstrap, its spread scaled by sqrt(m/n)."""
    m = min(len(values), cap)
    medians = np.median(values[rng.integers(0, len(values), (BOOTSTRAP_RESAMPLES, m))], axis=1)
    return np.median(medians) + (medians - np.median(medians)) * np.sqrt(m / len(values))


def _compared(metric: str) -> bool:
    """Metrics the comparison shows: all but the long per-region and per-option families (the map shows
    the regions), as the registry declares them."""
    from detente.ensemble import registry

    declared = registry.find(metric)
    return (declared is not None and declared.hide_within is None
            and not declared.name.startswith(("ceasefire_agreed_by_q", "events_in_q")))  # 32 rows by quarter each:
    # the report's tables (exchanges over time: the fan chart of events_to_date)


def _comparison(a: str, b: str, values: dict[str, list[tuple]], maps: dict[str, list[tuple]]) -> Comparison:
    from detente.analysis.compare import paired_share_interval
    from detente.ensemble import registry
    from detente.report import labels

    rng = np.random.default_rng(0)
    by_metric = {rid: {m: np.asarray(v, dtype=float) for m, v in rows} for rid, rows in values.items()}
    shared = sorted(registry.order(set(by_metric[a]) & set(by_metric[b])),  # single metrics first, then families
                    key=lambda m: registry.lookup(m).is_family)[:COMPARE_METRICS_LIMIT]
    differences = []
    for metric in shared:
        x, y = by_metric[a][metric], by_metric[b][metric]
        declared = registry.lookup(metric)
        label = labels.describe(metric)
        described = {"metric": metric, "kind": declared.kind, "unit": declared.unit, "title": label.heading,
                     "percent": label.percent}
        if declared.kind == "probability" and len(x) == len(y):  # shares of runs, paired run by run
            low, high = paired_share_interval(y - x, rng)
            differences.append(MetricDifference(**described, a_p50=float(x.mean()), b_p50=float(y.mean()),
                                                difference=float(y.mean() - x.mean()), low=low, high=high))
            continue
        boot = _boot_median(y, rng) - _boot_median(x, rng)
        low, high = np.median(y) - np.median(x) + np.quantile(boot - np.median(boot), [0.05, 0.95])
        differences.append(MetricDifference(**described, a_p50=float(np.median(x)), b_p50=float(np.median(y)),
                                            difference=float(np.median(y) - np.median(x)), low=float(low),
                                            high=float(high)))
    grids = {}
    for rid, rows in maps.items():
        grids[rid] = {(w, r): v for w, r, v in rows}
    regions = sorted({r for _, r, _ in maps[a]} & {r for _, r, _ in maps[b]})
    weeks = sorted({w for w, _, _ in maps[a]} & {w for w, _, _ in maps[b]})
    diff = [[round(grids[b][(w, r)] - grids[a][(w, r)], 4) for r in regions] for w in weeks]
    touched = [any(grids[rid].get((w, r), 0) > 0 for rid in (a, b) for w in weeks) for r in regions]
    return Comparison(a=a, b=b, metrics=differences, regions=regions, weeks=weeks, mean_control_difference=diff,
                      **_region_info(regions, touched))
