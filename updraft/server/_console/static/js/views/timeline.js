// The timeline view: one bar per node attempt on the execution's time axis (SVG), one row per
// node (a map node: one row per batch of elements), so parallel work, waiting, retries and
// cache hits are visible at a glance. Colours come from the same CSS variables as the phases.

import * as api from "../api.js";
import { fill, h, svg } from "../dom.js";
import { formatDuration } from "../format.js";
import { cssVar, isTerminal } from "../phases.js";
import { record, recordAll } from "../timings.js";

const POLL_MS = 2000;
const LABEL_W = 230;
const AXIS_H = 26;

/** How a bar looks: its legend entry and colour variable. */
const CATEGORIES = [
  ["succeeded", "succeeded", "--phase-succeeded"],
  ["running", "running", "--phase-running"],
  ["failed", "failed attempt", "--phase-failed"],
  ["timed_out", "timed out", "--phase-timed_out"],
  ["cancelled", "cancelled", "--phase-aborted"],
  ["cache", "cache hit", "--cache-hit"],
  ["recovered", "recovered", "--phase-recovered"],
];

function category(bar) {
  if (bar.cache) return "cache";
  switch (bar.outcome) {
    case "SUCCEEDED": return "succeeded";
    case "RUNNING": return "running";
    case "RECOVERED": return "recovered";
    case "CANCELLED": return "cancelled";
    case "TIMED_OUT": return "timed_out";
    default: return "failed"; // USER_ERROR, SYSTEM_ERROR, OOM
  }
}

function legend() {
  return h("div", { class: "legend", testid: "timeline-legend" },
    CATEGORIES.map(([key, text, colour]) => h("span", { dataset: { category: key } },
      h("span", { class: "sw", style: { background: cssVar(colour) } }), text)),
    h("span", { dataset: { category: "retry" } },
      h("span", { class: "sw", style: { background: "#fff", border: `2px solid ${cssVar("--retry")}` } }), "retry (attempt 2+)"));
}

/** A tick step (seconds) giving about `count` ticks over `span` seconds. */
function tickStep(span, count) {
  const steps = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60,
    120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400];
  return steps.find((s) => span / s <= count) || steps[steps.length - 1];
}

function tickText(seconds, step) {
  if (seconds === 0) return "0";
  if (step < 1) return `${+(seconds).toFixed(step < 0.01 ? 3 : step < 0.1 ? 2 : 1)} s`;
  if (step < 60) return `${Math.round(seconds)} s`;
  if (step < 3600) return `${Math.round(seconds / 60)} min`;
  return `${+(seconds / 3600).toFixed(1)} h`;
}

function rowsOf(bars) {
  const rows = new Map();
  for (const bar of bars) {
    const key = bar.batch === null || bar.batch === undefined ? bar.node_id : `${bar.node_id}#${bar.batch}`;
    if (!rows.has(key)) {
      const name = bar.batch === null || bar.batch === undefined ? bar.name : `${bar.name} · batch ${bar.batch}`;
      rows.set(key, { key, node: bar.node_id, name, bars: [] });
    }
    rows.get(key).bars.push(bar);
  }
  return [...rows.values()];
}

/**
 * Draw execution `executionId`'s timeline into `holder`; `onSelect(nodeId, info)` on a click;
 * `initial`, when given, is the timeline already asked for. Returns {ready, destroy()}.
 */
