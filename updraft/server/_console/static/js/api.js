// The REST API of `updraft serve`, as the console uses it. Every call goes through `request`,
// which adds the API token when one was given and turns error bodies into ApiError with the
// server's message, so views show what the server said.

const BASE = "/api/v1";
const TOKEN_KEY = "updraft.token";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** A query string from an object; arrays repeat their key, empty values are left out. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value === null || value === undefined || value === "") continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      if (v !== null && v !== undefined && v !== "") q.append(key, String(v));
    }
  }
  const text = q.toString();
  return text ? `?${text}` : "";
}

const seg = (s) => encodeURIComponent(s);

/** Call the API; JSON in and out (text for `as: "text"`). */
export async function request(path, { method = "GET", body, params, as = "json", signal } = {}) {
  const headers = {};
  const token = localStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(`${BASE}${path}${query(params)}`, {
      method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    if (err.name === "AbortError") throw err;
    throw new ApiError(0, "unreachable", "the updraft server cannot be reached; is `updraft serve` running?");
  }
  if (!response.ok) {
    let code = "error";
    let message = `${method} ${path} answered ${response.status}`;
    try {
      const data = await response.json();
      code = data.error || code;
      message = data.message || (typeof data.detail === "string" ? data.detail : message);
    } catch (_) { /* not JSON: keep the status line */ }
    if (response.status === 401) {
      window.dispatchEvent(new CustomEvent("updraft:unauthorized", { detail: message }));
    }
    throw new ApiError(response.status, code, message);
  }
  if (as === "text") return response.text();
  if (response.status === 204) return null;
  return response.json();
}

export function setToken(token) {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

// -- projects and registered entities --------------------------------------------------------

export const projects = (o) => request("/projects", o);
export const domains = (o) => request("/domains", o);

/** word: "workflows" | "tasks" | "launch_plans" */
export const entities = (word, project, domain, o = {}) =>
  request(`/${word}/${seg(project)}/${seg(domain)}`, { params: { limit: 1000 }, ...o });
export const versions = (word, project, domain, name, o = {}) =>
  request(`/${word}/${seg(project)}/${seg(domain)}/${seg(name)}`, { params: { limit: 1000 }, ...o });
export const entity = (word, project, domain, name, version, o) =>
  request(`/${word}/${seg(project)}/${seg(domain)}/${seg(name)}/${seg(version)}`, o);
export const launchForm = (word, project, domain, name, version, o) =>
  request(`/${word}/${seg(project)}/${seg(domain)}/${seg(name)}/${seg(version)}/form`, o);
export const setActive = (project, domain, name, version, active) =>
  request(`/launch_plans/${seg(project)}/${seg(domain)}/${seg(name)}/${active ? "activate" : "deactivate"}`,
    { method: "POST", params: { version } });

// -- executions ------------------------------------------------------------------------------

export const executions = (params, o = {}) => request("/executions", { params, ...o });
export const execution = (id, o) => request(`/executions/${seg(id)}`, o);
export const executionIo = (id, o) => request(`/executions/${seg(id)}/io`, o);
export const graph = (id, o) => request(`/executions/${seg(id)}/graph`, o);
export const timeline = (id, o) => request(`/executions/${seg(id)}/timeline`, o);
export const node = (id, nodeId, o) => request(`/executions/${seg(id)}/nodes/${seg(nodeId)}`, o);
export const nodeIo = (id, nodeId, o) => request(`/executions/${seg(id)}/nodes/${seg(nodeId)}/io`, o);
export const elements = (id, nodeId, offset, limit, o = {}) =>
  request(`/executions/${seg(id)}/nodes/${seg(nodeId)}/elements`, { params: { offset, limit }, ...o });
export const logs = (id, nodeId, o = {}) =>
  request(`/executions/${seg(id)}/logs`, { params: { node: nodeId }, as: "text", ...o });
export const launch = (body) => request("/executions", { method: "POST", body });
export const terminate = (id) =>
  request(`/executions/${seg(id)}/terminate`, { method: "POST", body: { reason: "terminated from the console" } });
export const relaunch = (id) => request(`/executions/${seg(id)}/relaunch`, { method: "POST" });
export const recover = (id) => request(`/executions/${seg(id)}/recover`, { method: "POST" });
