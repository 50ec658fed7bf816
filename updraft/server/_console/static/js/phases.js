// Phases: their order, which are terminal, and how they look. Colours live in console.css
// (--phase-<name> and --phase-<name>-soft); the graph reads them from there so that a phase
// has one colour in every view.

import { h } from "./dom.js";

export const EXECUTION_PHASES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"];
export const NODE_PHASES = [...EXECUTION_PHASES, "SKIPPED", "RECOVERED"];
const TERMINAL = new Set(["SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT", "SKIPPED", "RECOVERED"]);

export const isTerminal = (phase) => TERMINAL.has(phase);

/** A phase as people read it: "timed out". */
export function phaseText(phase) {
  return (phase || "QUEUED").replace("_", " ").toLowerCase();
}

/** A pill with the phase's colour. */
export function phaseBadge(phase, testid = "phase") {
  const p = phase || "QUEUED";
  return h("span", { class: `badge phase-${p.toLowerCase()}`, testid, dataset: { phase: p } }, phaseText(p));
}

/** The phase whose colour an attempt's outcome takes: errors are failures, a cancelled
 * attempt is what an aborted node shows. */
const OUTCOME_PHASE = {
  SUCCEEDED: "SUCCEEDED", RUNNING: "RUNNING", RECOVERED: "RECOVERED", TIMED_OUT: "TIMED_OUT",
  CANCELLED: "ABORTED", ABORTED: "ABORTED",
};
const OUTCOME_TEXT = { USER_ERROR: "user error", SYSTEM_ERROR: "system error", OOM: "out of memory", CANCELLED: "aborted" };

/** The phase an attempt's outcome (SUCCEEDED, USER_ERROR, CANCELLED, ...) is shown as. */
export function outcomePhase(outcome) {
  return OUTCOME_PHASE[outcome] || (NODE_PHASES.includes(outcome) ? outcome : "FAILED");
}

/** An outcome as people read it: "user error", "aborted" (the word the graph uses). */
export function outcomeText(outcome) {
  return OUTCOME_TEXT[outcome] || phaseText(outcome || "RUNNING");
}

/** A pill for an attempt's outcome, in the colour of the phase it amounts to. */
export function outcomeBadge(outcome, testid = "outcome") {
  const o = outcome || "RUNNING";
  return h("span", { class: `badge phase-${outcomePhase(o).toLowerCase()}`, testid, dataset: { outcome: o } },
    outcomeText(o));
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
