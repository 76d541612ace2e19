/** Severity of a log line; `error` and `warn` go to stderr, `info` to stdout. */
export type LogLevel = "info" | "warn" | "error";

/** An Error as a log field: its name and message (a stack only when passed on purpose). */
function replaceErrors(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}

/**
 * Writes one structured log line, `{"level","event",...fields}` as JSON, through the console
 * method of its level (Workers Logs keeps the level). `level` and `event` cannot be overridden by
 * a field. Callers never pass tokens, secrets, headers or request bodies.
 */
export function logEvent(
  level: LogLevel,
  event: string,
  fields: Readonly<Record<string, unknown>> = {},
): void {
  let line: string;
  try {
    // `level` and `event` stay first in the line, and a field of the same name does not replace them.
    line = JSON.stringify(Object.assign({ level, event }, fields, { level, event }), replaceErrors);
  } catch (error) {
    // A field JSON cannot hold (a BigInt, a cycle): the event is still logged.
    line = JSON.stringify({ level, event, logError: String(error) });
  }
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}
