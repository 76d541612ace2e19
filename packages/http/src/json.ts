/** Whether untrusted JSON is an object (not null, not an array), to read its fields. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
