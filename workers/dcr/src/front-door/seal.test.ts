import { describe, expect, it } from "vitest";
import { MAX_SEALED_LENGTH, openValue, type SealOptions, sealValue } from "./seal";

const NOW = Date.UTC(2026, 10, 26);
const SECRET = "a-front-door-key-of-at-least-32-characters";

function at(ms: number, secret = SECRET): SealOptions {
  return { secret, now: () => ms };
}

/** Changes one character (not the last: its low bits may be padding that decodes the same). */
function tamper(sealed: string, index: number): string {
  const c = sealed[index] === "A" ? "B" : "A";
  return `${sealed.slice(0, index)}${c}${sealed.slice(index + 1)}`;
}

describe("sealed values: AES-GCM, one key per purpose, with their own expiry", () => {
  it("opens what it sealed, and hides it", async () => {
    const body = { clientId: "abc", scope: "openid", nested: [1, 2] };
    const sealed = await sealValue("code", body, 300, at(NOW));
    expect(sealed).toMatch(/^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain("abc");
    expect(await openValue("code", sealed, at(NOW))).toEqual(body);
  });

  it.each(["transaction", "code", "consent", "refresh", "app-client-secret"] as const)(
    "round-trips for %s",
    async (purpose) => {
      const sealed = await sealValue(purpose, { purpose }, 60, at(NOW));
      expect(await openValue(purpose, sealed, at(NOW))).toEqual({ purpose });
    },
  );

  it("seals the same value differently each time (random IV)", async () => {
    const a = await sealValue("code", "same", 300, at(NOW));
    const b = await sealValue("code", "same", 300, at(NOW));
    expect(a).not.toBe(b);
  });

  it("a tampered value opens to undefined, wherever it is changed", async () => {
    const sealed = await sealValue("transaction", { id: "x" }, 300, at(NOW));
    expect(await openValue("transaction", sealed, at(NOW))).toEqual({ id: "x" });
    for (const index of [0, 5, 17, 30, sealed.length - 2])
      expect(await openValue("transaction", tamper(sealed, index), at(NOW))).toBeUndefined();
    expect(await openValue("transaction", sealed.slice(0, -4), at(NOW))).toBeUndefined();
  });

  it("expires after its TTL, to the second", async () => {
    const sealed = await sealValue("code", "v", 300, at(NOW));
    expect(await openValue("code", sealed, at(NOW + 299_999))).toBe("v");
    expect(await openValue("code", sealed, at(NOW + 300_000))).toBeUndefined();
  });

  it("a value sealed for one purpose does not open for another", async () => {
    const sealed = await sealValue("transaction", { id: "x" }, 300, at(NOW));
    expect(await openValue("code", sealed, at(NOW))).toBeUndefined();
    expect(await openValue("consent", sealed, at(NOW))).toBeUndefined();
  });

  it("a value sealed under another key does not open", async () => {
    const sealed = await sealValue("code", "v", 300, at(NOW, `${SECRET}-other`));
    expect(await openValue("code", sealed, at(NOW))).toBeUndefined();
  });

  it.each([
    ["undefined", undefined],
    ["null", null],
    ["empty", ""],
    ["one part", "abc"],
    ["three parts", "a.b.c"],
    ["not base64url", "AAAAAAAAAAAAAAAA.!!!!"],
    ["a short IV", "AAAA.AAAAAAAAAAAAAAAAAAAAAAAA"],
    ["a short ciphertext", "AAAAAAAAAAAAAAAA.AAAA"],
    ["too long", `AAAAAAAAAAAAAAAA.${"A".repeat(MAX_SEALED_LENGTH)}`],
  ])("%s is not a sealed value", async (_, value) => {
    expect(await openValue("code", value, at(NOW))).toBeUndefined();
  });
});

describe("sealed values bound to a context (associated data)", () => {
  it("opens only with the context it was sealed with", async () => {
    const sealed = await sealValue("refresh", { t: "r" }, 300, { ...at(NOW), context: "client-a" });
    expect(await openValue("refresh", sealed, { ...at(NOW), context: "client-a" })).toEqual({
      t: "r",
    });
    expect(await openValue("refresh", sealed, { ...at(NOW), context: "client-b" })).toBeUndefined();
    expect(await openValue("refresh", sealed, at(NOW))).toBeUndefined();
    // A value sealed without a context does not open with one either.
    const plain = await sealValue("refresh", { t: "r" }, 300, at(NOW));
    expect(await openValue("refresh", plain, { ...at(NOW), context: "client-a" })).toBeUndefined();
  });

  it("a context cannot be faked by moving text between purpose and context", async () => {
    const sealed = await sealValue("refresh", 1, 300, { ...at(NOW), context: "x" });
    expect(
      await openValue("app-client-secret", sealed, { ...at(NOW), context: "x" }),
    ).toBeUndefined();
  });
});
