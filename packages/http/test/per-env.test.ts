import { describe, expect, it } from "vitest";
import { readOncePerEnv } from "../src/per-env";

describe("readOncePerEnv", () => {
  it("reads an env object once, and another env object anew", () => {
    let reads = 0;
    const read = readOncePerEnv((env: { NAME?: string }) => {
      reads++;
      return { name: env.NAME };
    });
    const env = { NAME: "a" };
    const first = read(env);
    expect(read(env)).toBe(first);
    expect(reads).toBe(1);
    expect(read({ NAME: "b" })).toEqual({ name: "b" });
    expect(reads).toBe(2);
  });

  it("keeps no failure: an env that threw is read again", () => {
    let reads = 0;
    const read = readOncePerEnv((env: { NAME?: string }) => {
      reads++;
      if (!env.NAME) throw new TypeError("NAME is not set");
      return env.NAME;
    });
    const env: { NAME?: string } = {};
    expect(() => read(env)).toThrow("NAME is not set");
    expect(() => read(env)).toThrow("NAME is not set");
    expect(reads).toBe(2);
  });
});
