import { isJsonObject } from "@mcp-cognito-workers/http";
import { CognitoError } from "./cognito-error";
import type { Shape } from "./input-shapes";

/**
 * Reads a JSON value as AWS's JSON protocol does: a member of the wrong JSON type is a
 * `SerializationException`; unknown members and nulls are dropped.
 */
export function deserializeInput(value: unknown, shape: Shape): unknown {
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
      return value.map((item) => (item === null ? null : deserializeInput(item, shape.member)));
    }
    case "map": {
      if (!isJsonObject(value)) throw unexpected(value);
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (item !== null) out[key] = deserializeInput(item, shape.value);
      }
      return out;
    }
    case "structure": {
      if (!isJsonObject(value)) throw unexpected(value);
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members)) {
        const item = value[name];
        if (item !== undefined && item !== null) out[name] = deserializeInput(item, member);
      }
      return out;
    }
  }
}

function jsonToken(value: unknown): string {
  if (typeof value === "string") return "STRING_VALUE";
  if (typeof value === "number") return "NUMBER_VALUE";
  if (typeof value === "boolean") return value ? "TRUE_VALUE" : "FALSE_VALUE";
  return "VALUE";
}

function notConvertible(value: unknown, target: string): CognitoError {
  if (Array.isArray(value) || isJsonObject(value)) return unexpected(value);
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
  if (isJsonObject(value)) {
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
