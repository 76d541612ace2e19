// Values the adapter sends: tool arguments and elicitation answers built from JSON schemas, and
// the tool calls a scenario's context names.

import type { CallToolRequest } from "@modelcontextprotocol/client";
import { context } from "./options";

/** A JSON value that satisfies `schema` well enough to call a tool or answer an elicitation. */
function buildValue(schema: unknown): unknown {
  if (typeof schema !== "object" || schema === null) return "conformance";
  const rule = schema as Record<string, unknown>;
  if ("const" in rule) return rule.const;
  if (Array.isArray(rule.enum) && rule.enum.length > 0) return rule.enum[0];
  if ("default" in rule) return rule.default;
  const type = Array.isArray(rule.type) ? rule.type[0] : rule.type;
  switch (type) {
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return true;
    case "array":
      return [];
    case "null":
      return null;
    case "object":
      return buildArguments(rule);
    default:
      return "conformance";
  }
}

/** An object holding a value for each required property of an object `schema`. */
export function buildArguments(schema: unknown): Record<string, unknown> {
  if (typeof schema !== "object" || schema === null) return {};
  const { properties, required } = schema as { properties?: unknown; required?: unknown };
  if (!Array.isArray(required) || typeof properties !== "object" || properties === null) return {};
  const byName = properties as Record<string, unknown>;
  return Object.fromEntries(
    required
      .filter((name): name is string => typeof name === "string")
      .map((name) => [name, buildValue(byName[name])]),
  );
}

/** An accepted form's content: a value for each required field (form fields are primitives). */
export function buildFormAnswer(schema: unknown): Record<string, string | number | boolean> {
  const answer: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(buildArguments(schema))) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") {
      answer[name] = value;
    }
  }
  return answer;
}

/** The tool calls the scenario's context names (`toolCalls`), if any. */
export function contextToolCalls(): CallToolRequest["params"][] | undefined {
  const calls = context.toolCalls;
  if (!Array.isArray(calls)) return undefined;
  return calls.filter(
    (call): call is CallToolRequest["params"] =>
      typeof call === "object" && call !== null && typeof call.name === "string",
  );
}
