// The graph view: the execution's DAG laid out left to right and drawn by cytoscape (canvas,
// so 1,000 nodes stay cheap). Nodes are coloured by phase; while the execution runs the graph
// is polled and colours change in place, without a new layout, so nothing jumps (only nodes
// that appear, as a dynamic node expands, cause a new layout).
//
// Children of subworkflow, dynamic and branch nodes sit inside their parent (compound nodes,
// laid out by dagre). A map node is one node with its element count and how many failed (the
// failed share drawn in red across its fill); expanding it shows its elements, a page at a
// time, as a grid inside it. Graphs of more than LARGE nodes without nesting are laid out by
// layered.js instead of dagre, in the same left-to-right style, so that 1,000 nodes open in
// well under a second.
//
// The box is as tall as the laid-out graph needs (up to MAX_HEIGHT of the window), so a small
// graph sits right under the tabs, and the graph is fitted into the part of the box the node
// panel does not cover.

import * as api from "../api.js";
import { fill, h, toast } from "../dom.js";
import { plural } from "../format.js";
import { layeredPositions } from "../layered.js";
import { cssVar, isTerminal, phaseColors } from "../phases.js";
import { record, recordAll } from "../timings.js";

const POLL_MS = 1000;
const ELEMENT_PAGE = 200;
/** Above this many elements the drawing trades details (arrows, text while panning) for speed. */
const LARGE = 400;
const CELL_W = 64;
const CELL_H = 26;
const CELL_GAP = 8;
/** Space around the graph inside its box, in pixels. */
const PAD = 24;
/** The box's height: at least MIN_HEIGHT pixels, at most MAX_HEIGHT of the window. */
const MIN_HEIGHT = 220;
const MAX_HEIGHT = 0.7;
/** The closest a fit zooms in: a 3-node graph stays readable, not huge. */
const MAX_FIT_ZOOM = 1.1;
/** The smallest share of a map node's fill drawn red when any element failed (one failure in
 * 1,000 still shows). */
const MIN_FAILED_SHARE = 0.1;

const DAGRE = {
  name: "dagre", rankDir: "LR", nodeSep: 14, rankSep: 46, edgeSep: 8, fit: false, animate: false,
};

/** The leaves of compound node `parent` where edges leave it (`"out"`) or enter it (`"in"`):
 * those with no edge to (from) another node inside it; all its leaves when none qualifies. */
function boundary(parent, dir) {
  const inside = parent.descendants();
  const leaves = inside.filter((n) => !n.isParent());
  const edgeInside = (n) => (dir === "out" ? n.outgoers("edge").targets() : n.incomers("edge").sources())
    .some((other) => inside.contains(other));
  const found = leaves.filter((n) => !edgeInside(n));
  return found.empty() ? leaves : found;
}

/**
 * Lay the graph out with dagre. Dagre places an edge that starts or ends at a compound node
 * (a subworkflow, dynamic or branch node holding its children) as if the compound were a
 * point, which can put the next node on top of the compound's box; for the layout only, such
 * an edge is replaced by edges between the compound's boundary children and the other end.
 */
function runDagre(cy) {
  const viaParent = cy.edges().filter((e) => e.source().isParent() || e.target().isParent());
  if (viaParent.empty()) {
    cy.layout(DAGRE).run();
    return;
  }
  const helpers = [];
  viaParent.forEach((e) => {
    const from = e.source().isParent() ? boundary(e.source(), "out") : e.source();
    const to = e.target().isParent() ? boundary(e.target(), "in") : e.target();
    from.forEach((a) => to.forEach((b) => {
      helpers.push({ group: "edges", data: { id: `layout:${a.id()}>${b.id()}:${helpers.length}`, source: a.id(), target: b.id() } });
    }));
  });
  const removed = viaParent.remove();
  const added = cy.add(helpers);
  cy.layout(DAGRE).run();
  cy.remove(added);
  removed.restore();
}

/** Elements of a map node that failed (0 when none did or it has not run). */
function failedOf(n) {
  return n.elements ? n.elements.failed : 0;
}

/** A node's text: its name; a collapsed map's also "× 1,000 elements · 334 failed". */
function label(n) {
  if (n.kind === "map" && n.collapsed) {
    const total = n.elements ? Math.max(n.elements.total, n.child_count) : n.child_count;
    const failed = n.failed ?? failedOf(n);
    return `${n.name}\n× ${plural(total, "element")}${failed ? ` · ${failed.toLocaleString()} failed` : ""}`;
  }
  return n.name || n.id;
}

