import { describe, expect, it } from "vitest";
import { isLoopbackHost, LOOPBACK_HOSTS } from "../src";

describe("RFC 8252 §7.3 loopback hosts", () => {
  it("knows the loopback names as URL.hostname spells them", () => {
    for (const url of ["http://localhost:3000/cb", "http://127.0.0.1/cb", "http://[::1]:8080/cb"])
      expect(isLoopbackHost(new URL(url).hostname), url).toBe(true);
    for (const url of [
      "http://example.com/",
      "http://127.0.0.2/",
      "http://localhost.example/",
      "http://[::2]/",
    ])
      expect(isLoopbackHost(new URL(url).hostname), url).toBe(false);
    expect([...LOOPBACK_HOSTS]).toEqual(["localhost", "127.0.0.1", "[::1]"]);
  });
});
