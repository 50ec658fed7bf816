// The project and domain the console looks at: taken from the page's path when it names
// them, remembered in localStorage otherwise, and chosen in the top bar.

const KEY = "updraft.context";

let current = { project: "default", domain: "development" };
try {
  current = { ...current, ...JSON.parse(localStorage.getItem(KEY) || "{}") };
} catch (_) { /* a corrupt entry: keep the defaults */ }

export function getContext() {
  return { ...current };
}

/** Look at `project` and `domain` from now on; the top bar follows (an "updraft:context"
 * event on window), so that a page showing another domain's execution never leaves the bar
 * and its links on the domain seen before. */
export function setContext(project, domain) {
  const before = `${current.project}/${current.domain}`;
  current = { project: project || current.project, domain: domain || current.domain };
  localStorage.setItem(KEY, JSON.stringify(current));
  if (`${current.project}/${current.domain}` !== before) {
    window.dispatchEvent(new CustomEvent("updraft:context", { detail: getContext() }));
  }
}

/** Paths of the pages that belong to a project and domain. */
export const paths = {
  registry: (c = current) => `/p/${encodeURIComponent(c.project)}/${encodeURIComponent(c.domain)}`,
  executions: (c = current) => `/p/${encodeURIComponent(c.project)}/${encodeURIComponent(c.domain)}/executions`,
  entity: (c, word, name) => `${paths.registry(c)}/${word}/${encodeURIComponent(name)}`,
  launch: (c, word, name, version) =>
    `${paths.registry(c)}/launch/${word}/${encodeURIComponent(name)}/${encodeURIComponent(version)}`,
  execution: (id) => `/executions/${encodeURIComponent(id)}`,
};
