// The launch page: a form generated from the workflow's typed interface. Values are checked
// in the browser first (a bad value gets a message next to its field and nothing is sent);
// what the server still refuses is shown as it says it. A launch opens the new execution.

import * as api from "../api.js";
import { paths } from "../context.js";
import { fill, h } from "../dom.js";
import { buildField } from "../form-fields.js";
import { go, href } from "../router.js";

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const WORDS = { workflows: "workflow", launch_plans: "launch plan" };

/** "team=ml, env=dev" as {team: "ml", env: "dev"}; {error} for a malformed item. */
function parseLabels(text) {
  const labels = {};
  for (const item of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const at = item.indexOf("=");
    if (at <= 0) return { error: `label “${item}” is not key=value` };
    labels[item.slice(0, at).trim()] = item.slice(at + 1).trim();
  }
  return { labels };
}

export async function renderLaunch(root, ctx) {
  const { word, name, version } = ctx.params;
  const c = { project: ctx.params.project, domain: ctx.params.domain };
  if (!WORDS[word]) throw new Error(`only workflows and launch plans can be launched, not ${word}`);
  const form = await api.launchForm(word, c.project, c.domain, name, version, { signal: ctx.signal });

  const fields = form.inputs.map(buildField);
  const nameInput = h("input", { type: "text", testid: "field-execution-name", placeholder: "generated when empty", autocomplete: "off" });
  const labelsInput = h("input", { type: "text", testid: "field-labels", placeholder: "team=ml, purpose=test", autocomplete: "off" });
  const nameError = h("span", { class: "ferror", testid: "field-error-execution-name" });
  const labelsError = h("span", { class: "ferror", testid: "field-error-labels" });
  const formError = h("div", {});
  const submit = h("button", { class: "btn primary", type: "submit", testid: "launch-submit" }, "Launch");

  async function onSubmit(event) {
    event.preventDefault();
    fill(formError);
    const inputs = {};
    const bad = [];
    for (const f of fields) {
      const result = f.read();
      f.setError(result.error || "");
      if (result.error) bad.push(f);
      else if (!result.skip) inputs[f.name] = result.value;
    }
    const executionName = nameInput.value.trim();
    nameError.textContent = executionName && !NAME.test(executionName)
      ? "letters, digits, '_', '.', '-'; starting with a letter or digit; at most 128" : "";
    const labels = parseLabels(labelsInput.value);
    labelsError.textContent = labels.error || "";
    if (bad.length || nameError.textContent || labelsError.textContent) {
      if (bad.length) bad[0].focus();
      fill(formError, h("div", { class: "error-box", testid: "launch-invalid" },
        `Fix the ${bad.length + (nameError.textContent ? 1 : 0) + (labelsError.textContent ? 1 : 0)} value(s) marked in red; nothing was launched.`));
      return;
    }
    const body = { ...form.request, inputs, launched_by: "console" };
    if (executionName) body.name = executionName;
    if (Object.keys(labels.labels).length) body.labels = { ...(body.labels || {}), ...labels.labels };
    submit.disabled = true;
    try {
      const created = await api.launch(body);
      go(paths.execution(created.execution.id));
    } catch (err) {
      submit.disabled = false;
      const named = /input '([^']+)'/.exec(err.message);
      const field = named && fields.find((f) => f.name === named[1]);
      if (field) field.setError(err.message);
      fill(formError, h("div", { class: "error-box", testid: "launch-error" },
        h("strong", {}, "The server refused the launch; nothing was launched"),
        field ? `Input ${field.name} is not valid: its message is next to it.` : err.message));
    }
  }

  fill(root,
    h("div", { class: "page-head" },
      h("div", { class: "titles" },
        h("div", { class: "crumbs" },
          h("a", { href: href(paths.registry(c)) }, `${c.project} · ${c.domain}`), " / ",
          h("a", { href: href(paths.entity(c, word, name), { version }) }, name)),
        h("h1", {}, "Launch ", h("span", { class: "mono", testid: "launch-target" }, name)),
        h("div", { class: "sub" }, `${WORDS[word]} · version `, h("span", { class: "mono" }, version),
          word === "launch_plans" ? ` · workflow ${form.workflow}` : ""))),
    h("section", { class: "card" },
      h("div", { class: "card-head" }, h("h2", {}, "Inputs"),
        h("div", { class: "right muted" }, fields.length ? "Defaults are filled in; * marks required inputs." : "")),
      h("div", { class: "card-body" },
        h("form", { class: "form", testid: "launch-form", novalidate: true, onsubmit: onSubmit },
          fields.length ? fields.map((f) => f.el) : h("div", { class: "muted" }, "This workflow takes no inputs."),
          h("details", {},
            h("summary", { class: "muted", style: { cursor: "pointer" } }, "Name and labels"),
            h("div", { class: "form", style: { marginTop: "12px" } },
              h("div", { class: "field" },
                h("label", { class: "flabel" }, h("span", { class: "fname" }, "execution name")),
                h("div", { class: "fcontrol" }, nameInput, h("div", { class: "fnote" }, nameError))),
              h("div", { class: "field" },
                h("label", { class: "flabel" }, h("span", { class: "fname" }, "labels")),
                h("div", { class: "fcontrol" }, labelsInput, h("div", { class: "fnote" }, labelsError))))),
          formError,
          h("div", { class: "form-actions" }, submit,
            h("a", { class: "btn", href: href(paths.entity(c, word, name), { version }) }, "Cancel")))))); 
}
