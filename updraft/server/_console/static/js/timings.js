// Timings the page measures about itself with performance.now(), exposed as
// window.__updraftTimings so that browser tests and people in devtools can read them.

const timings = (window.__updraftTimings = window.__updraftTimings || {});

/** Record `ms` (rounded to 0.1 ms) under group.name. */
export function record(group, name, ms) {
  timings[group] = timings[group] || {};
  timings[group][name] = Math.round(ms * 10) / 10;
}

/** Record several values of a group at once (counts are kept as they are). */
export function recordAll(group, values) {
  timings[group] = { ...(timings[group] || {}), ...values };
}
