// The timeline view: one bar per node attempt on the execution's time axis (SVG), one row per
// node (a map node: one row per batch of elements), so parallel work, waiting, retries and
// cache hits are visible at a glance. Colours come from the same CSS variables as the phases.
// A map batch is coloured by its elements: succeeded, with a red share and "k failed" when some
// of them failed. A node that runs other nodes (subworkflow, conditional, dynamic) also has an
// outlined span from its start to its end, behind its attempts if it has any.

import * as api from "../api.js";
import { fill, h, svg } from "../dom.js";
import { formatDuration, plural } from "../format.js";
import { cssVar, isTerminal, outcomePhase, outcomeText, phaseColors } from "../phases.js";
import { record, recordAll } from "../timings.js";

const POLL_MS = 2000;
const LABEL_W = 230;
/** Room right of the plot for a retry's "#2" and the last tick's label. */
const RIGHT_PAD = 44;
const AXIS_H = 26;
/** The narrowest bar, in pixels: a cache hit of a millisecond still shows. */
const MIN_BAR_W = 3;
/** The narrowest span: a conditional that failed at once still shows its outline. */
const MIN_SPAN_W = 6;

/** How a bar looks: its legend entry and colour variable. */
const CATEGORIES = [
  ["succeeded", "succeeded", "--phase-succeeded"],
  ["running", "running", "--phase-running"],
  ["failed", "failed attempt", "--phase-failed"],
  ["timed_out", "timed out", "--phase-timed_out"],
  ["aborted", "aborted", "--phase-aborted"],
  ["cache", "cache hit", "--cache-hit"],
  ["recovered", "recovered", "--phase-recovered"],
];
const CATEGORY_OF_PHASE = {
  SUCCEEDED: "succeeded", RUNNING: "running", RECOVERED: "recovered", ABORTED: "aborted",
  TIMED_OUT: "timed_out", FAILED: "failed",
};

/** A map batch's bar is about its elements, not one attempt. */
const isBatch = (bar) => bar.batch !== null && bar.batch !== undefined;

function category(bar) {
  if (bar.cache) return "cache";
  if (isBatch(bar) && bar.end !== null && bar.end !== undefined && bar.failed !== null && bar.failed !== undefined) {
    if (bar.failed === 0) return bar.outcome === "CANCELLED" ? "aborted" : "succeeded";
    return bar.failed >= bar.elements ? "failed" : "partial";
  }
  return CATEGORY_OF_PHASE[outcomePhase(bar.outcome)] || "failed";
}

function legend(bars) {
  const has = (test) => bars.some(test);
  return h("div", { class: "legend", testid: "timeline-legend" },
    CATEGORIES.map(([key, text, colour]) => h("span", { dataset: { category: key } },
      h("span", { class: "sw", style: { background: cssVar(colour) } }), text)),
    h("span", { dataset: { category: "retry" } },
      h("span", { class: "sw", style: { background: "#fff", border: `2px solid ${cssVar("--retry")}` } }), "retry (attempt 2+)"),
    has((b) => category(b) === "partial") ? h("span", { dataset: { category: "partial" } },
      h("span", { class: "sw", style: { background: `linear-gradient(to right, ${cssVar("--phase-succeeded")} 60%, ${cssVar("--phase-failed")} 60%)` } }),
      "batch with failed elements") : null,
    has((b) => b.span) ? h("span", { dataset: { category: "span" } },
      h("span", { class: "sw", style: { background: cssVar("--phase-succeeded-soft"), border: `1.5px solid ${cssVar("--phase-succeeded")}` } }),
      "runs other nodes") : null);
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
    const key = isBatch(bar) ? `${bar.node_id}#${bar.batch}` : bar.node_id;
    if (!rows.has(key)) {
      const name = isBatch(bar) ? `${bar.name} · batch ${bar.batch}` : bar.name;
      rows.set(key, { key, node: bar.node_id, name, bars: [] });
    }
    rows.get(key).bars.push(bar);
  }
  // a row's span goes under its attempts
  for (const row of rows.values()) row.bars.sort((a, b) => Number(b.span) - Number(a.span));
  return [...rows.values()];
}

