// détente dashboard: every chart draws one endpoint of the JSON API (see /docs or /openapi.json).
"use strict";

const BLANK_STYLE = {version: 8, sources: {}, layers: [{id: "background", type: "background",
  paint: {"background-color": "#e8eef3"}}]};
const CONTROL_COLOURS = [[0, "#2b6cb0"], [0.5, "#f7f7f7"], [1, "#c53030"]];
const CHANGE_COLOURS = [[0, "#fffbea"], [1, "#7b341e"]];
const MAP_LAYOUT = () => ({map: {style: BLANK_STYLE, center: {lon: 31.5, lat: 49.0}, zoom: 4.1},
  margin: {l: 0, r: 0, t: 0, b: 0}, showlegend: false});

const state = {runs: [], runId: null, mapData: null, borders: null, geojson: null, week: 0,
  layer: "p50_control", playing: null, compare: null, compareWeek: 0, sens: null};
window.detenteState = state;

async function api(path) {
  const response = await fetch(path);
  const body = await response.json();
  if (!response.ok) throw new Error(body.detail || response.statusText);
  return body;
}

function option(select, value, text) {
  const o = document.createElement("option");
  o.value = value; o.textContent = text; select.appendChild(o);
}

function runLabel(r) { return `${r.scenario} · ${r.runs} runs · seed ${r.seed} · ${r.run_id}`; }

// ---- views --------------------------------------------------------------------------------------------
function show(view) {
  document.querySelectorAll(".view").forEach(v => v.classList.toggle("hidden", v.id !== `view-${view}`));
  document.querySelectorAll("nav button").forEach(b => b.classList.toggle("active", b.dataset.view === view));
  window.dispatchEvent(new Event("resize"));
}
document.querySelectorAll("nav button").forEach(b => b.addEventListener("click", () => show(b.dataset.view)));

// ---- runs -----------------------------------------------------------------------------------------------
async function loadRuns(select) {
  const listed = await api("/api/runs");
  state.runs = listed.runs.filter(r => r.status === "complete");
  for (const id of ["run-select", "compare-a", "compare-b"]) {
    const el = document.getElementById(id);
    const keep = el.value;
    el.innerHTML = "";
    state.runs.forEach(r => option(el, r.run_id, runLabel(r)));
    if (keep && state.runs.some(r => r.run_id === keep)) el.value = keep;
  }
  const b = document.getElementById("compare-b");
  if (state.runs.length > 1 && b.value === document.getElementById("compare-a").value) b.selectedIndex = 1;
  if (select) document.getElementById("run-select").value = select;
  const table = document.getElementById("runs-table");
  table.innerHTML = "<tr><th>run</th><th>scenario</th><th>runs</th><th>seed</th><th>status</th><th>created</th><th>hash</th></tr>";
  listed.runs.forEach(r => {
    const row = table.insertRow();
    row.className = "clickable";
    [r.run_id, r.scenario, r.runs, r.seed, r.status, r.created_at, r.scenario_hash].forEach(v => {
      row.insertCell().textContent = v ?? "";
    });
    row.addEventListener("click", async () => {
      const detail = await api(`/api/runs/${encodeURIComponent(r.run_id)}`);
      document.getElementById("manifest").textContent = JSON.stringify(detail.manifest, null, 2);
    });
  });
  if (state.runs.length && document.getElementById("run-select").value !== state.runId) {
    await selectRun(document.getElementById("run-select").value);
  }
}

async function selectRun(runId) {
  state.runId = runId;
  const run = state.runs.find(r => r.run_id === runId);
  document.getElementById("run-title").textContent = run ? runLabel(run) : "";
  state.mapData = await api(`/api/runs/${encodeURIComponent(runId)}/map`);
  const slider = document.getElementById("week-slider");
  slider.max = state.mapData.weeks.length - 1;
  state.week = Math.min(state.week, slider.max);
  slider.value = state.week;
  // the fan charts do not wait for the map: a map style that loads slowly must not hold them back
  await Promise.all([drawMap(), drawFans()]);
}
document.getElementById("run-select").addEventListener("change", e => selectRun(e.target.value));

// ---- the map --------------------------------------------------------------------------------------------
function fmt(x) { return (x * 100).toFixed(0) + "%"; }

function mapTraces(data, week, layer, borders) {
  const z = data[layer][week];
  const custom = data.regions.map((id, r) => [data.names[r], fmt(data.p50_control[week][r]),
    fmt(data.p10_control[week][r]), fmt(data.p90_control[week][r]), fmt(data.p_changed_hands[week][r]),
    fmt(data.p_russian_majority[week][r])]);
  const lon = [], lat = [];
  for (const k of data.front[week]) { lon.push(...borders[k].lon, null); lat.push(...borders[k].lat, null); }
  return [{
    type: "choroplethmap", geojson: state.geojson, featureidkey: "properties.id", locations: data.regions,
    z: z, zmin: 0, zmax: 1, colorscale: layer === "p50_control" ? CONTROL_COLOURS : CHANGE_COLOURS,
    marker: {line: {color: "#555", width: 0.6}, opacity: 0.9}, customdata: custom,
    colorbar: {title: {text: layer === "p50_control" ? "Russian<br>control" : "P(changes<br>hands)"},
      tickformat: ".0%", thickness: 12},
    hovertemplate: "<b>%{customdata[0]}</b><br>under Russian control: median %{customdata[1]} " +
      "(10–90%: %{customdata[2]} – %{customdata[3]})<br>P(changes hands) %{customdata[4]}" +
      "<br>P(Russian majority) %{customdata[5]}<extra></extra>",
  }, {type: "scattermap", mode: "lines", lon: lon, lat: lat, line: {color: "#111", width: 3}, name: "front",
      hoverinfo: "skip"}];
}

