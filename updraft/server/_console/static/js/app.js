// The console's entry point: the top bar (navigation, project and domain) and the routes.

import * as api from "./api.js";
import { getContext, paths, setContext } from "./context.js";
import { fill, h } from "./dom.js";
import { go, href, onNavigate, route, start } from "./router.js";
import { renderProjects } from "./views/projects.js";
import { renderRegistry } from "./views/registry.js";
import { renderEntity } from "./views/entity.js";
import { renderExecutions } from "./views/executions.js";
import { renderExecution } from "./views/execution.js";
import { renderLaunch } from "./views/launch.js";

route("/", renderProjects, "projects");
route("/p/:project/:domain", renderRegistry, "registry");
route("/p/:project/:domain/executions", renderExecutions, "executions");
route("/p/:project/:domain/launch/:word/:name/:version", renderLaunch, "registry");
route("/p/:project/:domain/:word/:name", renderEntity, "registry");
route("/executions/:id", renderExecution, "executions");

const projectSelect = document.getElementById("project-select");
const domainSelect = document.getElementById("domain-select");
let currentRoute = null;

function syncNav() {
  const ctx = getContext();
  for (const link of document.querySelectorAll("#nav a")) {
    const which = link.dataset.nav;
    link.href = which === "projects" ? "#/" : href(which === "registry" ? paths.registry(ctx) : paths.executions(ctx));
    link.classList.toggle("active", which === currentRoute);
  }
  if (projectSelect.value !== ctx.project) {
    if (![...projectSelect.options].some((o) => o.value === ctx.project)) {
      projectSelect.append(h("option", { value: ctx.project }, ctx.project));
    }
    projectSelect.value = ctx.project;
  }
  domainSelect.value = ctx.domain;
}

onNavigate((name, params) => {
  currentRoute = name;
  if (params.project && params.domain) setContext(params.project, params.domain);
  syncNav();
});

function onContextChange() {
  setContext(projectSelect.value, domainSelect.value);
  const ctx = getContext();
  go(currentRoute === "registry" ? paths.registry(ctx) : paths.executions(ctx));
}
// A page may set the context itself (an execution's page sets its project and domain).
window.addEventListener("updraft:context", syncNav);
projectSelect.addEventListener("change", onContextChange);
domainSelect.addEventListener("change", onContextChange);

async function loadContext() {
  try {
    const [{ projects }, { domains }] = await Promise.all([api.projects(), api.domains()]);
    fill(projectSelect, projects.map((p) => h("option", { value: p.id }, p.id)));
    fill(domainSelect, domains.map((d) => h("option", { value: d }, d)));
    const ctx = getContext();
    if (projects.length && !projects.some((p) => p.id === ctx.project)) setContext(projects[0].id, ctx.domain);
  } catch (_) {
    fill(domainSelect, ["development", "staging", "production"].map((d) => h("option", { value: d }, d)));
  }
  syncNav();
}

// A server started with --token answers 401 until the browser has the token.
window.addEventListener("updraft:unauthorized", (event) => {
  const view = document.getElementById("view");
  if (view.querySelector("[data-testid=token-form]")) return;
  const input = h("input", { type: "text", placeholder: "API token", testid: "token-input", style: { width: "320px" } });
  fill(view, h("section", { class: "card", testid: "token-form" },
    h("div", { class: "card-head" }, h("h2", {}, "This server needs an API token")),
    h("div", { class: "card-body" },
      h("p", { class: "muted" }, event.detail),
      h("form", { class: "filters", onsubmit: (e) => { e.preventDefault(); api.setToken(input.value.trim()); location.reload(); } },
        input, h("button", { class: "btn primary", type: "submit" }, "Use token")))));
});

await loadContext();
start(document.getElementById("view"));
