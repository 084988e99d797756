// détente dashboard: every chart draws one endpoint of the JSON API (see /docs or /openapi.json).
"use strict";

const CONTROL_COLOURS = [[0, "#2b6cb0"], [0.5, "#f7f7f7"], [1, "#c53030"]];
const CHANGE_COLOURS = [[0, "#fffbea"], [1, "#7b341e"]];
const NEUTRAL_COLOUR = "#d6d3ce";
// The map is plotly's SVG `choropleth` on a `geo` subplot with every base layer off: it draws synchronously on
// the first paint (no WebGL, no web worker, no tiles, nothing fetched), where MapLibre's `choroplethmap` drew
// in 1 of 5 plain headless screenshots.
// The first trace of a map must be a scattergeo without `locations` (the labels): plotly.js fetches its world
// topojson from plotly's own servers when the FIRST trace has a locationmode, even with every base layer off.
const MAP_LAYOUT = (revision) => {
  const [lon0, lat0, lon1, lat1] = geoBounds(state.geojson), pad = 0.4;
  return {geo: {visible: false, bgcolor: "#e8eef3",
    // every region in view: the axis ranges are the polygons' bounds (plotly's `fitbounds` left half the frame empty)
    lonaxis: {range: [lon0 - pad, lon1 + pad]}, lataxis: {range: [lat0 - pad, lat1 + pad]},
    projection: {type: "conic conformal", parallels: [45, 56], rotation: {lon: (lon0 + lon1) / 2}}},
  margin: {l: 0, r: 0, t: 0, b: 0}, paper_bgcolor: "#e8eef3", showlegend: false, uirevision: revision};
};

function geoBounds(geojson) {  // [lon0, lat0, lon1, lat1] of every polygon
  let b = [180, 90, -180, -90];
  const visit = c => {
    if (typeof c[0] === "number") { b = [Math.min(b[0], c[0]), Math.min(b[1], c[1]), Math.max(b[2], c[0]), Math.max(b[3], c[1])]; return; }
    c.forEach(visit);
  };
  geojson.features.forEach(f => visit(f.geometry.coordinates));
  return b;
}
const MAP_CONFIG = {responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"]};

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
  await Promise.all([drawMap(), drawFans(), drawDiplomacy()]);
}
document.getElementById("run-select").addEventListener("change", e => selectRun(e.target.value));

// ---- numbers as people read them ------------------------------------------------------------------------
function pct(x) {
  if (x == null || Number.isNaN(x)) return "–";
  return (x > 0 && x < 0.005) ? "<1%" : (x > 0.995 && x < 1) ? ">99%" : (x * 100).toFixed(0) + "%";
}
function num(v) {  // about 3 significant digits, thousands separated, never an exponent
  if (v == null || Number.isNaN(v)) return "–";
  if (v === 0) return "0";
  const m = Math.floor(Math.log10(Math.abs(v)));
  if (m >= 2) return (Math.round(v / 10 ** (m - 2)) * 10 ** (m - 2)).toLocaleString("en-US", {maximumFractionDigits: 0});
  return (+v.toPrecision(3)).toLocaleString("en-US", {maximumFractionDigits: 6});
}
function shown(v, percent) { return percent ? pct(v) : num(v); }
function signed(v, percent) {
  if (percent) return (v >= 0 ? "+" : "") + (v * 100).toFixed(Math.abs(v) < 0.005 && v !== 0 ? 1 : 0) + " pp";
  const t = num(v);
  return v > 0 ? "+" + t : t;
}

// ---- the map --------------------------------------------------------------------------------------------
// Countries outside the war (no run brought them under any Russian control): one neutral colour, no scale.
function neutralTrace(data, picks) {
  return {type: "choropleth", geojson: state.geojson, featureidkey: "properties.id",
    locations: picks.map(r => data.regions[r]), z: picks.map(() => 0), zmin: 0, zmax: 1,
    colorscale: [[0, NEUTRAL_COLOUR], [1, NEUTRAL_COLOUR]], showscale: false,
    marker: {line: {color: "#a0a0a0", width: 0.5}}, customdata: picks.map(r => data.names[r]),
    hovertemplate: "<b>%{customdata}</b><br>not a party to the war<extra></extra>"};
}

function labelTrace(data, picks, colour) {
  const named = picks.filter(r => data.labels[r]);
  return {type: "scattergeo", mode: "text", lon: named.map(r => data.lon[r]), lat: named.map(r => data.lat[r]),
    text: named.map(r => data.labels[r]), textfont: {size: 10, color: colour}, hoverinfo: "skip"};
}

