import { describe, expect, it } from "vitest";
import { CognitoError } from "./cognito-error";
import { readInput, type StructureShape } from "./input";

const SHAPE: StructureShape = {
  type: "structure",
  members: {
    Name: { type: "string", min: 1, max: 5, pattern: "[a-z]+" },
    Secret: { type: "string", min: 3, redacted: true },
    Count: { type: "integer", min: 1, max: 9 },
    Flag: { type: "boolean" },
    Tags: { type: "list", member: { type: "string", enum: ["a", "b"] }, max: 2 },
    Nested: {
      type: "structure",
      members: { Inner: { type: "integer", max: 1 }, Must: { type: "string" } },
      required: ["Must"],
    },
    Items: {
      type: "list",
      member: { type: "structure", members: { Key: { type: "string" } }, required: ["Key"] },
    },
    Map: { type: "map", value: { type: "string", max: 1 } },
  },
  required: ["Name"],
};

function failure(body: unknown): { type: string; message: string } {
  try {
    readInput(body, SHAPE);
  } catch (error) {
    if (error instanceof CognitoError) return { type: error.type, message: error.message };
    throw error;
  }
  throw new Error("expected a CognitoError");
}

describe("readInput: AWS's validation messages", () => {
  it("returns the known members, without nulls", () => {
    expect(readInput({ Name: "abc", Count: null, Other: 1 }, SHAPE)).toEqual({ Name: "abc" });
  });

  it("words one violation in the singular and several joined by '; '", () => {
    expect(failure({}).message).toBe(
      "1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null",
    );
    expect(failure({ Name: "ABCDEF", Count: 10 }).message).toBe(
      "3 validation errors detected: " +
        "Value 'ABCDEF' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-z]+; " +
        "Value 'ABCDEF' at 'name' failed to satisfy constraint: Member must have length less than or equal to 5; " +
        "Value '10' at 'count' failed to satisfy constraint: Member must have value less than or equal to 9",
    );
  });

  it("leaves redacted values out", () => {
    expect(failure({ Name: "a", Secret: "xy" }).message).toBe(
      "1 validation error detected: Value at 'secret' failed to satisfy constraint: Member must have length greater than or equal to 3",
    );
  });

  it("names nested members with dots and list members with their 1-based index", () => {
    expect(failure({ Name: "a", Nested: { Inner: 2 }, Items: [{ Key: "k" }, {}] }).message).toBe(
      "3 validation errors detected: " +
        "Value '2' at 'nested.inner' failed to satisfy constraint: Member must have value less than or equal to 1; " +
        "Value null at 'nested.must' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'items.2.member.key' failed to satisfy constraint: Member must not be null",
    );
  });

  it("reports a list's length, and its members' failures once, as a Java list", () => {
    expect(failure({ Name: "a", Tags: ["a", "c", "d"] }).message).toBe(
      "2 validation errors detected: " +
        "Value '[a, c, d]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 2; " +
        "Value '[a, c, d]' at 'tags' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [a, b]]",
    );
    expect(failure({ Name: "a", Tags: [null] }).message).toBe(
      "1 validation error detected: Value '[null]' at 'tags' failed to satisfy constraint: Member must satisfy constraint: [Member must not be null]",
    );
  });

  it("checks map values under the key's name", () => {
    expect(failure({ Name: "a", Map: { k: "too long" } }).message).toBe(
      "1 validation error detected: Value 'too long' at 'map.k' failed to satisfy constraint: Member must have length less than or equal to 1",
    );
  });
});

describe("readInput: SerializationException for the wrong JSON type", () => {
  it.each([
    [{ Name: 1 }, "NUMBER_VALUE can not be converted to a String"],
    [{ Name: true }, "TRUE_VALUE can not be converted to a String"],
    [{ Name: "a", Count: "1" }, "STRING_VALUE can not be converted to an Integer"],
    [{ Name: "a", Count: 1.5 }, "NUMBER_VALUE can not be converted to an Integer"],
    [{ Name: "a", Flag: "true" }, "STRING_VALUE can not be converted to a Boolean"],
    [{ Name: "a", Tags: {} }, "Start of structure or map found where not expected."],
    [{ Name: "a", Nested: [] }, "Start of list found where not expected"],
    [
      { Name: "a", Map: "x" },
      "Unexpected STRING_VALUE where a structure, list or map was expected",
    ],
    [[], "Start of list found where not expected"],
  ])("%j → %s", (body, message) => {
    expect(failure(body)).toEqual({ type: "SerializationException", message });
  });
});
