// Phases: their order, which are terminal, and how they look. Colours live in console.css
// (--phase-<name> and --phase-<name>-soft); the graph reads them from there so that a phase
// has one colour in every view.

import { h } from "./dom.js";

export const EXECUTION_PHASES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"];
export const NODE_PHASES = [...EXECUTION_PHASES, "SKIPPED", "RECOVERED"];
const TERMINAL = new Set(["SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT", "SKIPPED", "RECOVERED"]);

export const isTerminal = (phase) => TERMINAL.has(phase);

/** A pill with the phase's colour. */
export function phaseBadge(phase, testid = "phase") {
  const p = phase || "QUEUED";
  return h("span", { class: `badge phase-${p.toLowerCase()}`, testid, dataset: { phase: p } },
    p.replace("_", " ").toLowerCase());
}

const cache = new Map();

/** A CSS colour variable's value, e.g. cssVar("--phase-running"). */
export function cssVar(name) {
  if (!cache.has(name)) {
    cache.set(name, getComputedStyle(document.documentElement).getPropertyValue(name).trim());
  }
  return cache.get(name);
}

/** The strong and soft colours of a phase. */
export function phaseColors(phase) {
  const p = (phase || "QUEUED").toLowerCase();
  return { strong: cssVar(`--phase-${p}`) || "#8792a2", soft: cssVar(`--phase-${p}-soft`) || "#eef0f3" };
}

/** A small tag for a node's cache status ("hit", "put", "miss"; "disabled" shows nothing). */
export function cacheTag(status) {
  if (!status || status === "disabled") return h("span", { class: "faint" }, "—");
  return h("span", { class: `tag cache-${status}`, testid: "cache" }, status === "hit" ? "cache hit" : status);
}
