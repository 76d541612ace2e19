import { CognitoError } from "./cognito-error";

/** A string member of a request, with the constraints of Cognito's service model. */
export interface StringShape {
  type: "string";
  min?: number;
  max?: number;
  /** The model's regular expression (Java syntax; the whole value must match). */
  pattern?: string;
  enum?: readonly string[];
  /** Validation messages leave the value out, as AWS does for passwords and usernames. */
  redacted?: boolean;
}

/** An integer member. */
export interface IntegerShape {
  type: "integer";
  min?: number;
  max?: number;
}

/** A boolean member. */
export interface BooleanShape {
  type: "boolean";
}

/** A list member; `min`/`max` bound its length. */
export interface ListShape {
  type: "list";
  member: Shape;
  min?: number;
  max?: number;
}

/** A map with string keys. */
export interface MapShape {
  type: "map";
  value: Shape;
}

/** A structure: the request itself or a nested one. */
export interface StructureShape {
  type: "structure";
  members: Record<string, Shape>;
  required?: readonly string[];
}

/** The part of the AWS service model the stand-in checks requests against. */
export type Shape =
  | StringShape
  | IntegerShape
  | BooleanShape
  | ListShape
  | MapShape
  | StructureShape;

/**
 * Reads an operation's JSON input as AWS does: members of the wrong JSON type are a
 * `SerializationException`; unknown members and nulls are dropped; then every constraint of the
 * model is checked and all violations are reported together in one `InvalidParameterException`
 * ("2 validation errors detected: ...; ...").
 */
export function readInput(body: unknown, shape: StructureShape): Record<string, unknown> {
  const input = deserialize(body, shape) as Record<string, unknown>;
  const violations: string[] = [];
  checkStructure(input, shape, "", violations);
  if (violations.length > 0) throw validationError(violations);
  return input;
}

/** `InvalidParameterException` with AWS's "N validation error(s) detected: ..." message. */
function validationError(violations: readonly string[]): CognitoError {
  const n = violations.length;
  return new CognitoError(
    "InvalidParameterException",
    `${n} validation error${n === 1 ? "" : "s"} detected: ${violations.join("; ")}`,
  );
}

/** One violation, worded as AWS words it: "Value 'x' at 'path' failed to satisfy constraint: ...". */
function violation(
  value: unknown,
  path: string,
  constraint: string,
  options: { redacted?: boolean } = {},
): string {
  const shown =
    value === undefined || value === null
      ? "Value null"
      : options.redacted
        ? "Value"
        : `Value '${render(value)}'`;
  return `${shown} at '${path}' failed to satisfy constraint: ${constraint}`;
}

function deserialize(value: unknown, shape: Shape): unknown {
  switch (shape.type) {
    case "string":
      if (typeof value !== "string") throw notConvertible(value, "a String");
      return value;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value)) {
        throw notConvertible(value, "an Integer");
      }
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw notConvertible(value, "a Boolean");
      return value;
    case "list": {
      if (!Array.isArray(value)) throw unexpected(value);
      // A null inside a list is kept, and then fails "must not be null".
      return value.map((item) => (item === null ? null : deserialize(item, shape.member)));
    }
    case "map": {
      if (!isPlainObject(value)) throw unexpected(value);
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (item !== null) out[key] = deserialize(item, shape.value);
      }
      return out;
    }
    case "structure": {
      if (!isPlainObject(value)) throw unexpected(value);
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members)) {
        const item = value[name];
        if (item !== undefined && item !== null) out[name] = deserialize(item, member);
      }
      return out;
    }
  }
}

function checkStructure(
  value: Record<string, unknown>,
  shape: StructureShape,
  prefix: string,
  out: string[],
): void {
  for (const [name, member] of Object.entries(shape.members)) {
    const path = `${prefix}${lowerFirst(name)}`;
    const item = value[name];
    if (item === undefined) {
      if (shape.required?.includes(name))
        out.push(violation(null, path, "Member must not be null"));
      continue;
    }
    checkValue(item, member, path, out);
  }
}

