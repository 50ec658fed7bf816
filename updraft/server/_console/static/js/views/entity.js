// One registered workflow, launch plan or task: its versions, and for the chosen version its
// typed interface; a launch plan also shows its inputs, schedule and active switch.

import * as api from "../api.js";
import { paths } from "../context.js";
import { card, fill, h } from "../dom.js";
import { href } from "../router.js";
import { describeSchedule, describeType } from "../types.js";
import { literalToPlain } from "../values.js";
import { activeSwitch } from "./registry.js";

const WORDS = { workflows: "Workflow", launch_plans: "Launch plan", tasks: "Task" };

export async function renderEntity(root, ctx) {
  const { word, name } = ctx.params;
  const c = { project: ctx.params.project, domain: ctx.params.domain };
  if (!WORDS[word]) throw new Error(`unknown kind ${word}; use workflows, launch_plans or tasks`);
  const { entities } = await api.versions(word, c.project, c.domain, name, { signal: ctx.signal });
  if (!entities.length) throw new Error(`no ${word.replace("_", " ")} named ${name} in ${c.project}/${c.domain}`);
  const version = ctx.query.get("version") || entities[0].version;
  const entity = await api.entity(word, c.project, c.domain, name, version, { signal: ctx.signal });
  const spec = entity.spec;

  const actions = [];
  if (word !== "tasks") {
    actions.push(h("a", { class: "btn primary", href: href(paths.launch(c, word, name, version)), testid: "launch-link" }, "Launch"));
  }
  if (word === "workflows") {
    actions.push(h("a", { class: "btn", href: href(paths.executions(c), { workflow: name }) }, "Executions"));
  }

  const details = [];
  if (word === "launch_plans") details.push(planCard(c, name, version, entity));
  const iface = word === "launch_plans" ? await planInterface(c, spec, version, ctx) : spec.interface;
  if (iface) details.push(interfaceCard(iface));
  if (word === "workflows") details.push(nodesCard(spec));
  if (word === "tasks") details.push(taskCard(spec));

  fill(root,
    h("div", { class: "page-head" },
      h("div", { class: "titles" },
        h("div", { class: "crumbs" },
          h("a", { href: "#/" }, "Projects"), " / ",
          h("a", { href: href(paths.registry(c), word === "workflows" ? {} : { kind: word }) }, `${c.project} · ${c.domain}`)),
        h("h1", { class: "mono", testid: "entity-name" }, name),
        h("div", { class: "sub" }, `${WORDS[word]} · version `, h("span", { class: "mono" }, version))),
      h("div", { class: "actions" }, actions)),
    h("div", { style: { display: "grid", gridTemplateColumns: "260px minmax(0, 1fr)", gap: "16px", alignItems: "start" } },
      card({ title: `Versions (${entities.length})`, testid: "versions", bodyClass: "versions" },
        entities.map((e) => h("a", {
          href: href(paths.entity(c, word, name), { version: e.version }),
          class: e.version === version ? "active" : "", testid: "version-link",
        }, h("span", { class: "mono" }, e.version)))),
      h("div", {}, details)));
}

async function planInterface(c, spec, version, ctx) {
  try {
    const wf = await api.entity("workflows", c.project, c.domain, spec.workflow, version, { signal: ctx.signal });
    return wf.spec.interface;
  } catch (err) {
    if (err.name === "AbortError") throw err;
    return null;
  }
}

