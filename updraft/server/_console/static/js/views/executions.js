// Executions of a project and domain, newest first, with filters (workflow, phase, label,
// creation time) kept in the URL so that a filtered list can be shared or reloaded.

import * as api from "../api.js";
import { paths } from "../context.js";
import { fill, h } from "../dom.js";
import { formatAgo, formatDuration, formatTime, secondsBetween } from "../format.js";
import { EXECUTION_PHASES, isTerminal, phaseBadge, phaseText } from "../phases.js";
import { href, replaceQuery } from "../router.js";

const PAGE = 50;
const REFRESH_MS = 2000;

/** datetime-local text (browser time) as ISO UTC; "" stays "". */
function localToIso(text) {
  if (!text) return "";
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? "" : d.toISOString();
}

export async function renderExecutions(root, ctx) {
  const c = { project: ctx.params.project, domain: ctx.params.domain };
  const filters = {
    workflow: ctx.query.get("workflow") || "",
    phase: ctx.query.get("phase") || "",
    label: ctx.query.get("label") || "",
    after: ctx.query.get("after") || "",
    before: ctx.query.get("before") || "",
  };
  let offset = Number(ctx.query.get("offset") || 0);

  const workflowSelect = h("select", { testid: "filter-workflow" }, h("option", { value: "" }, "All workflows"));
  const phaseSelect = h("select", { testid: "filter-phase" }, h("option", { value: "" }, "Any phase"),
    EXECUTION_PHASES.map((p) => h("option", { value: p }, phaseText(p))));
  const labelInput = h("input", { type: "text", placeholder: "key=value", testid: "filter-label", value: filters.label });
  const afterInput = h("input", { type: "datetime-local", testid: "filter-after", value: filters.after });
  const beforeInput = h("input", { type: "datetime-local", testid: "filter-before", value: filters.before });
  phaseSelect.value = filters.phase;

  const status = h("span", { class: "muted", testid: "list-status" });
  const tableHolder = h("div", {}, h("div", { class: "loading" }, "Loading…"));
  const prev = h("button", { class: "btn small", testid: "page-prev" }, "← Newer");
  const next = h("button", { class: "btn small", testid: "page-next" }, "Older →");

  fill(root,
    h("div", { class: "page-head" },
      h("div", { class: "titles" },
        h("div", { class: "crumbs" }, h("a", { href: "#/" }, "Projects"), " / ",
          h("a", { href: href(paths.registry(c)) }, `${c.project} · ${c.domain}`)),
        h("h1", {}, "Executions")),
      h("div", { class: "actions" },
        h("a", { class: "btn", href: href(paths.registry(c)) }, "Launch…"))),
    h("section", { class: "card" },
      h("div", { class: "card-head" },
        h("form", { class: "filters", testid: "filters", onsubmit: (e) => { e.preventDefault(); apply(); } },
          h("label", {}, "Workflow", workflowSelect),
          h("label", {}, "Phase", phaseSelect),
          h("label", {}, "Label", labelInput),
          h("label", {}, "Created after", afterInput),
          h("label", {}, "Created before", beforeInput),
          h("button", { class: "btn", type: "submit", testid: "filter-apply" }, "Filter"),
          h("button", { class: "btn", type: "button", onclick: clearFilters }, "Clear"))),
      tableHolder,
      h("div", { class: "pager" }, status, h("div", { class: "right" }, prev, next))));

  // Workflow names for the filter; a name in the URL is kept even if not registered here.
  api.entities("workflows", c.project, c.domain, { signal: ctx.signal }).then(({ entities }) => {
    const names = [...new Set(entities.map((e) => e.name))];
    if (filters.workflow && !names.includes(filters.workflow)) names.unshift(filters.workflow);
    workflowSelect.append(...names.map((n) => h("option", { value: n }, n)));
    workflowSelect.value = filters.workflow;
  }).catch(() => {});
  if (filters.workflow) {
    workflowSelect.append(h("option", { value: filters.workflow }, filters.workflow));
    workflowSelect.value = filters.workflow;
  }
  for (const el of [workflowSelect, phaseSelect, afterInput, beforeInput]) el.addEventListener("change", apply);

  function urlQuery() {
    return { ...filters, offset: offset || "" };
  }

  function apply() {
    filters.workflow = workflowSelect.value;
    filters.phase = phaseSelect.value;
    filters.label = labelInput.value.trim();
    filters.after = afterInput.value;
    filters.before = beforeInput.value;
    offset = 0;
    replaceQuery(urlQuery());
    load();
  }

  function clearFilters() {
    workflowSelect.value = ""; phaseSelect.value = ""; labelInput.value = "";
    afterInput.value = ""; beforeInput.value = "";
    apply();
  }

  prev.addEventListener("click", () => { offset = Math.max(0, offset - PAGE); replaceQuery(urlQuery()); load(); });
  next.addEventListener("click", () => { offset += PAGE; replaceQuery(urlQuery()); load(); });

  let timer = null;
  let seq = 0;
  ctx.onCleanup(() => clearTimeout(timer));

  async function load() {
    clearTimeout(timer);
    const mine = ++seq;
    let page;
    try {
      page = await api.executions({
        project: c.project, domain: c.domain, workflow: filters.workflow, phase: filters.phase,
        label: filters.label, created_after: localToIso(filters.after),
        created_before: localToIso(filters.before), limit: PAGE, offset,
      }, { signal: ctx.signal });
    } catch (err) {
      if (err.name === "AbortError" || mine !== seq) return;
      fill(tableHolder, h("div", { class: "error-box", testid: "error", style: { margin: "12px 16px" } }, err.message));
      return;
    }
    if (mine !== seq) return;
    const rows = page.executions;
    const hasMore = page.has_more !== undefined ? page.has_more : rows.length === PAGE;
    fill(tableHolder, rows.length ? table(rows) : h("div", { class: "empty", testid: "no-executions" },
      offset ? "No more executions." : "No executions match. Launch one from a workflow or launch plan."));
    status.textContent = rows.length ? `${offset + 1}–${offset + rows.length}${hasMore ? "" : ` of ${offset + rows.length}`}` : "";
    prev.disabled = offset === 0;
    next.disabled = !hasMore;
    if (rows.some((e) => !isTerminal(e.phase))) timer = setTimeout(load, REFRESH_MS);
  }

  function table(rows) {
    return h("table", { class: "data", testid: "executions-table" },
      h("thead", {}, h("tr", {},
        h("th", {}, "Name"), h("th", {}, "Workflow"), h("th", {}, "Phase"), h("th", {}, "Started"),
        h("th", { class: "num" }, "Duration"), h("th", {}, "Inputs"), h("th", {}, "Launched by"))),
      h("tbody", {}, rows.map((e) => {
        const link = href(paths.execution(e.id));
        return h("tr", { class: "clickable", testid: "execution-row", dataset: { id: e.id, phase: e.phase },
          onclick: (ev) => { if (ev.target.tagName !== "A") location.hash = link; } },
        h("td", {}, h("a", { href: link, class: "mono", testid: "execution-link" }, e.name || e.id)),
        h("td", { class: "mono ellipsis", title: e.workflow }, e.workflow),
        h("td", {}, phaseBadge(e.phase)),
        h("td", { class: "nowrap", title: formatAgo(e.started_at || e.created_at) }, formatTime(e.started_at || e.created_at)),
        h("td", { class: "num nowrap" }, formatDuration(secondsBetween(e.started_at, e.ended_at))),
        h("td", { class: "mono ellipsis", title: e.inputs_summary, testid: "inputs-summary" }, e.inputs_summary),
        h("td", {}, h("span", { class: "tag" }, e.launched_by)));
      })));
  }

  await load();
}
