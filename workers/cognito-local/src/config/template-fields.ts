import { fail, isJsonRecord, type Json, joinPath } from "./cloudformation/tree";

/** The value, which must be a string. */
export function requireString(value: Json | undefined, path: string): string {
  if (typeof value !== "string") return fail(path, "must be a string");
  return value;
}

/** The value, if given, which must be a string. */
export function optionalString(value: Json | undefined, path: string): string | undefined {
  return value === undefined ? undefined : requireString(value, path);
}

/** The value, if given, which must be one of `allowed`. */
export function optionalEnum<T extends string>(
  value: Json | undefined,
  allowed: readonly T[],
  path: string,
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    fail(path, `must be one of ${allowed.join(", ")}, not ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** The value, if given, as a boolean: CloudFormation takes `"true"`/`"false"` (as from a parameter). */
export function optionalBoolean(value: Json | undefined, path: string): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  return fail(path, `must be true or false, not ${JSON.stringify(value)}`);
}

/** The value, if given, as a whole number: CloudFormation takes a numeric string (as from a parameter). */
export function optionalInteger(value: Json | undefined, path: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n)) {
    return fail(path, `must be a whole number, not ${JSON.stringify(value)}`);
  }
  return n;
}

/** The value, if given, which must be a list. */
export function optionalList(value: Json | undefined, path: string): Json[] | undefined {
  if (value === undefined || Array.isArray(value)) return value;
  return fail(path, "must be a list");
}

/** The value, if given, which must be a list of strings. */
export function optionalStringList(value: Json | undefined, path: string): string[] | undefined {
  return optionalList(value, path)?.map((item, i) => requireString(item, joinPath(path, i)));
}

/** The value, if given, which must be a mapping. */
export function optionalRecord(
  value: Json | undefined,
  path: string,
): { [key: string]: Json } | undefined {
  if (value === undefined || isJsonRecord(value)) return value;
  return fail(path, "must be a mapping");
}
