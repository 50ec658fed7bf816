// The side panel of one node: what it is, its error and traceback, its inputs and outputs,
// its attempts, its log, for a map node its elements page by page, and for a launch plan
// node a link to the execution it started.
//
// The panel asks the server for everything it shows (the node's record, and its task from
// the graph), so it looks the same whether it was opened from the graph, the node table, the
// timeline or a shared link; what the caller passes is shown at once while that loads, plus
// the graph's actions (showing a map's elements inside it).

import * as api from "../api.js";
import { paths } from "../context.js";
import { fill, h } from "../dom.js";
import { formatDuration, formatTime, plural, secondsBetween } from "../format.js";
import { cacheTag, isTerminal, outcomeBadge, phaseBadge } from "../phases.js";
import { href } from "../router.js";
import { valueList } from "../values.js";

const ELEMENT_PAGE = 100;
let openToken = 0;

function drawer() {
  return document.getElementById("drawer");
}

export function closeNode() {
  openToken += 1;
  if (drawer().hidden) return;
  drawer().hidden = true;
  drawer().dispatchEvent(new CustomEvent("updraft:closed"));
}

document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && !drawer().hidden) closeNode();
});

function section(title, testid, ...body) {
  return h("section", { testid }, h("h3", {}, title), body);
}

// The graph of the execution last asked about, for what node records lack (a node's task).
let graphCache = { id: null, request: null };

/** The graph's entry for a node, fetched once per execution (again for a node that appeared
 * since, such as a dynamic node's child). */
async function graphNode(executionId, nodeId) {
  const fetchGraph = () => { graphCache = { id: executionId, request: api.graph(executionId).catch(() => null) }; };
  if (graphCache.id !== executionId) fetchGraph();
  let graph = await graphCache.request;
  let found = graph && graph.nodes.find((n) => n.id === nodeId);
  if (!found && graph) {
    fetchGraph();
    graph = await graphCache.request;
    found = graph && graph.nodes.find((n) => n.id === nodeId);
  }
  return found || null;
}

/** Why a node's output is not there, from the node's phase (and the execution's). */
function missingOutput(phase, executionPhase) {
  switch (phase) {
    case "FAILED": return "not produced (the node failed)";
    case "ABORTED": return "not produced (the node was aborted)";
    case "TIMED_OUT": return "not produced (the node timed out)";
    case "SKIPPED": return "not produced (skipped)";
    default:
      return executionPhase && isTerminal(executionPhase) && !isTerminal(phase)
        ? "not produced (the node did not run)" : "not available yet";
  }
}

/** Why a node's input is not there: what it comes from has not produced it (yet). */
function missingInput(phase, executionPhase) {
  if (phase === "SKIPPED") return "not produced (skipped)";
  return executionPhase && isTerminal(executionPhase)
    ? "not produced (an upstream node did not succeed)" : "not available yet";
}

/** "1,000 elements: 666 succeeded, 334 failed, 12 cached". */
function elementCounts(counts) {
  const parts = [`${counts.succeeded.toLocaleString()} succeeded`];
  if (counts.failed) parts.push(`${counts.failed.toLocaleString()} failed`);
  if (counts.cached) parts.push(`${counts.cached.toLocaleString()} cached`);
  return `${plural(counts.total, "element")}: ${parts.join(", ")}`;
}

/**
 * Show node `nodeId` of execution `executionId`. `info` is what the caller already knows
 * (name and phase, shown at once while the rest loads; `element` and `mapId` for one element
 * of a map; `executionPhase`; `onExpand` and `expanded` when the graph can show a map's
 * elements inside it).
 */
