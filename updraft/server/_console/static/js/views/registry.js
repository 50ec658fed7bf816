// Registered workflows, launch plans and tasks of one project and domain, one row per name
// with its latest version; launch plans show their schedule and an active switch.

import * as api from "../api.js";
import { paths } from "../context.js";
import { fill, h, toast } from "../dom.js";
import { href, replaceQuery } from "../router.js";
import { describeSchedule } from "../types.js";

const TABS = [
  ["workflows", "Workflows"],
  ["launch_plans", "Launch plans"],
  ["tasks", "Tasks"],
];

/** Names with their versions, newest first, from a list of entity ids. */
function byName(entities) {
  const names = new Map();
  for (const e of entities) {
    if (!names.has(e.name)) names.set(e.name, []);
    names.get(e.name).push(e.version);
  }
  return [...names.entries()].map(([name, versions]) => ({ name, versions }));
}

export async function renderRegistry(root, ctx) {
  const c = { project: ctx.params.project, domain: ctx.params.domain };
  const lists = await Promise.all(TABS.map(([word]) =>
    api.entities(word, c.project, c.domain, { signal: ctx.signal })));
  const groups = Object.fromEntries(TABS.map(([word], i) => [word, byName(lists[i].entities)]));
  let tab = ctx.query.get("kind") || "workflows";
  const body = h("div", {});
  const tabs = h("div", { class: "tabs", testid: "registry-tabs" });

  function show(word) {
    tab = word;
    replaceQuery(word === "workflows" ? {} : { kind: word });
    fill(tabs, TABS.map(([w, label]) => h("button", {
      class: w === word ? "active" : "", testid: `tab-${w}`, onclick: () => show(w),
    }, label, h("span", { class: "count" }, groups[w].length))));
    fill(body, table(c, word, groups[word], ctx));
  }

  fill(root,
    h("div", { class: "page-head" },
      h("div", { class: "titles" },
        h("div", { class: "crumbs" }, h("a", { href: "#/" }, "Projects"), " / ", c.project),
        h("h1", {}, `${c.project} · ${c.domain}`)),
      h("div", { class: "actions" },
        h("a", { class: "btn", href: href(paths.executions(c)) }, "Executions"))),
    h("section", { class: "card" }, tabs, body));
  show(TABS.some(([w]) => w === tab) ? tab : "workflows");
}

function table(c, word, rows, ctx) {
  if (!rows.length) {
    return h("div", { class: "empty" },
      `No ${word.replace("_", " ")} registered in ${c.project}/${c.domain}. Register with `,
      h("code", {}, `updraft register FILE --project ${c.project} --domain ${c.domain}`), ".");
  }
  const isPlan = word === "launch_plans";
  const tbody = h("tbody", {}, rows.map((row) => {
    const latest = row.versions[0];
    const tr = h("tr", { testid: "entity-row", dataset: { name: row.name } },
      h("td", {}, h("a", { href: href(paths.entity(c, word, row.name)), class: "mono" }, row.name)),
      h("td", { class: "mono" }, latest),
      h("td", { class: "num" }, row.versions.length),
      isPlan ? h("td", { class: "schedule muted" }, "…") : null,
      isPlan ? h("td", { class: "active" }) : null,
      h("td", { class: "num" },
        word === "tasks" ? null : h("a", { class: "btn small", href: href(paths.launch(c, word, row.name, latest)), testid: "launch-link" }, "Launch"),
        word === "workflows" ? [" ", h("a", { class: "btn small", href: href(paths.executions(c), { workflow: row.name }) }, "Executions")] : null));
    if (isPlan) fillPlanCells(c, row.name, latest, tr, ctx);
    return tr;
  }));
  return h("table", { class: "data", testid: `${word}-table` },
    h("thead", {}, h("tr", {},
      h("th", {}, "Name"), h("th", {}, "Latest version"), h("th", { class: "num" }, "Versions"),
      isPlan ? [h("th", {}, "Schedule"), h("th", {}, "Active")] : null,
      h("th", {}))),
    tbody);
}

async function fillPlanCells(c, name, version, tr, ctx) {
  try {
    const plan = await api.entity("launch_plans", c.project, c.domain, name, version, { signal: ctx.signal });
    const schedule = describeSchedule(plan.spec.schedule);
    fill(tr.querySelector(".schedule"), schedule || h("span", { class: "faint" }, "none"));
    fill(tr.querySelector(".active"), activeSwitch(c, name, version, plan.active));
  } catch (err) {
    if (err.name !== "AbortError") fill(tr.querySelector(".schedule"), h("span", { class: "faint" }, err.message));
  }
}

/** The switch that activates or deactivates one launch plan version. */
export function activeSwitch(c, name, version, active) {
  const input = h("input", { type: "checkbox", testid: "active-switch", checked: active });
  const text = h("span", { class: "muted" }, active ? "active" : "inactive");
  input.addEventListener("change", async () => {
    const want = input.checked;
    input.disabled = true;
    try {
      const state = await api.setActive(c.project, c.domain, name, version, want);
      input.checked = state.active;
      text.textContent = state.active ? "active" : "inactive";
      toast(`${name}@${version} is now ${state.active ? "active" : "inactive"}`);
    } catch (err) {
      input.checked = !want;
      toast(err.message, { error: true });
    } finally {
      input.disabled = false;
    }
  });
  return h("label", { class: "switch" }, input, h("span", { class: "track" }), text);
}
