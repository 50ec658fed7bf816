// Small DOM builders. Text always goes in as text nodes, never as HTML, so values shown by
// the console (names, inputs, logs) cannot inject markup.

const SVG_NS = "http://www.w3.org/2000/svg";

function setAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.setAttribute("class", value);
    else if (key === "testid") el.setAttribute("data-testid", value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "style" && typeof value === "object") Object.assign(el.style, value);
    else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
}

function appendAll(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** An HTML element: h("a", {href: "#/", class: "btn"}, "text", otherNode). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  appendAll(el, children);
  return el;
}

/** An SVG element, as `h` builds HTML ones. */
export function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  appendAll(el, children);
  return el;
}

/** Replace everything inside `el` with `children`. */
export function fill(el, ...children) {
  el.replaceChildren();
  appendAll(el, children);
  return el;
}

/** A short message at the bottom of the window. */
export function toast(message, { error = false, ms = 3500 } = {}) {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.className = error ? "toast error" : "toast";
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, ms);
}

/** A card with a head (title and optional right-hand nodes) and a body. */
export function card({ title, right = [], testid, bodyClass = "card-body" }, ...body) {
  return h("section", { class: "card", testid },
    title !== undefined ? h("div", { class: "card-head" },
      typeof title === "string" ? h("h2", {}, title) : title,
      h("div", { class: "right" }, right)) : null,
    h("div", { class: bodyClass }, body));
}

/** The message of a failed request, in a red box. */
export function errorBox(err, title = "Something went wrong") {
  return h("div", { class: "error-box", testid: "error" },
    h("strong", {}, title), err && err.message ? err.message : String(err));
}