export async function openNode(executionId, nodeId, info = {}) {
  const token = ++openToken;
  const el = drawer();
  const wasHidden = el.hidden;
  el.hidden = false;
  el.dataset.node = nodeId;
  const kindLine = h("div", { class: "muted mono", style: { fontSize: "12px" }, testid: "drawer-kind" },
    nodeId, info.kind && info.kind !== "task" ? ` · ${info.kind}` : "");
  const head = h("div", { class: "drawer-head" },
    h("div", { class: "titles" }, h("h2", { testid: "drawer-title" }, info.name || nodeId), kindLine),
    h("button", { class: "btn small close", testid: "drawer-close", onclick: closeNode }, "Close"));
  const summary = h("section", { testid: "node-summary" }, h("div", { class: "loading" }, "Loading…"));
  const errorHolder = h("div", {});
  const io = h("div", {});
  const attempts = h("div", {});
  const logHolder = h("div", {});
  const elementsHolder = h("div", {});
  fill(el, head, summary, errorHolder, io, elementsHolder, attempts, logHolder);
  el.dispatchEvent(new CustomEvent("updraft:opened", { detail: { nodeId, wasHidden } }));

  if (info.element) {
    // One element of a map: no record of its own; its map node has the details.
    fill(summary, h("dl", { class: "kv" },
      h("dt", {}, "Phase"), h("dd", {}, phaseBadge(info.element.phase)),
      h("dt", {}, "Element"), h("dd", {}, `#${info.element.index} of map ${info.mapId}`),
      h("dt", {}, "Attempts"), h("dd", {}, info.element.attempts),
      h("dt", {}, "Cache"), h("dd", {}, cacheTag(info.element.cache)),
      h("dt", {}, "Duration"), h("dd", {}, formatDuration(info.element.duration_s))));
    if (info.element.error) fill(errorHolder, section("Error", "node-error", h("pre", { class: "traceback" }, info.element.error)));
    return;
  }

  const stillOpen = () => token === openToken;
  const record = api.node(executionId, nodeId).catch((err) => ({ error: err }));
  const values = api.nodeIo(executionId, nodeId).catch((err) => ({ error: err }));
  const log = api.logs(executionId, nodeId).catch((err) => ({ error: err }));
  const fromGraph = info.task !== undefined ? Promise.resolve({ task: info.task }) : graphNode(executionId, nodeId);

  const rec = await record;
  if (!stillOpen()) return;
  let phase = info.phase;
  if (rec.error) {
    fill(summary, info.phase
      ? h("dl", { class: "kv" }, h("dt", {}, "Phase"), h("dd", {}, phaseBadge(info.phase)),
        h("dt", {}, "Note"), h("dd", { class: "muted" }, rec.error.message))
      : h("div", { class: "muted" }, rec.error.message));
  } else {
    const n = rec.node;
    const kind = n.kind || info.kind || "task";
    phase = n.phase;
    fill(head.querySelector("h2"), n.name || nodeId);
    fill(kindLine, nodeId, kind !== "task" ? ` · ${kind}` : "");
    const phaseValue = h("dd", {}, phaseBadge(n.phase, "node-phase"));
    fill(summary, h("dl", { class: "kv" },
      h("dt", {}, "Phase"), phaseValue,
      n.child_execution ? [h("dt", {}, "Child execution"), h("dd", {},
        h("a", { class: "mono", href: href(paths.execution(n.child_execution)), testid: "child-execution" },
          `${n.child_execution} →`))] : null,
      n.elements ? [h("dt", {}, "Elements"), h("dd", { testid: "node-elements" }, elementCounts(n.elements))] : null,
      h("dt", {}, "Attempts"), h("dd", { testid: "node-attempts" }, n.attempts),
      h("dt", {}, "Cache"), h("dd", {}, cacheTag(n.cache)),
      h("dt", {}, "Started"), h("dd", {}, formatTime(n.started_at)),
      h("dt", {}, "Ended"), h("dd", {}, formatTime(n.ended_at)),
      h("dt", {}, "Duration"), h("dd", {}, formatDuration(n.duration_s ?? secondsBetween(n.started_at, n.ended_at)))));
    fromGraph.then((found) => {
      if (stillOpen() && found && found.task) {
        phaseValue.after(h("dt", {}, "Task"), h("dd", { class: "mono", testid: "node-task" }, found.task));
      }
    });
    if (n.error) {
      fill(errorHolder, section("Error", "node-error",
        h("div", { style: { marginBottom: "6px" } }, h("strong", {}, `${n.error.kind}: `), n.error.message),
        n.error.traceback ? h("pre", { class: "traceback", testid: "traceback" }, n.error.traceback) : null));
    }
    const history = n.history || [];
    if (history.length) {
      fill(attempts, section("Attempts", "node-history", h("table", { class: "data" },
        h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "Outcome"), h("th", {}, "Started"), h("th", { class: "num" }, "Duration"), h("th", {}, "Worker"))),
        h("tbody", {}, history.map((a) => h("tr", { testid: "attempt-row" },
          h("td", {}, a.attempt),
          h("td", {}, outcomeBadge(a.outcome || "RUNNING")),
          h("td", { class: "nowrap" }, formatTime(a.started_at)),
          h("td", { class: "num" }, formatDuration(secondsBetween(a.started_at, a.ended_at))),
          h("td", { class: "mono faint" }, a.worker_id || "")))))));
    }
    if (kind === "map") {
      showElements(executionId, nodeId, elementsHolder, stillOpen, info.onExpand, info.expanded);
    }
  }

  const v = await values;
  if (!stillOpen()) return;
  if (v.error) {
    fill(io, section("Inputs and outputs", "node-io", h("div", { class: "muted" }, v.error.message)));
  } else {
    const ended = phase && isTerminal(phase);
    fill(io,
      section("Inputs", "node-inputs", valueList(v.inputs, { empty: "No inputs", missing: missingInput(phase, info.executionPhase) })),
      section("Outputs", "node-outputs", valueList(v.outputs, {
        empty: ended ? "No outputs" : "No outputs yet", missing: missingOutput(phase, info.executionPhase),
      })));
  }

  const text = await log;
  if (!stillOpen()) return;
  fill(logHolder, section("Log", "node-log", text.error
    ? h("div", { class: "muted" }, text.error.message)
    : text.trim() ? h("pre", { class: "log" }, text) : h("div", { class: "muted" }, "Nothing printed.")));
}