function frontTrace(lines, borders) {
  const lon = [], lat = [];
  for (const k of lines) { lon.push(...borders[k].lon, null); lat.push(...borders[k].lat, null); }
  return {type: "scattergeo", mode: "lines", lon: lon, lat: lat, line: {color: "#111", width: 2.5},
    name: "front", hoverinfo: "skip"};
}

function split(data) {
  const parties = [], outside = [];
  data.regions.forEach((_, r) => ((data.neutral || [])[r] ? outside : parties).push(r));
  return [parties, outside];
}

// the colour bar sits low on the right, clear of the toolbar at the top
const COLOUR_BAR = {thickness: 12, len: 0.5, y: 0.03, yanchor: "bottom", x: 0.99, xanchor: "right",
  bgcolor: "rgba(255,255,255,0.75)"};

function mapTraces(data, week, layer, borders) {
  const [parties, outside] = split(data);
  const control = layer === "p50_control";
  const custom = parties.map(r => [data.names[r], pct(data.p50_control[week][r]),
    pct(data.p10_control[week][r]), pct(data.p90_control[week][r]), pct(data.p_changed_hands[week][r]),
    pct(data.p_russian_majority[week][r])]);
  return [labelTrace(data, parties, "#1a202c"), neutralTrace(data, outside), {
    type: "choropleth", geojson: state.geojson, featureidkey: "properties.id",
    locations: parties.map(r => data.regions[r]), z: parties.map(r => data[layer][week][r]), zmin: 0, zmax: 1,
    colorscale: control ? CONTROL_COLOURS : CHANGE_COLOURS,
    marker: {line: {color: "#555", width: 0.6}}, customdata: custom,
    colorbar: {...COLOUR_BAR, tickformat: ".0%",
      title: {text: control ? "Russian control<br>(median share)" : "P(changes<br>hands)", side: "top"}},
    hovertemplate: "<b>%{customdata[0]}</b><br>under Russian control: median %{customdata[1]} " +
      "(10–90%: %{customdata[2]} – %{customdata[3]})<br>P(changes hands) %{customdata[4]}" +
      "<br>P(Russian majority) %{customdata[5]}<extra></extra>",
  }, frontTrace(data.front[week], borders), labelTrace(data, outside, "#6b6b6b")];
}