export function mountTimeline(holder, executionId, { onSelect, since = performance.now(), initial = null }) {
  const started = performance.now();
  const summary = h("span", { class: "muted", testid: "timeline-summary" });
  const axisHolder = h("div", { class: "timeline-axis" });
  const scroll = h("div", { class: "timeline-scroll" });
  const root = h("div", { class: "timeline", testid: "timeline" },
    h("div", { class: "timeline-head" }, legend(), h("span", { class: "spacer" }), summary),
    axisHolder, scroll);
  fill(holder, root);

  let data = null;
  let timer = null;
  let destroyed = false;
  let frame = 0;
  const observer = new ResizeObserver(() => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => { if (data) draw(data); });
  });

  function draw(tl) {
    const width = Math.max(480, root.clientWidth);
    const plot = width - LABEL_W - 16;
    const now = Date.now() / 1000;
    const lastEnd = tl.bars.reduce((m, b) => Math.max(m, b.end ?? now), tl.start);
    const t0 = tl.start;
    const t1 = Math.max(tl.end ?? lastEnd, lastEnd, t0 + 0.001);
    const span = t1 - t0;
    const x = (t) => LABEL_W + ((t - t0) / span) * plot;
    const rows = rowsOf(tl.bars);
    const rowH = rows.length > 150 ? 14 : 24;
    const barH = rows.length > 150 ? 10 : 14;
    const step = tickStep(span, Math.max(2, Math.floor(plot / 90)));
    const ticks = [];
    for (let t = 0; t <= span + 1e-9; t += step) ticks.push(t);

    const axis = svg("svg", { width, height: AXIS_H },
      ticks.map((t) => svg("g", { class: "tick" },
        svg("line", { x1: x(t0 + t), x2: x(t0 + t), y1: AXIS_H - 6, y2: AXIS_H, stroke: "#b8bfca" }),
        svg("text", { x: x(t0 + t), y: AXIS_H - 10, "text-anchor": t === 0 ? "start" : "middle" }, tickText(t, step)))),
      svg("text", { x: 12, y: AXIS_H - 10, fill: "#5f6b7a" }, "node"));
    fill(axisHolder, axis);

    const height = rows.length * rowH + 8;
    const retry = cssVar("--retry");
    const colours = Object.fromEntries(CATEGORIES.map(([key, , colour]) => [key, cssVar(colour)]));
    const grid = ticks.map((t) => svg("line", { x1: x(t0 + t), x2: x(t0 + t), y1: 0, y2: height, stroke: "#eef0f3" }));
    const body = [];
    rows.forEach((row, i) => {
      const y = i * rowH + 4;
      if (i % 2 === 1) body.push(svg("rect", { x: 0, y, width, height: rowH, fill: "#fafbfc" }));
      body.push(svg("text", {
        class: "row-label", x: 12, y: y + rowH / 2 + 4, testid: "timeline-row",
        onclick: () => onSelect(row.node, { name: row.name }),
      }, row.name.length > 26 ? `${row.name.slice(0, 25)}…` : row.name,
      svg("tspan", { fill: "#8a94a3", dx: 6 }, row.node), svg("title", {}, `${row.name} (${row.node})`)));
      for (const bar of row.bars) {
        const cat = category(bar);
        const end = bar.end ?? now;
        const bx = x(bar.start);
        const bw = Math.max(2, x(end) - bx);
        const isRetry = bar.attempt > 1;
        const tip = `${bar.name} · ${bar.node_id}${bar.batch != null ? ` · batch ${bar.batch} (${bar.elements} elements)` : ""}\n` +
          `attempt ${bar.attempt} · ${bar.cache ? "cache hit" : bar.outcome.toLowerCase()}\n` +
          `${formatDuration(end - bar.start)} from +${formatDuration(bar.start - t0)}`;
        body.push(svg("rect", {
          class: "bar", testid: "timeline-bar", x: bx, y: y + (rowH - barH) / 2, width: bw, height: barH, rx: 3,
          fill: colours[cat], stroke: isRetry ? retry : "none", "stroke-width": isRetry ? 2 : 0,
          dataset: { node: bar.node_id, attempt: bar.attempt, outcome: bar.outcome, cache: bar.cache ? "hit" : "", category: cat },
          onclick: () => onSelect(bar.node_id, { name: bar.name }),
        }, svg("title", {}, tip)));
        if (isRetry && bw > 22) {
          body.push(svg("text", { class: "retry-label", x: bx + bw + 4, y: y + rowH / 2 + 4 }, `#${bar.attempt}`));
        }
      }
    });
    fill(scroll, svg("svg", { width, height, testid: "timeline-svg" }, grid, body));
    summary.textContent = `${tl.bars.length.toLocaleString()} bar${tl.bars.length === 1 ? "" : "s"} · ` +
      `${rows.length.toLocaleString()} row${rows.length === 1 ? "" : "s"} · ${formatDuration(span)}`;
    root.dataset.barCount = String(tl.bars.length);
  }

  async function load(firstTime) {
    const tl = await (firstTime && initial ? initial : api.timeline(executionId));
    if (destroyed) return;
    const fetched = performance.now();
    data = tl;
    draw(tl);
    if (firstTime) {
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      const drawn = performance.now();
      root.dataset.ready = "true";
      observer.observe(root);
      recordAll("timeline", { bars: tl.bars.length });
      record("timeline", "fetch_ms", fetched - started);
      record("timeline", "draw_ms", drawn - fetched);
      record("timeline", "total_ms", drawn - started);
      record("timeline", "since_navigation_ms", drawn - since);
      record("timeline", "since_page_load_ms", drawn);
    }
    if (!isTerminal(tl.phase)) timer = setTimeout(() => load(false).catch(() => {}), POLL_MS);
  }

  const ready = load(true).catch((err) => {
    if (!destroyed) fill(holder, h("div", { class: "error-box", testid: "error", style: { margin: "16px" } }, err.message));
  });

  return {
    ready,
    destroy() { destroyed = true; clearTimeout(timer); observer.disconnect(); cancelAnimationFrame(frame); },
  };
}