function checkValue(value: unknown, shape: Shape, path: string, out: string[]): void {
  if (shape.type === "structure") {
    checkStructure(value as Record<string, unknown>, shape, `${path}.`, out);
    return;
  }
  if (shape.type === "map") {
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      checkValue(item, shape.value, `${path}.${key}`, out);
    }
    return;
  }
  if (shape.type === "list") {
    const items = value as unknown[];
    const redacted = shape.member.type === "string" && shape.member.redacted === true;
    if (shape.max !== undefined && items.length > shape.max) {
      out.push(
        violation(items, path, `Member must have length less than or equal to ${shape.max}`, {
          redacted,
        }),
      );
    }
    if (shape.min !== undefined && items.length < shape.min) {
      out.push(
        violation(items, path, `Member must have length greater than or equal to ${shape.min}`, {
          redacted,
        }),
      );
    }
    if (shape.member.type === "structure") {
      items.forEach((item, index) => {
        const itemPath = `${path}.${index + 1}.member`;
        if (item === null) out.push(violation(null, itemPath, "Member must not be null"));
        else
          checkStructure(
            item as Record<string, unknown>,
            shape.member as StructureShape,
            `${itemPath}.`,
            out,
          );
      });
      return;
    }
    // AWS reports the members' failures once for the list: "Member must satisfy constraint: [...]".
    const failed = new Set<string>();
    for (const item of items) {
      if (item === null) failed.add("Member must not be null");
      else for (const constraint of scalarFailures(item, shape.member)) failed.add(constraint);
    }
    if (failed.size > 0) {
      out.push(
        violation(items, path, `Member must satisfy constraint: [${[...failed].join(", ")}]`, {
          redacted,
        }),
      );
    }
    return;
  }
  const redacted = shape.type === "string" && shape.redacted === true;
  for (const constraint of scalarFailures(value, shape)) {
    out.push(violation(value, path, constraint, { redacted }));
  }
}

function scalarFailures(value: unknown, shape: Shape): string[] {
  const failures: string[] = [];
  if (shape.type === "string") {
    const text = value as string;
    if (shape.enum !== undefined && !shape.enum.includes(text)) {
      failures.push(`Member must satisfy enum value set: [${shape.enum.join(", ")}]`);
    }
    if (shape.pattern !== undefined && !compile(shape.pattern).test(text)) {
      failures.push(`Member must satisfy regular expression pattern: ${shape.pattern}`);
    }
    // Lengths count UTF-16 code units here; Java's String.length() does the same.
    if (shape.max !== undefined && text.length > shape.max) {
      failures.push(`Member must have length less than or equal to ${shape.max}`);
    }
    if (shape.min !== undefined && text.length < shape.min) {
      failures.push(`Member must have length greater than or equal to ${shape.min}`);
    }
  } else if (shape.type === "integer") {
    const n = value as number;
    if (shape.max !== undefined && n > shape.max) {
      failures.push(`Member must have value less than or equal to ${shape.max}`);
    }
    if (shape.min !== undefined && n < shape.min) {
      failures.push(`Member must have value greater than or equal to ${shape.min}`);
    }
  }
  return failures;
}

const compiled = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(`^(?:${pattern})$`, "u");
    compiled.set(pattern, regex);
  }
  return regex;
}

/** Renders a value as AWS's (Java) validation messages do: lists as `[a, b]`. */
function render(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(render).join(", ")}]`;
  if (isPlainObject(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${render(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function jsonToken(value: unknown): string {
  if (typeof value === "string") return "STRING_VALUE";
  if (typeof value === "number") return "NUMBER_VALUE";
  if (typeof value === "boolean") return value ? "TRUE_VALUE" : "FALSE_VALUE";
  return "VALUE";
}

function notConvertible(value: unknown, target: string): CognitoError {
  if (Array.isArray(value) || isPlainObject(value)) return unexpected(value);
  // A number with a fraction where an integer is expected is NUMBER_VALUE too.
  return new CognitoError(
    "SerializationException",
    `${jsonToken(value)} can not be converted to ${target}`,
  );
}

function unexpected(value: unknown): CognitoError {
  if (Array.isArray(value)) {
    return new CognitoError("SerializationException", "Start of list found where not expected");
  }
  if (isPlainObject(value)) {
    return new CognitoError(
      "SerializationException",
      "Start of structure or map found where not expected.",
    );
  }
  return new CognitoError(
    "SerializationException",
    `Unexpected ${jsonToken(value)} where a structure, list or map was expected`,
  );
}
