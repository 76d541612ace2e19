import { describe, expect, it } from "vitest";
import { isJsonObject } from "../src";

describe("JSON object guard", () => {
  it("accepts objects only: not null, arrays or primitives", () => {
    expect(isJsonObject({})).toBe(true);
    expect(isJsonObject(JSON.parse('{"a":1}'))).toBe(true);
    for (const value of [null, undefined, [], [{}], "{}", 1, true])
      expect(isJsonObject(value), JSON.stringify(value)).toBe(false);
  });
});
