// LiteralType JSON (the typed interface of tasks and workflows) as people read it, and
// schedules as sentences.

/** "list[int]", "dict[str, float]", "File", "Point", "int | None". */
export function describeType(lt) {
  if (!lt) return "";
  const args = lt.args || [];
  switch (lt.kind) {
    case "list": return `list[${describeType(args[0])}]`;
    case "dict": return `dict[str, ${describeType(args[0])}]`;
    case "union": return args.map(describeType).join(" | ");
    case "file": return "File";
    case "directory": return "Directory";
    case "none": return "None";
    case "struct": case "enum": case "pickle": case "dataframe":
      return lt.name ? lt.name.split(".").pop() : lt.kind;
    default: return lt.kind;
  }
}

/** A launch plan's schedule: "cron 0 2 * * * (Europe/Berlin)" or "every 10 min". */
export function describeSchedule(schedule) {
  if (!schedule) return null;
  if (schedule.cron) return `cron ${schedule.cron} (${schedule.timezone || "UTC"})`;
  if (schedule.fixed_rate_s) {
    const s = schedule.fixed_rate_s;
    if (s % 86400 === 0) return `every ${s / 86400} d`;
    if (s % 3600 === 0) return `every ${s / 3600} h`;
    if (s % 60 === 0) return `every ${s / 60} min`;
    return `every ${s} s`;
  }
  return null;
}
