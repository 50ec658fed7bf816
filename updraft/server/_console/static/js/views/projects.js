// The start page: every project, with a link into each of its domains.

import * as api from "../api.js";
import { getContext, paths } from "../context.js";
import { fill, h } from "../dom.js";
import { href } from "../router.js";

export async function renderProjects(root, ctx) {
  const [{ projects }, { domains }] = await Promise.all([
    api.projects({ signal: ctx.signal }), api.domains({ signal: ctx.signal }),
  ]);
  const current = getContext();
  fill(root,
    h("div", { class: "page-head" },
      h("div", { class: "titles" },
        h("h1", {}, "Projects"),
        h("div", { class: "sub" }, "Pick a project and a domain to see its workflows, launch plans and executions."))),
    projects.length
      ? h("div", { class: "project-grid", testid: "projects" }, projects.map((p) =>
        h("section", { class: "card project-card", testid: "project", dataset: { project: p.id } },
          h("div", {},
            h("h2", {}, p.name && p.name !== p.id ? `${p.name} ` : "", h("span", { class: "mono" }, p.id)),
            p.description ? h("div", { class: "muted" }, p.description) : null),
          h("div", { class: "domains" }, domains.map((d) => {
            const c = { project: p.id, domain: d };
            const isCurrent = current.project === p.id && current.domain === d;
            return h("span", {},
              h("a", { class: `btn small${isCurrent ? " primary" : ""}`, href: href(paths.registry(c)), testid: "domain-link", dataset: { domain: d } }, d));
          })),
          h("div", { class: "muted", style: { fontSize: "12.5px" } },
            h("a", { href: href(paths.executions({ project: p.id, domain: current.domain })) }, `Executions in ${current.domain} →`)))))
      : h("div", { class: "card empty" }, "No projects yet. Create one with `updraft project create ID`."));
}
