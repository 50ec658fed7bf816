// One execution: its summary and actions (terminate, relaunch, recover), inputs and outputs
// rendered by type, and three views of its nodes: a paginated table, the graph and the
// timeline. While it runs, the page polls the execution and updates in place.

import * as api from "../api.js";
import { paths, setContext } from "../context.js";
import { card, fill, h, toast } from "../dom.js";
import { formatAgo, formatDuration, formatTime, secondsBetween } from "../format.js";
import { isTerminal, phaseBadge, phaseText } from "../phases.js";
import { go, href, replaceQuery } from "../router.js";
import { record } from "../timings.js";
import { valueList } from "../values.js";
import { mountGraph } from "./graph.js";
import { closeNode, openNode } from "./node-drawer.js";
import { mountNodeTable } from "./nodes.js";
import { mountTimeline } from "./timeline.js";

const POLL_MS = 1000;
const TABS = [["nodes", "Nodes"], ["graph", "Graph"], ["timeline", "Timeline"]];
const RECOVERABLE = new Set(["FAILED", "ABORTED", "TIMED_OUT"]);

/** Why an execution's output is not there, by the execution's phase. */
function missingOutput(phase) {
  switch (phase) {
    case "FAILED": return "not produced (the execution failed)";
    case "ABORTED": return "not produced (the execution was aborted)";
    case "TIMED_OUT": return "not produced (the execution timed out)";
    case "SUCCEEDED": return "not produced";
    default: return "not available yet";
  }
}

