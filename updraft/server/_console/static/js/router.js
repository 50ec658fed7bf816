// Hash routes ("#/executions/abc?tab=graph"): the server serves one page at "/", so every view
// lives behind the hash and a reload or a shared link opens the same view.
//
// A view is `async (root, ctx) => void`. `ctx.signal` aborts when the user navigates away and
// `ctx.onCleanup(fn)` registers what to stop then (timers, event sources, graph instances).

import { errorBox, fill, h } from "./dom.js";
import { query } from "./api.js";

const routes = [];
let active = null;
let root = null;
let listeners = [];

/** Register a view for a path pattern such as "/executions/:id". */
export function route(pattern, view, name) {
  const keys = [];
  const source = pattern.replace(/:([a-z_]+)/g, (_, key) => { keys.push(key); return "([^/]+)"; });
  routes.push({ regex: new RegExp(`^${source}/?$`), keys, view, name });
}

/** The link to a path with query parameters. */
export function href(path, params) {
  return `#${path}${query(params)}`;
}

/** Open a path (a new history entry). */
export function go(path, params) {
  const target = href(path, params);
  if (location.hash === target) render();
  else location.hash = target;
}

/** Change the current URL's query without rendering again (tabs, filters, pages). */
export function replaceQuery(params) {
  const { path } = parse();
  history.replaceState(null, "", href(path, params));
}

/** Called with the route name after each navigation (the top bar highlights its link). */
export function onNavigate(fn) { listeners.push(fn); }

function parse() {
  const raw = location.hash.replace(/^#/, "") || "/";
  const [path, search = ""] = raw.split("?");
  return { path: path || "/", search: new URLSearchParams(search) };
}

async function render() {
  if (active) {
    active.controller.abort();
    for (const fn of active.cleanups) { try { fn(); } catch (_) { /* already gone */ } }
  }
  const { path, search } = parse();
  const controller = new AbortController();
  const ctx = {
    path,
    query: search,
    params: {},
    signal: controller.signal,
    started: performance.now(),
    cleanups: [],
    onCleanup(fn) { this.cleanups.push(fn); },
  };
  active = { controller, cleanups: ctx.cleanups };
  document.getElementById("drawer").hidden = true;
  let match = null;
  for (const r of routes) {
    const m = r.regex.exec(path);
    if (m) {
      match = r;
      r.keys.forEach((key, i) => { ctx.params[key] = decodeURIComponent(m[i + 1]); });
      break;
    }
  }
  for (const fn of listeners) fn(match ? match.name : null, ctx.params);
  if (!match) {
    fill(root, h("div", { class: "empty" }, `No page at ${path}. `, h("a", { href: "#/" }, "Go to the start page")));
    return;
  }
  fill(root, h("div", { class: "loading" }, "Loading…"));
  try {
    await match.view(root, ctx);
  } catch (err) {
    if (err && err.name === "AbortError") return;
    if (controller.signal.aborted) return;
    if (err && err.status === 401) return; // the token form is shown instead
    console.error(err);
    fill(root, errorBox(err, "This page could not be shown"));
  }
}

/** Start routing into `el`. */
export function start(el) {
  root = el;
  window.addEventListener("hashchange", render);
  render();
}
