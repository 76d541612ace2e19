import { isJsonObject } from "@mcp-cognito-workers/http";
import { CognitoError } from "./cognito-error";
import type { Shape, StructureShape } from "./input-shapes";

/**
 * Every constraint of the model that a deserialized input breaks, worded as AWS words it:
 * "Value 'x' at 'path' failed to satisfy constraint: ...".
 */
export function listViolations(input: Record<string, unknown>, shape: StructureShape): string[] {
  const violations: string[] = [];
  checkStructure(input, shape, "", violations);
  return violations;
}

/** `InvalidParameterException` with AWS's "N validation error(s) detected: ..." message. */
export function validationError(violations: readonly string[]): CognitoError {
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
  if (isJsonObject(value)) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${render(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