export async function renderExecution(root, ctx) {
  const id = ctx.params.id;
  let tab = TABS.some(([t]) => t === ctx.query.get("tab")) ? ctx.query.get("tab") : "nodes";
  // The opening tab's data is asked for together with the execution, not after it.
  let early = tab === "graph" ? api.graph(id) : tab === "timeline" ? api.timeline(id) : null;
  if (early) early.catch(() => {}); // its error, if any, is shown by the tab
  // Inputs and outputs come with the execution, so the page is drawn once and nothing below
  // them moves when they arrive.
  const ioRequest = api.executionIo(id, { signal: ctx.signal }).catch((err) => err);
  let doc = await api.execution(id, { signal: ctx.signal });
  const firstIo = await ioRequest;
  const ex = doc.execution;
  const c = { project: ex.project, domain: ex.domain };
  setContext(c.project, c.domain); // the top bar and its links follow the execution shown
  let selectedNode = ctx.query.get("node") || null;

  const titleBadge = h("span", {});
  const summary = h("div", { class: "summary", testid: "execution-summary" });
  const errorHolder = h("div", {});
  const inputs = h("div", {}, h("div", { class: "loading" }, "Loading…"));
  const outputs = h("div", {}, h("div", { class: "loading" }, "Loading…"));
  const actions = h("div", { class: "actions" });
  const tabs = h("div", { class: "tabs", testid: "execution-tabs" });
  const body = h("div", { testid: "tab-body" });
  let component = null; // the mounted graph, timeline or node table

  const wfLink = ex.workflow_id
    ? href(paths.entity(c, "workflows", ex.workflow_id.name), { version: ex.workflow_id.version })
    : null;

  fill(root,
    h("div", { class: "page-head" },
      h("div", { class: "titles" },
        h("div", { class: "crumbs" },
          h("a", { href: href(paths.registry(c)) }, `${c.project} · ${c.domain}`), " / ",
          h("a", { href: href(paths.executions(c)) }, "Executions")),
        h("div", { style: { display: "flex", gap: "10px", alignItems: "center" } },
          h("h1", { class: "mono", testid: "execution-name" }, ex.name || ex.id), titleBadge),
        h("div", { class: "sub" }, "Workflow ",
          wfLink ? h("a", { class: "mono", href: wfLink }, ex.workflow) : h("span", { class: "mono" }, ex.workflow),
          ex.workflow_id ? h("span", { class: "faint" }, ` @ ${ex.workflow_id.version}`) : null)),
      actions),
    h("section", { class: "card" }, summary),
    errorHolder,
    h("div", { class: "grid two", style: { marginTop: "16px" } },
      card({ title: "Inputs", testid: "execution-inputs" }, inputs),
      card({ title: "Outputs", testid: "execution-outputs" }, outputs)),
    h("section", { class: "card", style: { marginTop: "16px" } }, tabs, body));

  function drawHeader() {
    const e = doc.execution;
    fill(titleBadge, phaseBadge(e.phase, "execution-phase"));
    const duration = secondsBetween(e.started_at, e.ended_at);
    const labels = Object.entries(e.labels || {});
    const item = (label, value, testid) => h("div", { class: "item", testid },
      h("span", { class: "label" }, label), h("span", { class: "val" }, value));
    fill(summary,
      item("Phase", phaseBadge(e.phase)),
      item("Started", h("span", { title: formatAgo(e.started_at) }, formatTime(e.started_at))),
      item("Duration", formatDuration(duration), "execution-duration"),
      item("Nodes", doc.nodes.length.toLocaleString()),
      item("Launched by", h("span", { class: "tag", testid: "launched-by" }, e.launched_by)),
      e.parent ? item("Parent", h("a", { class: "mono", href: href(paths.execution(e.parent)) }, e.parent)) : null,
      e.source ? item(e.launched_by === "recover" ? "Recovers" : "Relaunch of",
        h("a", { class: "mono", testid: "source-execution", href: href(paths.execution(e.source)) }, e.source)) : null,
      labels.length ? item("Labels", h("span", {}, labels.map(([k, v]) => h("span", { class: "tag", style: { marginRight: "4px" } }, `${k}=${v}`)))) : null,
      item("Created", formatTime(e.created_at)),
      item("Id", h("span", { class: "mono" }, e.id)));
    fill(errorHolder, e.error
      ? h("div", { class: `error-box${e.phase === "ABORTED" ? " aborted" : ""}`, testid: "execution-error", style: { marginTop: "16px" } },
        h("strong", { testid: "execution-error-title" }, `${phaseText(e.phase)}${e.error.node ? ` at node ${nodeLabel(e.error.node)}` : ""}`),
        e.error.message,
        e.error.traceback ? h("details", { style: { marginTop: "6px" } }, h("summary", {}, "Traceback"),
          h("pre", { class: "traceback", style: { marginTop: "6px" } }, e.error.traceback)) : null)
      : null);
    fill(actions,
      !isTerminal(e.phase) ? h("button", { class: "btn danger", testid: "terminate", onclick: terminate }, "Terminate") : null,
      h("button", { class: "btn", testid: "relaunch", onclick: relaunch }, "Relaunch"),
      RECOVERABLE.has(e.phase) ? h("button", { class: "btn", testid: "recover", onclick: recover }, "Recover") : null);
  }

  /** "'explode' (n0)": a node by name and id, as the error names it. */
  function nodeLabel(nodeId) {
    const found = doc.nodes.find((n) => n.node_id === nodeId);
    return found && found.name ? `'${found.name}' (${nodeId})` : nodeId;
  }

  function drawIo(io) {
    if (io instanceof Error) {
      if (io.name === "AbortError") return;
      fill(inputs, h("div", { class: "muted" }, io.message));
      fill(outputs, h("div", { class: "muted" }, ""));
      return;
    }
    const phase = doc.execution.phase;
    fill(inputs, valueList(io.inputs, { empty: "No inputs", testid: "inputs", missing: "not given" }));
    fill(outputs, valueList(io.outputs, {
      empty: isTerminal(phase) ? "No outputs" : "Not produced yet", testid: "outputs", missing: missingOutput(phase),
    }));
  }

  async function refreshIo() {
    drawIo(await api.executionIo(id, { signal: ctx.signal }).catch((err) => err));
  }

  async function act(button, call, verb) {
    button.disabled = true;
    try {
      const created = await call(id);
      toast(`${verb} ${id}`);
      return created;
    } catch (err) {
      toast(err.message, { error: true, ms: 6000 });
      return null;
    } finally {
      button.disabled = false;
    }
  }

  async function terminate(evt) {
    if (!window.confirm(`Terminate execution ${ex.name || id}? Running tasks are stopped.`)) return;
    const updated = await act(evt.currentTarget, api.terminate, "Terminating");
    if (updated) { doc = updated; drawHeader(); schedulePoll(0); }
  }

  async function relaunch(evt) {
    const created = await act(evt.currentTarget, api.relaunch, "Relaunched");
    if (created) go(paths.execution(created.execution.id));
  }

  async function recover(evt) {
    const created = await act(evt.currentTarget, api.recover, "Recovering");
    if (created) go(paths.execution(created.execution.id));
  }

  /** Open a node's panel, from any tab or the address; the graph adds its own actions. */
  function select(nodeId, info = {}) {
    selectedNode = nodeId;
    replaceQuery({ tab: tab === "nodes" ? "" : tab, node: nodeId });
    if (component && component.select) component.select(nodeId);
    const actions = component && component.nodeActions ? component.nodeActions(nodeId) : {};
    openNode(id, nodeId, { ...actions, ...info, executionPhase: doc.execution.phase });
  }

  const drawer = document.getElementById("drawer");
  const onDrawerClosed = () => {
    selectedNode = null;
    replaceQuery({ tab: tab === "nodes" ? "" : tab });
  };
  drawer.addEventListener("updraft:closed", onDrawerClosed);

  function showTab(name) {
    tab = name;
    replaceQuery({ tab: name === "nodes" ? "" : name, node: selectedNode || "" });
    if (component && component.destroy) component.destroy();
    fill(tabs, TABS.map(([t, label]) => h("button", {
      class: t === name ? "active" : "", testid: `tab-${t}`, onclick: () => { if (t !== tab) showTab(t); },
    }, label, t === "nodes" ? h("span", { class: "count" }, doc.nodes.length.toLocaleString()) : null)));
    const since = performance.now();
    const initial = early;
    early = null;
    if (name === "graph") component = mountGraph(body, id, { onSelect: select, since, initial });
    else if (name === "timeline") component = mountTimeline(body, id, { onSelect: select, since, initial });
    else component = mountNodeTable(body, doc.nodes, { onOpen: select });
  }

  let timer = null;
  function schedulePoll(ms) {
    clearTimeout(timer);
    timer = setTimeout(poll, ms);
  }
  async function poll() {
    let fresh;
    try {
      fresh = await api.execution(id, { signal: ctx.signal });
    } catch (err) {
      if (err.name !== "AbortError") schedulePoll(POLL_MS * 3);
      return;
    }
    const ended = isTerminal(fresh.execution.phase) && !isTerminal(doc.execution.phase);
    doc = fresh;
    drawHeader();
    if (tab === "nodes" && component && component.update) component.update(doc.nodes);
    const count = tabs.querySelector("[data-testid=tab-nodes] .count");
    if (count) count.textContent = doc.nodes.length.toLocaleString();
    if (ended) refreshIo();
    if (!isTerminal(doc.execution.phase)) schedulePoll(POLL_MS);
  }

  ctx.onCleanup(() => {
    drawer.removeEventListener("updraft:closed", onDrawerClosed);
    clearTimeout(timer);
    if (component && component.destroy) component.destroy();
    closeNode();
  });

  drawHeader();
  record("execution", "header_ms", performance.now() - ctx.started);
  drawIo(firstIo);
  showTab(tab);
  if (selectedNode) select(selectedNode);
  if (!isTerminal(doc.execution.phase)) schedulePoll(POLL_MS);
}
