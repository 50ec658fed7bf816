// The side panel of one node: what it is, its error and traceback, its inputs and outputs,
// its attempts, its log, and for a map node its elements page by page.

import * as api from "../api.js";
import { fill, h } from "../dom.js";
import { formatDuration, formatTime, secondsBetween } from "../format.js";
import { cacheTag, phaseBadge } from "../phases.js";
import { valueList } from "../values.js";

const ELEMENT_PAGE = 100;
let openToken = 0;

function drawer() {
  return document.getElementById("drawer");
}

export function closeNode() {
  openToken += 1;
  drawer().hidden = true;
  drawer().dispatchEvent(new CustomEvent("updraft:closed"));
}

document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && !drawer().hidden) closeNode();
});

function section(title, testid, ...body) {
  return h("section", { testid }, h("h3", {}, title), body);
}

/**
 * Show node `nodeId` of execution `executionId`. `info` is what the caller already knows
 * (a graph node or a map element), shown at once while the rest loads.
 */
export async function openNode(executionId, nodeId, info = {}) {
  const token = ++openToken;
  const el = drawer();
  el.hidden = false;
  el.dataset.node = nodeId;
  const head = h("div", { class: "drawer-head" },
    h("div", { class: "titles" },
      h("h2", { testid: "drawer-title" }, info.name || nodeId),
      h("div", { class: "muted mono", style: { fontSize: "12px" } }, nodeId, info.kind && info.kind !== "task" ? ` · ${info.kind}` : "")),
    h("button", { class: "btn small close", testid: "drawer-close", onclick: closeNode }, "Close"));
  const summary = h("section", { testid: "node-summary" }, h("div", { class: "loading" }, "Loading…"));
  const errorHolder = h("div", {});
  const io = h("div", {});
  const attempts = h("div", {});
  const logHolder = h("div", {});
  const elementsHolder = h("div", {});
  fill(el, head, summary, errorHolder, io, elementsHolder, attempts, logHolder);

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

  const rec = await record;
  if (!stillOpen()) return;
  if (rec.error) {
    fill(summary, info.phase
      ? h("dl", { class: "kv" }, h("dt", {}, "Phase"), h("dd", {}, phaseBadge(info.phase)),
        h("dt", {}, "Note"), h("dd", { class: "muted" }, rec.error.message))
      : h("div", { class: "muted" }, rec.error.message));
  } else {
    const n = rec.node;
    fill(head.querySelector("h2"), n.name || nodeId);
    fill(summary, h("dl", { class: "kv" },
      h("dt", {}, "Phase"), h("dd", {}, phaseBadge(n.phase, "node-phase")),
      info.task ? [h("dt", {}, "Task"), h("dd", { class: "mono" }, info.task)] : null,
      h("dt", {}, "Attempts"), h("dd", { testid: "node-attempts" }, n.attempts),
      h("dt", {}, "Cache"), h("dd", {}, cacheTag(n.cache)),
      h("dt", {}, "Started"), h("dd", {}, formatTime(n.started_at)),
      h("dt", {}, "Ended"), h("dd", {}, formatTime(n.ended_at)),
      h("dt", {}, "Duration"), h("dd", {}, formatDuration(n.duration_s ?? (n.started_at ? secondsBetween(n.started_at, n.ended_at) : null)))));
    if (n.error) {
      fill(errorHolder, section("Error", "node-error",
        h("div", { style: { marginBottom: "6px" } }, h("strong", {}, `${n.error.kind}: `), n.error.message),
        n.error.traceback ? h("pre", { class: "traceback", testid: "traceback" }, n.error.traceback) : null));
    }
    const history = n.history || [];
    if (history.length) {
      fill(attempts, section("Attempts", "node-history", h("table", { class: "data" },
        h("thead", {}, h("tr", {}, h("th", {}, "#"), h("th", {}, "Outcome"), h("th", {}, "Started"), h("th", { class: "num" }, "Duration"), h("th", {}, "Worker"))),
        h("tbody", {}, history.map((a) => h("tr", {},
          h("td", {}, a.attempt),
          h("td", {}, a.outcome ? h("span", { class: `tag${a.outcome === "SUCCEEDED" ? " on" : ""}` }, a.outcome) : phaseBadge("RUNNING")),
          h("td", { class: "nowrap" }, formatTime(a.started_at)),
          h("td", { class: "num" }, a.started_at ? formatDuration(secondsBetween(a.started_at, a.ended_at)) : "—"),
          h("td", { class: "mono faint" }, a.worker_id || "")))))));
    }
  }

  if (info.kind === "map" || info.collapsed) {
    showElements(executionId, nodeId, elementsHolder, stillOpen, info.onExpand, info.expanded);
  }

  const v = await values;
  if (!stillOpen()) return;
  if (v.error) {
    fill(io, section("Inputs and outputs", "node-io", h("div", { class: "muted" }, v.error.message)));
  } else {
    fill(io,
      section("Inputs", "node-inputs", valueList(v.inputs, { empty: "No inputs" })),
      section("Outputs", "node-outputs", valueList(v.outputs, { empty: "No outputs yet" })));
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