function nodeData(n) {
  const { strong, soft } = phaseColors(n.phase);
  const failed = failedOf(n);
  const total = n.elements ? n.elements.total : 0;
  // a map with failed elements: its phase's fill, then a red share as large as the failures'
  const okShare = failed && total ? Math.round(100 * (1 - Math.max(MIN_FAILED_SHARE, failed / total))) : 100;
  return {
    id: n.id, parent: n.parent || undefined, label: label(n), name: n.name, kind: n.kind,
    phase: n.phase, task: n.task, collapsed: !!n.collapsed, child_count: n.child_count,
    fill: soft, stroke: strong, failed,
    stops: failed ? `${soft} ${soft} ${cssVar("--failed-share")} ${cssVar("--failed-share")}` : undefined,
    stopAt: failed ? `0% ${okShare}% ${okShare}% 100%` : undefined,
  };
}

function elementData(mapId, e) {
  const { strong, soft } = phaseColors(e.phase);
  return {
    id: `${mapId}/${e.index}`, parent: mapId, map: mapId, element: e, label: `#${e.index}`,
    phase: e.phase, fill: soft, stroke: strong,
  };
}

function styles(large) {
  const font = getComputedStyle(document.body).fontFamily;
  return [
    { selector: "node", style: {
      shape: "round-rectangle", width: 150, height: 34,
      "background-color": "data(fill)", "border-color": "data(stroke)", "border-width": 2,
      label: "data(label)", "font-size": 11, "font-family": font, color: "#1b2331",
      "text-valign": "center", "text-halign": "center", "text-wrap": "ellipsis", "text-max-width": 136,
      "min-zoomed-font-size": 6,
    } },
    { selector: "node[kind = 'map'][?collapsed]", style: {
      "border-style": "double", "border-width": 6, height: 46, "text-wrap": "wrap",
      width: 190, "text-max-width": 176,
    } },
    { selector: "node[kind = 'map'][?collapsed][failed > 0]", style: {
      "background-fill": "linear-gradient", "background-gradient-direction": "to-right",
      "background-gradient-stop-colors": "data(stops)", "background-gradient-stop-positions": "data(stopAt)",
    } },
    { selector: ":parent", style: {
      "background-color": "#f8f9fb", "border-style": "dashed", "border-width": 1.5,
      "text-valign": "top", "text-halign": "center", "text-margin-y": -6, "font-weight": 600,
      padding: 16, "text-wrap": "ellipsis",
    } },
    { selector: "node.element", style: { width: CELL_W, height: CELL_H, "font-size": 10, "text-max-width": CELL_W - 6 } },
    { selector: "node.more", style: { "border-style": "dashed", color: cssVar("--accent") } },
    { selector: "edge", style: large ? {
      width: 1, "line-color": "#c3c9d3", "curve-style": "haystack", "haystack-radius": 0,
    } : {
      width: 1.5, "line-color": "#b8bfca", "target-arrow-color": "#b8bfca",
      "target-arrow-shape": "triangle", "arrow-scale": 0.8, "curve-style": "bezier",
    } },
    { selector: "node:selected", style: {
      "overlay-color": cssVar("--accent"), "overlay-opacity": 0.14, "overlay-padding": 5,
    } },
  ];
}

/** Whether the linear-time layout applies: many nodes and none nested. */
function useLayered(count, nested) {
  return count > LARGE && !nested;
}

/** Show the whole graph inside `area` (pixels of the canvas: {x0, y0, x1, y1}), never zoomed
 * in past MAX_FIT_ZOOM. */
function fitInto(cy, area) {
  const bb = cy.elements().boundingBox();
  if (!cy.elements().length || !Number.isFinite(bb.w)) return;
  const w = Math.max(40, area.x1 - area.x0 - 2 * PAD);
  const hgt = Math.max(40, area.y1 - area.y0 - 2 * PAD);
  const zoom = Math.max(cy.minZoom(), Math.min(MAX_FIT_ZOOM, w / Math.max(1, bb.w), hgt / Math.max(1, bb.h)));
  cy.viewport({
    zoom,
    pan: { x: (area.x0 + area.x1) / 2 - zoom * (bb.x1 + bb.x2) / 2, y: (area.y0 + area.y1) / 2 - zoom * (bb.y1 + bb.y2) / 2 },
  });
}