function planCard(c, name, version, entity) {
  const spec = entity.spec;
  const schedule = describeSchedule(spec.schedule);
  const inputs = (values) => {
    const names = Object.keys(values || {});
    return names.length
      ? h("div", {}, names.map((n) => h("div", { class: "mono" }, `${n} = ${JSON.stringify(literalToPlain(values[n]))}`)))
      : h("span", { class: "faint" }, "none");
  };
  return card({ title: "Launch plan", testid: "plan" },
    h("dl", { class: "kv" },
      h("dt", {}, "Workflow"),
      h("dd", {}, h("a", { class: "mono", href: href(paths.entity(c, "workflows", spec.workflow), { version }) }, spec.workflow)),
      h("dt", {}, "Schedule"), h("dd", { testid: "schedule" }, schedule || h("span", { class: "faint" }, "none")),
      spec.kickoff_time_input_arg ? [h("dt", {}, "Time input"), h("dd", { class: "mono" }, spec.kickoff_time_input_arg)] : null,
      schedule ? [h("dt", {}, "Catch up"), h("dd", {}, spec.catch_up || "latest")] : null,
      h("dt", {}, "Active"), h("dd", {}, activeSwitch(c, name, version, entity.active)),
      h("dt", {}, "Default inputs"), h("dd", {}, inputs(spec.default_inputs)),
      h("dt", {}, "Fixed inputs"), h("dd", {}, inputs(spec.fixed_inputs)),
      spec.max_concurrency ? [h("dt", {}, "Max concurrency"), h("dd", {}, spec.max_concurrency)] : null));
}

function interfaceCard(iface) {
  const inputs = Object.entries(iface.inputs || {});
  const outputs = Object.entries(iface.outputs || {});
  return card({ title: "Interface", testid: "interface", bodyClass: "" },
    h("table", { class: "data" },
      h("thead", {}, h("tr", {}, h("th", { style: { width: "90px" } }, ""), h("th", {}, "Name"), h("th", {}, "Type"), h("th", {}, "Default"))),
      h("tbody", {},
        inputs.map(([n, p]) => h("tr", {},
          h("td", { class: "muted" }, "input"), h("td", { class: "mono" }, n),
          h("td", { class: "mono" }, describeType(p.type)),
          h("td", { class: "mono" }, p.has_default || p.default ? JSON.stringify(literalToPlain(p.default)) : h("span", { class: "faint" }, "required")))),
        outputs.map(([n, t]) => h("tr", {},
          h("td", { class: "muted" }, "output"), h("td", { class: "mono" }, n),
          h("td", { class: "mono" }, describeType(t)), h("td", {}))),
        !inputs.length && !outputs.length ? h("tr", {}, h("td", { colspan: 4, class: "faint" }, "No inputs or outputs")) : null)));
}

function nodesCard(spec) {
  return card({ title: `Nodes (${spec.nodes.length})`, testid: "nodes", bodyClass: "" },
    h("table", { class: "data" },
      h("thead", {}, h("tr", {}, h("th", {}, "Id"), h("th", {}, "Name"), h("th", {}, "Task"), h("th", {}, "After"))),
      h("tbody", {}, spec.nodes.slice(0, 200).map((n) => h("tr", {},
        h("td", { class: "mono" }, n.id), h("td", {}, n.name), h("td", { class: "mono ellipsis" }, n.task),
        h("td", { class: "mono muted" }, (n.upstream || []).join(", ")))))),
    spec.nodes.length > 200 ? h("div", { class: "pager" }, `First 200 of ${spec.nodes.length} nodes`) : null);
}

function taskCard(spec) {
  const res = (r) => {
    const parts = [];
    if (r && r.cpu) parts.push(`cpu ${r.cpu}`);
    if (r && r.mem) parts.push(`mem ${Math.round(r.mem / 2 ** 20)} MiB`);
    if (r && r.gpu) parts.push(`gpu ${r.gpu}`);
    return parts.length ? parts.join(", ") : h("span", { class: "faint" }, "none");
  };
  const cache = spec.cache && spec.cache.enabled ? `on (version ${spec.cache.version || "—"})` : "off";
  return card({ title: "Task", testid: "task" },
    h("dl", { class: "kv" },
      h("dt", {}, "Entry point"), h("dd", { class: "mono" }, spec.entry_point),
      h("dt", {}, "Cache"), h("dd", {}, cache),
      h("dt", {}, "Retries"), h("dd", { testid: "task-retries" }, spec.retries || 0),
      h("dt", {}, "Timeout"), h("dd", {}, spec.timeout_s ? `${spec.timeout_s} s` : h("span", { class: "faint" }, "none")),
      h("dt", {}, "Requests"), h("dd", {}, res(spec.requests)),
      h("dt", {}, "Limits"), h("dd", {}, res(spec.limits)),
      spec.docstring ? [h("dt", {}, "Docstring"), h("dd", {}, spec.docstring)] : null));
}