async function drawMap() {
  const data = state.mapData;
  if (!state.geojson) state.geojson = await api("/api/geojson");
  if (!state.borders) state.borders = await api("/api/borders");
  document.getElementById("week-label").textContent = `week ${data.weeks[state.week]} (${data.dates[state.week]})`;
  await Plotly.react("map", mapTraces(data, state.week, state.layer, state.borders), MAP_LAYOUT(),
    {responsive: true});
}

document.getElementById("week-slider").addEventListener("input", e => { state.week = +e.target.value; drawMap(); });
document.querySelectorAll("input[name=layer]").forEach(r => r.addEventListener("change", e => {
  state.layer = e.target.value; drawMap();
}));
document.getElementById("play").addEventListener("click", e => {
  if (state.playing) { clearInterval(state.playing); state.playing = null; e.target.textContent = "▶ Play"; return; }
  e.target.textContent = "❚❚ Pause";
  state.playing = setInterval(() => {
    const slider = document.getElementById("week-slider");
    state.week = state.week >= +slider.max ? 0 : state.week + 1;
    slider.value = state.week;
    drawMap();
  }, 250);
});

// ---- fan charts -------------------------------------------------------------------------------------------
function fanTraces(s) {
  if (s.probability) return [{x: s.dates, y: s.mean, name: "probability", line: {color: "#2f855a"}}];
  return [
    {x: s.dates, y: s.p95, line: {width: 0}, hoverinfo: "skip", showlegend: false},
    {x: s.dates, y: s.p05, fill: "tonexty", fillcolor: "rgba(49,130,206,0.18)", line: {width: 0}, name: "90%"},
    {x: s.dates, y: s.p75, line: {width: 0}, hoverinfo: "skip", showlegend: false},
    {x: s.dates, y: s.p25, fill: "tonexty", fillcolor: "rgba(49,130,206,0.38)", line: {width: 0}, name: "50%"},
    {x: s.dates, y: s.p50, name: "median", line: {color: "#1a365d"}},
  ];
}

async function drawFans() {
  const all = await api(`/api/runs/${encodeURIComponent(state.runId)}/fans`);
  const box = document.getElementById("fans");
  box.innerHTML = "";
  for (const s of all) {
    const div = document.createElement("div");
    div.className = "fan";
    div.dataset.series = s.name;
    box.appendChild(div);
    await Plotly.newPlot(div, fanTraces(s), {title: {text: s.name, font: {size: 13}}, height: 250,
      margin: {l: 55, r: 10, t: 30, b: 30}, showlegend: false,
      yaxis: s.probability ? {range: [0, 1], tickformat: ".0%"} : {}}, {displayModeBar: false, responsive: true});
  }
}

