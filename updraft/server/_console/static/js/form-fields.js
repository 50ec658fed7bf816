// Launch form fields built from a workflow's typed interface (the FormInput of the /form
// route), and the checks a value passes in the browser before anything is sent: whole numbers,
// numbers, booleans, ISO times, base64, paths, and JSON checked against the declared type.

import { h } from "./dom.js";
import { describeType } from "./types.js";

const NON_FINITE = new Set(["nan", "inf", "-inf"]);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}(:\d{2}(:\d{2}(\.\d{1,6})?)?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const HINTS = {
  integer: "a whole number, e.g. 3",
  number: 'a number, e.g. 0.5 (or "nan", "inf")',
  datetime: "ISO time, e.g. 2024-05-01T12:30:00Z (UTC when no zone is given)",
  date: "a date",
  duration: "seconds, e.g. 90",
  bytes: "base64 text, e.g. aGVsbG8=",
  file: "absolute path or URL of an existing file",
  directory: "absolute path or URL of an existing folder",
  dataframe: "absolute path or URL of a Parquet file",
};

function show(value) {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isLocation = (s) => typeof s === "string" && (s.startsWith("/") || /^[a-z][a-z0-9+.-]*:\/\//i.test(s));

/** Why `value` does not fit LiteralType `lt` (a message naming where), or null when it does. */
function checkJson(value, lt, path = "") {
  const where = path ? `at ${path}: ` : "";
  const fail = (hint) => `${where}expected ${describeType(lt)}, got ${show(value)}${hint ? `; ${hint}` : ""}`;
  if (!lt) return null;
  switch (lt.kind) {
    case "int": return Number.isInteger(value) ? null : fail("give a whole number such as 3");
    case "float": return (typeof value === "number" && Number.isFinite(value)) || NON_FINITE.has(value) ? null : fail("give a number such as 0.5");
    case "str": return typeof value === "string" ? null : fail('give a JSON string such as "text"');
    case "bool": return typeof value === "boolean" ? null : fail("give true or false");
    case "none": return value === null ? null : fail("give null");
    case "bytes": return typeof value === "string" && BASE64.test(value) ? null : fail("give base64 text");
    case "datetime": return typeof value === "string" && ISO_DATETIME.test(value) ? null : fail('give ISO text such as "2024-05-01T12:30:00Z"');
    case "date": return typeof value === "string" && ISO_DATE.test(value) ? null : fail('give ISO text such as "2024-05-01"');
    case "timedelta": return typeof value === "number" && Number.isFinite(value) ? null : fail("give a number of seconds");
    case "enum": return (lt.values || []).includes(String(value)) ? null : fail(`give one of ${(lt.values || []).join(", ")}`);
    case "file": case "directory": case "dataframe":
      return isLocation(value) || (isObject(value) && isLocation(value.uri)) ? null : fail("give an absolute path or a URL");
    case "pickle": return `${where}${describeType(lt)} (pickled) cannot be given as JSON`;
    case "list": {
      if (!Array.isArray(value)) return fail("give a JSON array");
      for (let i = 0; i < value.length; i += 1) {
        const err = checkJson(value[i], (lt.args || [])[0], `${path}[${i}]`);
        if (err) return err;
      }
      return null;
    }
    case "dict": {
      if (!isObject(value)) return fail("give a JSON object");
      for (const [k, v] of Object.entries(value)) {
        const err = checkJson(v, (lt.args || [])[0], `${path}[${JSON.stringify(k)}]`);
        if (err) return err;
      }
      return null;
    }
    case "struct": {
      if (!isObject(value)) return fail("give a JSON object of its fields");
      const fields = new Map((lt.fields || []).map(([n, t]) => [n, t]));
      const unknown = Object.keys(value).filter((k) => !fields.has(k));
      if (unknown.length) return `${where}${describeType(lt)} has no field(s) ${unknown.join(", ")}; its fields are ${[...fields.keys()].join(", ")}`;
      for (const [name, t] of fields) {
        if (!(name in value)) {
          const optional = t.kind === "union" && (t.args || []).some((a) => a.kind === "none");
          if (!optional) return `${where}${describeType(lt)} is missing field ${name} (${describeType(t)})`;
          continue;
        }
        const err = checkJson(value[name], t, `${path}.${name}`);
        if (err) return err;
      }
      return null;
    }
    case "union":
      return (lt.args || []).some((a) => checkJson(value, a, path) === null) ? null : fail("");
    default:
      return null;
  }
}

/** The text a field starts with for a default JSON value. */
function defaultText(input) {
  if (!input.has_default || input.default === null || input.default === undefined) return "";
  if (input.kind === "json") return JSON.stringify(input.default, null, typeof input.default === "object" ? 2 : 0);
  if (typeof input.default === "object") return input.default.uri || JSON.stringify(input.default);
  return String(input.default);
}

/** Parse the text of a scalar field; {value} or {error}. */
function parseText(kind, text, input) {
  const t = text.trim();
  switch (kind) {
    case "integer": {
      if (!INTEGER.test(t)) return { error: `expected a whole number such as 3, got “${text}”` };
      const n = Number(t);
      if (!Number.isSafeInteger(n)) return { error: `${t} is too large; give a whole number between -2^53 and 2^53` };
      return { value: n };
    }
    case "number":
      if (NON_FINITE.has(t.toLowerCase())) return { value: t.toLowerCase() };
      if (!NUMBER.test(t) || !Number.isFinite(Number(t))) return { error: `expected a number such as 0.5, got “${text}”` };
      return { value: Number(t) };
    case "duration":
      if (!NUMBER.test(t)) return { error: `expected a number of seconds such as 90, got “${text}”` };
      return { value: Number(t) };
    case "datetime":
      if (!ISO_DATETIME.test(t) || Number.isNaN(Date.parse(t.replace(" ", "T")))) {
        return { error: `expected an ISO time such as 2024-05-01T12:30:00Z, got “${text}”` };
      }
      return { value: t };
    case "date":
      if (!ISO_DATE.test(t)) return { error: `expected a date such as 2024-05-01, got “${text}”` };
      return { value: t };
    case "bytes":
      if (!BASE64.test(t)) return { error: `expected base64 text such as aGVsbG8=, got “${text}”` };
      return { value: t };
    case "file": case "directory": case "dataframe":
      if (!isLocation(t)) return { error: `expected an absolute path (/data/x) or a URL (s3://bucket/x), got “${text}”` };
      return { value: t };
    case "json": {
      let value;
      try {
        value = JSON.parse(t);
      } catch (err) {
        return { error: `not valid JSON: ${err.message}` };
      }
      const problem = checkJson(value, input.literal_type);
      return problem ? { error: problem } : { value };
    }
    default:
      return { value: text };
  }
}

/**
 * One field of the launch form. Returns {el, name, read, setError}: `read()` gives
 * {skip: true} (leave the input out: fixed, or an unchanged default), {value} or {error}.
 */
export function buildField(input) {
  const id = `input-${input.name}`;
  const error = h("span", { class: "ferror", testid: `field-error-${input.name}`, role: "alert" });
  const hint = HINTS[input.kind];
  const start = defaultText(input);
  let control;
  let read;

  if (input.fixed) {
    control = h("div", { class: "mono" }, start || "null", h("span", { class: "faint" }, "  fixed by the launch plan"));
    read = () => ({ skip: true });
  } else if (input.kind === "unsupported") {
    control = h("div", { class: "muted" }, input.has_default
      ? "Uses its default (a pickled value cannot be typed here)."
      : "A pickled value cannot be typed here; give this input a default in the workflow or pass it from a task.");
    read = () => (input.has_default ? { skip: true } : { error: "cannot be given from the console" });
  } else if (input.kind === "boolean" && !input.nullable) {
    const box = h("input", { type: "checkbox", id, testid: `field-${input.name}`, checked: input.default === true });
    control = h("label", { class: "switch" }, box, h("span", { class: "track" }), h("span", { class: "muted" }, "true / false"));
    read = () => (input.has_default && box.checked === input.default ? { skip: true } : { value: box.checked });
  } else if (input.kind === "enum" || input.kind === "boolean") {
    const choices = input.kind === "boolean" ? ["true", "false"] : input.choices || [];
    const select = h("select", { id, testid: `field-${input.name}` },
      h("option", { value: "" }, input.nullable ? "None" : "Choose…"),
      choices.map((c) => h("option", { value: c }, c)));
    select.value = start;
    control = select;
    read = () => {
      if (input.has_default && select.value === start) return { skip: true };
      if (select.value === "") return input.nullable ? { value: null } : { error: "required: choose a value" };
      if (input.kind === "boolean") return { value: select.value === "true" };
      const original = (input.choices || []).find((c) => c === select.value);
      return { value: original };
    };
  } else {
    const multiline = input.kind === "json";
    const field = multiline
      ? h("textarea", { id, testid: `field-${input.name}`, rows: Math.min(10, Math.max(3, start.split("\n").length)), spellcheck: "false" }, start)
      : h("input", {
        type: input.kind === "date" ? "date" : "text", id, testid: `field-${input.name}`, value: start,
        inputmode: input.kind === "integer" ? "numeric" : input.kind === "number" || input.kind === "duration" ? "decimal" : null,
        autocomplete: "off", spellcheck: "false",
        placeholder: input.kind === "json" ? "" : input.nullable ? "empty for None" : "",
      });
    control = field;
    read = () => {
      const text = field.value;
      if (input.has_default && text === start) return { skip: true };
      if (text.trim() === "") {
        if (input.kind === "string" && !input.nullable) return input.required && !input.has_default ? { error: "required: type a value" } : { value: "" };
        if (input.nullable) return { value: null };
        if (input.has_default) return { skip: true };
        return { error: "required: give a value" };
      }
      if (input.kind === "string") return { value: text };
      return parseText(input.kind, text, input);
    };
    field.addEventListener("blur", () => {
      const result = read();
      setError(result.error || "");
    });
    field.addEventListener("input", () => { if (error.textContent) setError(""); });
  }

  function setError(message) {
    error.textContent = message;
    if (control.classList) control.classList.toggle("invalid", !!message);
  }

  const el = h("div", { class: "field", testid: "field", dataset: { name: input.name } },
    h("label", { class: "flabel", for: id },
      h("span", { class: "fname" }, input.name),
      input.required && !input.fixed ? h("span", { class: "faint" }, " *") : null,
      h("span", { class: "ftype" }, input.type)),
    h("div", { class: "fcontrol" }, control,
      // The message takes the hint's place, so that showing it moves nothing below.
      h("div", { class: "fnote" }, error,
        h("span", { class: "fhint" }, input.fixed ? "" : input.kind === "json" ? `JSON of ${input.type}` : hint || ""))));
  return { el, name: input.name, read, setError, focus: () => control.focus && control.focus() };
}
