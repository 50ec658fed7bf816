// Inputs and outputs as the server renders them for display (ValueView of the /io routes):
// scalars as text, lists/dicts/structs as JSON, blobs as a download link with a summary, data
// frames with their schema and first rows.

import { h } from "./dom.js";
import { formatBytes } from "./format.js";

/** Inputs or outputs by name as rows of name, type and value; `empty` when there are none. */
export function valueList(values, { testid, empty = "None" } = {}) {
  const names = Object.keys(values || {});
  if (!names.length) return h("div", { class: "muted", testid }, empty);
  return h("div", { class: "values", testid },
    names.map((name) => h("div", { class: "value-row", testid: "value", dataset: { name } },
      h("div", { class: "vname" }, name, h("span", { class: "vtype" }, values[name].type || "")),
      h("div", { class: "vbody" }, renderValue(values[name])))));
}

/** One value by its kind. */
export function renderValue(view) {
  if (!view || view.available === false) {
    return h("span", { class: "faint" }, "not available yet");
  }
  switch (view.kind) {
    case "scalar": return scalar(view.value);
    case "json": return json(view.value);
    case "dataframe": return frame(view);
    case "file":
    case "directory":
    case "pickle": return blob(view);
    default:
      return view.value !== undefined && view.value !== null
        ? h("pre", { class: "json" }, JSON.stringify(view.value, null, 2))
        : blob(view);
  }
}

/** JSON on one line when it is short, indented in a scrolling box otherwise. */
function json(value) {
  const line = JSON.stringify(value);
  if (line.length <= 72) return h("span", { class: "scalar" }, line);
  return h("pre", { class: "json" }, JSON.stringify(value, null, 2));
}

function scalar(value) {
  if (value === null || value === undefined) return h("span", { class: "scalar faint" }, "None");
  if (typeof value === "string") {
    if (value.length > 160 || value.includes("\n")) return h("pre", { class: "json" }, value);
    return h("span", { class: "scalar" }, value === "" ? '""' : value);
  }
  return h("span", { class: "scalar" }, String(value));
}

function blob(view) {
  const label = view.summary || (view.uri ? view.uri.split("/").pop() : view.kind);
  const size = formatBytes(view.size);
  return h("div", { class: "file-link" },
    view.download
      ? h("a", { href: view.download, download: "", testid: "download", title: view.uri || "" }, `⤓ ${label}`)
      : h("span", { class: "mono", title: view.uri || "" }, label),
    size ? h("span", { class: "size" }, size) : null,
    view.uri && !view.download ? h("div", { class: "faint mono" }, view.uri) : null);
}

function frame(view) {
  const p = view.preview;
  const parts = [];
  if (p && p.columns) {
    const size = formatBytes(view.size);
    parts.push(h("div", { class: "file-link", style: { marginBottom: "6px" } },
      h("span", {}, `${p.num_rows} row${p.num_rows === 1 ? "" : "s"} × ${p.columns.length} column${p.columns.length === 1 ? "" : "s"}` +
        (p.rows.length < p.num_rows ? `, first ${p.rows.length} shown` : "")),
      view.download ? h("a", { href: view.download, download: "", testid: "download", title: view.uri || "" }, "⤓ Parquet") : null,
      size ? h("span", { class: "size" }, size) : null));
    parts.push(h("div", { class: "frame-wrap" },
      h("table", { class: "frame", testid: "frame-preview" },
        h("thead", {}, h("tr", {}, p.columns.map((c) =>
          h("th", {}, c.name, h("span", { class: "ctype" }, c.type))))),
        h("tbody", {}, p.rows.map((row) =>
          h("tr", {}, row.map((cell) => h("td", {}, cellText(cell)))))))));
  } else {
    parts.push(blob(view));
    if (view.preview_error) parts.push(h("div", { class: "faint" }, `No preview: ${view.preview_error}`));
  }
  return h("div", {}, parts);
}

function cellText(cell) {
  if (cell === null || cell === undefined) return "null";
  return typeof cell === "object" ? JSON.stringify(cell) : String(cell);
}

/** A raw Literal (execution documents) as plain JSON, for compact text. */
export function literalToPlain(literal) {
  if (!literal || typeof literal !== "object") return literal;
  switch (literal.type) {
    case "scalar": return literal.value;
    case "blob": return literal.preview || literal.uri;
    case "list": return literal.items.map(literalToPlain);
    case "map": return Object.fromEntries(Object.entries(literal.items).map(([k, v]) => [k, literalToPlain(v)]));
    case "union": return literalToPlain(literal.value);
    default: return literal;
  }
}