/** How many pixels of `container`'s right side the node panel covers (0 while it is shut). */
function coveredWidth(container) {
  const panel = document.getElementById("drawer");
  if (!panel || panel.hidden) return 0;
  const box = container.getBoundingClientRect();
  return Math.max(0, Math.min(box.width, box.right - panel.getBoundingClientRect().left));
}

/** Columns and size of the grid that shows `count` elements of a map. */
function grid(count) {
  const columns = Math.max(1, Math.min(count, Math.max(5, Math.ceil(Math.sqrt(count * 3)))));
  const rows = Math.ceil(count / columns);
  return { columns, width: columns * (CELL_W + CELL_GAP) - CELL_GAP, height: rows * (CELL_H + CELL_GAP) - CELL_GAP };
}

/**
 * Draw execution `executionId`'s graph into `holder`. `onSelect(nodeId, info)` is called when
 * a node is clicked; `initial`, when given, is the graph already asked for. Returns {ready,
 * destroy(), select(nodeId), nodeActions(nodeId)}.
 */
export function mountGraph(holder, executionId, { onSelect, since = performance.now(), initial = null }) {
  const started = performance.now();
  const container = h("div", { class: "graph", testid: "graph" });
  const note = h("div", { class: "graph-note", testid: "graph-note" });
  const tools = h("div", { class: "graph-tools" },
    h("button", { class: "btn small", testid: "graph-fit", onclick: () => cy && fitView() }, "Fit"));
  const wrap = h("div", { class: "graph-wrap" }, container, tools, note);
  fill(holder, wrap);

  let cy = null;
  let timer = null;
  let destroyed = false;
  let selected = null;
  let fittedAroundPanel = false;
  const expanded = new Map(); // map node id -> {elements: [...], total}

  /** The part of the canvas the node panel leaves visible. */
  function visibleArea() {
    return { x0: 0, y0: 0, x1: container.clientWidth - coveredWidth(container), y1: container.clientHeight };
  }

  /** Show the whole graph in the visible part of the canvas. */
  function fitView() {
    fitInto(cy, visibleArea());
    fittedAroundPanel = coveredWidth(container) > 0;
  }

  /** Make the box as tall as the graph needs at the zoom a fit gives it (a small graph gets
   * a short box right under the tabs, a large one MAX_HEIGHT of the window). */
  function fitHeight() {
    const bb = cy.elements().boundingBox();
    if (!cy.elements().length || !Number.isFinite(bb.h)) return;
    const width = Math.max(40, container.clientWidth - coveredWidth(container) - 2 * PAD);
    const zoom = Math.min(MAX_FIT_ZOOM, width / Math.max(1, bb.w));
    const most = Math.max(MIN_HEIGHT, Math.round(window.innerHeight * MAX_HEIGHT));
    const wanted = Math.round(Math.min(most, Math.max(MIN_HEIGHT, bb.h * zoom + 2 * PAD + 24)));
    if (Math.abs(wrap.clientHeight - wanted) > 1) {
      wrap.style.height = `${wanted}px`;
      cy.resize();
    }
  }

  /** The panel opened on a node: keep the graph in view beside it. A graph that fits there
   * is fitted again; in a larger one the node is moved out from under the panel. */
  function onPanelOpened() {
    if (!cy || !coveredWidth(container)) return;
    const area = visibleArea();
    const bb = cy.elements().boundingBox();
    const fitZoom = Math.min((area.x1 - 2 * PAD) / Math.max(1, bb.w), (area.y1 - 2 * PAD) / Math.max(1, bb.h));
    if (fitZoom >= 0.5 || cy.nodes().length <= 12) {
      fitView();
      return;
    }
    const node = selected ? cy.getElementById(selected) : null;
    if (!node || node.empty()) return;
    const p = node.renderedPosition();
    if (p.x > area.x1 - PAD || p.x < PAD) cy.panBy({ x: (area.x1 / 2) - p.x, y: 0 });
  }

  function onPanelClosed() {
    if (cy && fittedAroundPanel) fitView();
  }

  const panel = document.getElementById("drawer");
  panel.addEventListener("updraft:opened", onPanelOpened);
  panel.addEventListener("updraft:closed", onPanelClosed);

  /** Lay out the graph as it is now: the layout places the nodes, grids place map elements. */
  function layout() {
    cy.batch(() => {
      for (const [mapId, shown] of expanded) {
        cy.remove(cy.nodes(`[map = "${mapId}"]`));
        const g = grid(shown.elements.length + (shown.elements.length < shown.total ? 1 : 0));
        cy.getElementById(mapId).style({ width: g.width + 32, height: g.height + 40 });
      }
    });
    const nodes = cy.nodes();
    if (useLayered(nodes.length, nodes.some((n) => n.isParent()))) {
      const positions = layeredPositions(nodes.map((n) => ({ id: n.id() })),
        cy.edges().map((e) => ({ source: e.source().id(), target: e.target().id() })));
      nodes.positions((n) => positions.get(n.id()));
    } else {
      runDagre(cy);
    }
    cy.batch(() => {
      for (const [mapId, shown] of expanded) placeElements(mapId, shown);
    });
    fitHeight();
    fitView();
  }

  function placeElements(mapId, shown) {
    const mapNode = cy.getElementById(mapId);
    const center = mapNode.position();
    const cells = shown.elements.map((e) => ({ classes: "element", data: elementData(mapId, e) }));
    if (shown.elements.length < shown.total) {
      cells.push({ classes: "element more", data: {
        id: `${mapId}/more`, parent: mapId, map: mapId, more: true,
        label: `+${(shown.total - shown.elements.length).toLocaleString()}`,
        fill: "#ffffff", stroke: cssVar("--accent"), phase: "QUEUED",
      } });
    }
    const g = grid(cells.length);
    const left = center.x - g.width / 2 + CELL_W / 2;
    const top = center.y - g.height / 2 + CELL_H / 2 + 8;
    cy.add(cells.map((cell, i) => ({
      group: "nodes", ...cell,
      position: { x: left + (i % g.columns) * (CELL_W + CELL_GAP), y: top + Math.floor(i / g.columns) * (CELL_H + CELL_GAP) },
    })));
    mapNode.removeStyle("width height");
  }

  async function first() {
    const graph = await (initial || api.graph(executionId));
    const fetched = performance.now();
    if (destroyed) return;
    if (!window.cytoscape) throw new Error("the graph library did not load (/static/vendor/cytoscape.min.js)");
    const ids = new Set(graph.nodes.map((n) => n.id));
    const edges = graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target));
    const layered = useLayered(graph.nodes.length, graph.nodes.some((n) => n.parent));
    const positions = layered ? layeredPositions(graph.nodes, edges) : null;
    const positioned = performance.now();
    const elements = [
      ...graph.nodes.map((n) => ({ group: "nodes", data: nodeData(n), position: positions ? positions.get(n.id) : undefined })),
      ...edges.map((e, i) => ({ group: "edges", data: { id: `e${i}:${e.source}>${e.target}`, source: e.source, target: e.target } })),
    ];
    const large = elements.length > LARGE;
    cy = window.cytoscape({
      container, elements, style: styles(large), layout: { name: "preset" },
      minZoom: 0.002, maxZoom: 3, boxSelectionEnabled: false,
      textureOnViewport: large, hideEdgesOnViewport: large, pixelRatio: large ? 1 : "auto",
    });
    window.__updraftGraph = cy;
    const built = performance.now();
    if (!layered) runDagre(cy);
    fitHeight();
    fitView();
    if (selected) cy.getElementById(selected).select();
    const laidOut = performance.now();
    cy.on("tap", "node", (evt) => {
      const d = evt.target.data();
      if (d.more) { expandMap(d.map); return; }
      if (d.element) { onSelect(d.id, { element: d.element, mapId: d.map, name: `${d.map} ${d.label}` }); return; }
      onSelect(d.id, {
        name: d.name, kind: d.kind, phase: d.phase, task: d.task, collapsed: d.collapsed,
        onExpand: d.kind === "map" ? () => toggleMap(d.id) : undefined,
        expanded: expanded.has(d.id),
      });
    });
    note.textContent = `${plural(graph.nodes.length, "node")} · scroll to zoom, drag to pan`;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const drawn = performance.now();
    container.dataset.ready = "true";
    container.dataset.nodeCount = String(graph.nodes.length);
    container.dataset.edgeCount = String(edges.length);
    container.dataset.layout = layered ? "layered" : "dagre";
    recordAll("graph", { nodes: graph.nodes.length, edges: edges.length, layout: container.dataset.layout });
    record("graph", "fetch_ms", fetched - started);
    record("graph", "build_ms", built - positioned);
    record("graph", "layout_ms", positioned - fetched + laidOut - built);
    record("graph", "draw_ms", drawn - laidOut);
    record("graph", "total_ms", drawn - started);
    record("graph", "since_navigation_ms", drawn - since);
    record("graph", "since_page_load_ms", drawn);
    if (!isTerminal(graph.phase)) timer = setTimeout(poll, POLL_MS);
  }

  async function poll() {
    if (destroyed) return;
    let graph;
    try {
      graph = await api.graph(executionId);
    } catch (_) {
      timer = setTimeout(poll, POLL_MS * 2);
      return;
    }
    if (destroyed) return;
    let added = false;
    cy.batch(() => {
      for (const n of graph.nodes) {
        const el = cy.getElementById(n.id);
        if (el.empty()) {
          cy.add({ group: "nodes", data: nodeData(n) });
          added = true;
        } else if (el.data("phase") !== n.phase || el.data("child_count") !== n.child_count ||
                   el.data("failed") !== failedOf(n)) {
          const d = nodeData(n);
          el.data({
            phase: d.phase, fill: d.fill, stroke: d.stroke, child_count: n.child_count,
            failed: d.failed, stops: d.stops, stopAt: d.stopAt,
            label: expanded.has(n.id) ? n.name : d.label,
          });
        }
      }
      if (added) {
        for (const e of graph.edges) {
          if (cy.getElementById(e.source).nonempty() && cy.getElementById(e.target).nonempty() &&
              cy.edges(`[source = "${e.source}"][target = "${e.target}"]`).empty()) {
            cy.add({ group: "edges", data: { id: `e:${e.source}>${e.target}`, source: e.source, target: e.target } });
          }
        }
      }
    });
    if (added) layout();
    for (const mapId of expanded.keys()) refreshElements(mapId);
    container.dataset.nodeCount = String(graph.nodes.length);
    if (!isTerminal(graph.phase)) timer = setTimeout(poll, POLL_MS);
  }

  /** Show the next page of a map's elements inside it. */
  async function expandMap(mapId) {
    const shown = expanded.get(mapId) || { elements: [], total: 0 };
    let page;
    try {
      page = await api.elements(executionId, mapId, shown.elements.length, ELEMENT_PAGE);
    } catch (err) {
      toast(err.message, { error: true });
      return;
    }
    if (destroyed) return;
    expanded.set(mapId, { elements: [...shown.elements, ...page.elements], total: page.total });
    const mapNode = cy.getElementById(mapId);
    mapNode.data({ label: mapNode.data("name"), collapsed: false });
    layout();
    container.dataset.elementCount = String(cy.nodes(".element").not(".more").length);
  }

  async function toggleMap(mapId) {
    await ready;
    if (!cy || destroyed) return;
    if (!expanded.has(mapId)) {
      expandMap(mapId);
      return;
    }
    expanded.delete(mapId);
    const mapNode = cy.getElementById(mapId);
    cy.remove(cy.nodes(`[map = "${mapId}"]`));
    mapNode.data({ label: label({ ...mapNode.data(), collapsed: true }), collapsed: true });
    layout();
    container.dataset.elementCount = String(cy.nodes(".element").not(".more").length);
  }

  async function refreshElements(mapId) {
    const shown = expanded.get(mapId);
    if (!shown) return;
    try {
      const page = await api.elements(executionId, mapId, 0, Math.max(1, shown.elements.length));
      shown.elements = page.elements;
      cy.batch(() => {
        for (const e of page.elements) {
          const el = cy.getElementById(`${mapId}/${e.index}`);
          if (el.nonempty() && el.data("phase") !== e.phase) el.data(elementData(mapId, e));
        }
      });
    } catch (_) { /* the next poll tries again */ }
  }

  const ready = first().catch((err) => {
    if (!destroyed) fill(holder, h("div", { class: "error-box", testid: "error", style: { margin: "16px" } }, err.message));
  });

  return {
    ready,
    destroy() {
      destroyed = true;
      panel.removeEventListener("updraft:opened", onPanelOpened);
      panel.removeEventListener("updraft:closed", onPanelClosed);
      clearTimeout(timer);
      if (cy) cy.destroy();
      if (window.__updraftGraph === cy) window.__updraftGraph = null;
    },
    select(nodeId) {
      selected = nodeId;
      if (!cy) return; // selected once drawn
      cy.$(":selected").unselect();
      cy.getElementById(nodeId).select();
    },
    /** What the node panel of `nodeId` can ask of the graph: show a map's elements in it. */
    nodeActions(nodeId) {
      return { onExpand: () => toggleMap(nodeId), expanded: expanded.has(nodeId) };
    },
  };
}