// ---- comparison ------------------------------------------------------------------------------------------
async function runCompare() {
  const a = document.getElementById("compare-a").value, b = document.getElementById("compare-b").value;
  const err = document.getElementById("compare-table");
  try {
    state.compare = await api(`/api/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
  } catch (e) { err.innerHTML = `<tr><td class="error">${e.message}</td></tr>`; return; }
  if (!state.geojson) state.geojson = await api("/api/geojson");
  const slider = document.getElementById("compare-slider");
  slider.max = state.compare.weeks.length - 1;
  state.compareWeek = +slider.max;
  slider.value = state.compareWeek;
  await drawCompareMap();
  const m = state.compare.metrics;
  await Plotly.react("compare-chart", [{type: "scatter", mode: "markers", y: m.map(r => r.metric),
    x: m.map(r => r.difference), error_x: {type: "data", symmetric: false,
      array: m.map(r => r.high - r.difference), arrayminus: m.map(r => r.difference - r.low)},
    marker: {color: "#1a365d"}}], {title: {text: "B − A: difference of medians, 90% bootstrap interval"},
    height: 120 + 22 * m.length, margin: {l: 220, r: 20, t: 40, b: 30}, xaxis: {zeroline: true}},
    {displayModeBar: false, responsive: true});
  err.innerHTML = "<tr><th>metric</th><th>A median</th><th>B median</th><th>B − A</th><th>90% interval</th></tr>" +
    m.map(r => `<tr><td>${r.metric}</td><td>${r.a_p50.toPrecision(4)}</td><td>${r.b_p50.toPrecision(4)}</td>` +
      `<td>${r.difference.toPrecision(3)}</td><td>${r.low.toPrecision(3)} … ${r.high.toPrecision(3)}</td></tr>`).join("");
}

async function drawCompareMap() {
  const c = state.compare, w = state.compareWeek;
  document.getElementById("compare-week-label").textContent = `week ${c.weeks[w]}`;
  await Plotly.react("compare-map", [{type: "choroplethmap", geojson: state.geojson, featureidkey: "properties.id",
    locations: c.regions, z: c.mean_control_difference[w], zmin: -0.5, zmax: 0.5, colorscale: CONTROL_COLOURS,
    marker: {line: {color: "#555", width: 0.6}},
    colorbar: {title: {text: "B − A<br>Russian<br>control"}, tickformat: "+.0%", thickness: 12},
    hovertemplate: "<b>%{location}</b><br>B − A: %{z:+.1%}<extra></extra>"}], MAP_LAYOUT(), {responsive: true});
}
document.getElementById("compare-go").addEventListener("click", runCompare);
document.getElementById("compare-slider").addEventListener("input", e => {
  state.compareWeek = +e.target.value; drawCompareMap();
});

// ---- sensitivity ------------------------------------------------------------------------------------------
async function loadSensitivity() {
  const listed = await api("/api/sensitivity");
  const select = document.getElementById("sens-select");
  select.innerHTML = "";
  listed.forEach(a => option(select, a.analysis_id, `${a.scenario} · ${a.method} · ${a.runs} runs · ${a.analysis_id}`));
  document.getElementById("sens-empty").textContent = listed.length ? "" :
    "No sensitivity analysis stored yet: run `detente sensitivity SCENARIO --params FILE` with this results file.";
  if (listed.length) await selectSensitivity(listed[0].analysis_id);
}

async function selectSensitivity(id) {
  state.sens = await api(`/api/sensitivity/${encodeURIComponent(id)}`);
  const metric = document.getElementById("sens-metric");
  metric.innerHTML = "";
  Object.keys(state.sens.indices).forEach(m => option(metric, m, m));
  drawTornado();
}

function drawTornado() {
  const s = state.sens, metric = document.getElementById("sens-metric").value;
  const sobol = s.method === "sobol";
  const [first, total] = sobol ? ["S1", "ST"] : ["mu_star", "sigma"];
  const rows = Object.entries(s.indices[metric]).map(([p, v]) => [p, v[first], v[total]])
    .sort((x, y) => (sobol ? x[2] - y[2] : x[1] - y[1])).slice(-15);
  Plotly.react("tornado", [
    {type: "bar", orientation: "h", y: rows.map(r => r[0]), x: rows.map(r => r[2]), name: sobol ? "ST (total)" : "sigma",
      marker: {color: "#c53030"}},
    {type: "bar", orientation: "h", y: rows.map(r => r[0]), x: rows.map(r => r[1]),
      name: sobol ? "S1 (first order)" : "mu* (mean |effect|)", marker: {color: "#2b6cb0"}}],
    {title: {text: `${metric}: ${s.method} indices (${s.runs} runs)`}, barmode: "group",
      height: 140 + 28 * rows.length, margin: {l: 280, r: 20, t: 40, b: 30}, legend: {orientation: "h"}},
    {displayModeBar: false, responsive: true});
}
document.getElementById("sens-select").addEventListener("change", e => selectSensitivity(e.target.value));
document.getElementById("sens-metric").addEventListener("change", drawTornado);

// ---- starting a run ---------------------------------------------------------------------------------------
async function loadScenarios() {
  const listed = await api("/api/scenarios");
  const select = document.getElementById("job-scenario");
  select.innerHTML = "";
  listed.forEach(s => option(select, s.path, s.path));
}

document.getElementById("job-form").addEventListener("submit", async e => {
  e.preventDefault();
  const errorBox = document.getElementById("job-error"), bar = document.getElementById("job-progress");
  const text = document.getElementById("job-text");
  errorBox.classList.add("hidden");
  const body = {scenario: document.getElementById("job-scenario").value,
    runs: +document.getElementById("job-runs").value, seed: +document.getElementById("job-seed").value};
  const response = await fetch("/api/jobs", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify(body)});
  const job = await response.json();
  if (!response.ok) {
    errorBox.textContent = typeof job.detail === "string" ? job.detail : JSON.stringify(job.detail, null, 2);
    errorBox.classList.remove("hidden");
    return;
  }
  bar.classList.remove("hidden");
  const poll = setInterval(async () => {
    const status = await api(`/api/jobs/${job.job_id}`);
    bar.value = status.fraction;
    text.textContent = `${status.status}: ${status.done} of ${status.runs} runs`;
    if (status.status === "complete") { clearInterval(poll); text.textContent += ` → ${status.run_id}`; await loadRuns(); }
    if (status.status === "failed") {
      clearInterval(poll); errorBox.textContent = status.error; errorBox.classList.remove("hidden");
    }
  }, 400);
});

// ---- start ------------------------------------------------------------------------------------------------
(async () => {
  try {
    await Promise.all([loadRuns(), loadScenarios(), loadSensitivity()]);
  } catch (e) {
    document.getElementById("run-title").textContent = `could not load: ${e.message}`;
  }
  document.body.dataset.ready = "1";
})();
