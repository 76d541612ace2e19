import { listViolations, validationError } from "./input-constraints";
import { deserializeInput } from "./input-deserialize";
import type { StructureShape } from "./input-shapes";

export type {
  BooleanShape,
  IntegerShape,
  ListShape,
  MapShape,
  Shape,
  StringShape,
  StructureShape,
} from "./input-shapes";

/**
 * Reads an operation's JSON input as AWS does: members of the wrong JSON type are a
 * `SerializationException`; unknown members and nulls are dropped; then every constraint of the
 * model is checked and all violations are reported together in one `InvalidParameterException`
 * ("2 validation errors detected: ...; ...").
 */
export function readInput(body: unknown, shape: StructureShape): Record<string, unknown> {
  const input = deserializeInput(body, shape) as Record<string, unknown>;
  const violations = listViolations(input, shape);
  if (violations.length > 0) throw validationError(violations);
  return input;
}
