// The node table of an execution: one page of rows at a time (a 1,000-node execution keeps
// 100 rows in the DOM), filtered by phase or name, refreshed in place while the run goes on.
// A row names the node's kind when it is not a task, how a map's elements went, and links a
// launch plan node to the execution it started.

import { paths } from "../context.js";
import { fill, h } from "../dom.js";
import { formatDuration, formatTime, plural, secondsBetween } from "../format.js";
import { NODE_PHASES, cacheTag, phaseBadge, phaseText } from "../phases.js";
import { href } from "../router.js";

const PAGE = 100;

/** Mount the table into `holder`; returns {update(nodes), select(nodeId)}. */
export function mountNodeTable(holder, nodes, { onOpen }) {
  let all = nodes;
  let page = 0;
  let phase = "";
  let search = "";
  let selected = null;

  const phaseSelect = h("select", { testid: "nodes-filter-phase" }, h("option", { value: "" }, "Any phase"),
    NODE_PHASES.map((p) => h("option", { value: p }, phaseText(p))));
  const searchInput = h("input", { type: "search", placeholder: "Find a node by name or id", testid: "nodes-search" });
  const tbody = h("tbody", {});
  const status = h("span", { testid: "nodes-status" });
  const prev = h("button", { class: "btn small", testid: "nodes-prev" }, "←");
  const next = h("button", { class: "btn small", testid: "nodes-next" }, "→");

  phaseSelect.addEventListener("change", () => { phase = phaseSelect.value; page = 0; draw(); });
  searchInput.addEventListener("input", () => { search = searchInput.value.trim().toLowerCase(); page = 0; draw(); });
  prev.addEventListener("click", () => { page = Math.max(0, page - 1); draw(); });
  next.addEventListener("click", () => { page += 1; draw(); });

  fill(holder,
    h("div", { class: "filters", style: { padding: "10px 16px", borderBottom: "1px solid var(--border)" } },
      phaseSelect, searchInput),
    h("table", { class: "data", testid: "nodes-table" },
      h("thead", {}, h("tr", {},
        h("th", {}, "Node"), h("th", {}, "Phase"), h("th", { class: "num" }, "Attempts"),
        h("th", { class: "num" }, "Duration"), h("th", {}, "Cache"), h("th", {}, "Started"))),
      tbody),
    h("div", { class: "pager" }, status, h("div", { class: "right" }, prev, next)));

  function visible() {
    return all.filter((n) => (!phase || n.phase === phase) &&
      (!search || n.node_id.toLowerCase().includes(search) || (n.name || "").toLowerCase().includes(search)));
  }

  function draw() {
    const rows = visible();
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    page = Math.min(page, pages - 1);
    const shown = rows.slice(page * PAGE, page * PAGE + PAGE);
    fill(tbody, shown.length ? shown.map(row) : h("tr", {}, h("td", { colspan: 6, class: "empty" }, "No nodes match.")));
    status.textContent = rows.length
      ? `${page * PAGE + 1}–${page * PAGE + shown.length} of ${plural(rows.length, "node")}`
      : "";
    prev.disabled = page === 0;
    next.disabled = page >= pages - 1;
  }

  function row(n) {
    const duration = n.duration_s ?? secondsBetween(n.started_at, n.ended_at);
    return h("tr", {
      class: `clickable${n.node_id === selected ? " selected" : ""}`, testid: "node-row",
      dataset: { node: n.node_id, phase: n.phase },
      onclick: () => { selected = n.node_id; draw(); onOpen(n.node_id, { name: n.name, phase: n.phase }); },
    },
    h("td", {}, h("div", {}, n.name, n.kind && n.kind !== "task" ? h("span", { class: "tag kind", style: { marginLeft: "6px" } }, n.kind) : null),
      h("div", { class: "mono faint" }, n.node_id,
        n.elements ? h("span", { class: "elements-note", testid: "node-row-elements" }, ` · ${plural(n.elements.total, "element")}`,
          n.elements.failed ? h("span", { class: "failed-count" }, ` · ${n.elements.failed.toLocaleString()} failed`) : null) : null),
      n.child_execution ? h("div", {}, h("a", {
        class: "mono", href: href(paths.execution(n.child_execution)), testid: "child-execution",
        onclick: (e) => e.stopPropagation(),
      }, `child execution ${n.child_execution} →`)) : null),
    h("td", {}, phaseBadge(n.phase)),
    h("td", { class: "num" }, n.attempts),
    h("td", { class: "num nowrap" }, formatDuration(duration)),
    h("td", {}, cacheTag(n.cache)),
    h("td", { class: "nowrap" }, formatTime(n.started_at)));
  }

  draw();
  return {
    update(nodes) { all = nodes; draw(); },
    select(nodeId) { selected = nodeId; draw(); },
  };
}