async function showElements(executionId, nodeId, holder, stillOpen, onExpand, expandedNow) {
  let offset = 0;
  const body = h("div", {}, h("div", { class: "loading" }, "Loading elements…"));
  const status = h("span", { class: "muted" });
  const prev = h("button", { class: "btn small" }, "←");
  const next = h("button", { class: "btn small" }, "→");
  fill(holder, section("Elements", "map-elements",
    onExpand ? h("div", { style: { marginBottom: "8px" } },
      h("button", { class: "btn small", testid: "expand-map", onclick: (e) => {
        onExpand();
        e.currentTarget.textContent = e.currentTarget.textContent.startsWith("Show") ? "Hide elements in the graph" : "Show elements in the graph";
      } }, expandedNow ? "Hide elements in the graph" : "Show elements in the graph")) : null,
    body, h("div", { class: "pager", style: { padding: "8px 0 0", borderTop: "none" } }, status, h("div", { class: "right" }, prev, next))));
  async function load() {
    let page;
    try {
      page = await api.elements(executionId, nodeId, offset, ELEMENT_PAGE);
    } catch (err) {
      if (stillOpen()) fill(body, h("div", { class: "muted" }, err.message));
      return;
    }
    if (!stillOpen()) return;
    fill(body, h("table", { class: "data", testid: "elements-table" },
      h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "Phase"), h("th", { class: "num" }, "Attempts"), h("th", {}, "Cache"), h("th", { class: "num" }, "Duration"))),
      h("tbody", {}, page.elements.map((e) => h("tr", { testid: "element-row", title: e.error || "" },
        h("td", { class: "mono" }, e.index), h("td", {}, phaseBadge(e.phase)), h("td", { class: "num" }, e.attempts),
        h("td", {}, cacheTag(e.cache)), h("td", { class: "num" }, formatDuration(e.duration_s)))))));
    status.textContent = page.total ? `${offset + 1}–${offset + page.elements.length} of ${page.total.toLocaleString()}` : "No elements yet";
    prev.disabled = offset === 0;
    next.disabled = offset + page.elements.length >= page.total;
  }
  prev.addEventListener("click", () => { offset = Math.max(0, offset - ELEMENT_PAGE); load(); });
  next.addEventListener("click", () => { offset += ELEMENT_PAGE; load(); });
  await load();
}
