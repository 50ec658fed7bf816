// How times, durations and sizes read in the console.

/** A time as a Date: ISO text or seconds since the epoch; null stays null. */
function toDate(value) {
  if (value === null || value === undefined || value === "") return null;
  if (typeof value === "number") return new Date(value * 1000);
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Seconds since the epoch of a time given as ISO text or seconds. */
function toSeconds(value) {
  const d = toDate(value);
  return d ? d.getTime() / 1000 : null;
}

const pad = (n) => String(n).padStart(2, "0");

/** "2024-05-01 14:03:22" in the browser's time zone. */
export function formatTime(value) {
  const d = toDate(value);
  if (!d) return "—";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "3 min ago", for a time's tooltip or a compact column. */
export function formatAgo(value) {
  const d = toDate(value);
  if (!d) return "";
  const s = (Date.now() - d.getTime()) / 1000;
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** A duration in seconds as "412 ms", "3.20 s", "2m 05s", "1h 04m". */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  if (seconds < 0) seconds = 0;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 10) return `${seconds.toFixed(2)} s`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m ${pad(Math.floor(seconds % 60))}s`;
  const hours = Math.floor(m / 60);
  return `${hours}h ${pad(m % 60)}m`;
}

/** The seconds from `start` to `end`, or to now while `end` is missing; null without a
 * start (unset, or 0 for a time not recorded yet), which `formatDuration` shows as "—". */
export function secondsBetween(start, end) {
  const a = start ? toSeconds(start) : null;
  if (a === null) return null;
  const b = end ? toSeconds(end) : Date.now() / 1000;
  return b === null ? null : Math.max(0, b - a);
}

/** "1.2 MB" */
export function formatBytes(n) {
  if (!Number.isFinite(n) || n <= 0) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
  return `${n < 10 && i > 0 ? n.toFixed(1) : Math.round(n)} ${units[i]}`;
}

/** "1 node", "1,000 nodes": a count with its noun, plural unless the count is one. */
export function plural(count, noun, nouns = `${noun}s`) {
  return `${Number(count).toLocaleString()} ${count === 1 ? noun : nouns}`;
}
