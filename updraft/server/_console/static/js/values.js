// Inputs and outputs as the server renders them for display (ValueView of the /io routes):
// scalars as text, lists/dicts/structs as JSON, blobs as a download link with a summary, data
// frames with their schema and first rows. A long value shows its beginning on one line and
// opens in full on request, so that a list of 1,000 numbers does not push the page down.

import { h } from "./dom.js";
import { formatBytes, plural } from "./format.js";

/** Characters of a value shown on one line before it is cut. */
const INLINE = 72;
/** A string longer than this, or with more lines, starts folded. */
const LONG_TEXT = 400;
const LONG_LINES = 8;

/**
 * Inputs or outputs by name as rows of name, type and value; `empty` when there are none,
 * `missing` for a value that is not there (why: "not available yet", "not produced (the
 * execution failed)").
 */
export function valueList(values, { testid, empty = "None", missing } = {}) {
  const names = Object.keys(values || {});
  if (!names.length) return h("div", { class: "muted", testid }, empty);
  return h("div", { class: "values", testid },
    names.map((name) => h("div", { class: "value-row", testid: "value", dataset: { name } },
      h("div", { class: "vname" }, name, h("span", { class: "vtype" }, values[name].type || "")),
      h("div", { class: "vbody" }, renderValue(values[name], missing)))));
}

/** One value by its kind; `missing` says why a value that is not there is missing. */
function renderValue(view, missing = "not available yet") {
  if (!view || view.available === false) {
    return h("span", { class: "faint", testid: "value-missing" }, missing);
  }
  switch (view.kind) {
    case "scalar": return scalar(view.value);
    case "json": return json(view.value);
    case "dataframe": return frame(view);
    case "file":
    case "directory":
    case "pickle": return blob(view);
    default:
      return view.value !== undefined && view.value !== null ? json(view.value) : blob(view);
  }
}

/** JSON on one line when it is short; otherwise its beginning and how big it is, with a
 * button that shows all of it. */
function json(value) {
  const line = JSON.stringify(value);
  if (line.length <= INLINE) return h("span", { class: "scalar" }, line);
  const size = Array.isArray(value) ? plural(value.length, "item")
    : value && typeof value === "object" ? plural(Object.keys(value).length, "key")
      : plural(line.length, "character");
  return folded(`${line.slice(0, INLINE - 8)}…`, size, () => pretty(value));
}

/** A value shown by its first line until "show all" is pressed (and again after "show less"). */
function folded(head, size, full) {
  const holder = h("div", { class: "folded", testid: "value-folded" });
  const fold = () => {
    holder.replaceChildren(
      h("span", { class: "scalar" }, head), " ",
      h("button", { class: "linkish", type: "button", testid: "value-show-all", onclick: unfold },
        `${size}, show all`));
  };
  const unfold = () => {
    holder.replaceChildren(h("pre", { class: "json wrap", testid: "value-full" }, full()),
      h("button", { class: "linkish", type: "button", testid: "value-show-less", onclick: fold }, "show less"));
  };
  fold();
  return holder;
}

/** JSON indented by structure, with lists of plain values kept on wrapped lines (a list of
 * 1,000 numbers takes a few lines, not a thousand). */
function pretty(value, indent = "") {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (!value.length) return "[]";
    if (value.every((v) => v === null || typeof v !== "object")) return `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
    return `[\n${value.map((v) => inner + pretty(v, inner)).join(",\n")}\n${indent}]`;
  }
  const keys = Object.keys(value);
  if (!keys.length) return "{}";
  return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${pretty(value[k], inner)}`).join(",\n")}\n${indent}}`;
}

function scalar(value) {
  if (value === null || value === undefined) return h("span", { class: "scalar faint" }, "None");
  if (typeof value === "string") {
    const lines = value.split("\n");
    if (value.length > LONG_TEXT || lines.length > LONG_LINES) {
      return folded(`${lines[0].slice(0, INLINE - 8)}…`, plural(value.length, "character"), () => value);
    }
    if (value.length > 160 || lines.length > 1) return h("pre", { class: "json" }, value);
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
      h("span", {}, `${plural(p.num_rows, "row")} × ${plural(p.columns.length, "column")}` +
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
