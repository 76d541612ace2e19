import { timingSafeEqual as nodeTimingSafeEqual } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type ComparableSecret, timingSafeEqual } from "../src";

const toBytes = (value: ComparableSecret) =>
  typeof value === "string" ? new TextEncoder().encode(value) : new Uint8Array(value);

const CASES: [ComparableSecret, ComparableSecret, boolean][] = [
  ["secret", "secret", true],
  ["", "", true],
  ["secret", "secreT", false],
  ["secret", "secret!", false],
  ["secret!", "secret", false],
  ["", "a", false],
  ["é", "é", true],
  ["é", "e\u0301", false],
  [new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]), true],
  [new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]), false],
  [new Uint8Array([0x61]), "a", true],
  [new Uint8Array([1, 2]).buffer, new Uint8Array([1, 2]), true],
  [new Uint8Array([1, 2]).buffer, new Uint8Array([1, 3]).buffer, false],
  // A shorter input padded with zero bytes must not pass for the longer one.
  [new Uint8Array([1, 0]), new Uint8Array([1]), false],
];

describe("constant-time comparison", () => {
  afterEach(() => vi.restoreAllMocks());

  it("compares with a XOR loop where the runtime has no crypto.subtle.timingSafeEqual", () => {
    expect("timingSafeEqual" in crypto.subtle).toBe(false);
    for (const [a, b, equal] of CASES) expect(timingSafeEqual(a, b), `${a} ${b}`).toBe(equal);
  });

  it("uses crypto.subtle.timingSafeEqual where the runtime has it (workerd)", () => {
    const native = vi.fn((a: Uint8Array, b: Uint8Array) => nodeTimingSafeEqual(a, b));
    Object.defineProperty(crypto.subtle, "timingSafeEqual", { value: native, configurable: true });
    try {
      for (const [a, b, equal] of CASES) expect(timingSafeEqual(a, b), `${a} ${b}`).toBe(equal);
      // Called for each pair of equal byte lengths only: it throws on unequal ones.
      const sameLength = CASES.filter(([a, b]) => toBytes(a).byteLength === toBytes(b).byteLength);
      expect(native).toHaveBeenCalledTimes(sameLength.length);
    } finally {
      Reflect.deleteProperty(crypto.subtle, "timingSafeEqual");
    }
  });
});