/** A bar's tooltip: what ran, how it ended, when. */
function tipOf(bar, end, t0) {
  const what = bar.span ? "ran other nodes" : `attempt ${bar.attempt}`;
  const batch = isBatch(bar)
    ? ` · batch ${bar.batch} (${plural(bar.elements, "element")}${bar.failed ? `, ${bar.failed.toLocaleString()} failed` : ""})` : "";
  return `${bar.name} · ${bar.node_id}${batch}\n` +
    `${what} · ${bar.cache ? "cache hit" : outcomeText(bar.outcome)}\n` +
    `${formatDuration(end - bar.start)} from +${formatDuration(bar.start - t0)}`;
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
  const legendHolder = h("div", {}, legend([]));
  const root = h("div", { class: "timeline", testid: "timeline" },
    h("div", { class: "timeline-head" }, legendHolder, h("span", { class: "spacer" }), summary),
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
    const plot = width - LABEL_W - RIGHT_PAD;
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

    const anchor = (t) => (t === 0 ? "start" : x(t0 + t) > width - 24 ? "end" : "middle");
    const axis = svg("svg", { width, height: AXIS_H },
      ticks.map((t) => svg("g", { class: "tick" },
        svg("line", { x1: x(t0 + t), x2: x(t0 + t), y1: AXIS_H - 6, y2: AXIS_H, stroke: "#b8bfca" }),
        svg("text", { x: x(t0 + t), y: AXIS_H - 10, "text-anchor": anchor(t) }, tickText(t, step)))),
      svg("text", { x: 12, y: AXIS_H - 10, fill: "#5f6b7a" }, "node"));
    fill(axisHolder, axis);
    fill(legendHolder, legend(tl.bars));

    const height = rows.length * rowH + 8;
    const retry = cssVar("--retry");
    const colours = Object.fromEntries(CATEGORIES.map(([key, , colour]) => [key, cssVar(colour)]));
    const grid = ticks.map((t) => svg("line", { x1: x(t0 + t), x2: x(t0 + t), y1: 0, y2: height, stroke: "#eef0f3" }));
    const body = [];
    let attempts = 0;
    let spans = 0;
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
        const bw = Math.max(MIN_BAR_W, x(end) - bx);
        const by = y + (rowH - barH) / 2;
        const open = () => onSelect(bar.node_id, { name: bar.name });
        const data = { node: bar.node_id, attempt: bar.attempt, outcome: bar.outcome, cache: bar.cache ? "hit" : "", category: cat };
        if (bar.span) {
          // a node that ran others: an outline over the time its children took
          spans += 1;
          const { strong, soft } = phaseColors(outcomePhase(bar.outcome));
          body.push(svg("rect", {
            class: "bar span", testid: "timeline-span", x: bx, y: by - 2, width: Math.max(MIN_SPAN_W, bw), height: barH + 4, rx: 4,
            fill: soft, stroke: strong, "stroke-width": 1.5, dataset: data, onclick: open,
          }, svg("title", {}, tipOf(bar, end, t0))));
          continue;
        }
        attempts += 1;
        const isRetry = bar.attempt > 1;
        const failedShare = cat === "partial" ? bar.failed / bar.elements : 0;
        body.push(svg("rect", {
          class: "bar", testid: "timeline-bar", x: bx, y: by, width: bw, height: barH, rx: 3,
          fill: colours[cat === "partial" ? "succeeded" : cat], stroke: isRetry ? retry : "none", "stroke-width": isRetry ? 2 : 0,
          dataset: { ...data, failed: bar.failed ?? "" }, onclick: open,
        }, svg("title", {}, tipOf(bar, end, t0))));
        let after = bx + bw + 4;
        if (failedShare) {
          // the failed elements' share, in red at the bar's end
          const fw = Math.max(MIN_BAR_W, bw * failedShare);
          body.push(svg("rect", {
            class: "bar failed-share", x: bx + bw - fw, y: by, width: fw, height: barH, rx: 2,
            fill: colours.failed, onclick: open, "pointer-events": "none",
          }));
        }
        if (isRetry && bw > 22) {
          body.push(svg("text", { class: "retry-label", x: after, y: y + rowH / 2 + 4 }, `#${bar.attempt}`));
          after += 20;
        }
        if (failedShare) {
          // "k failed" after the bar, or inside it when the bar reaches the right edge
          const inside = after + 60 > width;
          body.push(svg("text", {
            class: `failed-label${inside ? " inside" : ""}`, testid: "timeline-failed",
            x: inside ? bx + 6 : after, y: y + rowH / 2 + 4, "pointer-events": "none",
          }, `${bar.failed.toLocaleString()} failed`));
        }
      }
    });
    fill(scroll, svg("svg", { width, height, testid: "timeline-svg" }, grid, body));
    summary.textContent = `${plural(attempts, "bar")}${spans ? ` · ${plural(spans, "span")}` : ""} · ` +
      `${plural(rows.length, "row")} · ${formatDuration(span)}`;
    root.dataset.barCount = String(attempts);
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
      recordAll("timeline", { bars: tl.bars.filter((b) => !b.span).length });
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