async function drawMap() {
  const data = state.mapData;
  if (!state.geojson) state.geojson = await api("/api/geojson");
  if (!state.borders) state.borders = await api("/api/borders");
  document.getElementById("week-label").textContent = `week ${data.weeks[state.week]} (${data.dates[state.week]})`;
  await Plotly.react("map", mapTraces(data, state.week, state.layer, state.borders), MAP_LAYOUT(state.runId),
    MAP_CONFIG);
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
// Titles, units and kinds come from the metric registry (through the API); shares are percentages; a series
// that never varies is listed, not drawn; a stock the first step computes starts at week 1 (see `note`).
function fanTraces(s) {
  const from = s.first_week || 0, cut = a => a.slice(from), x = cut(s.dates);
  if (s.kind === "probability") {
    return [{x: x, y: cut(s.mean), name: "share of runs", line: {color: "#2f855a"},
      customdata: cut(s.mean).map(pct), hovertemplate: "%{x}: %{customdata} of runs<extra></extra>"}];
  }
  const hover = s.percent ? cut(s.p50).map(pct) : cut(s.p50).map(num);
  return [
    {x: x, y: cut(s.p95), line: {width: 0}, hoverinfo: "skip", showlegend: false},
    {x: x, y: cut(s.p05), fill: "tonexty", fillcolor: "rgba(49,130,206,0.18)", line: {width: 0}, name: "90%",
      hoverinfo: "skip"},
    {x: x, y: cut(s.p75), line: {width: 0}, hoverinfo: "skip", showlegend: false},
    {x: x, y: cut(s.p25), fill: "tonexty", fillcolor: "rgba(49,130,206,0.38)", line: {width: 0}, name: "50%",
      hoverinfo: "skip"},
    {x: x, y: cut(s.p50), name: "median", line: {color: "#1a365d"}, customdata: hover,
      hovertemplate: `%{x}: median %{customdata}${s.percent ? "" : " " + s.unit}<extra></extra>`},
  ];
}

function fanLayout(s) {
  const unit = s.kind === "probability" ? "share of runs" : s.unit;
  const sub = [unit, s.note].filter(Boolean).join(" · ");
  // shares on 0–100%, 0–1 indices on 0–1, thousands as 200k and millions as 1M (never SI's m for milli)
  const top = Math.max(...s.p95, ...s.mean);
  const yaxis = (s.percent || s.unit.startsWith("share")) ? {range: [0, 1], tickformat: ".0%"}
    : s.unit.endsWith("0–1") ? {range: [0, 1], tickformat: ".1f"}
    : {tickformat: top >= 1000 ? "~s" : "", rangemode: "tozero"};
  return {title: {text: `${s.title || s.name}<br><span style="font-size:11px;color:#4a5568">${sub}</span>`,
    font: {size: 14}}, height: 260, margin: {l: 55, r: 12, t: 48, b: 30}, showlegend: false, yaxis: yaxis,
    hoverlabel: {namelength: 0}};
}

async function drawFans() {
  const all = await api(`/api/runs/${encodeURIComponent(state.runId)}/fans`);
  const box = document.getElementById("fans");
  box.innerHTML = "";
  const constants = [];
  for (const s of all) {
    if (s.constant) { constants.push(s); continue; }
    const div = document.createElement("div");
    div.className = "fan";
    div.dataset.series = s.name;
    div.title = s.description || "";
    box.appendChild(div);
    await Plotly.newPlot(div, fanTraces(s), fanLayout(s), {displayModeBar: false, responsive: true});
  }
  document.getElementById("constants").textContent = constants.length ? "The same in every run and week " +
    "(no chart): " + constants.map(s => `${s.title || s.name} ${shown(s.constant_value, s.percent)}` +
      (s.percent ? "" : ` ${s.unit}`)).join(" · ") + "." : "";
}

// ---- the table's events: one-off events (prisoner exchanges: count, persons), truce days by kind, and the
// table's events by quarter (mean per run), from the run's metric summaries (`events_in_q<q>/<event>`, …)
function escapeHtml(t) {
  return String(t).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}
async function drawDiplomacy() {
  const box = document.getElementById("diplomacy");
  const runId = state.runId;
  const detail = await api(`/api/runs/${encodeURIComponent(runId)}`);
  if (state.runId !== runId) return;  // another run was chosen meanwhile
  const metrics = detail.metrics || {};
  const names = Object.keys(metrics).sort();
  const spread = m => `${num(m.p50)} <small>(${num(m.p10)} … ${num(m.p90)})</small>`;
  const counts = names.filter(n => /^(events|persons)\/[^/]+$/.test(n)).map(n => {
    const [what, kind] = n.split("/");
    return `<tr data-metric="${escapeHtml(n)}"><td>${escapeHtml(kind.replaceAll("_", " "))}</td>` +
      `<td>${what === "events" ? "events" : "persons exchanged"}</td><td>${spread(metrics[n])}</td></tr>`;
  });
  const truces = names.filter(n => /^truce_days\/[^/]+\/[^/]+$/.test(n)).map(n => {
    const [, kind, scope] = n.split("/");
    return `<tr data-metric="${escapeHtml(n)}"><td>${escapeHtml(scope.replaceAll("_", " "))}</td>` +
      `<td>${escapeHtml(kind)} truce, days</td><td>${spread(metrics[n])}</td></tr>`;
  });
  const grid = new Map();  // event -> quarter -> mean per run
  for (const n of names) {
    const m = /^events_in_q(\d+)\/(.+)$/.exec(n);
    if (!m) continue;
    if (!grid.has(m[2])) grid.set(m[2], new Map());
    grid.get(m[2]).set(+m[1], metrics[n].mean);
  }
  const quarters = [...new Set([...grid.values()].flatMap(q => [...q.keys()]))].sort((a, b) => a - b);
  let html = "";
  if (counts.length || truces.length) {
    html += "<h2>The table's events <small>median over runs (10–90%)</small></h2>" +
      `<table class="num diplomacy-counts">${counts.join("")}${truces.join("")}</table>`;
  }
  if (grid.size) {
    html += "<h2>The table's events by quarter <small>mean per run in each quarter (13 weeks): one-off events " +
      "and agreements of each scope begun</small></h2><table class=\"num quarters\" id=\"events-by-quarter\">" +
      `<tr><th>event</th>${quarters.map(q => `<th>Q${q}</th>`).join("")}</tr>` +
      [...grid.keys()].sort().map(e => `<tr data-event="${escapeHtml(e)}"><td>${escapeHtml(e.replaceAll("_", " "))}` +
        `</td>${quarters.map(q => `<td>${grid.get(e).has(q) ? grid.get(e).get(q).toFixed(1) : "–"}</td>`).join("")}` +
        "</tr>").join("") + "</table>";
  }
  box.innerHTML = html;
}

// ---- comparison ------------------------------------------------------------------------------------------
// One panel per unit: troops beside troops, € bn beside € bn, shares in percentage points.
function groupByUnit(metrics) {
  const groups = new Map();
  for (const m of metrics) {
    const unit = m.percent ? "percentage points (share of runs)" : (m.unit || "other");
    if (!groups.has(unit)) groups.set(unit, []);
    groups.get(unit).push(m);
  }
  return groups;
}

async function runCompare() {
  const a = document.getElementById("compare-a").value, b = document.getElementById("compare-b").value;
  const table = document.getElementById("compare-table");
  try {
    state.compare = await api(`/api/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
  } catch (e) { table.innerHTML = `<tr><td class="error">${e.message}</td></tr>`; return; }
  if (!state.geojson) state.geojson = await api("/api/geojson");
  const slider = document.getElementById("compare-slider");
  slider.max = state.compare.weeks.length - 1;
  state.compareWeek = +slider.max;
  slider.value = state.compareWeek;
  await drawCompareMap();
  const box = document.getElementById("compare-chart");
  box.innerHTML = "";
  for (const [unit, rows] of groupByUnit(state.compare.metrics)) {
    const div = document.createElement("div");
    div.className = "compare-panel";
    div.dataset.unit = unit;
    box.appendChild(div);
    const scale = rows[0].percent ? 100 : 1;
    await Plotly.newPlot(div, [{type: "scatter", mode: "markers", y: rows.map(r => r.title || r.metric),
      x: rows.map(r => r.difference * scale), marker: {color: "#1a365d", size: 8},
      error_x: {type: "data", symmetric: false, array: rows.map(r => (r.high - r.difference) * scale),
        arrayminus: rows.map(r => (r.difference - r.low) * scale), color: "#4a5568"},
      customdata: rows.map(r => [signed(r.difference, r.percent), signed(r.low, r.percent),
        signed(r.high, r.percent)]),
      hovertemplate: "<b>%{y}</b><br>B − A %{customdata[0]} (90%: %{customdata[1]} … %{customdata[2]})" +
        "<extra></extra>"}],
    {title: {text: `B − A in ${unit}`, font: {size: 14}}, height: 90 + 26 * rows.length,
      margin: {l: 260, r: 20, t: 36, b: 36}, yaxis: {autorange: "reversed"},
      xaxis: {zeroline: true, zerolinecolor: "#718096", ticksuffix: rows[0].percent ? " pp" : "",
        // k and M for thousands and millions; never SI's m (milli) or µ on small values
        tickformat: rows[0].percent ? "+~f" : Math.max(...rows.map(r => Math.abs(r.high)), ...rows.map(r =>
          Math.abs(r.low))) >= 1000 ? "+~s" : "+,.3~r"}},
    {displayModeBar: false, responsive: true});
  }
  table.innerHTML = "<tr><th>outcome</th><th>unit</th><th>A</th><th>B</th><th>B − A</th><th>90% interval</th></tr>" +
    state.compare.metrics.map(r => `<tr><td title="${r.metric}">${r.title || r.metric}</td>` +
      `<td>${r.percent ? "share of runs" : r.unit}</td><td>${shown(r.a_p50, r.percent)}</td>` +
      `<td>${shown(r.b_p50, r.percent)}</td><td>${signed(r.difference, r.percent)}</td>` +
      `<td>${signed(r.low, r.percent)} … ${signed(r.high, r.percent)}</td></tr>`).join("");
}

async function drawCompareMap() {
  const c = state.compare, w = state.compareWeek;
  if (!state.borders) state.borders = await api("/api/borders");
  document.getElementById("compare-week-label").textContent = `week ${c.weeks[w]}`;
  const [parties, outside] = split(c);
  await Plotly.react("compare-map", [labelTrace(c, parties, "#1a202c"), neutralTrace(c, outside), {type: "choropleth", geojson: state.geojson,
    featureidkey: "properties.id", locations: parties.map(r => c.regions[r]),
    z: parties.map(r => c.mean_control_difference[w][r]), zmin: -0.5, zmax: 0.5, colorscale: CONTROL_COLOURS,
    marker: {line: {color: "#555", width: 0.6}}, customdata: parties.map(r => c.names[r]),
    colorbar: {...COLOUR_BAR, tickformat: "+.0%", title: {text: "B − A<br>Russian control", side: "top"}},
    hovertemplate: "<b>%{customdata}</b><br>B − A: %{z:+.1%} of the area under Russian control<extra></extra>"},
  labelTrace(c, outside, "#6b6b6b")], MAP_LAYOUT("compare"), MAP_CONFIG);
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
  Object.keys(state.sens.indices).forEach(m => option(metric, m, (state.sens.titles || {})[m] || m));
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
    {title: {text: `${(s.titles || {})[metric] || metric}: ${s.method} indices (${s.runs.toLocaleString("en-US")} runs)`},
      barmode: "group",
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
